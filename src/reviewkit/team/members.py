"""Members of the team: one PostgreSQL login role per person, in one of four group roles.

The password goes to the person (printed once, or read from stdin), never into the folder;
it reaches the server already hashed (SCRAM), so no statement log can show it."""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from reviewkit.errors import ReviewkitError

ROLES = ("reviewer", "arbiter", "lead", "viewer")
# a login is an SQL identifier: keep it to what needs no quoting anywhere
LOGIN = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def group(role: str) -> str:
    return f"reviewkit_{role}"


def add_member(con: Any, reviewer: str, role: str = "reviewer", login: str | None = None,
               password: str | None = None) -> str:
    """Create ``login`` (default: the reviewer's name) and make it ``reviewer`` in this
    review; the password (generated when None) is returned for the person, not stored."""
    from psycopg import sql

    from reviewkit.screening.reviewers import check_name

    check_name(reviewer)
    if role not in ROLES:
        raise ReviewkitError(f"unknown role {role!r}; expected {', '.join(ROLES)}",
                             field="role")
    login = login or reviewer.lower().replace("-", "_").replace(".", "_")
    if not LOGIN.match(login):
        raise ReviewkitError(f"login {login!r} is not a plain PostgreSQL name: use lower-case "
                             "letters, digits and '_' (pass --login)", field="login")
    if password is not None and not password.strip():
        raise ReviewkitError("the password read is empty", field="password")
    password = password or secrets.token_urlsafe(18)
    hashed = con.pgconn.encrypt_password(password.encode(), login.encode()).decode()
    with _as_owner("adding a member creates a login role"), con.transaction():
        taken = con.execute("SELECT reviewer, login FROM members "
                            "WHERE reviewer = %s OR login = %s", (reviewer, login)).fetchone()
        if taken:
            raise ReviewkitError(f"{taken[0]} is already a member (login {taken[1]})",
                                 field="reviewer")
        if con.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (login,)).fetchone():
            raise ReviewkitError(f"a login role {login!r} exists on this server already "
                                 "(another review?): pass --login with another name",
                                 field="login")
        con.execute(sql.SQL("CREATE ROLE {} LOGIN PASSWORD {} IN ROLE {}").format(
            sql.Identifier(login), sql.Literal(hashed), sql.Identifier(group(role))))
        con.execute("INSERT INTO members (reviewer, login, role) VALUES (%s, %s, %s)",
                    (reviewer, login, role))
    return password


def list_members(con: Any) -> list[dict]:
    """Every member ever added (a removed one keeps their name: their events name them),
    and whether they can still log in."""
    return [{"reviewer": r, "login": lg, "role": ro, "can_log_in": "yes" if ok else "no"}
            for r, lg, ro, ok in con.execute(
                "SELECT m.reviewer, m.login, m.role, coalesce(r.rolcanlogin, false) "
                "FROM members m LEFT JOIN pg_roles r ON r.rolname = m.login "
                "ORDER BY m.reviewer")]


def set_access(con: Any, reviewer: str, allowed: bool) -> str:
    """Remove a member (``allowed`` False: their login can no longer connect, and a session
    still open loses its rights at its next statement) or restore one. Their events stay
    on the server and in the folder, and their name stays theirs: nothing they did is
    lost or re-attributed. Returns the login."""
    from psycopg import sql


    row = con.execute("SELECT login, role FROM members WHERE reviewer = %s",
                      (reviewer,)).fetchone()
    if row is None:
        known = ", ".join(m["reviewer"] for m in list_members(con)) or "none"
        raise ReviewkitError(f"{reviewer!r} is not a member of this review (members: {known})",
                             field="reviewer")
    login, role = row
    with _as_owner("removing or restoring a member changes a login role"):
        with con.transaction():
            con.execute(sql.SQL("ALTER ROLE {} " + ("LOGIN" if allowed else "NOLOGIN")).format(
                sql.Identifier(login)))
            change = "GRANT {} TO {}" if allowed else "REVOKE {} FROM {}"
            con.execute(sql.SQL(change).format(sql.Identifier(group(role)),
                                               sql.Identifier(login)))
    return login


def access_line(reviewer: str, login: str, restored: bool) -> str:
    """What `team remove-reviewer` says it did."""
    if restored:
        return f"restored {reviewer} (login {login}): they can log in again"
    return (f"removed {reviewer} (login {login}): they can no longer log in; their decisions "
            "stay, under their name")


@contextmanager
def _as_owner(what: str) -> Iterator[None]:
    """Statements only the database owner may run: a refusal says so in one line."""
    import psycopg

    from reviewkit.team.connect import server_error

    try:
        yield
    except psycopg.errors.InsufficientPrivilege as exc:
        raise ReviewkitError(f"{what}: the database owner (with CREATEROLE) runs it "
                             f"({server_error(exc).message})") from None
    except psycopg.DatabaseError as exc:
        raise server_error(exc) from None


def whoami(con: Any) -> tuple[str, str]:
    """(reviewer, role) of this connection's login; not a member → one line."""
    row = con.execute("SELECT reviewer, role FROM members WHERE login = current_user"
                      ).fetchone()
    if row is None:
        login = con.execute("SELECT current_user").fetchone()[0]
        raise ReviewkitError(f"login {login!r} is not a member of this review: the database "
                             f"owner runs 'reviewkit team add-reviewer NAME --login {login}'")
    return row[0], row[1]


def unblind(con: Any, stage: str, project: Any = None) -> bool:
    """The lead lifts blinding for ``stage`` (one of the project's stages when there is a
    project); False when it was lifted already. A lift cannot be taken back, so a name no
    log could have is refused."""
    import psycopg

    from reviewkit.team.connect import server_error
    from reviewkit.team.folder import log_match

    if project is not None:
        from reviewkit.screening.config import screening_config

        screening_config(project).check_stage(stage)
    elif not log_match(f"screening/{stage}/x.jsonl"):
        raise ReviewkitError(f"{stage!r} is not a stage name (letters, digits, '_', '.' or "
                             "'-', up to 64)", field="stage")

    try:
        with con.transaction():
            cur = con.execute("INSERT INTO unblinded (stage) VALUES (%s) "
                              "ON CONFLICT DO NOTHING", (stage,))
            return cur.rowcount == 1
    except psycopg.errors.InsufficientPrivilege:
        raise ReviewkitError("only the lead may lift blinding") from None
    except psycopg.DatabaseError as exc:
        raise server_error(exc) from None


def member_login(con: Any, reviewer: str) -> str | None:
    """The login role of a member of this review, or None."""
    row = con.execute("SELECT login FROM members WHERE reviewer = %s", (reviewer,)).fetchone()
    return row[0] if row else None
