"""synthesis/codebook.yaml: the codes of a synthesis, checked against its method's rules.

The file is the truth and people edit it by hand, so edits made here change only
the lines they must (comments survive) and the result is validated before it is
written, whole or not at all.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path

import yaml

from reviewkit.errors import ReviewkitError
from reviewkit.project import yamlfile
from reviewkit.project.atomic import write_text_atomic
from reviewkit.project.config import Project
from reviewkit.synthesis.coding import append_coding, event, read_coding

CODEBOOK = "synthesis/codebook.yaml"
CODE_ID = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
CREDIBILITY = ("unequivocal", "credible", "unsupported")
KEYS = ("id", "name", "parent", "level", "description", "colour", "credibility")


@cache
def presets() -> dict:
    """The method rules (presets.yaml shipped with the package)."""
    text = resources.files("reviewkit.synthesis").joinpath("presets.yaml").read_text("utf-8")
    return yaml.safe_load(text)


@dataclass(frozen=True)
class Code:
    id: str
    name: str
    parent: str | None
    level: str
    description: str = ""
    colour: str = ""
    credibility: str = ""
    line: int | None = None


@dataclass
class Codebook:
    method: str
    codes: dict[str, Code] = field(default_factory=dict)  # in file order
    file: str = CODEBOOK

    def children(self, code: str) -> list[Code]:
        return [c for c in self.codes.values() if c.parent == code]

    def descendants(self, code: str) -> set[str]:
        """Every code below ``code`` (not itself)."""
        out: set[str] = set()
        todo = [code]
        while todo:
            for child in self.children(todo.pop()):
                if child.id not in out:
                    out.add(child.id)
                    todo.append(child.id)
        return out

    def path(self, code: str) -> str:
        """"Top > Middle > Code": where a code sits in the tree."""
        names: list[str] = []
        at: str | None = code
        while at is not None and at in self.codes and len(names) <= len(self.codes):
            names.append(self.codes[at].name)
            at = self.codes[at].parent
        return " > ".join(reversed(names))

    def tree(self) -> list[tuple[int, Code]]:
        """(depth, code) depth first, children in file order."""
        out: list[tuple[int, Code]] = []

        def walk(parent: str | None, depth: int) -> None:
            for c in self.codes.values():
                if c.parent == parent:
                    out.append((depth, c))
                    walk(c.id, depth + 1)

        walk(None, 0)
        return out


def codebook_path(project: Project) -> Path:
    return project.root / CODEBOOK


def load_codebook(project: Project) -> Codebook:
    """The validated codebook; one ReviewkitError naming the file and line otherwise."""
    path = codebook_path(project)
    if not path.is_file():
        raise ReviewkitError("no codebook yet: add a code with "
                             "`reviewkit synthesis codebook add ID --name NAME`", file=CODEBOOK)
    data, lines = yamlfile.load(path)
    return parse_codebook(data, lines, CODEBOOK)


def parse_codebook(data: object, lines: yamlfile.Lines, name: str = CODEBOOK) -> Codebook:
    def fail(msg: str, *loc: object, fld: str | None = None) -> ReviewkitError:
        return ReviewkitError(msg, file=name, line=yamlfile.line_at(lines, loc), field=fld)

    if not isinstance(data, dict):
        raise fail("expected a mapping with `method:` and `codes:`")
    unknown = set(data) - {"method", "codes"}
    if unknown:
        key = sorted(unknown)[0]
        raise fail("unknown key (check the spelling)", key, fld=key)
    method = data.get("method")
    rules = presets()
    if method not in rules:
        raise fail(f"unknown method {method!r}; expected {', '.join(rules)}", "method",
                   fld="method")
    levels = rules[method]["levels"]
    raw = data.get("codes") or []
    if not isinstance(raw, list):
        raise fail("`codes` must be a list of codes", "codes", fld="codes")
    book = Codebook(method, file=name)
    for i, item in enumerate(raw):
        at = ("codes", str(i))
        if not isinstance(item, dict):
            raise fail("a code is a mapping with id, name, parent, level", *at)
        for key in item:
            if key not in KEYS:
                raise fail("unknown key (check the spelling)", *at, key, fld=str(key))
        cid = item.get("id")
        if not isinstance(cid, str) or not CODE_ID.match(cid):
            raise fail("code ids use lower-case letters, digits, '-' or '_'", *at, "id",
                       fld="id")
        if cid in book.codes:
            raise fail(f"code id {cid!r} is used twice", *at, "id", fld="id")
        for key in ("name", "description", "colour", "credibility"):
            if item.get(key) is not None and not isinstance(item[key], str):
                raise fail("must be text", *at, key, fld=key)
        if not (item.get("name") or "").strip():
            raise fail(f"code {cid!r} has no name", *at, fld="name")
        parent = item.get("parent")
        if parent is not None and not isinstance(parent, str):
            raise fail("parent is a code id or null", *at, "parent", fld="parent")
        level = item.get("level")
        if level not in levels:
            raise fail(f"level {level!r} is not a level of {method} (expected "
                       f"{', '.join(levels)})", *at, "level", fld="level")
        cred = item.get("credibility") or ""
        if cred and (method != "meta-aggregation" or level != "finding"):
            raise fail("credibility is given for meta-aggregation findings only", *at,
                       "credibility", fld="credibility")
        if cred and cred not in CREDIBILITY:
            raise fail(f"credibility {cred!r}; expected {', '.join(CREDIBILITY)}", *at,
                       "credibility", fld="credibility")
        book.codes[cid] = Code(cid, item["name"], parent, level, item.get("description") or "",
                               item.get("colour") or "", cred, yamlfile.line_at(lines, at))
    _check_tree(book, rules[method], lines, fail)
    return book


def _check_tree(book: Codebook, rule: dict, lines: yamlfile.Lines, fail) -> None:
    index = {cid: i for i, cid in enumerate(book.codes)}
    for c in book.codes.values():
        at = ("codes", str(index[c.id]))
        if c.parent is None:
            continue
        if c.parent not in book.codes:
            raise fail(f"parent {c.parent!r} of {c.id!r} is not a code", *at, "parent",
                       fld="parent")
        seen = {c.id}
        up = c.parent
        while up is not None:
            if up in seen:
                raise fail(f"code {c.id!r} is its own ancestor (a cycle through "
                           f"{up!r})", *at, "parent", fld="parent")
            seen.add(up)
            up = book.codes[up].parent
        parent = book.codes[c.parent]
        allowed = rule.get("children", {}).get(parent.level)
        if allowed is not None and c.level not in allowed:
            what = ", ".join(allowed) or "no children"
            raise fail(f"{c.id!r} ({c.level}) cannot sit under {parent.id!r} "
                       f"({parent.level}): {book.method} allows {what} there", *at, "parent",
                       fld="parent")
    for level, least in (rule.get("min_findings") or {}).items():
        for c in book.codes.values():
            if c.level != level:
                continue
            n = sum(1 for k in book.children(c.id)
                    if k.level == "finding" and k.credibility != "unsupported")
            if n < least:
                raise fail(f"{level} {c.id!r} aggregates {n} finding(s) (unsupported ones not "
                           f"counted); it needs at least {least}",
                           "codes", str(index[c.id]), fld="codes")


def add_code(project: Project, code: str, name: str, parent: str | None = None,
             level: str | None = None, description: str = "",
             method: str = "thematic") -> Code:
    """Append one code to the codebook (created with ``method`` when absent).

    ``level`` defaults to the method's first level. The new file is validated
    before it replaces the old one; the existing lines are left as they are.
    """
    path = codebook_path(project)
    if path.is_file():
        text = path.read_text("utf-8-sig")
        data, lines = yamlfile.loads(text, CODEBOOK)
        book = parse_codebook(data, lines)
    else:
        if method not in presets():
            raise ReviewkitError(f"unknown method {method!r}; expected "
                                 f"{', '.join(presets())}", field="method")
        text = f"method: {method}\ncodes:\n"
        data, lines = yamlfile.loads(text, CODEBOOK)
        book = parse_codebook(data, lines)
    if code in book.codes:
        raise ReviewkitError(f"code {code!r} is already in the codebook", file=CODEBOOK,
                             line=book.codes[code].line, field="id")
    if code in retired_ids(project):
        raise ReviewkitError(f"code id {code!r} was used before (renamed or merged); ids "
                             "are never reused: choose another", field="id")
    level = level or presets()[book.method]["levels"][0]
    block = [f"- id: {code}", f"  name: {json.dumps(name, ensure_ascii=False)}",
             f"  parent: {parent if parent else 'null'}", f"  level: {level}"]
    if description:
        block.append(f"  description: {json.dumps(description, ensure_ascii=False)}")
    new = _insert_code(text, lines, block)
    try:
        data, new_lines = yamlfile.loads(new, CODEBOOK)
        checked = parse_codebook(data, new_lines)
    except ReviewkitError as exc:  # its line is in the file not written: name the code
        raise ReviewkitError(f"cannot add code {code!r}: {exc.message}", file=CODEBOOK,
                             field=exc.field) from None
    write_text_atomic(path, new)
    return checked.codes[code]


def _insert_code(text: str, lines: yamlfile.Lines, block: list[str]) -> str:
    rows = text.splitlines(keepends=True)
    if rows and not rows[-1].endswith("\n"):
        rows[-1] += "\n"
    codes_line = lines.get(("codes",))
    if codes_line is None:
        return "".join(rows) + "codes:\n" + "".join(f"  {b}\n" for b in block)
    # an empty flow list `codes: []` becomes a block list
    rows[codes_line - 1] = re.sub(r"(codes\s*:)\s*\[\s*\]", r"\1", rows[codes_line - 1])
    first = lines.get(("codes", "0"))
    indent = ""
    if first is not None:
        m = re.match(r"^(\s*)-", rows[first - 1])
        indent = m.group(1) if m else ""
    else:
        indent = "  "
    later = [n for key, n in lines.items() if len(key) == 1 and n > codes_line]
    at = min(later) - 1 if later else len(rows)
    while at > codes_line and not rows[at - 1].strip():
        at -= 1  # keep the blank line before the next key where it was
    rows[at:at] = [f"{indent}{b}\n" for b in block]
    return "".join(rows)


def rename_code(project: Project, old: str, new: str, coder: str) -> None:
    """Give code ``old`` the id ``new`` in the codebook (its own id and every parent link)
    and log a rename-code event in ``coder``'s log so earlier codings follow it."""
    path = codebook_path(project)
    book = load_codebook(project)
    if old not in book.codes:
        raise ReviewkitError(f"code {old!r} is not in the codebook", file=CODEBOOK, field="id")
    if not CODE_ID.match(new):
        raise ReviewkitError(f"code id {new!r}: use lower-case letters, digits, '-' or '_'",
                             field="id")
    if new in book.codes or new in retired_ids(project):
        raise ReviewkitError(f"code id {new!r} is or was in use; ids are never reused",
                             file=CODEBOOK, field="id")
    text = path.read_text("utf-8-sig")
    data, lines = yamlfile.loads(text, CODEBOOK)
    rows = text.splitlines(keepends=True)
    for i, item in enumerate(data["codes"]):
        for key in ("id", "parent"):
            if item.get(key) == old:
                n = lines[("codes", str(i), key)] - 1
                rows[n] = re.sub(rf"(\b{key}\s*:\s*)([\"']?){re.escape(old)}\2(?![\w-])",
                                 lambda m: m.group(1) + m.group(2) + new + m.group(2),
                                 rows[n], count=1)
    out = "".join(rows)
    data, new_lines = yamlfile.loads(out, CODEBOOK)
    checked = parse_codebook(data, new_lines)
    if new not in checked.codes:  # a layout the line edit could not handle
        raise ReviewkitError(f"could not rewrite the id of {old!r}; edit it by hand",
                             file=CODEBOOK, line=book.codes[old].line)
    append_coding(project, coder, [event("rename-code", coder, code=old, to=new)])
    write_text_atomic(path, out)


def retired_ids(project: Project) -> set[str]:
    """Code ids that a rename or merge took out of use."""
    events, _ = read_coding(project)
    return {e["code"] for e, _, _ in events if e["type"] in ("rename-code", "merge-code")}
