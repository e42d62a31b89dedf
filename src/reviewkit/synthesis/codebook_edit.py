"""Codebook edits: move, merge, split, delete, edit a code's fields.

Each edit changes only the lines it must in synthesis/codebook.yaml (comments and
layout survive), re-parses the result and checks it holds exactly the intended data
and keeps the method's rules, then replaces the file whole. Edits that touch codings
log an event in the acting coder's log first, so history explains every id:
merge-code (codings follow the new code), split-code (history only: codings stay on
the old code for a person to recode), delete-code (an unused code; its id retired).
"""

from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass

from reviewkit.errors import ReviewkitError
from reviewkit.project import yamlfile
from reviewkit.project.atomic import write_text_atomic
from reviewkit.project.config import Project
from reviewkit.synthesis.codebook import (
    CODE_ID,
    CODEBOOK,
    Codebook,
    codebook_path,
    load_codebook,
    not_in_codebook,
    parse_codebook,
    plan_append,
    presets,
    write_appended,
)
from reviewkit.synthesis.coding import append_coding, event, fold

FIELDS = ("name", "description", "colour", "level", "credibility", "origin")
# a quoted scalar, or a plain one up to a flow separator or a comment
_FLOW_VALUE = r"\"(?:[^\"\\]|\\.)*\"|'(?:[^']|'')*'|[^,}#\n]*?"
_BLOCK_VALUE = r"\"(?:[^\"\\]|\\.)*\"|'(?:[^']|'')*'|[^#\n]*?"


@dataclass
class Usage:
    """How much of the coding names a code: live codings (segments) and memos."""
    segments: int
    memos: int


def usage(project: Project, book: Codebook, code: str) -> Usage:
    coding = fold(project, set(book.codes))
    return Usage(sum(1 for s in coding.segments.values() if code in s.codes),
                 sum(1 for m in coding.memos if m.on == "code" and m.target == code))


def move_code(project: Project, code: str, parent: str | None) -> Codebook:
    """Give ``code`` a new parent (None: top level); the method's rules and the tree
    (no cycles) are checked before anything is written."""
    book = _book(project, code)
    if parent is not None and parent not in book.codes:
        raise ReviewkitError(f"parent {parent!r} is not in the codebook", file=CODEBOOK,
                             field="parent")
    if parent == code or (parent is not None and parent in book.descendants(code)):
        raise ReviewkitError(f"cannot move {code!r} under {parent!r}: it would be its own "
                             "ancestor (a cycle)", file=CODEBOOK, field="parent")
    text, checked = rewrite(project, book, {code: {"parent": parent}}, set(), f"move {code!r}")
    write_text_atomic(codebook_path(project), text)
    return checked


def edit_code(project: Project, code: str, **fields: str | None) -> Codebook:
    """Set fields of ``code`` (name, description, colour, level, credibility, origin);
    None leaves a field as it is."""
    book = _book(project, code)
    wrong = sorted(set(fields) - set(FIELDS))
    if wrong:
        raise ReviewkitError(f"no field {wrong[0]!r}; a code has {', '.join(FIELDS)}",
                             field=wrong[0])
    change = {k: v for k, v in fields.items() if v is not None}
    if not change:
        raise ReviewkitError("nothing to change: give --name, --description, --colour, "
                             "--level, --credibility or --origin")
    implied = (presets()[book.method].get("origin_of_level") or {}).get(change.get("level"))
    if implied and "origin" not in change and book.codes[code].origin:
        change["origin"] = implied  # a framework code's level says where it came from
    text, checked = rewrite(project, book, {code: change}, set(), f"edit {code!r}")
    write_text_atomic(codebook_path(project), text)
    return checked


def merge_code(project: Project, code: str, into: str, coder: str) -> tuple[Usage, list[str]]:
    """Merge ``code`` into ``into``: its codings and memos follow ``into`` (a merge-code
    event), its children move under ``into``, and its id is retired.
    Returns what followed and the children moved."""
    book = _book(project, code)
    if into not in book.codes:
        raise ReviewkitError(f"code {into!r} is not in the codebook", file=CODEBOOK,
                             field="into")
    if into == code:
        raise ReviewkitError(f"cannot merge {code!r} into itself", field="into")
    if into in book.descendants(code):
        raise ReviewkitError(f"{into!r} sits under {code!r}: move it out first "
                             f"(`reviewkit synthesis codebook move {into} --top`)",
                             file=CODEBOOK, field="into")
    used = usage(project, book, code)
    children = [c.id for c in book.children(code)]
    text, _ = rewrite(project, book, {c: {"parent": into} for c in children}, {code},
                      f"merge {code!r} into {into!r}")
    append_coding(project, coder, [event("merge-code", coder, code=code, into=into)])
    write_text_atomic(codebook_path(project), text)
    return used, children


def split_code(project: Project, code: str, parts: list[str], coder: str,
               names: dict[str, str] | None = None) -> Usage:
    """Make new codes ``parts`` beside ``code`` (same parent, level and credibility, names from
    ``names`` or ``code``'s name and the new id). Codings stay on ``code``: which part a
    segment belongs to is a person's call, so nothing is moved by guess; a split-code
    event per part records where they came from. Returns the codings left on ``code``."""
    book = _book(project, code)
    names = names or {}
    if not parts:
        raise ReviewkitError("name the new codes: --into NEW1,NEW2", field="into")
    stray = sorted(set(names) - set(parts))
    if stray:
        raise ReviewkitError(f"--name {stray[0]}=...: {stray[0]!r} is not one of --into",
                             field="name")
    if len(set(parts)) != len(parts):
        raise ReviewkitError("a new code is named twice in --into", field="into")
    old = book.codes[code]
    for part in parts:
        if not CODE_ID.match(part):
            raise ReviewkitError(f"code id {part!r}: use lower-case letters, digits, '-' or "
                                 "'_'", field="into")
    specs = [{"id": p, "name": names.get(p) or f"{old.name}: {p}", "parent": old.parent,
              "level": old.level, "origin": old.origin, "colour": old.colour,
              "credibility": old.credibility} for p in parts]
    used = usage(project, book, code)
    text, checked, to_config = plan_append(project, specs)
    append_coding(project, coder, [event("split-code", coder, code=code, to=p) for p in parts])
    write_appended(project, text, checked, to_config)
    return used


def delete_code(project: Project, code: str, coder: str) -> None:
    """Take an unused code out of the codebook; its id is retired (a delete-code event).
    Refused while a live coding or memo uses it, or it has children."""
    book = _book(project, code)
    children = [c.id for c in book.children(code)]
    if children:
        raise ReviewkitError(f"code {code!r} has {len(children)} child code(s) "
                             f"({', '.join(children)}): move or merge them first",
                             file=CODEBOOK, line=book.codes[code].line, field="id")
    used = usage(project, book, code)
    if used.segments or used.memos:
        raise ReviewkitError(f"code {code!r} is used by {used.segments} coding(s) and "
                             f"{used.memos} memo(s): merge it into another code instead "
                             f"(`reviewkit synthesis codebook merge {code} --into OTHER`)",
                             file=CODEBOOK, line=book.codes[code].line, field="id")
    _not_in_findings(project, code)
    text, _ = rewrite(project, book, {}, {code}, f"delete {code!r}")
    append_coding(project, coder, [event("delete-code", coder, code=code)])
    write_text_atomic(codebook_path(project), text)


def _not_in_findings(project: Project, code: str) -> None:
    """Refuse to delete a code findings.yaml rests on (by its id or an id it had): every
    confidence table and the report would stop at that finding."""
    from reviewkit.synthesis.confidence.findings import FINDINGS

    path = project.root / FINDINGS
    if not path.is_file():
        return
    data, lines = yamlfile.load(path)
    items = data.get("findings") if isinstance(data, dict) else None
    coding = fold(project)
    for i, item in enumerate(items if isinstance(items, list) else []):
        if not isinstance(item, dict):
            continue
        for key in ("themes", "contradicting"):
            value = item.get(key) or []
            named = [value] if isinstance(value, str) else value
            if isinstance(named, list) and any(
                    isinstance(c, str) and coding.resolve(c) == code for c in named):
                raise ReviewkitError(
                    f"finding {item.get('id')!r} names code {code!r} in `{key}:`; take it "
                    "out of the finding first, or merge the code into another "
                    f"(`reviewkit synthesis codebook merge {code} --into OTHER`)",
                    file=FINDINGS, line=yamlfile.line_at(lines, ("findings", str(i), key)),
                    field=key)


def _book(project: Project, code: str) -> Codebook:
    book = load_codebook(project)
    if code not in book.codes:
        err = not_in_codebook(project, code, field="id")
        raise ReviewkitError(err.message, file=CODEBOOK, field="id")
    return book


# --- the line edit --------------------------------------------------------------------

def rewrite(project: Project, book: Codebook, changes: dict[str, dict[str, object]],
            drop: set[str], what: str) -> tuple[str, Codebook]:
    """(new text, its checked codebook): ``changes`` sets fields of codes, ``drop``
    removes codes. Nothing is written; an edit the lines cannot express, or a result
    that breaks the rules, is a ReviewkitError naming the edit."""
    path = codebook_path(project)
    text = path.read_text("utf-8-sig")
    data, lines = yamlfile.loads(text, CODEBOOK)
    index = {item["id"]: i for i, item in enumerate(data["codes"])}
    expected = copy.deepcopy(data)
    rows = text.splitlines(keepends=True)
    if rows and not rows[-1].endswith("\n"):
        rows[-1] += "\n"
    bounds = _bounds(rows, lines, len(data["codes"]))
    for cid in sorted(set(changes) | drop, key=lambda c: -index[c]):  # bottom up
        i = index[cid]
        start, end = bounds[i]
        if cid in drop:
            while start > 0 and rows[start - 1].lstrip().startswith("#") and (
                    i == 0 or start > bounds[i - 1][1]):
                start -= 1  # the comment right above a code is about it
            del rows[start:end]
            continue
        keys = {k: lines[("codes", str(i), k)] for k in data["codes"][i]}
        change = changes.get(cid, {})
        for key in sorted(set(change) & set(keys), key=lambda k: -keys[k]):  # bottom up
            expected["codes"][i][key] = change[key]
            end -= _set_value(rows, keys[key] - 1, min(
                [n - 1 for n in keys.values() if n > keys[key]], default=end), key, change[key])
        for key in [k for k in change if k not in keys]:
            expected["codes"][i][key] = change[key]
            end = _add_key(rows, start, end, key, change[key])
    for cid in drop:
        expected["codes"][index[cid]] = None
    expected["codes"] = [c for c in expected["codes"] if c is not None]
    out = "".join(rows)
    try:
        new, new_lines = yamlfile.loads(out, CODEBOOK)
    except ReviewkitError:
        new, new_lines = None, {}
    if isinstance(new, dict) and new.get("codes") is None and "codes" in new:
        new["codes"] = []  # the last code deleted leaves `codes:` empty
    if new != expected:
        raise ReviewkitError(f"could not {what} by changing lines (an unusual layout, such "
                             "as a value over several lines): edit the file by hand",
                             file=CODEBOOK)
    try:
        checked = parse_codebook(new, new_lines, CODEBOOK, book.method)
    except ReviewkitError as exc:  # its line is in the file not written: name the edit
        raise ReviewkitError(f"cannot {what}: {exc.message}", file=CODEBOOK,
                             field=exc.field) from None
    return out, checked


def _bounds(rows: list[str], lines: yamlfile.Lines, n: int) -> list[tuple[int, int]]:
    """Row range [start, end) of each code, without the blank or comment rows after it
    (they belong to what follows)."""
    codes_line = lines[("codes",)]
    later = [v for k, v in lines.items() if len(k) == 1 and v > codes_line]
    stop = min(later) - 1 if later else len(rows)
    starts = [lines[("codes", str(i))] - 1 for i in range(n)]
    out = []
    for i, start in enumerate(starts):
        end = starts[i + 1] if i + 1 < n else stop
        while end > start + 1 and (not rows[end - 1].strip()
                                   or rows[end - 1].lstrip().startswith("#")):
            end -= 1
        out.append((start, end))
    return out


PLAIN = ("id", "parent", "level", "credibility", "origin")  # ids and words: unquoted


def _literal(key: str, value: object) -> str:
    if value is None:
        return "null"
    if key in PLAIN and isinstance(value, str) and CODE_ID.match(value) and value not in (
            "null", "true", "false", "yes", "no", "on", "off", "y", "n"):
        return value
    return json.dumps(value, ensure_ascii=False)


def _set_value(rows: list[str], at: int, stop: int, key: str, value: object) -> int:
    """Set ``key``'s value on rows[at] (its next key is on rows[stop]); a value over
    several rows (a block scalar) becomes one row. Returns how many rows went."""
    more = rows[at + 1:stop]
    if any(r.strip() and not r.lstrip().startswith("#") for r in more):
        m = re.match(rf"^([\s-]*{re.escape(key)}\s*:\s*)", rows[at])
        if m:
            rows[at] = m.group(1) + _literal(key, value) + "\n"
            del rows[at + 1:stop]
            return stop - at - 1
    rows[at] = _replace(rows[at], key, value)
    return 0


def _replace(row: str, key: str, value: object) -> str:
    """The row with ``key``'s value replaced (flow or block style); unchanged when the
    layout is not understood (the check after catches that)."""
    flow = re.search(rf"[{{,]\s*{re.escape(key)}\s*:", row)
    pattern = (rf"([{{,]\s*{re.escape(key)}\s*:\s*)({_FLOW_VALUE})(?=\s*[,}}])" if flow
               else rf"(^[\s-]*{re.escape(key)}\s*:\s*)({_BLOCK_VALUE})(?=\s*(?:\s#.*)?$)")
    return re.sub(pattern, lambda m: m.group(1) + _literal(key, value), row, count=1)


def _add_key(rows: list[str], start: int, end: int, key: str, value: object) -> int:
    """Add ``key: value`` to the code in rows[start:end]; returns the new end."""
    first = rows[start]
    if "{" in first and end - start == 1:  # a one-line flow mapping
        cut = first.rindex("}")
        rows[start] = f"{first[:cut].rstrip()}, {key}: {_literal(key, value)}{first[cut:]}"
        return end
    if end - start > 1:
        indent = re.match(r"^\s*", rows[start + 1]).group(0)
    else:
        indent = " " * (len(re.match(r"^[\s-]*", first).group(0)))
    rows.insert(end, f"{indent}{key}: {_literal(key, value)}\n")
    return end + 1
