"""What every store offers; SQLite now, PostgreSQL for teams later."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol

from reviewkit.records.model import Record


@dataclass
class FileRow:
    """One export file as last read into the store."""

    path: str
    source: str
    search_id: str | None
    sha256: str
    size: int
    mtime_ns: int
    format: str
    dialect: str
    encoding: str
    entries: int
    records_sha: str = ""  # over the stored rows: `verify_records` finds a flipped byte


@dataclass
class StoredRecord:
    """A record with its id and where it came from."""

    id: str
    source: str
    search_id: str | None
    file: str
    record: Record


class Store(Protocol):
    def source_fingerprint(self, source: str) -> str | None: ...

    def sources(self) -> list[str]: ...

    def replace_source(self, source: str, search_id: str | None, fingerprint: str,
                       files: list[tuple[FileRow, list[tuple[str, Record]]]]) -> None:
        """Swap everything one source holds for freshly read files, atomically."""

    def remove_source(self, source: str) -> None: ...

    def cached_file(self, path: str) -> FileRow | None: ...

    def files(self) -> list[FileRow]: ...

    def count_records(self, search_id: str | None = None) -> int: ...

    def count_entries(self) -> dict[str, int]:
        """Entries read per source (repeats in an export included)."""

    def iter_records(self) -> Iterator[StoredRecord]: ...

    def iter_file_records(self, path: str) -> Iterator[StoredRecord]:
        """One file's records in file order."""

    def get_record(self, record_id: str) -> StoredRecord | None: ...

    def content_key(self) -> str | None:
        """A digest of every stored record's content; None if the store cannot say."""

    def ranking_texts(self, ids: list[str]) -> list[dict]:
        """{"id", "title", "abstract", "keywords"} of each id, in order (the ranker's
        input; empty fields for an id not stored)."""

    def resolve(self, record_id: str) -> str | None:
        """The current id an id (possibly an older form of it) names; None if nothing."""

    def record_ids(self) -> set[str]: ...

    def ids_with_key(self, key: str) -> list[str]: ...

    def ids_without_abstract(self) -> set[str]:
        """Ids of the records with no abstract (none stored, or only blanks)."""

    def set_aliases(self, aliases: dict[str, str]) -> None: ...

    def get_meta(self, key: str) -> str | None: ...

    def set_meta(self, key: str, value: str) -> None: ...

    def replace_clusters(self, rows: list[tuple[str, str, str]],
                         pairs: list[tuple] | None = None, meta: str | None = None) -> None:
        """Store dedup results: (record_id, representative id, status) per clustered record,
        the pairs (a, b, label, score, outcome, evidence json) and a fingerprint."""

    def dedup_index(self):  # -> store.dedupindex.DedupIndex
        """The tables an incremental dedup keeps (store/dedupindex.py)."""

    def dedup_pairs(self, outcome: str | None = None) -> list[tuple]: ...

    def verify_records(self) -> None:
        """Raise sqlite3.DatabaseError if a stored record row is not what was written."""

    def cluster_counts(self) -> tuple[int, int]:
        """(clusters of two or more records, records linked as duplicates)."""

    def clusters(self) -> dict[str, list[str]]:
        """representative id -> member ids (representative first); singletons included."""

    def close(self) -> None: ...
