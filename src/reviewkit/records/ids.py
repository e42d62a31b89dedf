"""Stable record ids: the file's durable key + the database's accession, else a content hash.

An id never depends on row numbers, on other files or on which search claims
the file (records/fileids.py), so decisions that refer to it survive rebuilds,
later imports, and a file being logged, renamed or moved.
"""

from __future__ import annotations

import hashlib
import re

from reviewkit.records.model import Record
from reviewkit.records.normalise import dedupe

# Which accession kind names a record, in order of preference.
ACCESSION_ORDER = ("an", "wos", "embase", "scopus", "zoorec", "pmid")
_UNSAFE = re.compile(r"[^A-Za-z0-9._:-]+")
_WORD = re.compile(r"[^a-z0-9]+")


def content_key(rec: Record) -> str:
    """12 hex digits over the normalised bibliographic content."""
    # authors as ids were first made: a name given twice once (the readers dropped the
    # second until PARSER_VERSION 6), so no id handed out before moves
    parts = [rec.title, "|".join(dedupe(rec.authors)), str(rec.year or ""), rec.journal,
             rec.volume, rec.issue, rec.pages, rec.doi, rec.abstract[:200]]
    text = _WORD.sub(" ", "\x1f".join(parts).lower())
    return hashlib.blake2b(text.encode("utf-8"), digest_size=6).hexdigest()


def record_key(rec: Record) -> str:
    """The part of the id that comes from the record itself."""
    for kind in ACCESSION_ORDER:
        value = rec.accession.get(kind)
        if value:
            return f"{kind}-{_UNSAFE.sub('_', value.strip())}"
    if rec.pmid:
        return f"pmid-{rec.pmid}"
    return f"h-{content_key(rec)}"


class IdAssigner:
    """Ids for one file's records, fed in pieces; a key repeated in the file gets '~2', '~3'."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self.seen: dict[str, int] = {}

    def assign(self, records: list[Record]) -> list[str]:
        out = []
        seen = self.seen
        for rec in records:
            key = f"{self.prefix}/{record_key(rec)}"
            n = seen.get(key, 0) + 1
            seen[key] = n
            out.append(key if n == 1 else f"{key}~{n}")
        return out


def assign_ids(records: list[Record], prefix: str) -> list[str]:
    """Ids for one whole file's records."""
    return IdAssigner(prefix).assign(records)
