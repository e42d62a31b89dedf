"""The dedup index in the store: what an import needs to compare only its new records.

Per record: its features (a blob), the digest of the fields exact copies share, the
head of its exact-copy group, and where it sorts by title key and reversed key (NULL
when it does not block, being a later copy). Per blocking key: its records. Per pair
compared: the verdict, when it was certain or possible. Plus the files indexed and
the last run's state. dedup/incremental.py decides; this only reads and writes.
"""

from __future__ import annotations

import hashlib
import re
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager

SCHEMA = """
CREATE TABLE dedup_records (id TEXT PRIMARY KEY, file TEXT NOT NULL, sig TEXT, head TEXT,
  s1 TEXT, s2 TEXT, data BLOB NOT NULL, crc TEXT NOT NULL);
CREATE INDEX dedup_records_file ON dedup_records(file);
CREATE INDEX dedup_records_sig ON dedup_records(sig);
CREATE INDEX dedup_records_head ON dedup_records(head);
CREATE INDEX dedup_records_s1 ON dedup_records(s1);
CREATE INDEX dedup_records_s2 ON dedup_records(s2);
CREATE TABLE dedup_keys (key TEXT NOT NULL, id TEXT NOT NULL, crc TEXT NOT NULL);
CREATE INDEX dedup_keys_key ON dedup_keys(key);
CREATE TABLE dedup_found (a TEXT NOT NULL, b TEXT NOT NULL, data BLOB NOT NULL,
  crc TEXT NOT NULL, PRIMARY KEY (a, b));
CREATE INDEX dedup_found_b ON dedup_found(b);
CREATE TABLE dedup_files (file TEXT PRIMARY KEY, records_sha TEXT NOT NULL);
CREATE TABLE dedup_state (name TEXT PRIMARY KEY, data BLOB);
"""
# the secondary indexes on the index tables, as (name, CREATE statement)
_INDEXES = [(m.group(1), m.group(0)) for m in
            re.finditer(r"CREATE INDEX (\w+) ON [^;]+", SCHEMA)]
_RETIRED = ("dedup_keys_id",)  # in stores made before: no query needs it
_CHUNK = 500  # ids per IN (...) query
# tables whose rows carry a checksum of their other columns (the last one, crc)
_CHECKED = ("dedup_records", "dedup_keys", "dedup_found")


def _crc(values: tuple) -> str:
    """A row's checksum: the index mirrors record text (title keys), so a wrong letter
    in it is found by verify() as one in a record row is (store.verify_records)."""
    h = hashlib.blake2b(digest_size=8)
    for v in values:
        h.update(v if isinstance(v, bytes) else repr(v).encode("utf-8", "surrogatepass"))
        h.update(b"\x00")
    return h.hexdigest()


def _checked(rows: Iterable[tuple]) -> Iterator[tuple]:
    for row in rows:
        yield (*row, _crc(tuple(row)))
SORT_COLUMNS = ("s1", "s2")


def _chunks(items: Iterable[str]) -> Iterator[list[str]]:
    items = list(items)
    for i in range(0, len(items), _CHUNK):
        yield items[i:i + _CHUNK]


class DedupIndex:
    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def transaction(self) -> AbstractContextManager:
        """Everything in one commit; rolled back when an exception leaves it."""
        return self.db

    # reads -----------------------------------------------------------
    def files(self) -> dict[str, str]:
        return dict(self.db.execute("SELECT file, records_sha FROM dedup_files"))

    def state(self) -> bytes | None:
        row = self.db.execute("SELECT data FROM dedup_state WHERE name='last'").fetchone()
        return row[0] if row else None

    def file_records(self, path: str) -> list[tuple[str, bytes]]:
        return list(self.db.execute("SELECT id, data FROM dedup_records WHERE file=?", (path,)))

    def records(self, ids: Iterable[str]) -> dict[str, tuple]:
        """id -> (sig, head, s1, s2, data)."""
        out = {}
        for part in _chunks(ids):
            marks = ",".join("?" * len(part))
            for rid, *rest in self.db.execute(
                    f"SELECT id, sig, head, s1, s2, data FROM dedup_records WHERE id IN ({marks})",
                    part):
                out[rid] = tuple(rest)
        return out

    def sig_members(self, sig: str) -> list[tuple[str, str | None]]:
        return list(self.db.execute("SELECT id, head FROM dedup_records WHERE sig=?", (sig,)))

    def block(self, key: str) -> list[tuple[str, str]]:
        """(id, s1) of the blocking records with ``key``."""
        return list(self.db.execute(
            "SELECT k.id, r.s1 FROM dedup_keys k JOIN dedup_records r ON r.id = k.id "
            "WHERE k.key=?", (key,)))

    def block_size(self, key: str, cap: int) -> int:
        return self.db.execute("SELECT count(*) FROM (SELECT 1 FROM dedup_keys WHERE key=? "
                               "LIMIT ?)", (key, cap)).fetchone()[0]

    def block_between(self, key: str, lo: str, hi: str) -> int:
        """Blocking records with ``key`` sorting strictly between lo and hi (by s1)."""
        return self.db.execute(
            "SELECT count(*) FROM (SELECT 1 FROM dedup_keys k JOIN dedup_records r "
            "ON r.id = k.id WHERE k.key=? AND r.s1 > ? AND r.s1 < ? LIMIT 1)",
            (key, lo, hi)).fetchone()[0]

    def neighbours(self, col: str, at: str, window: int) -> list[tuple[str, str]]:
        """(id, sort string) of the ``window`` blocking records on each side of ``at``."""
        assert col in SORT_COLUMNS
        before = self.db.execute(f"SELECT id, {col} FROM dedup_records WHERE {col} < ? "
                                 f"ORDER BY {col} DESC LIMIT ?", (at, window)).fetchall()
        after = self.db.execute(f"SELECT id, {col} FROM dedup_records WHERE {col} > ? "
                                f"ORDER BY {col} LIMIT ?", (at, window)).fetchall()
        return before + after

    def between(self, col: str, lo: str, hi: str, cap: int) -> int:
        """Blocking records strictly between lo and hi in ``col`` order, counted up to cap."""
        assert col in SORT_COLUMNS
        return self.db.execute(f"SELECT count(*) FROM (SELECT 1 FROM dedup_records WHERE "
                               f"{col} > ? AND {col} < ? LIMIT ?)", (lo, hi, cap)).fetchone()[0]

    def found_of(self, ids: Iterable[str]) -> dict[tuple[str, str], bytes]:
        """The kept verdicts of every pair with a record in ``ids``."""
        out = {}
        for part in _chunks(ids):
            marks = ",".join("?" * len(part))
            for col in ("a", "b"):
                for a, b, data in self.db.execute(
                        f"SELECT a, b, data FROM dedup_found WHERE {col} IN ({marks})", part):
                    out[(a, b)] = data
        return out

    def neighbours_in_graph(self, ids: Iterable[str]) -> Iterator[str]:
        """Records joined to one of ``ids`` by a kept verdict or as exact copies."""
        for part in _chunks(ids):
            marks = ",".join("?" * len(part))
            for sql in (f"SELECT b FROM dedup_found WHERE a IN ({marks})",
                        f"SELECT a FROM dedup_found WHERE b IN ({marks})",
                        f"SELECT id FROM dedup_records WHERE head IN ({marks})",
                        f"SELECT head FROM dedup_records WHERE id IN ({marks}) "
                        "AND head IS NOT NULL"):
                for (rid,) in self.db.execute(sql, part):
                    yield rid

    def cluster_counts(self) -> tuple[int, int]:
        """(clusters of two or more records, records linked as duplicates) right after a
        recompute, when the clusters table holds only current records: the store's
        count joins every cluster row to its record (0.2 s at 100k) to skip stale ones."""
        groups, members = self.db.execute(
            "SELECT count(DISTINCT representative), count(*) FROM clusters").fetchone()
        return groups, members - groups

    def verify(self) -> None:
        """Raise sqlite3.DatabaseError if an index row is not what was written, or an
        SQL index over it no longer matches it (the sort strings hold title text)."""
        for table in _CHECKED:
            problems = self.db.execute(f"PRAGMA integrity_check({table})").fetchall()
            if problems != [("ok",)]:
                raise sqlite3.DatabaseError(f"{table}: {problems[0][0]}")
            for row in self.db.execute(f"SELECT * FROM {table}"):
                if _crc(row[:-1]) != row[-1]:
                    raise sqlite3.DatabaseError(f"a row of {table} does not match its checksum")

    # writes (inside transaction()) ----------------------------------------
    def clear(self) -> None:
        for table in ("dedup_records", "dedup_keys", "dedup_found", "dedup_files",
                      "dedup_state"):
            self.db.execute(f"DELETE FROM {table}")

    @contextmanager
    def refilling(self) -> Iterator[None]:
        """Emptied, then filled without its secondary SQL indexes, which are built once
        at the end from the sorted rows: kept up row by row they were most of a full
        run's index writes. Inside transaction(): an error leaves the old index."""
        self.clear()
        for name in [name for name, _ in _INDEXES] + list(_RETIRED):
            self.db.execute(f"DROP INDEX IF EXISTS {name}")
        yield
        for _, sql in _INDEXES:
            self.db.execute(sql)

    def add_records(self, rows: Iterable[tuple]) -> None:
        """(id, file, sig, head, s1, s2, data)."""
        self.db.executemany("INSERT OR REPLACE INTO dedup_records VALUES (?,?,?,?,?,?,?,?)",
                            _checked(rows))

    def add_keys(self, rows: Iterable[tuple[str, str]]) -> None:
        self.db.executemany("INSERT INTO dedup_keys VALUES (?,?,?)", _checked(rows))

    def new_heads(self, moves: dict[str, str], old_keys: dict[str, list[str]]) -> None:
        """Old heads that became later copies of a new record (old head -> new head):
        they and their copies now name the new head; the old ones stop blocking, their
        blocking keys (``old_keys``: old head -> key texts) deleted.

        No index on dedup_keys(id): every page of it (1,156 of 16 KiB at 100k records)
        was rewritten by an import of 1,000 records, for this rare delete alone."""
        rows = []
        for part in _chunks(moves):
            marks = ",".join("?" * len(part))
            rows += self.db.execute(
                f"SELECT id, file, sig, head, s1, s2, data FROM dedup_records WHERE id IN "
                f"({marks}) OR head IN ({marks})", part + part).fetchall()
        self.add_records([(rid, file, sig, moves[rid], None, None, data) if rid in moves
                          else (rid, file, sig, moves[head], s1, s2, data)
                          for rid, file, sig, head, s1, s2, data in rows])
        self.db.executemany("DELETE FROM dedup_keys WHERE key=? AND id=?",
                            [(k, r) for r in moves for k in old_keys.get(r, ())])

    def add_found(self, rows: Iterable[tuple[str, str, bytes]]) -> None:
        self.db.executemany("INSERT OR REPLACE INTO dedup_found VALUES (?,?,?,?)",
                            _checked(rows))

    def drop_found(self, pairs: Iterable[tuple[str, str]]) -> None:
        self.db.executemany("DELETE FROM dedup_found WHERE a=? AND b=?", pairs)

    def set_files(self, files: dict[str, str]) -> None:
        self.db.executemany("INSERT OR REPLACE INTO dedup_files VALUES (?,?)", files.items())

    def set_state(self, data: bytes) -> None:
        self.db.execute("INSERT OR REPLACE INTO dedup_state VALUES ('last', ?)", (data,))

    def replace_clusters_of(self, ids: Iterable[str], rows: list[tuple[str, str, str]],
                            pairs: list[tuple]) -> None:
        """The clusters and pairs of ``ids`` (whole components) swapped for new ones."""
        for part in _chunks(ids):
            marks = ",".join("?" * len(part))
            self.db.execute(f"DELETE FROM clusters WHERE record_id IN ({marks})", part)
            self.db.execute(f"DELETE FROM dedup_pairs WHERE a IN ({marks})", part)
        self.db.executemany("INSERT INTO clusters VALUES (?,?,?)", rows)
        self.db.executemany("INSERT INTO dedup_pairs VALUES (?,?,?,?,?,?)", pairs)

    def replace_all_clusters(self, rows: list[tuple[str, str, str]], pairs: list[tuple]) -> None:
        self.db.execute("DELETE FROM clusters")
        self.db.execute("DELETE FROM dedup_pairs")
        self.db.executemany("INSERT INTO clusters VALUES (?,?,?)", rows)
        self.db.executemany("INSERT INTO dedup_pairs VALUES (?,?,?,?,?,?)", pairs)

    def set_fingerprint(self, value: str) -> None:
        self.db.execute("INSERT OR REPLACE INTO meta VALUES ('dedup', ?)", (value,))
