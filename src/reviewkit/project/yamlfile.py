"""Read YAML files people edit by hand (errors name file and line); write them durably."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from reviewkit.errors import ReviewkitError
from reviewkit.project.atomic import write_text_atomic

Lines = dict[tuple[str, ...], int]
# libyaml when PyYAML was built with it: a 300-code codebook parses 10x faster
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load(path: Path) -> tuple[Any, Lines]:
    """(data, lines): lines maps a key path like ('answers', 'q7') to its line number."""
    try:
        text = path.read_text("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ReviewkitError(f"not UTF-8 text ({exc.reason})", file=str(path)) from None
    except OSError as exc:
        raise ReviewkitError(f"cannot read the file ({exc.strerror})", file=str(path)) from None
    return loads(text, str(path))


def loads(text: str, name: str) -> tuple[Any, Lines]:
    try:
        loader = _LOADER(text)
        try:  # one parse: the node tree for line numbers, the data built from it
            node = loader.get_single_node()
            data = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        msg = " ".join(str(p) for p in (exc.context, exc.problem) if p) or "invalid YAML"
        raise ReviewkitError(f"invalid YAML: {msg}", file=name,
                             line=mark.line + 1 if mark else None) from None
    except yaml.YAMLError as exc:
        raise ReviewkitError(f"invalid YAML: {exc}", file=name) from None
    lines: Lines = {}
    if node is not None:
        _walk(node, (), lines, name)
    return data, lines


def _walk(node: yaml.Node, path: tuple[str, ...], lines: Lines, name: str) -> None:
    lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key, value in node.value:
            k = str(key.value)
            # PyYAML keeps the last of two equal keys silently; a person meant one of them
            if k in seen:
                raise ReviewkitError(f"key '{k}' appears twice", file=name,
                                     line=key.start_mark.line + 1, field=".".join((*path, k)))
            seen.add(k)
            lines[(*path, k)] = key.start_mark.line + 1
            _walk(value, (*path, k), lines, name)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _walk(item, (*path, str(i)), lines, name)


def line_at(lines: Lines, loc: tuple[Any, ...] | list[Any]) -> int | None:
    """Line of the longest known prefix of ``loc``."""
    parts = tuple(str(p) for p in loc)
    for n in range(len(parts), -1, -1):
        if parts[:n] in lines:
            return lines[parts[:n]]
    return None


class At(ValueError):
    """A validator's message and the key path it is about, below where pydantic puts it
    (a check across entries names the entry at fault, not the whole file)."""

    def __init__(self, message: str, *loc: str | int) -> None:
        super().__init__(message)
        self.loc = tuple(str(p) for p in loc)


def validation_error(exc: ValidationError, path: Path | str, lines: Lines,
                     prefix: tuple[str, ...] = ()) -> ReviewkitError:
    """The first pydantic error as a one-line ReviewkitError at its line."""
    err = exc.errors()[0]
    at = getattr((err.get("ctx") or {}).get("error"), "loc", ())
    loc = (*prefix, *(str(p) for p in err["loc"]), *at)
    msg = err["msg"]
    if err["type"] == "extra_forbidden":
        msg = "unknown field (check the spelling)"
    elif err["type"] == "missing":
        msg = "required field is missing"
    elif msg.startswith("Value error, "):
        msg = msg[len("Value error, "):]
    return ReviewkitError(msg, file=str(path), line=line_at(lines, loc),
                          field=".".join(loc) or None)


def dump(data: Any) -> str:
    """YAML as people write it: block style, keys in the given order, unicode kept."""
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100,
                          default_flow_style=False)


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` whole or not at all (temp file, fsync, rename)."""
    write_text_atomic(path, text)


def stamp(path: Path | None) -> tuple[int, int, int] | None:
    """What changes when the file is written or replaced (inode, size, mtime): a form that
    saves answer by answer reads the file again when this moved under it."""
    try:
        st = path.stat() if path is not None else None
    except FileNotFoundError:
        return None
    return None if st is None else (st.st_ino, st.st_size, st.st_mtime_ns)


def beside(first: Path, named: Path, key: str, value: str) -> Path:
    """Where a reviewer's record made with ``value`` (a checklist, a form) is kept: at
    ``first`` (<reviewer>.yaml), unless that holds another ``key``'s record; then at
    ``named`` (<reviewer>.<value>.yaml), so writing one never replaces the other."""
    if first.exists() and _top_value(first, key) == value:
        return first
    return named if named.exists() or first.exists() else first


def _top_value(path: Path, key: str) -> object:
    try:
        data = yaml.safe_load(path.read_text("utf-8-sig"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return None  # not this one's: reading the file again reports the problem
    return data.get(key) if isinstance(data, dict) else None


def refuse_overwrite(rel: str, what: str, differing: list[str]) -> None:
    """A record a team agreed is never overwritten by a re-run that says otherwise."""
    raise ReviewkitError(f"already holds a {what} that differs on {', '.join(differing)}: "
                         "give --replace to overwrite it", file=rel)


def written_line(rel: str, before: bytes | None, path: Path) -> str:
    """'wrote <file>', or 'unchanged <file>' when its bytes are those it had before."""
    same = before is not None and path.is_file() and path.read_bytes() == before
    return f"{'unchanged' if same else 'wrote'} {rel}"
