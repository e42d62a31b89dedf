"""A table as data, rendered to Markdown, HTML, LaTeX, CSV, JSON or DOCX.

Markdown, HTML and LaTeX go through Jinja2 templates: ``tables/<name>.<fmt>.j2``
or ``tables/table.<fmt>.j2``, looked up first in the project's ``templates/``
folder (a team's override) and then in the package.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, PackageLoader, select_autoescape

from reviewkit.errors import ReviewkitError

TEXT_FORMATS = ("md", "html", "latex", "csv", "json")
FORMATS = (*TEXT_FORMATS, "docx")
_TEMPLATE_EXT = {"md": "md", "html": "html", "latex": "tex"}


@dataclass
class Table:
    name: str  # picks the template: casp-summary, casp-matrix, characteristics, ...
    title: str
    columns: list[tuple[str, str]]  # (key, label): CSV/JSON use keys, others labels
    rows: list[dict[str, Any]]
    notes: list[str] = field(default_factory=list)


def cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, (list, tuple)):
        return "; ".join(cell(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}: {cell(v)}" for k, v in value.items() if v not in (None, ""))
    return str(value)


def environment(project_root: Path | None = None) -> Environment:
    loaders = []
    if project_root is not None:
        loaders.append(FileSystemLoader(str(project_root / "templates")))
    loaders.append(PackageLoader("reviewkit.reporting", "templates"))
    env = Environment(loader=ChoiceLoader(loaders), trim_blocks=True, lstrip_blocks=True,
                      keep_trailing_newline=True,
                      autoescape=select_autoescape(enabled_extensions=("html", "html.j2"),
                                                   default_for_string=False))
    env.filters["latex"] = latex_escape
    env.filters["md"] = md_escape
    return env


def render_text(table: Table, fmt: str, project_root: Path | None = None) -> str:
    """The table as text in ``fmt`` (md, html, latex, csv, json)."""
    keys = [k for k, _ in table.columns]
    if fmt == "json":
        return json.dumps([{k: r.get(k) for k in keys} for r in table.rows],
                          ensure_ascii=False, indent=2, default=str) + "\n"
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(keys)
        writer.writerows([cell(r.get(k)) for k in keys] for r in table.rows)
        return buf.getvalue()
    if fmt not in _TEMPLATE_EXT:
        raise ReviewkitError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
    ext = _TEMPLATE_EXT[fmt]
    template = environment(project_root).select_template(
        [f"tables/{table.name}.{ext}.j2", f"tables/table.{ext}.j2"])
    body = [[cell(r.get(k)) for k in keys] for r in table.rows]
    return template.render(table=table, header=[label for _, label in table.columns],
                           body=body, colspec=_colspec(body, len(keys)))


def write_table(table: Table, fmt: str, path: Path, project_root: Path | None = None) -> Path:
    """Write the table to ``path`` (DOCX as a real Word table)."""
    if fmt == "docx":
        from reviewkit.reporting.docx_table import write_docx

        write_docx(table, path, project_root)
    else:
        path.write_text(render_text(table, fmt, project_root), "utf-8")
    return path


_LATEX = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#",
          "_": r"\_", "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}",
          "^": r"\textasciicircum{}", "\n": r"\newline ", "£": r"\pounds{}"}


def latex_escape(text: Any) -> str:
    """One character at a time, so an escape is never escaped again."""
    return "".join(_LATEX.get(c, c) for c in str(text))


def md_escape(text: Any) -> str:
    return str(text).replace("\\", "\\\\").replace("|", "\\|").replace("\n", "<br>")


def _colspec(body: list[list[str]], n: int) -> str:
    """Short columns stay 'l'; columns with long text wrap in a paragraph column."""
    spec = []
    for i in range(n):
        longest = max((len(row[i]) for row in body), default=0)
        spec.append("p{4cm}" if longest > 30 else "l")
    return "".join(spec)


def deliver(table: Table, fmt: str, output: Path | None, project_root: Path | None = None
            ) -> str | None:
    """Write to ``output`` (returns a note for the user) or return the text for stdout."""
    if fmt not in (*FORMATS, "table"):
        raise ReviewkitError(f"unknown --format {fmt!r}; expected table, {', '.join(FORMATS)}")
    if output is not None:
        if fmt == "table":
            raise ReviewkitError("--format table is for the terminal; choose md, html, latex, "
                                 "csv, json or docx for a file")
        write_table(table, fmt, output, project_root)
        return None
    if fmt == "docx":
        raise ReviewkitError("a DOCX file needs --output FILE.docx")
    if fmt == "table":
        from reviewkit.reporting.tables import render

        labels = [label for _, label in table.columns]
        rows = [{label: cell(r.get(k)) for k, label in table.columns} for r in table.rows]
        return render(rows, "table", table.title, labels)
    return render_text(table, fmt, project_root)
