"""A connection to the team's server, or one line saying why there is none."""

from __future__ import annotations

from typing import Any

from reviewkit.errors import ReviewkitError
from reviewkit.team.config import redact


def connect(url: str, where: dict | None = None, autocommit: bool = False) -> Any:
    """A psycopg connection; a wrong URL, refused password, missing role or database, or an
    unreachable server is a ReviewkitError naming the server (never the password)."""
    import psycopg

    where = where or {}
    try:
        return psycopg.connect(url, autocommit=autocommit, connect_timeout=10,
                               application_name="reviewkit")
    except psycopg.OperationalError as exc:
        raise ReviewkitError(f"cannot connect to {redact(url)}: {_why(exc)}", **where) from None
    except psycopg.ProgrammingError as exc:
        raise ReviewkitError(f"not a database URL libpq can read ({_why(exc)})",
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
    """A statement the server refused (a policy, a trigger, a privilege), as one line."""
    diag = getattr(exc, "diag", None)
    text = (diag.message_primary if diag is not None and diag.message_primary else str(exc))
    text = " ".join(text.split()).removeprefix("reviewkit: ")
    return ReviewkitError(f"the server refused: {text}")


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
        except BaseException:
            con.close()
            raise
    return con
