"""Which reviewkit record a row from another tool is about."""

from __future__ import annotations

from collections import defaultdict

from reviewkit.dedup.features import title_words
from reviewkit.records import normalise as norm
from reviewkit.screening.data import Screening


class Matcher:
    """Finds the screening unit a row is about: by reviewkit id, DOI, PMID, then title
    (with the year when both have one, else a year either side or none). A key shared by
    two units matches neither."""

    def __init__(self, screening: Screening) -> None:
        self.screening = screening
        self.doi: dict[str, set[str]] = defaultdict(set)
        self.pmid: dict[str, set[str]] = defaultdict(set)
        self.title: dict[tuple[str, int | None], set[str]] = defaultdict(set)
        self.title_any: dict[str, set[str]] = defaultdict(set)
        for sr in screening.store.iter_records():
            if not screening.knows(sr.id):
                continue
            unit, rec = screening.unit_of(sr.id), sr.record
            if rec.doi:
                self.doi[norm.doi(rec.doi)].add(unit)
            if rec.pmid:
                self.pmid[rec.pmid.strip()].add(unit)
            key = title_words(rec.title)
            if key:
                self.title[(key, rec.year)].add(unit)
                self.title_any[key].add(unit)

    def match(self, ids: dict[str, str]) -> tuple[str, str] | None:
        """(record id to log, how it matched), or None."""
        rid = ids.get("id", "").strip()
        if rid and self.screening.knows(rid):
            return rid, "id"
        for how, index, key in (("doi", self.doi, norm.doi(ids.get("doi", ""))),
                                ("pmid", self.pmid, ids.get("pmid", "").strip())):
            if key and len(index.get(key, ())) == 1:
                return next(iter(index[key])), how
        key = title_words(ids.get("title", ""))
        if not key:
            return None
        year = norm.year(ids.get("year", ""))
        found = self.title.get((key, year), set()) if year else set()
        if len(found) == 1:
            return next(iter(found)), "title+year"
        if found:
            return None  # two records share title and year: neither is guessed
        if year:
            # a year either side: the e-pub year in one database, the in another
            near = self.title.get((key, year - 1), set()) | self.title.get((key, year + 1), set())
            found = near or self.title.get((key, None), set())
        else:
            found = self.title_any.get(key, set())
        return (next(iter(found)), "title") if len(found) == 1 else None
