"""SQLite implementation of the store (one file under .reviewkit/)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

from reviewkit.records.model import Record
from reviewkit.store.base import FileRow, StoredRecord

SCHEMA_VERSION = "5"
_RECORD_COLS = ("title", "abstract", "authors", "year", "journal", "journal_abbrev", "volume",
                "issue", "pages", "doi", "issn", "isbn", "pmid", "accession", "keywords",
                "urls", "type", "language", "database", "position", "line")
# The raw tag/value pairs are not copied here: the export file kept in the
# project is their home, read again when needed (io/rawsource.py).
_LIST_COLS = {"authors", "issn", "isbn", "keywords", "urls"}
_SEP, _JSON = "\x1f", "\x02"  # unit separator; marker for the rare JSON fallback

_SCHEMA = f"""
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE sources (key TEXT PRIMARY KEY, search_id TEXT, fingerprint TEXT NOT NULL);
CREATE TABLE files (path TEXT PRIMARY KEY, source TEXT NOT NULL, search_id TEXT,
  sha256 TEXT NOT NULL, size INTEGER, mtime_ns INTEGER, format TEXT, dialect TEXT,
  encoding TEXT, entries INTEGER);
CREATE TABLE records (id TEXT PRIMARY KEY, source TEXT NOT NULL, search_id TEXT,
  file TEXT NOT NULL, {", ".join(_RECORD_COLS)});
CREATE INDEX records_source ON records(source);
CREATE TABLE clusters (record_id TEXT PRIMARY KEY, representative TEXT NOT NULL,
  status TEXT NOT NULL);
CREATE INDEX clusters_rep ON clusters(representative);
CREATE TABLE dedup_pairs (a TEXT NOT NULL, b TEXT NOT NULL, label TEXT, score REAL,
  outcome TEXT, evidence TEXT);
INSERT INTO meta VALUES ('schema', '{SCHEMA_VERSION}');
"""


_INSERT_RECORD = f"INSERT OR IGNORE INTO records VALUES ({','.join('?' * (4 + len(_RECORD_COLS)))})"


class SQLiteStore:
    """The store as an SQLite file; safe to delete, rebuilt on the next command."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self.db = self._connect()
        if self._version() != SCHEMA_VERSION:
            # an old or broken cache is simply rebuilt from the project's files
            self.db.close()
            self.path.unlink(missing_ok=True)
            self.db = self._connect()
            with self.db:
                self.db.executescript(_SCHEMA)

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(str(self.path))
        # measured fastest for bulk import (bench/import.py); synchronous=OFF is
        # fine for a cache that a crash can only send back to a rebuild
        db.execute("PRAGMA page_size=16384")
        db.execute("PRAGMA synchronous=OFF")
        return db

    def _version(self) -> str | None:
        try:
            row = self.db.execute("SELECT value FROM meta WHERE key='schema'").fetchone()
        except sqlite3.DatabaseError:
            return None
        return row[0] if row else None

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

    def remove_source(self, source: str) -> None:
        with self.db:
            self._delete_source(source)

    def _delete_source(self, source: str) -> None:
        for table, col in (("sources", "key"), ("files", "source"), ("records", "source")):
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
        return dict(self.db.execute("SELECT source, sum(entries) FROM files GROUP BY source"))

    def iter_records(self) -> Iterator[StoredRecord]:
        cur = self.db.execute("SELECT * FROM records ORDER BY source, file, position")
        for row in cur:
            yield _stored(row)

    def get_record(self, record_id: str) -> StoredRecord | None:
        row = self.db.execute("SELECT * FROM records WHERE id=?", (record_id,)).fetchone()
        return _stored(row) if row else None

    # meta -------------------------------------------------------------
    def get_meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        with self.db:
            self.db.execute("INSERT OR REPLACE INTO meta VALUES (?,?)", (key, value))

    # dedup clusters ---------------------------------------------------
    def replace_clusters(self, rows: list[tuple[str, str, str]],
                         pairs: list[tuple] | None = None, meta: str | None = None) -> None:
        """Swap in a whole dedup result at once (clusters, pairs, fingerprint)."""
        with self.db:
            self.db.execute("DELETE FROM clusters")
            self.db.executemany("INSERT INTO clusters VALUES (?,?,?)", rows)
            self.db.execute("DELETE FROM dedup_pairs")
            self.db.executemany("INSERT INTO dedup_pairs VALUES (?,?,?,?,?,?)", pairs or [])
            if meta is not None:
                self.db.execute("INSERT OR REPLACE INTO meta VALUES ('dedup', ?)", (meta,))

    def dedup_pairs(self, outcome: str | None = None) -> list[tuple]:
        sql = "SELECT a, b, label, score, outcome, evidence FROM dedup_pairs"
        if outcome:
            return list(self.db.execute(sql + " WHERE outcome=? ORDER BY score DESC, a, b",
                                        (outcome,)))
        return list(self.db.execute(sql + " ORDER BY a, b"))

    def clusters(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        cur = self.db.execute(
            "SELECT r.id, coalesce(c.representative, r.id) FROM records r "
            "LEFT JOIN clusters c ON c.record_id = r.id ORDER BY r.id")
        for rid, rep in cur:
            out.setdefault(rep, []).append(rid)
        for rep, members in out.items():
            if members[0] != rep and rep in members:
                members.remove(rep)
                members.insert(0, rep)
        return out

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> SQLiteStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _pack(values: list[str]) -> str:
    """List -> one TEXT cell: separator-joined (fast), JSON if a value holds a separator."""
    if not values:
        return ""
    joined = _SEP.join(values)
    if joined.count(_SEP) != len(values) - 1 or joined.startswith(_JSON):
        return _JSON + json.dumps(values, ensure_ascii=False)
    return joined


def _unpack(cell: str) -> list[str]:
    if not cell:
        return []
    if cell.startswith(_JSON):
        return json.loads(cell[1:])
    return cell.split(_SEP)


def _record_row(rid: str, source: str, search_id: str | None, file: str, r: Record) -> tuple:
    # spelled out: this runs once per record of 100k-record imports
    return (rid, source, search_id, file, r.title, r.abstract, _pack(r.authors), r.year,
            r.journal, r.journal_abbrev, r.volume, r.issue, r.pages, r.doi, _pack(r.issn),
            _pack(r.isbn), r.pmid, _pack([x for kv in r.accession.items() for x in kv]),
            _pack(r.keywords), _pack(r.urls), r.type, r.language, r.database, r.position,
            r.line)


def _stored(row: tuple) -> StoredRecord:
    rid, source, search_id, file, *values = row
    fields = dict(zip(_RECORD_COLS, values, strict=True))
    for col in _LIST_COLS:
        fields[col] = _unpack(fields[col])
    flat = _unpack(fields["accession"])
    fields["accession"] = dict(zip(flat[::2], flat[1::2], strict=True))
    return StoredRecord(rid, source, search_id, file, Record(**fields))


def open_store(path: Path) -> SQLiteStore:
    path.parent.mkdir(parents=True, exist_ok=True)
    return SQLiteStore(path)
