"""Framework and best-fit framework synthesis: a priori codes from a file, and the data
that fit none of them.

A framework file is YAML (a list of codes, or ``codes:`` holding one) or CSV with the
columns ``name, description, parent`` (``id`` and ``level`` optional). Ids are slugged
from the names, so loading the same file again finds the same codes, renamed or merged
ones too (and adds only what is new). Loaded codes record ``origin: framework``;
codes added later record ``origin: data``. ``framework_fit`` lists the segments no
framework code covers, for the second pass that builds emergent themes.
"""

from __future__ import annotations

import csv
import io
import os
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from reviewkit.errors import ReviewkitError
from reviewkit.project import yamlfile
from reviewkit.project.atomic import write_text_atomic
from reviewkit.project.config import Project
from reviewkit.screening.reviewers import ENV, require_reviewer
from reviewkit.synthesis.codebook import (
    CODE_ID,
    Codebook,
    codebook_path,
    load_codebook,
    plan_append,
    presets,
    retired_ids,
    write_appended,
)
from reviewkit.synthesis.codebook_edit import rewrite
from reviewkit.synthesis.coding import append_coding, event, fold
from reviewkit.synthesis.method import config_method
from reviewkit.synthesis.state import Synthesis

COLUMNS = ("id", "name", "description", "parent", "level")
FIT_COLUMNS = ["segment", "study", "source", "start", "codes", "text"]


def slug(name: str) -> str:
    """A code id from a name: 'Access to care' -> 'access-to-care'."""
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-") or "code"


def read_framework(file: Path) -> list[tuple[dict, int | None]]:
    """The rows of a framework file (dicts of COLUMNS) with their line numbers."""
    name = str(file)
    if not file.is_file():
        raise ReviewkitError("no such framework file", file=name)
    try:
        text = file.read_text("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ReviewkitError(f"not UTF-8 text ({exc.reason})", file=name) from None
    if file.suffix.lower() == ".csv":
        return _csv_rows(text, name)
    if file.suffix.lower() in (".yaml", ".yml"):
        return _yaml_rows(text, name)
    raise ReviewkitError("a framework is a .yaml, .yml or .csv file", file=name)


def _csv_rows(text: str, name: str) -> list[tuple[dict, int | None]]:
    reader = csv.DictReader(io.StringIO(text))
    fields = [f.strip().lower() for f in reader.fieldnames or []]
    if "name" not in fields:
        raise ReviewkitError("the first row names the columns: name, description, parent "
                             "(id, level optional)", file=name, line=1)
    wrong = [f for f in fields if f not in COLUMNS]
    if wrong:
        raise ReviewkitError(f"unknown column {wrong[0]!r}; expected {', '.join(COLUMNS)}",
                             file=name, line=1, field=wrong[0])
    reader.fieldnames = fields
    return [({k: (v or "").strip() for k, v in row.items() if k is not None},
             reader.line_num) for row in reader]


def _yaml_rows(text: str, name: str) -> list[tuple[dict, int | None]]:
    data, lines = yamlfile.loads(text, name)
    prefix: tuple[str, ...] = ()
    if isinstance(data, dict) and set(data) <= {"codes", "method"}:
        data, prefix = data.get("codes"), ("codes",)
    if not isinstance(data, list):
        raise ReviewkitError("expected a list of codes (name, description, parent)",
                             file=name, line=1)
    out = []
    for i, item in enumerate(data):
        line = yamlfile.line_at(lines, (*prefix, str(i)))
        if not isinstance(item, dict):
            raise ReviewkitError("a code is a mapping with name, description, parent",
                                 file=name, line=line)
        wrong = [k for k in item if k not in COLUMNS]
        if wrong:
            raise ReviewkitError(f"unknown key {wrong[0]!r}; expected {', '.join(COLUMNS)}",
                                 file=name, line=line, field=str(wrong[0]))
        bad = [k for k, v in item.items() if v is not None and not isinstance(v, str)]
        if bad:
            raise ReviewkitError("must be text", file=name, line=line, field=str(bad[0]))
        out.append(({k: (v or "").strip() for k, v in item.items()}, line))
    return out


@dataclass
class FrameworkLoad:
    """What loading a framework file did to the codebook."""

    file: str
    added: list[str] = field(default_factory=list)
    there: list[str] = field(default_factory=list)  # codes of the file already there
    # (old id, new id) of codes the file renamed; the same id twice: the name only
    renamed: list[tuple[str, str]] = field(default_factory=list)
    # framework codes of the codebook the file no longer has: kept, with their codings
    missing: list[tuple[str, str]] = field(default_factory=list)  # (id, name)

    def summary(self) -> str:
        out = f"added {len(self.added)} framework code(s)"
        if self.renamed:
            out += f", renamed {len(self.renamed)} (" + ", ".join(
                o if o == n else f"{o} -> {n}" for o, n in self.renamed) + ")"
        if self.there:
            out += f"; {len(self.there)} already in the codebook"
        for cid, name in self.missing:
            out += (f"; {cid!r} ({name}) is no longer in {Path(self.file).name}: kept with "
                    "its codings (a rename keeps its description, or gives the row "
                    f"id: {cid})")
        return out


def load_framework(project: Project, file: Path, method: str | None = None,
                   coder: str | None = None) -> FrameworkLoad:
    """Add the framework's codes to the codebook (one atomic write). A new codebook is a
    framework synthesis unless ``method`` or reviewkit.toml says otherwise.

    A category renamed in the file is renamed in the codebook, as `codebook rename` does
    (a rename-code event in ``coder``'s log, so its codings follow): the row keeps the
    code's id (its ``id`` column), or it is the one new row with the description and
    parent of the one framework code the file no longer has."""
    rows = read_framework(file)
    name = str(file)
    exists = codebook_path(project).is_file()
    book = load_codebook(project) if exists else Codebook(
        method or config_method(project, presets()) or "framework")
    rule = presets()[book.method]
    by_name: dict[str, str] = {}
    ids: dict[str, int | None] = {}
    for row, line in rows:
        if not row.get("name"):
            raise ReviewkitError("a framework code needs a name", file=name, line=line,
                                 field="name")
        cid = row.get("id") or slug(row["name"])
        if not CODE_ID.match(cid):
            raise ReviewkitError(f"code id {cid!r}: use lower-case letters, digits, '-' or "
                                 "'_'", file=name, line=line, field="id")
        if cid in ids:
            raise ReviewkitError(f"code id {cid!r} again (line {ids[cid]} has it): give one "
                                 "of them another name or an id", file=name, line=line,
                                 field="id")
        ids[cid] = line
        by_name[row["name"].casefold()] = cid
    now = _followed(project, book, list(ids)) if exists else {}
    out = FrameworkLoad(name)
    parents: dict[str, str | None] = {}
    for row, line in rows:
        cid = row.get("id") or slug(row["name"])
        parent = row.get("parent") or None
        if parent is not None:
            parent = by_name.get(parent.casefold(), parent)
            if parent not in ids and parent not in book.codes:
                raise ReviewkitError(f"parent {row['parent']!r} is neither a code of this "
                                     "file nor of the codebook", file=name, line=line,
                                     field="parent")
            parent = now.get(parent, parent)
        parents[cid] = parent
    moved = _renamed(book, rows, parents, set(ids) | set(now.values()), set(now))
    changes: dict[str, dict[str, object]] = {}
    specs = []
    for row, line in rows:
        cid = row.get("id") or slug(row["name"])
        if cid in now:  # renamed or merged since it was loaded: the codebook's word holds
            if now[cid] not in out.there:
                out.there.append(now[cid])
            continue
        if cid in moved:
            old = moved[cid]
            changes.setdefault(old, {}).update(id=cid, name=row["name"])
            for child in book.children(old):
                changes.setdefault(child.id, {})["parent"] = cid
            out.renamed.append((old, cid))
            continue
        if cid in book.codes:
            old = book.codes[cid]
            if old.origin != "framework":
                raise ReviewkitError(f"code id {cid!r} is already the codebook's code "
                                     f"{old.name!r}: give this row an id", file=name,
                                     line=line, field="id")
            # the file's new name for the code (the row keeps its id, or the name its
            # words); a name edited in the codebook away from its id: the codebook's holds
            if old.name != row["name"] and (row.get("id") or slug(old.name) == cid):
                changes.setdefault(cid, {})["name"] = row["name"]
                out.renamed.append((cid, cid))
            elif cid not in out.there:
                out.there.append(cid)
            continue
        level = row.get("level") or ("framework" if "framework" in rule["levels"]
                                     else rule["levels"][0])
        specs.append({"id": cid, "name": row["name"], "parent": parents[cid], "level": level,
                      "description": row.get("description", ""), "origin": "framework"})
        out.added.append(cid)
    listed = set(out.there) | {o for o, _ in out.renamed}
    out.missing = [(c.id, c.name) for c in book.codes.values()
                   if c.origin == "framework" and c.id not in listed and c.id not in ids]
    _write(project, book, changes, specs, [(o, n) for o, n in out.renamed if o != n], coder)
    return out


def _renamed(book: Codebook, rows: list[tuple[dict, int | None]],
             parents: dict[str, str | None], named: set[str], followed: set[str]
             ) -> dict[str, str]:
    """new id -> the framework code it renames: the only code the file no longer names
    with this row's description (not empty), under the same parent (or its rename)."""
    gone: dict[str, list[str]] = {}
    for c in book.codes.values():
        if c.origin == "framework" and c.id not in named and c.description.strip():
            gone.setdefault(c.description.strip().casefold(), []).append(c.id)
    fresh: dict[str, list[str]] = {}
    for row, _ in rows:
        cid = row.get("id") or slug(row["name"])
        if cid not in book.codes and cid not in followed and (row.get("description")
                                                                or "").strip():
            fresh.setdefault(row["description"].strip().casefold(), []).append(cid)
    pairs = {new[0]: old[0] for key, new in fresh.items()
             if len(new) == 1 and len(old := gone.get(key, [])) == 1}
    back = {old: new for new, old in pairs.items()}
    return {new: old for new, old in pairs.items()
            if parents[new] in (book.codes[old].parent, back.get(book.codes[old].parent))}


def _write(project: Project, book: Codebook, changes: dict[str, dict[str, object]],
           specs: list[dict], renames: list[tuple[str, str]], coder: str | None) -> None:
    """Renames and new codes in one codebook write, every rule checked first; the renames'
    events go to the coder's log before it (as `codebook rename` does)."""
    if not changes and not specs:
        return
    if renames:
        coder = coder or os.environ.get(ENV, "")
        if not coder:
            raise ReviewkitError(f"the file renames {', '.join(repr(o) for o, _ in renames)}"
                                 f": say who renames (--reviewer NAME or {ENV}) so the "
                                 "rename goes in their coding log", field="reviewer")
        require_reviewer(project, coder)
        retired = retired_ids(project)
        taken = next((n for _, n in renames if n in retired), None)
        if taken:
            raise ReviewkitError(f"code id {taken!r} was used before (renamed, merged or "
                                 "deleted); ids are never reused: give the row another id",
                                 file=book.file, field="id")
    base = rewrite(project, book, changes, set(), "rename framework codes")[0] \
        if changes else None
    text, checked, to_config = (plan_append(project, specs, book.method, base) if specs
                                else (base, None, False))
    if renames:
        append_coding(project, coder, [event("rename-code", coder, code=o, to=n)
                                       for o, n in renames])
    if checked is None:
        write_text_atomic(codebook_path(project), text)
    else:
        write_appended(project, text, checked, to_config)


def _followed(project: Project, book: Codebook, ids: list[str]) -> dict[str, str]:
    """The file's ids the coding log renamed or merged into a code the codebook has now:
    id -> that code (so loading the file again finds them, as it finds unchanged ones)."""
    coding = fold(project, set(book.codes))
    out = {}
    for cid in ids:
        if cid not in book.codes and cid in coding.renames:
            to = coding.resolve(cid, set(book.codes))
            if to in book.codes:
                out[cid] = to
    return out


def framework_codes(book: Codebook) -> set[str]:
    """Codes from the framework and every code under one (a sub-theme the data added
    to a framework theme still fits the framework)."""
    top = {c.id for c in book.codes.values() if c.origin == "framework"}
    out = set(top)
    for cid in top:
        out |= book.descendants(cid)
    return out


def framework_fit(syn: Synthesis) -> list[dict]:
    """Segments that carry no framework code (only emergent codes, or none): the data
    the framework does not fit, in source order."""
    fits = framework_codes(syn.codebook)
    if not fits:
        raise ReviewkitError("the codebook has no framework codes: load a framework with "
                             "`reviewkit synthesis codebook framework FILE`",
                             file=syn.codebook.file)
    rows = []
    for seg in sorted(syn.coding.segments.values(), key=lambda s: (s.source, s.start)):
        if seg.codes & fits:
            continue
        rows.append({"segment": seg.id, "study": syn.study_of(seg.source),
                     "source": seg.source, "start": seg.start,
                     "codes": ", ".join(sorted(seg.codes)) or "(none)", "text": seg.text})
    return rows
