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
import re
import unicodedata
from pathlib import Path

from reviewkit.errors import ReviewkitError
from reviewkit.project import yamlfile
from reviewkit.project.config import Project
from reviewkit.synthesis.codebook import (
    CODE_ID,
    Codebook,
    codebook_path,
    load_codebook,
    plan_append,
    presets,
    write_appended,
)
from reviewkit.synthesis.coding import fold
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


def load_framework(project: Project, file: Path,
                   method: str | None = None) -> tuple[list[str], list[str]]:
    """Add the framework's codes to the codebook (one atomic write): (added, already
    there). A new codebook is a framework synthesis unless ``method`` or reviewkit.toml
    says otherwise."""
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
    specs, added, there = [], [], []
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
        if cid in now:  # renamed or merged since it was loaded: the codebook's word holds
            if now[cid] not in there:
                there.append(now[cid])
            continue
        if cid in book.codes:
            old = book.codes[cid]
            if old.name != row["name"] or old.origin != "framework":
                raise ReviewkitError(f"code id {cid!r} is already the codebook's code "
                                     f"{old.name!r}: give this row an id", file=name,
                                     line=line, field="id")
            if cid not in there:
                there.append(cid)
            continue
        level = row.get("level") or ("framework" if "framework" in rule["levels"]
                                     else rule["levels"][0])
        specs.append({"id": cid, "name": row["name"], "parent": parent, "level": level,
                      "description": row.get("description", ""), "origin": "framework"})
        added.append(cid)
    if specs:
        text, checked, to_config = plan_append(project, specs, book.method)
        write_appended(project, text, checked, to_config)
    return added, there


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
