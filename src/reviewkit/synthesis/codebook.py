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
from reviewkit.project.config import CONFIG, Project
from reviewkit.project.owned import present
from reviewkit.synthesis.coding import append_coding, event, fold, read_coding
from reviewkit.synthesis.method import choose_method, config_method, write_config_method
from reviewkit.synthesis.refi.ids import guid_problem

CODEBOOK = "synthesis/codebook.yaml"
RETIRING = ("rename-code", "merge-code", "delete-code")  # events that take an id out of use
CODE_ID = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
CREDIBILITY = ("unequivocal", "credible", "unsupported")
# guid: the REFI-QDA guid a code was imported with (refi/ids.py)
KEYS = ("id", "name", "parent", "level", "description", "colour", "credibility", "origin",
        "guid")
# where a code came from: an a priori framework, or the data (emergent)
ORIGINS = ("framework", "data")


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
    origin: str = ""  # framework, data or '' (not recorded)
    guid: str = ""  # the REFI guid it was imported with, or '' (derived from the id)


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
    if not present(path, CODEBOOK):
        raise ReviewkitError("no codebook yet: add a code with "
                             "`reviewkit synthesis codebook add ID --name NAME`", file=CODEBOOK)
    data, lines = yamlfile.load(path)
    return parse_codebook(data, lines, CODEBOOK, config_method(project, presets()))


def parse_codebook(data: object, lines: yamlfile.Lines, name: str = CODEBOOK,
                   in_config: str | None = None) -> Codebook:
    """The checked codebook; ``in_config``: the method reviewkit.toml names, if any."""
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
    if method is not None and method not in rules:
        raise fail(f"unknown method {method!r}; expected {', '.join(rules)}", "method",
                   fld="method")
    method = choose_method(method, in_config, name, yamlfile.line_at(lines, ("method",)))
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
        for key in ("name", "description", "colour", "credibility", "origin", "guid"):
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
        origin = _origin(item.get("origin") or "", level, rules[method], fail, at)
        gid = item.get("guid") or ""
        if guid_problem(gid, cid, book):
            raise fail(guid_problem(gid, cid, book), *at, "guid", fld="guid")
        book.codes[cid] = Code(cid, item["name"], parent, level, item.get("description") or "",
                               item.get("colour") or "", cred, yamlfile.line_at(lines, at),
                               origin, gid)
    _check_tree(book, rules[method], lines, fail)
    return book


def _origin(given: str, level: str, rule: dict, fail, at: tuple) -> str:
    """A code's origin; a method whose levels say it (framework) fills it in and checks it."""
    if given and given not in ORIGINS:
        raise fail(f"origin {given!r}; expected {', '.join(ORIGINS)}", *at, "origin",
                   fld="origin")
    implied = (rule.get("origin_of_level") or {}).get(level)
    if implied and given and given != implied:
        raise fail(f"a {level} code has origin {implied!r}, not {given!r}", *at, "origin",
                   fld="origin")
    return given or implied or ""


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
             method: str | None = None) -> Code:
    """Append one code to the codebook (created with ``method`` when absent).

    ``level`` defaults to the method's level for new codes. A code added once a
    framework is loaded records ``origin: data``. The new file is validated before it
    replaces the old one; the existing lines are left as they are.
    """
    spec = {"id": code, "name": name, "parent": parent, "level": level}
    if description:
        spec["description"] = description
    return append_codes(project, [spec], method).codes[code]


def append_codes(project: Project, specs: list[dict], method: str | None = None) -> Codebook:
    """Append codes (dicts of KEYS; level and origin filled in when absent) in one
    atomic write; a new codebook's method goes to reviewkit.toml. Returns the new book."""
    new, checked, to_config = plan_append(project, specs, method)
    write_appended(project, new, checked, to_config)
    return checked


def write_appended(project: Project, new: str, checked: Codebook, to_config: bool) -> None:
    """Write what plan_append planned: the method to reviewkit.toml first (a crash then
    leaves no codebook and the method chosen), then the codebook."""
    if to_config:
        write_config_method(project, checked.method)
    write_text_atomic(codebook_path(project), new)


def plan_append(project: Project, specs: list[dict], method: str | None = None,
                base: str | None = None) -> tuple[str, Codebook, bool]:
    """(new codebook text, its checked book, whether reviewkit.toml needs the method):
    nothing is written. ``base``: the codebook's text as an edit not yet written has it."""
    path = codebook_path(project)
    in_config = config_method(project, presets())
    new_book, asked = not path.is_file(), method
    if new_book:
        if method is not None and method not in presets():
            raise ReviewkitError(f"unknown method {method!r}; expected "
                                 f"{', '.join(presets())}", field="method")
        if method and in_config and method != in_config:
            raise ReviewkitError(f"--method {method} disagrees with method {in_config!r} in "
                                 f"{CONFIG} [synthesis]: leave --method out or change "
                                 f"{CONFIG}", file=CONFIG, field="synthesis.method")
        text = "# the method is chosen in reviewkit.toml: [synthesis] method = ...\ncodes:\n"
        method = method or in_config
    else:  # an existing codebook keeps its method
        text = path.read_text("utf-8-sig") if base is None else base
        method = in_config
    data, lines = yamlfile.loads(text, CODEBOOK)
    book = parse_codebook(data, lines, CODEBOOK, method)
    if not new_book and asked and asked != book.method:
        raise ReviewkitError(f"the codebook's method is {book.method}; --method {asked} is "
                             "for a new codebook only", file=CODEBOOK, field="method")
    retired = retired_ids(project)
    rule = presets()[book.method]
    has_framework = any(c.origin == "framework" for c in book.codes.values())
    block: list[str] = []
    for spec in specs:
        code = spec["id"]
        if code in book.codes:
            raise ReviewkitError(f"code {code!r} is already in the codebook", file=CODEBOOK,
                                 line=book.codes[code].line, field="id")
        if code in retired:
            raise ReviewkitError(f"code id {code!r} was used before (renamed, merged or "
                                 "deleted); ids are never reused: choose another", field="id")
        level = spec.get("level") or rule.get("new_level", rule["levels"][0])
        # written whenever known, so the file says it; the level may imply it
        origin = ((rule.get("origin_of_level") or {}).get(level) or spec.get("origin")
                  or ("data" if has_framework else ""))
        block += [f"- id: {code}", f"  name: {_text(spec['name'])}",
                  f"  parent: {spec.get('parent') or 'null'}", f"  level: {level}"]
        block += [f"  {k}: {_text(spec[k])}" for k in ("description", "colour")
                  if spec.get(k)]
        if spec.get("credibility"):  # a word of the method, written plain as the level is
            block.append(f"  credibility: {spec['credibility']}")
        if origin:
            block.append(f"  origin: {origin}")
    new = _insert_code(text, lines, block)
    what = ", ".join(repr(s["id"]) for s in specs)
    try:
        data, new_lines = yamlfile.loads(new, CODEBOOK)
        checked = parse_codebook(data, new_lines, CODEBOOK, method)
    except ReviewkitError as exc:  # its line is in the file not written: name the code
        raise ReviewkitError(f"cannot add code {what}: {exc.message}", file=CODEBOOK,
                             field=exc.field) from None
    return new, checked, new_book and in_config is None


def _text(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


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
    checked = parse_codebook(data, new_lines, CODEBOOK, book.method)
    if new not in checked.codes:  # a layout the line edit could not handle
        raise ReviewkitError(f"could not rewrite the id of {old!r}; edit it by hand",
                             file=CODEBOOK, line=book.codes[old].line)
    append_coding(project, coder, [event("rename-code", coder, code=old, to=new)])
    write_text_atomic(path, out)


def retired_ids(project: Project) -> set[str]:
    """Code ids that a rename, merge or delete took out of use."""
    events, _ = read_coding(project)
    return {e["code"] for e, _, _ in events if e["type"] in RETIRING}


def not_in_codebook(project: Project, code: str, field: str = "code") -> ReviewkitError:
    """The one line for a code id the codebook lacks, naming what a rename or merge made
    of it (so an id from an older note or script leads to the code it became)."""
    known = set(load_codebook(project).codes)
    now = fold(project).resolve(code, known)
    if now != code and now in known:
        hint = f" (it is now {now!r}: renamed or merged)"
    else:
        hint = " (it was deleted)" if code in retired_ids(project) else ""
    return ReviewkitError(f"code {code!r} is not in the codebook{hint}", field=field)
