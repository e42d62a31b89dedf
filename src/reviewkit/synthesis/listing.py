"""Rows for the synthesis listings (sources, codebook, matrix), ready for any --format.

A tree is indented by its depth only in the terminal table; csv, json and md keep the
plain names, so what a script reads never carries layout.
"""

from __future__ import annotations

from reviewkit.project.config import Project
from reviewkit.synthesis.codebook import Codebook
from reviewkit.synthesis.matrix import theme_matrix
from reviewkit.synthesis.sources import load_sources
from reviewkit.synthesis.state import Synthesis

SOURCE_COLUMNS = ["id", "study", "report", "file", "title"]


def source_rows(project: Project) -> list[dict]:
    return [{"id": s.id, "study": s.study, "report": s.report, "file": s.file,
             "title": s.title} for s in load_sources(project)]


def codebook_rows(book: Codebook, indent: bool) -> tuple[list[dict], list[str]]:
    """(rows, columns): the code tree; credibility only for meta-aggregation, origin
    (framework or data) once any code records one."""
    rows = [{"id": c.id, "name": _indent(c.name, depth, indent), "level": c.level,
             "path": book.path(c.id), "credibility": c.credibility, "origin": c.origin}
            for depth, c in book.tree()]
    cols = ["id", "name", "level", "path"]
    if book.method == "meta-aggregation":
        cols.append("credibility")
    if any(c.origin for c in book.codes.values()):
        cols.append("origin")
    return rows, cols


def matrix_rows(syn: Synthesis, level: str | None, indent: bool) -> list[dict]:
    """The theme x study matrix; indented as a tree when every level is shown."""
    rows = theme_matrix(syn, level)
    for row in rows:
        row["theme"] = _indent(row["theme"], row.pop("depth"), indent and level is None)
    return rows


def _indent(name: str, depth: int, indent: bool) -> str:
    return "  " * depth + name if indent else name
