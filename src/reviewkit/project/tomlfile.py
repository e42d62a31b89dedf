"""Read TOML files people edit by hand, with errors that name file and line; write them whole."""

from __future__ import annotations

import re
import sys
from pathlib import Path

from pydantic import ValidationError

from reviewkit.errors import ReviewkitError
from reviewkit.project.atomic import write_text_atomic

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
    # else inside an inline table: duplicates = { databases = 1928 }
    inline = re.compile(rf"^[^#\n]*[{{,][ \t]*[\"']?{re.escape(key)}[\"']?[ \t]*=", re.M)
    m = pattern.search(text) or inline.search(text)
    return text.count("\n", 0, m.start()) + 1 if m else None


def table_line(text: str, header: re.Pattern, key: str, nth: int = 0) -> int | None:
    """Line of ``key`` inside the ``nth`` table whose header line matches ``header``,
    that header's line when the key is not written there; None without such a table."""
    lines = text.splitlines()
    heads = [n for n, line in enumerate(lines) if header.match(line)]
    if nth >= len(heads):
        return None
    start = heads[nth]
    end = next((n for n in range(start + 1, len(lines)) if lines[n].lstrip().startswith("[")),
               len(lines))
    found = line_of("\n".join(lines[start:end]), key) if key else None
    return start + (found or 1)


def line_at(text: str, loc: list[str]) -> int | None:
    """Line of the field at pydantic location ``loc``: for ["study", "4", "citation"] the
    key inside the fifth ``[[study]]`` table (its header if the key is missing)."""
    key = next((p for p in reversed(loc) if not p.isdigit()), loc[0] if loc else "")
    for name, nth in zip(loc, loc[1:], strict=False):
        if not name.isdigit() and nth.isdigit():
            header = re.compile(rf"^[ \t]*\[\[[ \t]*{re.escape(name)}[ \t]*\]\]")
            inner = "" if key == name else key
            return table_line(text, header, inner, int(nth)) or line_of(text, key)
    return line_of(text, key) if key else None


def validation_error(exc: ValidationError, path: Path, text: str) -> ReviewkitError:
    """The first pydantic error as a one-line ReviewkitError at the key's line."""
    err = exc.errors()[0]
    loc = [str(p) for p in err["loc"]]
    msg = err["msg"].removeprefix("Value error, ")  # pydantic's prefix says nothing
    if err["type"] == "extra_forbidden":
        msg = "unknown field (check the spelling)"
    elif err["type"] == "missing":
        msg = "required field is missing"
    return ReviewkitError(msg, file=str(path), line=line_at(text, loc) if loc else None,
                          field=".".join(loc))


def write_atomic(path: Path, text: str) -> None:
    """Write a TOML file whole or not at all (a killed writer leaves the old one)."""
    write_text_atomic(path, text)
