"""A connection to the team's server, or one line saying why there is none."""

from __future__ import annotations

import sys
from typing import Any

from reviewkit.errors import ReviewkitError
from reviewkit.team.config import redact, scrub


def connect(url: str, where: dict | None = None, autocommit: bool = False) -> Any:
    """A psycopg connection; a wrong URL, refused password, missing role or database, or an
    unreachable server is a ReviewkitError naming the server (never the password)."""
    import psycopg

    where = where or {}
    try:
        return psycopg.connect(url, autocommit=autocommit, connect_timeout=10,
                               application_name="reviewkit")
    except psycopg.OperationalError as exc:
        raise ReviewkitError(f"cannot connect to {redact(url)}: {scrub(_why(exc), url)}",
                             **where) from None
    except psycopg.ProgrammingError as exc:
        raise ReviewkitError(f"not a database URL libpq can read ({scrub(_why(exc), url)})",
                             **where) from None


def _why(exc: Exception) -> str:
    """libpq's reason, on one line: the text after FATAL: when the server refused, else
    the first line ("connection to server at ... failed: Connection refused")."""
    lines = [ln.strip() for ln in str(exc).splitlines() if ln.strip()]
    if not lines:
        return "unknown error"
    fatal = next((ln for ln in lines if "FATAL:" in ln), None)
    reason = fatal.split("FATAL:", 1)[1].strip() if fatal else lines[0]
    if "password authentication failed" in reason:
        reason += " (wrong password, or no such login role)"
    return reason


def server_error(exc: Exception) -> ReviewkitError:
    """A statement the server refused (a policy, a trigger, a privilege), as one line; a
    connection lost on the way says so instead."""
    if isinstance(exc, sys.modules["psycopg"].OperationalError):
        return _lost(exc)
    return ReviewkitError(f"the server refused: {_message(exc)}")


def server_trouble(exc: BaseException) -> ReviewkitError | None:
    """What went wrong with the server in the middle of a command, as one line for the
    person (None for anything else, which is a bug and keeps its traceback): the connection
    lost (the server stopped or restarted, the session ended by an administrator, the
    network), or a privilege this login does not have."""
    psycopg = sys.modules.get("psycopg")
    if psycopg is None or not isinstance(exc, psycopg.Error):
        return None
    if _privilege(exc):
        return ReviewkitError(f"the server refused: {_message(exc)} (is this login a member "
                              "of this review? the database owner adds members)")
    return _lost(exc) if isinstance(exc, psycopg.OperationalError) else None


def _lost(exc: BaseException) -> ReviewkitError:
    return ReviewkitError(f"lost the connection to the team's server ({_message(exc)}): it "
                          "keeps nothing half-written; run the command again")


def _privilege(exc: BaseException) -> bool:
    psycopg = sys.modules.get("psycopg")
    return psycopg is not None and isinstance(exc, psycopg.errors.InsufficientPrivilege)


def _message(exc: BaseException) -> str:
    diag = getattr(exc, "diag", None)
    text = (diag.message_primary if diag is not None and diag.message_primary else str(exc))
    return " ".join(text.split()).removeprefix("reviewkit: ") or type(exc).__name__


def team_connection(project: Any, schema: bool = True) -> Any:
    """The connection of this project's team mode (URL from the environment or the config),
    its schema checked to be the one this reviewkit knows unless ``schema`` is False
    (team init, which creates or upgrades it). Autocommit: each command's writes are one
    explicit transaction (con.transaction()), never an implicit one left open."""
    from reviewkit.team.config import database_url
    from reviewkit.team.migrate import require_current

    url, where = database_url(project)
    con = connect(url, where, autocommit=True)
    if schema:
        try:
            require_current(con)
            require_member(con)
        except BaseException as exc:
            refused = _not_member(con) if _privilege(exc) else None  # no reviewkit role:
            con.close()                                              # it may not read the schema
            if refused is not None:
                raise refused from None
            raise
    return con


def require_member(con: Any) -> None:
    """Refuse a login that is not a member of this review (a login of another review on
    the same server holds the same group roles), unless it owns the database or is a
    superuser: they set the review up and add its members."""
    row = con.execute(
        "SELECT public.reviewkit_me() IS NOT NULL OR r.rolsuper"
        " OR pg_has_role(current_user, d.datdba, 'MEMBER')"
        " FROM pg_database d, pg_roles r"
        " WHERE d.datname = current_database() AND r.rolname = current_user").fetchone()
    if not row or not row[0]:
        raise _not_member(con)


def _not_member(con: Any) -> ReviewkitError:
    login = con.info.user
    return ReviewkitError(f"login {login!r} is not a member of this review: the database "
                          f"owner runs 'reviewkit team add-reviewer NAME --login {login}'")
