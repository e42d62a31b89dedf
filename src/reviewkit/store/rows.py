"""A record as one row of the store's records table, and back (store/sqlite.py).

The raw tag/value pairs are not copied into the row: the export file kept in the
project is their home, read again when needed (io/rawsource.py).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator

from reviewkit.records.model import Record
from reviewkit.store.base import StoredRecord

RECORD_COLS = ("title", "abstract", "authors", "year", "journal", "journal_abbrev", "volume",
                "issue", "pages", "doi", "issn", "isbn", "pmid", "accession", "keywords",
                "urls", "type", "language", "database", "position", "line")
LIST_COLS = {"authors", "issn", "isbn", "keywords", "urls"}
_SEP, _JSON = "\x1f", "\x02"  # unit separator; marker for the rare JSON fallback


def hashed_rows(rows: Iterator[tuple], digest: hashlib._Hash) -> Iterator[tuple]:
    """The rows, unchanged, each also fed to ``digest`` (as ``verify_records`` reads them)."""
    for row in rows:
        digest.update(repr(row).encode("utf-8", "surrogatepass"))
        yield row


def pack(values: list[str]) -> str:
    """List -> one TEXT cell: separator-joined (fast), JSON if a value holds a separator."""
    if not values:
        return ""
    joined = _SEP.join(values)
    if joined.count(_SEP) != len(values) - 1 or joined.startswith(_JSON):
        return _JSON + json.dumps(values, ensure_ascii=False)
    return joined


def unpack(cell: str) -> list[str]:
    if not cell:
        return []
    if cell.startswith(_JSON):
        return json.loads(cell[1:])
    return cell.split(_SEP)


def record_row(rid: str, source: str, search_id: str | None, file: str, r: Record) -> tuple:
    # spelled out: this runs once per record of 100k-record imports
    return (rid, source, search_id, file, rid.partition("/")[2], r.title, r.abstract,
            pack(r.authors), r.year, r.journal, r.journal_abbrev, r.volume, r.issue,
            r.pages, r.doi, pack(r.issn),
            pack(r.isbn), r.pmid, pack([x for kv in r.accession.items() for x in kv]),
            pack(r.keywords), pack(r.urls), r.type, r.language, r.database, r.position,
            r.line)


def stored_record(row: tuple) -> StoredRecord:
    rid, source, search_id, file, _key, *values = row
    fields = dict(zip(RECORD_COLS, values, strict=True))
    for col in LIST_COLS:
        fields[col] = unpack(fields[col])
    flat = unpack(fields["accession"])
    fields["accession"] = dict(zip(flat[::2], flat[1::2], strict=True))
    return StoredRecord(rid, source, search_id, file, Record(**fields))
