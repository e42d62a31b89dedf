"""Codebook CSV import (`name, description, parent`, or Taguette's codebook CSV), and
adding several codes to the codebook in one validated write.

Ids are slugged from names; a parent is named by its name (or id); the codebook
is validated whole before it is written, so a bad row writes nothing.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path

import yaml

from reviewkit.errors import ReviewkitError
from reviewkit.project import yamlfile
from reviewkit.project.atomic import write_text_atomic
from reviewkit.project.config import Project
from reviewkit.synthesis.codebook import (
    CODEBOOK,
    KEYS,
    Codebook,
    codebook_path,
    parse_codebook,
    presets,
    retired_ids,
)
from reviewkit.synthesis.method import config_method
from reviewkit.synthesis.names import slug

Row = tuple[int, dict[str, str]]  # CSV line, values by (lower-case) column


@cache
def formats() -> dict:
    """The CSV kinds and the defaults of imported codes (imports.yaml)."""
    text = resources.files("reviewkit.synthesis").joinpath("imports.yaml").read_text("utf-8")
    return yaml.safe_load(text)


def read_csv(file: Path) -> tuple[str, list[Row]]:
    """(kind, rows) of a CSV whose header is one of imports.yaml's kinds; a wrong header
    is one error naming the file, line 1 and the columns each kind expects."""
    name = str(file)
    try:
        text = Path(file).read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise ReviewkitError(f"cannot read the file ({exc.strerror})", file=name) from None
    except UnicodeDecodeError as exc:
        raise ReviewkitError(f"not UTF-8 text ({exc.reason} at byte {exc.start})",
                             file=name) from None
    # strict: a quote left open would otherwise take the rest of the file into one cell
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    line = 1
    try:
        header = [h.strip().lower() for h in next(reader, [])]
        kind = _kind(header, name)
        rows: list[Row] = []
        line = reader.line_num + 1
        for values in reader:
            if any(v.strip() for v in values):
                if len(values) > len(header):
                    raise ReviewkitError(f"{len(values)} values for {len(header)} columns",
                                         file=name, line=line)
                rows.append((line, {h: (values[i] if i < len(values) else "")
                                    for i, h in enumerate(header)}))
            line = reader.line_num + 1
    except csv.Error as exc:
        raise ReviewkitError(f"the row starting at line {line} is not valid CSV ({exc}): "
                             "check for an unclosed or stray '\"'", file=name,
                             line=line) from None
    return kind, rows


def _kind(header: list[str], name: str) -> str:
    cols = set(header)
    for kind, spec in formats()["csv"].items():
        if set(spec["required"]) <= cols <= set(spec["required"]) | set(spec["optional"]):
            if len(cols) == len(header):
                return kind
    kinds = [f"{s['label']} ({', '.join(s['required'] + s['optional'])})"
             for s in formats()["csv"].values()]
    raise ReviewkitError(f"unknown CSV header {', '.join(header) or '(empty)'}; expected "
                         f"{', '.join(kinds[:-1])} or {kinds[-1]}", file=name, line=1)


def new_code_defaults(method: str) -> dict[str, str]:
    """level (and origin, where the codebook knows it) of a code an import creates."""
    out = dict(formats()["new_code"].get(method) or {})
    out.setdefault("level", presets()[method]["levels"][0])
    return {k: v for k, v in out.items() if k in KEYS}


def current_codebook(project: Project, method: str) -> tuple[str, Codebook]:
    """(text, codebook) now; an empty codebook of ``method`` when there is none (of
    reviewkit.toml's method when it names one)."""
    path = codebook_path(project)
    in_config = config_method(project, presets())
    if path.is_file():
        text = path.read_text("utf-8-sig")
    else:
        if method not in presets():
            raise ReviewkitError(f"unknown method {method!r}; expected "
                                 f"{', '.join(presets())}", field="method")
        text = f"method: {in_config or method}\ncodes:\n"
    data, lines = yamlfile.loads(text, CODEBOOK)
    return text, parse_codebook(data, lines, CODEBOOK, in_config)


def with_codes(text: str, items: list[dict], source: str, in_config: str | None = None
               ) -> tuple[str, Codebook]:
    """``text`` with ``items`` (code mappings) appended to its code list, validated;
    a rule the result breaks is an error naming ``source`` (what brought the codes)."""
    data, lines = yamlfile.loads(text, CODEBOOK)
    rows = text.splitlines(keepends=True)
    if rows and not rows[-1].endswith("\n"):
        rows[-1] += "\n"
    block = [line for item in items for line in _block(item)]
    at_codes = lines.get(("codes",))
    if at_codes is None:
        rows += ["codes:\n"] + [f"  {b}\n" for b in block]
    else:
        if not data.get("codes"):  # `codes: []` or `codes:` with nothing under it
            rows[at_codes - 1] = rows[at_codes - 1].split(":", 1)[0] + ":\n"
        first = lines.get(("codes", "0"))
        indent = "  "
        if first is not None:
            head = rows[first - 1]
            indent = head[:len(head) - len(head.lstrip())]
        later = [n for key, n in lines.items() if len(key) == 1 and n > at_codes]
        at = min(later) - 1 if later else len(rows)
        while at > at_codes and not rows[at - 1].strip():
            at -= 1
        rows[at:at] = [f"{indent}{b}\n" for b in block]
    out = "".join(rows)
    try:
        data, new_lines = yamlfile.loads(out, CODEBOOK)
        return out, parse_codebook(data, new_lines, CODEBOOK, in_config)
    except ReviewkitError as exc:  # its line is in a file never written
        raise ReviewkitError(f"the codes it brings break the codebook: {exc.message}",
                             file=source, field=exc.field) from None


def _block(item: dict) -> list[str]:
    out = [f"- id: {item['id']}"]
    for key in ("name", "parent", "level", "description", "credibility", "origin", "colour",
                "guid"):
        value = item.get(key)
        if key == "parent":
            out.append(f"  parent: {value if value else 'null'}")
        elif value:
            out.append(f"  {key}: {json.dumps(value, ensure_ascii=False)}")
    return out


def taken_ids(project: Project, book: Codebook) -> set[str]:
    """Ids a new code may not have: in the codebook now, or retired by a rename/merge."""
    return set(book.codes) | retired_ids(project)


@dataclass
class CodebookImport:
    file: str
    added: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return f"added {len(self.added)} codes from {Path(self.file).name}"


def import_codebook_csv(project: Project, file: Path, method: str = "thematic",
                        rows: list[Row] | None = None) -> CodebookImport:
    """Add the codes of a codebook CSV to the codebook (created with ``method``)."""
    name = str(file)
    if rows is None:
        kind, rows = read_csv(file)
        if kind not in ("codebook", "taguette-codebook"):
            raise ReviewkitError(f"a {kind} CSV, not a codebook", file=name, line=1)
    text, book = current_codebook(project, method)
    levels = presets()[book.method]["levels"]
    defaults = new_code_defaults(book.method)
    by_name = {c.name.strip().lower(): c.id for c in book.codes.values()}
    taken = taken_ids(project, book)
    items: list[dict] = []
    parents: list[tuple[int, dict, str]] = []
    for line, row in rows:
        label = (row.get("name") or row.get("tag") or "").strip()
        if not label:
            raise ReviewkitError("no name", file=name, line=line, field="name")
        key = label.lower()
        if key in by_name:
            where = "the codebook" if by_name[key] in book.codes else "this file"
            raise ReviewkitError(f"code {label!r} is already in {where} (id "
                                 f"{by_name[key]!r}); duplicates are refused", file=name,
                                 line=line, field="name")
        item = {"id": slug(label, taken), "name": label, **defaults}
        level = (row.get("level") or "").strip()
        if level:
            if level not in levels:
                raise ReviewkitError(f"level {level!r} is not a level of {book.method} "
                                     f"(expected {', '.join(levels)})", file=name, line=line,
                                     field="level")
            item["level"] = level
        if (row.get("description") or "").strip():
            item["description"] = row["description"].strip()
        by_name[key] = item["id"]
        items.append(item)
        parent = (row.get("parent") or "").strip()
        if parent:
            parents.append((line, item, parent))
    ids = set(book.codes) | {i["id"] for i in items}
    for line, item, parent in parents:
        pid = by_name.get(parent.lower()) or (parent if parent in ids else None)
        if pid is None:
            raise ReviewkitError(f"parent {parent!r} is neither a code in the codebook nor "
                                 "a name in this file", file=name, line=line, field="parent")
        if pid == item["id"]:
            raise ReviewkitError(f"code {item['name']!r} is its own parent", file=name,
                                 line=line, field="parent")
        item["parent"] = pid
    if not items:
        raise ReviewkitError("no codes in the file", file=name)
    new_text, _ = with_codes(text, items, name, config_method(project, presets()))
    write_text_atomic(codebook_path(project), new_text)
    return CodebookImport(name, [i["id"] for i in items])
