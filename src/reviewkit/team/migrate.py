"""Versioned schema migrations: sql/NNNN_name.sql applied in file-name order, each version
recorded in schema_migrations. A client that does not know a version the server has refuses."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from typing import Any

from reviewkit.errors import ReviewkitError

# one advisory lock key for "someone is migrating this database"
LOCK_KEY = 0x7265766B  # "revk"


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str


def migrations() -> list[Migration]:
    """The migrations this reviewkit knows, oldest first."""
    found = []
    for entry in resources.files("reviewkit.team").joinpath("sql").iterdir():
        stem = entry.name.removesuffix(".sql")
        number, _, name = stem.partition("_")
        if entry.name.endswith(".sql") and number.isdigit():
            found.append(Migration(int(number), name, entry.read_text("utf-8")))
    return sorted(found, key=lambda m: m.version)


def applied(con: Any) -> set[int] | None:
    """Versions recorded on the server; None when it holds no reviewkit schema."""
    row = con.execute("SELECT to_regclass('schema_migrations') IS NOT NULL").fetchone()
    if not row[0]:
        return None
    return {v for (v,) in con.execute("SELECT version FROM schema_migrations")}


def _unknown(done: set[int], known: list[Migration]) -> ReviewkitError | None:
    newer = sorted(done - {m.version for m in known})
    if not newer:
        return None
    return ReviewkitError(f"the server's schema is at version {max(done)}, newer than this "
                          f"reviewkit knows ({max(m.version for m in known)}): upgrade "
                          "reviewkit")


def require_current(con: Any) -> None:
    """Refuse a server without the schema, behind it, or ahead of this client."""
    known = migrations()
    done = applied(con)
    if done is None:
        raise ReviewkitError("this database holds no reviewkit schema: the database owner "
                             "runs 'reviewkit team init' first")
    error = _unknown(done, known)
    if error:
        raise error
    pending = [m.version for m in known if m.version not in done]
    if pending:
        missing = ", ".join(f"{v:04d}" for v in pending)
        raise ReviewkitError(f"the server's schema is behind this reviewkit (it lacks "
                             f"migration {missing}): the database owner runs 'reviewkit team "
                             "init' to upgrade it")


def migrate(con: Any) -> list[Migration]:
    """Apply the pending migrations in one transaction; the ones applied, oldest first."""
    import psycopg

    from reviewkit.team.connect import server_error

    known = migrations()
    try:
        with con.transaction():
            con.execute("SELECT pg_advisory_xact_lock(%s)", (LOCK_KEY,))
            done = applied(con)
            error = _unknown(done or set(), known)
            if error:  # before any statement that could change the server
                raise error
            if done is None:
                con.execute("CREATE TABLE schema_migrations ("
                            "version integer PRIMARY KEY, name text NOT NULL, "
                            "applied_at timestamptz NOT NULL DEFAULT now())")
                done = set()
            todo = [m for m in known if m.version not in done]
            for m in todo:
                con.execute(m.sql)
                con.execute("INSERT INTO schema_migrations (version, name) VALUES (%s, %s)",
                            (m.version, m.name))
    except psycopg.errors.InsufficientPrivilege as exc:
        raise ReviewkitError("team init needs the database owner with the right to create "
                             f"roles (CREATEROLE): {server_error(exc).message}") from None
    except psycopg.DatabaseError as exc:
        raise server_error(exc) from None
    return todo
