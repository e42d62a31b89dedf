"""Where the team's server is: REVIEWKIT_DATABASE_URL, else `[team] database` in reviewkit.toml.

The folder is shared, so its URL names the server and database only; each person's login and
password come from their own environment (PGUSER, PGPASSWORD, ~/.pgpass, or a URL of their own
in REVIEWKIT_DATABASE_URL), which libpq reads."""

from __future__ import annotations

import os
import re
from urllib.parse import unquote

from reviewkit.errors import ReviewkitError
from reviewkit.project.config import CONFIG, Project
from reviewkit.project.tomlfile import line_of

ENV = "REVIEWKIT_DATABASE_URL"


def parse_url(url: str, where: dict) -> dict:
    """libpq's fields of ``url``; a URL libpq cannot read is a one-line error at ``where``."""
    import psycopg
    from psycopg.conninfo import conninfo_to_dict

    if not url.startswith(("postgresql://", "postgres://")):
        raise ReviewkitError("expected a URL such as postgresql://host:5432/review, got "
                             f"{redact(url)!r}", **where)
    try:
        return conninfo_to_dict(url)
    except psycopg.ProgrammingError as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else "unreadable"
        raise ReviewkitError(f"not a database URL libpq can read ({scrub(first, url)})",
                             **where) from None


def redact(url: str) -> str:
    """The URL without its password, for messages (in the user part, as libpq's password=
    key in the query, or in a key=value string)."""
    head, sep, rest = url.partition("://")
    authority = re.split(r"[/?#]", rest, maxsplit=1)[0] if sep else ""
    if "@" in authority:
        cred, _, host = authority.rpartition("@")
        user = cred.split(":", 1)[0]
        url = f"{head}://{user + '@' if user else ''}{host}{rest[len(authority):]}"
    return _PASSWORD_KEY.sub("password=***", url)


# libpq's password key, in a URL's query or a key=value string; quoted or up to a space or &
_PASSWORD_KEY = re.compile(r"password\s*=\s*('(?:[^'\\]|\\.)*'|[^\s&]*)", re.IGNORECASE)


def secrets_of(url: str) -> list[str]:
    """Every piece of ``url`` that is (part of) a password, longest first."""
    found = [m.group(1).strip("'") for m in _PASSWORD_KEY.finditer(url)]
    head, sep, rest = url.partition("://")
    authority = re.split(r"[/?#]", rest, maxsplit=1)[0] if sep else ""
    if "@" in authority:
        password = authority.rpartition("@")[0].partition(":")[2]
        # libpq ends the password at its first '@' and reads the rest as the host's name
        found += [password, *password.split("@")[1:]]
    found += [unquote(f) for f in found]
    return sorted({f for f in found if f}, key=len, reverse=True)


def scrub(text: str, url: str) -> str:
    """``text`` (libpq's message, which may quote the URL or a piece of it) without the
    URL's password: the URL as redact shows it, and any piece of the password in a quoted
    token of the message (libpq quotes what it could not read)."""
    text = text.replace(url, redact(url))
    secrets = secrets_of(url)

    def clean(quoted: re.Match) -> str:
        token = quoted.group(0)
        for secret in secrets:
            token = token.replace(secret, "***")
        return token

    return re.sub(r'"[^"]*"|\'[^\']*\'', clean, text) if secrets else text


def database_url(project: Project | None) -> tuple[str, dict]:
    """(URL, where it came from as ReviewkitError fields); an error when team mode is off."""
    env = os.environ.get(ENV, "").strip()
    if env:
        where = {"field": ENV}
        parse_url(env, where)
        return env, where
    team = getattr(project.config, "team", None) if project is not None else None
    url = team.get("database") if isinstance(team, dict) else None
    if project is not None and url is not None and not isinstance(url, str):
        config = project.root / CONFIG
        raise ReviewkitError(f"expected the server's URL as text in quotes, such as "
                             f"\"postgresql://host:5432/review\", not {url!r}", file=str(config),
                             line=line_of(config.read_text("utf-8-sig"), "database"),
                             field="team.database")
    if project is None or not isinstance(url, str) or not url.strip():
        raise ReviewkitError(f"team mode is off: set {ENV} or write [team] database = "
                             "\"postgresql://host:5432/review\" in reviewkit.toml")
    config = project.root / CONFIG
    where = {"file": str(config),
             "line": line_of(config.read_text("utf-8-sig"), "database"),
             "field": "team.database"}
    if parse_url(url, where).get("password"):
        raise ReviewkitError("the shared folder must not hold a password: remove it from the "
                             "URL; each person sets PGPASSWORD or ~/.pgpass", **where)
    return url.strip(), where


def team_mode(project: Project | None) -> bool:
    """Is this project (or the environment) set to a team server? Cheap: no connection."""
    if os.environ.get(ENV, "").strip():
        return True
    team = getattr(project.config, "team", None) if project is not None else None
    return isinstance(team, dict) and bool(str(team.get("database") or "").strip())
