"""Builders shared by the team-mode tests (no tests here): a real database on the
throw-away cluster (pg_server), the schema applied by the owner, one login role per person."""

from __future__ import annotations

from dataclasses import dataclass, field

import psycopg

from reviewkit.team.members import add_member
from reviewkit.team.migrate import migrate


@dataclass
class Team:
    server: object          # tests/pgserver.py Cluster
    dbname: str
    owner_url: str          # the superuser's URL (it bypasses RLS: for setup and checks only)
    passwords: dict[str, str] = field(default_factory=dict)
    logins: dict[str, str] = field(default_factory=dict)

    def url(self, reviewer: str) -> str:
        """The reviewer's own login (RLS applies to it)."""
        return self.server.url(self.logins[reviewer], self.passwords[reviewer], self.dbname)

    def connect(self, reviewer: str) -> psycopg.Connection:
        return psycopg.connect(self.url(reviewer), autocommit=True)

    def owner(self) -> psycopg.Connection:
        return psycopg.connect(self.owner_url, autocommit=True)

    def server_rows(self) -> list[tuple]:
        """Every row of every table a command could write, as the superuser sees them."""
        with self.owner() as con:
            return [*con.execute("SELECT event_id, line FROM events ORDER BY seq"),
                    *con.execute("SELECT path, sha256 FROM documents ORDER BY seq"),
                    *con.execute("SELECT reviewer, login FROM members ORDER BY reviewer"),
                    *con.execute("SELECT stage FROM unblinded ORDER BY stage"),
                    *con.execute("SELECT version FROM schema_migrations ORDER BY version")]


def team_database(pg_server, dbname: str, people: dict[str, str]) -> Team:
    """A fresh database ``dbname`` with the schema and ``people`` (name -> role); logins are
    prefixed with the database name, since login roles are shared by the whole cluster."""
    team = Team(pg_server, dbname, pg_server.createdb(dbname))
    with psycopg.connect(team.owner_url) as con:
        migrate(con)
        for name, role in people.items():
            login = f"{dbname}_{name}"
            team.passwords[name] = add_member(con, name, role, login)
            team.logins[name] = login
    return team
