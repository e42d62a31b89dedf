"""SQLite implementation of the store (one file under .reviewkit/)."""

from __future__ import annotations

import functools
import hashlib
import re
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

from reviewkit.notices import notify
from reviewkit.records.model import Record
from reviewkit.store.base import FileRow, StoredRecord
from reviewkit.store.dedupindex import SCHEMA as DEDUP_SCHEMA
from reviewkit.store.dedupindex import DedupIndex
from reviewkit.store.rows import RECORD_COLS, hashed_rows, record_row, stored_record, unpack

SCHEMA_VERSION = "8"  # 8: the dedup index (store/dedupindex.py)

_SCHEMA = f"""
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE sources (key TEXT PRIMARY KEY, search_id TEXT, fingerprint TEXT NOT NULL);
CREATE TABLE files (path TEXT PRIMARY KEY, source TEXT NOT NULL, search_id TEXT,
  sha256 TEXT NOT NULL, size INTEGER, mtime_ns INTEGER, format TEXT, dialect TEXT,
  encoding TEXT, entries INTEGER, records_sha TEXT);
CREATE TABLE records (id TEXT PRIMARY KEY, source TEXT NOT NULL, search_id TEXT,
  file TEXT NOT NULL, key TEXT NOT NULL, {", ".join(RECORD_COLS)});
CREATE INDEX records_source ON records(source);
CREATE INDEX records_file ON records(file);
CREATE INDEX records_key ON records(key);
CREATE TABLE aliases (alias TEXT PRIMARY KEY, id TEXT NOT NULL);
CREATE TABLE clusters (record_id TEXT PRIMARY KEY, representative TEXT NOT NULL,
  status TEXT NOT NULL);
CREATE INDEX clusters_rep ON clusters(representative);
CREATE TABLE dedup_pairs (a TEXT NOT NULL, b TEXT NOT NULL, label TEXT, score REAL,
  outcome TEXT, evidence TEXT);
{DEDUP_SCHEMA}
INSERT INTO meta VALUES ('schema', '{SCHEMA_VERSION}');
"""


_INSERT_RECORD = f"INSERT OR IGNORE INTO records VALUES ({','.join('?' * (5 + len(RECORD_COLS)))})"


class SQLiteStore:
    """The store as an SQLite file; safe to delete, rebuilt on the next command."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self.healed: str | None = None
        problem = self._open_checked()
        if problem:
            self.healed = move_aside(self.path, problem)
            self.db = self._connect()
            self._create()

    def _open_checked(self) -> str | None:
        """Open the cache; say what is wrong with it, or None when it can be trusted."""
        if self.path.exists() and not self.path.is_file():
            return "it is not a file"
        fresh = not self.path.exists() or self.path.stat().st_size == 0
        try:
            self.db = self._connect()
            if fresh:
                self._create()
                return None
            version = self._version()
            if version != SCHEMA_VERSION:
                return (f"it was built by another version (schema {version})" if version
                        else "it has no schema (half-written or not a reviewkit store)")
            return self._damage()
        except sqlite3.DatabaseError as exc:
            return str(exc)

    def _create(self) -> None:
        with self.db:
            self.db.executescript(_SCHEMA)

    def _damage(self) -> str | None:
        """Cheap checks that catch a cache damaged below the schema: tables, columns, rows."""
        for table, cols in _expected_columns().items():
            have = [r[1] for r in self.db.execute(f"PRAGMA table_info({table})")]
            if have != cols:
                return f"table {table} is missing or changed"
        entries = dict(self.db.execute("SELECT path, entries FROM files"))
        rows = dict(self.db.execute("SELECT file, count(*) FROM records GROUP BY file"))
        if {p: n for p, n in entries.items() if n} != rows:
            return "its record rows do not match the files it read"
        sources = {r[0] for r in self.db.execute("SELECT source FROM files")}
        if not sources <= set(self.sources()):
            return "its file rows name sources it does not hold"
        return None

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(str(self.path), timeout=60)
        # measured fastest for bulk import (bench/import.py); synchronous=OFF is
        # fine for a cache that a crash can only send back to a rebuild
        db.execute("PRAGMA page_size=16384")
        db.execute("PRAGMA synchronous=OFF")
        # readers (a screener) go on reading while an import writes a big source
        db.execute("PRAGMA journal_mode=WAL")
        return db

    def _version(self) -> str | None:
        try:
            row = self.db.execute("SELECT value FROM meta WHERE key='schema'").fetchone()
        except sqlite3.OperationalError:
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
            self._delete_source(source, [row.path for row, _ in files])
            self.db.execute("INSERT INTO sources VALUES (?,?,?)", (source, search_id, fingerprint))
            for row, records in files:
                # records first: a streamed file's row is complete once they are consumed
                digest = hashlib.blake2b(digest_size=16)
                self.db.executemany(_INSERT_RECORD, hashed_rows(
                    (record_row(rid, source, search_id, row.path, rec) for rid, rec in records),
                    digest))
                self.db.execute("INSERT INTO files VALUES (?,?,?,?,?,?,?,?,?,?,?)", (
                    row.path, source, search_id, row.sha256, row.size, row.mtime_ns,
                    row.format, row.dialect, row.encoding, row.entries, digest.hexdigest()))

    def remove_source(self, source: str) -> None:
        with self.db:
            self._delete_source(source)

    def _delete_source(self, source: str, paths: list[str] = ()) -> None:
        for table, col in (("sources", "key"), ("files", "source"), ("records", "source")):
            self.db.execute(f"DELETE FROM {table} WHERE {col}=?", (source,))
        for path in paths:  # a file that moved here from another source
            self.db.execute("DELETE FROM files WHERE path=?", (path,))
            self.db.execute("DELETE FROM records WHERE file=?", (path,))

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
            yield stored_record(row)

    def iter_file_records(self, path: str) -> Iterator[StoredRecord]:
        """One file's records in file order."""
        cur = self.db.execute("SELECT * FROM records WHERE file=? ORDER BY position", (path,))
        for row in cur:
            yield stored_record(row)

    def content_key(self) -> str | None:
        """A digest of every stored record's content (the files' row checksums, taken
        when the rows were written), or None if some file has none."""
        rows = list(self.db.execute("SELECT path, records_sha FROM files ORDER BY path"))
        if any(not sha for _, sha in rows):
            return None
        return hashlib.blake2b(repr(rows).encode("utf-8", "surrogatepass"),
                               digest_size=16).hexdigest()

    def ranking_texts(self, ids: list[str]) -> list[dict]:
        """What the ranker reads of each id (title, abstract, keywords; empty if not
        stored), in one pass over three columns: no whole records built."""
        rows = {rid: (title, abstract, keywords) for rid, title, abstract, keywords in
                self.db.execute("SELECT id, title, abstract, keywords FROM records")}
        out = []
        for rid in ids:
            title, abstract, keywords = rows.get(rid, ("", "", ""))
            out.append({"id": rid, "title": title, "abstract": abstract,
                        "keywords": unpack(keywords)})
        return out

    def get_record(self, record_id: str) -> StoredRecord | None:
        row = self.db.execute("SELECT * FROM records WHERE id=?", (record_id,)).fetchone()
        return stored_record(row) if row else None

    # ids -------------------------------------------------------------
    def record_ids(self) -> set[str]:
        return {r for r, in self.db.execute("SELECT id FROM records")}

    def ids_with_key(self, key: str) -> list[str]:
        """Ids of the records whose own part (after the file key) is ``key``."""
        return [r for r, in self.db.execute("SELECT id FROM records WHERE key=? ORDER BY id",
                                            (key,))]

    def ids_without_abstract(self) -> set[str]:
        """Ids of the records with no abstract (none stored, or only blanks)."""
        return {r for r, in self.db.execute(
            "SELECT id FROM records WHERE abstract IS NULL OR trim(abstract) = ''")}

    def set_aliases(self, aliases: dict[str, str]) -> None:
        """The project's record-id aliases (searches/file-ids.tsv), replacing the last set."""
        with self.db:
            self.db.execute("DELETE FROM aliases")
            self.db.executemany("INSERT OR REPLACE INTO aliases VALUES (?,?)", aliases.items())

    def resolve(self, record_id: str) -> str | None:
        """The current id a (possibly older) id names, or None when it names no record.

        Older ids: an alias from `doctor --fix`, or the first design's
        ``<search id>/<key>`` and ``unlogged-<file name>/<key>``, matched through the
        record key when exactly one record fits."""
        if self.db.execute("SELECT 1 FROM records WHERE id=?", (record_id,)).fetchone():
            return record_id
        row = self.db.execute("SELECT id FROM aliases WHERE alias=?", (record_id,)).fetchone()
        if row:
            return self.resolve(row[0]) if row[0] != record_id else None
        prefix, sep, key = record_id.partition("/")
        if not sep:
            return None
        hits = [rid for rid, source, file in self.db.execute(
                    "SELECT id, source, file FROM records WHERE key=?", (key,))
                if prefix in (source, legacy_unlogged(file))]
        return hits[0] if len(hits) == 1 else None

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

    def dedup_index(self) -> DedupIndex:
        """The dedup index's tables (store/dedupindex.py)."""
        return DedupIndex(self.db)

    def dedup_pairs(self, outcome: str | None = None) -> list[tuple]:
        sql = "SELECT a, b, label, score, outcome, evidence FROM dedup_pairs"
        if outcome:
            return list(self.db.execute(sql + " WHERE outcome=? ORDER BY score DESC, a, b",
                                        (outcome,)))
        return list(self.db.execute(sql + " ORDER BY a, b"))

    def verify_records(self) -> None:
        """Every record row against the checksum taken when it was written: a byte flipped
        inside a row leaves a valid database, and only this finds it. It reads every row
        (a second or so per 100k records), so commands that hand records out call it."""
        for path, want in list(self.db.execute("SELECT path, records_sha FROM files")):
            digest = hashlib.blake2b(digest_size=16)
            for row in self.db.execute(
                    "SELECT * FROM records WHERE file=? ORDER BY position, id", (path,)):
                digest.update(repr(row).encode("utf-8", "surrogatepass"))
            if digest.hexdigest() != want:
                raise sqlite3.DatabaseError(f"the stored records of {path} do not match "
                                            "their checksum")
        self.dedup_index().verify()  # it mirrors record text (title keys) too

    def cluster_counts(self) -> tuple[int, int]:
        """(clusters of two or more records, records linked as duplicates), without
        building every cluster (a second at 385k records)."""
        groups, members = self.db.execute(
            "SELECT count(DISTINCT c.representative), count(*) FROM clusters c "
            "JOIN records r ON r.id = c.record_id").fetchone()
        return groups, members - groups

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


def move_aside(path: Path, problem: str) -> str:
    """Move a cache that cannot be trusted out of the way (kept once, for a bug report)."""
    aside = path.with_name(path.name + ".broken")
    if aside.is_dir() and not aside.is_symlink():
        shutil.rmtree(aside)
    elif aside.exists() or aside.is_symlink():
        aside.unlink()
    for extra in ("-journal", "-wal", "-shm"):
        path.with_name(path.name + extra).unlink(missing_ok=True)
    if path.exists() or path.is_symlink():
        path.rename(aside)
    message = (f"the cache {path.name} could not be trusted ({problem}); moved aside to "
               f"{aside.name} and rebuilt from the project's files")
    notify(message)
    return message


@functools.cache
def _expected_columns() -> dict[str, list[str]]:
    db = sqlite3.connect(":memory:")
    db.executescript(_SCHEMA)
    tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
    out = {t: [r[1] for r in db.execute(f"PRAGMA table_info({t})")] for t in tables}
    db.close()
    return out


def legacy_unlogged(file: str) -> str:
    """The source key the first design gave an unlogged file (its ids' prefix)."""
    name = file.rsplit("/", 1)[-1].lower()
    return "unlogged-" + (re.sub(r"[^a-z0-9]+", "-", name).strip("-") or "file")


_opened: list[SQLiteStore] = []
_healed: list[str] = []


def open_store(path: Path) -> SQLiteStore:
    path.parent.mkdir(parents=True, exist_ok=True)
    store = SQLiteStore(path)
    _opened.append(store)
    del _opened[:-4]
    return store


def heal_store(problem: str) -> bool:
    """After an SQLite error mid-command: move the cache aside once; False if already done."""
    if not _opened or _healed:
        return False
    _healed.append(problem)  # once per process: a second failure is a bug, shown as one
    store = _opened[-1]
    try:
        store.close()
    except sqlite3.Error:
        pass
    move_aside(store.path, problem)
    return True
