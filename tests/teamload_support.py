"""A team database for the allocation and outbox tests: every migration of the package applied
(team's runner) to a fresh database of the throw-away cluster (tests/pgserver.py), and
members made as `team add-reviewer` makes them."""

from __future__ import annotations


def team_database(pg_server, name: str) -> str:
    """Superuser URL of a fresh database holding the whole team schema."""
    import psycopg

    from reviewkit.team.migrate import migrate

    url = pg_server.createdb(name)
    with psycopg.connect(url, autocommit=True) as conn:
        migrate(conn)
    return url


def add_member(url: str, pg_server, reviewer: str, role: str = "reviewer") -> str:
    """A login role for ``reviewer`` in this database's review; its URL (the password in it
    is the test's own: a real folder never holds one)."""
    import psycopg

    from reviewkit.team.members import add_member as add

    dbname = url.rsplit("/", 1)[1]
    login = f"{dbname}_{reviewer}"[:63]  # roles are cluster-wide: one per test database
    with psycopg.connect(url, autocommit=True) as conn:
        password = add(conn, reviewer, role, login=login)
    return pg_server.url(login, password, dbname)
