"""SQLite implementation of the store (one file under .reviewkit/)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

from reviewkit.records.model import Record
from reviewkit.store.base import FileRow, StoredRecord

SCHEMA_VERSION = "1"
_RECORD_COLS = ("title", "abstract", "authors", "year", "journal", "journal_abbrev", "volume",
                "issue", "pages", "doi", "issn", "isbn", "pmid", "accession", "keywords",
                "urls", "type", "language", "database", "position", "line", "raw")
_JSON_COLS = {"authors", "issn", "isbn", "accession", "keywords", "urls", "raw"}

_SCHEMA = f"""
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE sources (key TEXT PRIMARY KEY, search_id TEXT, fingerprint TEXT NOT NULL);
CREATE TABLE files (path TEXT PRIMARY KEY, source TEXT NOT NULL, search_id TEXT,
  sha256 TEXT NOT NULL, size INTEGER, mtime_ns INTEGER, format TEXT, dialect TEXT,
  encoding TEXT, entries INTEGER);
CREATE TABLE records (id TEXT PRIMARY KEY, source TEXT NOT NULL, search_id TEXT,
  file TEXT NOT NULL, {", ".join(_RECORD_COLS)});
CREATE TABLE occurrences (record_id TEXT NOT NULL, source TEXT NOT NULL, file TEXT NOT NULL,
  position INTEGER, line INTEGER);
CREATE INDEX records_source ON records(source);
CREATE INDEX records_doi ON records(doi);
CREATE INDEX occurrences_source ON occurrences(source);
INSERT INTO meta VALUES ('schema', '{SCHEMA_VERSION}');
"""


_INSERT_RECORD = f"INSERT OR IGNORE INTO records VALUES ({','.join('?' * (4 + len(_RECORD_COLS)))})"


class SQLiteStore:
    """The store as an SQLite file; safe to delete, rebuilt on the next command."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self.db = sqlite3.connect(str(self.path))
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        if self._version() != SCHEMA_VERSION:
            self._reset()

    def _version(self) -> str | None:
        try:
            row = self.db.execute("SELECT value FROM meta WHERE key='schema'").fetchone()
        except sqlite3.DatabaseError:
            return None
        return row[0] if row else None

    def _reset(self) -> None:
        # an old or broken cache is simply rebuilt from the project's files
        tables = [r[0] for r in self.db.execute(
            "SELECT name FROM sqlite_master WHERE type='table'")]
        with self.db:
            for table in tables:
                self.db.execute(f"DROP TABLE IF EXISTS {table}")
            self.db.executescript(_SCHEMA)

    # sources -----------------------------------------------------------
    def source_fingerprint(self, source: str) -> str | None:
        row = self.db.execute("SELECT fingerprint FROM sources WHERE key=?", (source,)).fetchone()
        return row[0] if row else None

    def sources(self) -> list[str]:
        return [r[0] for r in self.db.execute("SELECT key FROM sources ORDER BY key")]

    def replace_source(self, source: str, search_id: str | None, fingerprint: str,
                       files: list[tuple[FileRow, list[tuple[str, Record]]]]) -> None:
        with self.db:
            self._delete_source(source)
            self.db.execute("INSERT INTO sources VALUES (?,?,?)", (source, search_id, fingerprint))
            for row, records in files:
                self.db.execute("INSERT INTO files VALUES (?,?,?,?,?,?,?,?,?,?)", (
                    row.path, source, search_id, row.sha256, row.size, row.mtime_ns,
                    row.format, row.dialect, row.encoding, row.entries))
                self.db.executemany(
                    _INSERT_RECORD,
                    (_record_row(rid, source, search_id, row.path, rec) for rid, rec in records))
                self.db.executemany(
                    "INSERT INTO occurrences VALUES (?,?,?,?,?)",
                    ((rid, source, row.path, rec.position, rec.line) for rid, rec in records))

    def remove_source(self, source: str) -> None:
        with self.db:
            self._delete_source(source)

    def _delete_source(self, source: str) -> None:
        for table, col in (("sources", "key"), ("files", "source"), ("records", "source"),
                           ("occurrences", "source")):
            self.db.execute(f"DELETE FROM {table} WHERE {col}=?", (source,))

    # files -------------------------------------------------------------
    def cached_file(self, path: str) -> FileRow | None:
        row = self.db.execute("SELECT * FROM files WHERE path=?", (path,)).fetchone()
        return FileRow(*row) if row else None

    def files(self) -> list[FileRow]:
        return [FileRow(*r) for r in self.db.execute("SELECT * FROM files ORDER BY path")]

    # records -----------------------------------------------------------
    def count_records(self, search_id: str | None = None) -> int:
        if search_id is None:
            return self.db.execute("SELECT count(*) FROM records").fetchone()[0]
        return self.db.execute("SELECT count(*) FROM records WHERE search_id=?",
                               (search_id,)).fetchone()[0]

    def count_entries(self) -> dict[str, int]:
        return dict(self.db.execute("SELECT source, count(*) FROM occurrences GROUP BY source"))

    def iter_records(self) -> Iterator[StoredRecord]:
        cur = self.db.execute("SELECT * FROM records ORDER BY source, file, position")
        for row in cur:
            yield _stored(row)

    def get_record(self, record_id: str) -> StoredRecord | None:
        row = self.db.execute("SELECT * FROM records WHERE id=?", (record_id,)).fetchone()
        return _stored(row) if row else None

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> SQLiteStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _record_row(rid: str, source: str, search_id: str | None, file: str, rec: Record) -> tuple:
    d = rec.__dict__
    dumps = json.dumps
    return (rid, source, search_id, file, *(
        dumps(d[c], ensure_ascii=False) if c in _JSON_COLS else d[c] for c in _RECORD_COLS))


def _stored(row: tuple) -> StoredRecord:
    rid, source, search_id, file, *values = row
    fields = dict(zip(_RECORD_COLS, values, strict=True))
    for col in _JSON_COLS:
        fields[col] = json.loads(fields[col])
    fields["raw"] = [tuple(p) for p in fields["raw"]]
    return StoredRecord(rid, source, search_id, file, Record(**fields))


def open_store(path: Path) -> SQLiteStore:
    path.parent.mkdir(parents=True, exist_ok=True)
    return SQLiteStore(path)
