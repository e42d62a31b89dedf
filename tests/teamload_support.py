"""A team database for the allocation and outbox tests: the package's migrations applied to a
fresh database of the throw-away cluster (tests/pgserver.py).

Uses team's migration runner when it is there; before it landed, applies the sql/ files in
file-name order by hand, with the members table and group roles of the shared contract."""

from __future__ import annotations

from importlib import resources

CONTRACT = """
CREATE TABLE IF NOT EXISTS members (reviewer text PRIMARY KEY, login name UNIQUE NOT NULL,
    role text NOT NULL CHECK (role IN ('reviewer','arbiter','lead','viewer')));
DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'reviewkit_reviewer') THEN
    CREATE ROLE reviewkit_reviewer; CREATE ROLE reviewkit_arbiter;
    CREATE ROLE reviewkit_lead; CREATE ROLE reviewkit_viewer;
  END IF;
END $$;
"""


def sql_files() -> list[tuple[str, str]]:
    folder = resources.files("reviewkit.team").joinpath("sql")
    return sorted((f.name, f.read_text("utf-8")) for f in folder.iterdir()
                  if f.name.endswith(".sql"))


def team_database(pg_server, name: str) -> str:
    """Superuser URL of a fresh database holding the whole team schema."""
    import psycopg

    url = pg_server.createdb(name)
    try:
        from reviewkit.team.migrate import migrate  # team's runner, once merged
    except ImportError:
        migrate = None
    if migrate is not None:
        with psycopg.connect(url, autocommit=True) as conn:
            migrate(conn)
        return url
    files = sql_files()
    with psycopg.connect(url, autocommit=True) as conn:
        if not any(n.startswith("0002") for n, _ in files):
            conn.execute(CONTRACT)
        for _, text in files:
            conn.execute(text)
    return url


def add_member(url: str, pg_server, reviewer: str, role: str = "reviewer") -> str:
    """A login role for ``reviewer`` (as team add-reviewer makes one); its URL."""
    import psycopg

    dbname = url.rsplit("/", 1)[1]
    login, password = f"{dbname}_{reviewer}"[:63], f"pw-{reviewer}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'CREATE ROLE "{login}" LOGIN PASSWORD \'{password}\' '
                     f'IN ROLE reviewkit_{role}')
        conn.execute("INSERT INTO members VALUES (%s, %s, %s)", (reviewer, login, role))
        if not any(n.startswith("0002") for n, _ in sql_files()):  # team's grants, later
            conn.execute("GRANT INSERT, SELECT ON events TO reviewkit_reviewer")
    return pg_server.url(login, password, dbname)
