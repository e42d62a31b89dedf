"""One bibliographic record as every stage sees it, whatever file it came from."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

# Fields holding lists; everything else is a string, except year (int | None).
LIST_FIELDS = ("authors", "issn", "isbn", "keywords", "urls")


@dataclass
class Record:
    """A normalised record plus the exact tag/value pairs it was read from.

    ``raw`` keeps the source's own fields in file order so that nothing the
    database exported is lost and a RIS round trip can write it back.
    ``accession`` holds database ids keyed by kind (pmid, wos, embase, scopus,
    an, ...): the first one found gives the record its stable id.
    """

    title: str = ""
    abstract: str = ""
    authors: list[str] = field(default_factory=list)
    year: int | None = None
    journal: str = ""
    journal_abbrev: str = ""
    volume: str = ""
    issue: str = ""
    pages: str = ""
    doi: str = ""
    issn: list[str] = field(default_factory=list)
    isbn: list[str] = field(default_factory=list)
    pmid: str = ""
    accession: dict[str, str] = field(default_factory=dict)
    keywords: list[str] = field(default_factory=list)
    urls: list[str] = field(default_factory=list)
    type: str = ""
    language: str = ""
    database: str = ""
    # provenance inside the raw file
    position: int = 0
    line: int = 0
    raw: list[tuple[str, str]] = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)
