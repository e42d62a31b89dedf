"""CSV in the import formats of ASReview LAB and Rayyan, with the labels they keep.

ASReview reads a 0/1 ``included`` column as prior labels (blank: not screened) and keeps
every other column, so ``reviewkit_id`` comes back in its export. Rayyan's CSV template
has ``key`` and ``notes``: the reviewkit id goes in ``key``, the labels in ``notes``.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable
from typing import TextIO

from reviewkit.io.writers import own_keywords, write_ris
from reviewkit.reporting.tables import csv_safe
from reviewkit.store.base import StoredRecord

Extras = Callable[[StoredRecord], dict[str, str]]
ASREVIEW_COLUMNS = ["reviewkit_id", "title", "abstract", "authors", "year", "journal", "doi",
                    "pmid", "url", "keywords", "reviewkit_members", "included"]
RAYYAN_COLUMNS = ["key", "title", "authors", "journal", "issn", "volume", "issue", "pages",
                  "year", "publisher", "url", "abstract", "notes", "doi", "keywords",
                  "pubmed_id", "language"]
LABELS = {"include": "1", "exclude": "0"}  # ASReview's relevant / irrelevant
RIS_LABELS = {"include": "ASReview_relevant", "exclude": "ASReview_irrelevant"}
NOT_SEEN = "ASReview_not_seen"


def _write(rows: Iterable[dict], columns: list[str], out: TextIO) -> int:
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    n = 0
    for row in rows:
        writer.writerow({k: csv_safe(v) for k, v in row.items()})  # opened in spreadsheets
        n += 1
    return n


def write_asreview(records: Iterable[StoredRecord], out: TextIO, raw: object = None,
                   extras: Extras | None = None) -> int:
    def rows() -> Iterable[dict]:
        for sr in records:
            rec, extra = sr.record, extras(sr) if extras else {}
            yield {"reviewkit_id": sr.id, "title": rec.title, "abstract": rec.abstract,
                   "authors": "; ".join(rec.authors), "year": rec.year or "",
                   "journal": rec.journal, "doi": rec.doi, "pmid": rec.pmid,
                   "url": rec.urls[0] if rec.urls else "",
                   "keywords": "; ".join(own_keywords(rec.keywords)),
                   "reviewkit_members": extra.get("members", ""),
                   "included": LABELS.get(extra.get("decision", ""), "")}

    return _write(rows(), ASREVIEW_COLUMNS, out)


def write_asreview_ris(records: Iterable[StoredRecord], out: TextIO, raw: object = None,
                       extras: Extras | None = None) -> int:
    """RIS with ASReview's N1 labels (ASReview_relevant / _irrelevant / _not_seen)."""
    def labelled(sr: StoredRecord) -> dict[str, str]:
        extra = extras(sr) if extras else {}
        label = RIS_LABELS.get(extra.get("decision", ""), NOT_SEEN)
        return extra | {"asreview": label}

    # a record read from ASReview's own export has its label: this one replaces it
    earlier = frozenset(v.lower() for v in (*RIS_LABELS.values(), NOT_SEEN))
    return write_ris(records, out, raw, labelled, relabel=earlier)


def rayyan_notes(extra: dict[str, str]) -> str:
    parts = []
    if extra.get("decision"):
        parts.append(f"reviewkit {extra['stage']}: {extra['decision']}")
    if extra.get("members"):
        parts.append(f"reviewkit members: {extra['members']}")
    if extra.get("study"):
        parts.append(f"reviewkit study: {extra['study']}")
    return " | ".join(parts)


def write_rayyan(records: Iterable[StoredRecord], out: TextIO, raw: object = None,
                 extras: Extras | None = None) -> int:
    def rows() -> Iterable[dict]:
        for sr in records:
            rec, extra = sr.record, extras(sr) if extras else {}
            keywords = own_keywords(rec.keywords)
            if extra.get("decision"):
                keywords.append(f"reviewkit:{extra['stage']}:{extra['decision']}")
            yield {"key": sr.id, "title": rec.title, "authors": "; ".join(rec.authors),
                   "journal": rec.journal, "issn": "; ".join(rec.issn), "volume": rec.volume,
                   "issue": rec.issue, "pages": rec.pages, "year": rec.year or "",
                   "publisher": "", "url": rec.urls[0] if rec.urls else "",
                   "abstract": rec.abstract, "notes": rayyan_notes(extra), "doi": rec.doi,
                   "keywords": "; ".join(keywords), "pubmed_id": rec.pmid,
                   "language": rec.language}

    return _write(rows(), RAYYAN_COLUMNS, out)
