"""Read TOML files people edit by hand, with errors that name file and line."""

from __future__ import annotations

import re
import sys
from pathlib import Path

from pydantic import ValidationError

from reviewkit.errors import ReviewkitError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

_AT_LINE = re.compile(r"\(at line (\d+)")


def load(path: Path) -> tuple[dict, str]:
    """(data, text) of a TOML file; syntax errors carry their line."""
    try:
        text = path.read_text("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ReviewkitError(f"not UTF-8 text ({exc.reason})", file=str(path)) from None
    try:
        return tomllib.loads(text), text
    except tomllib.TOMLDecodeError as exc:
        m = _AT_LINE.search(str(exc))
        msg = _AT_LINE.split(str(exc))[0].strip() or "invalid TOML"
        raise ReviewkitError(f"invalid TOML: {msg}", file=str(path),
                             line=int(m.group(1)) if m else None) from None


def line_of(text: str, key: str) -> int | None:
    """Line where ``key = ...`` is written, for pointing at a bad field."""
    pattern = re.compile(rf"^[ \t]*[\"']?{re.escape(key)}[\"']?[ \t]*=", re.M)
    m = pattern.search(text)
    return text.count("\n", 0, m.start()) + 1 if m else None


def validation_error(exc: ValidationError, path: Path, text: str) -> ReviewkitError:
    """The first pydantic error as a one-line ReviewkitError at the key's line."""
    err = exc.errors()[0]
    loc = [str(p) for p in err["loc"]]
    key = next((p for p in reversed(loc) if not p.isdigit()), loc[0] if loc else "")
    msg = err["msg"].removeprefix("Value error, ")  # pydantic's prefix says nothing
    if err["type"] == "extra_forbidden":
        msg = "unknown field (check the spelling)"
    elif err["type"] == "missing":
        msg = "required field is missing"
    return ReviewkitError(msg, file=str(path), line=line_of(text, key) if key else None,
                          field=".".join(loc))
