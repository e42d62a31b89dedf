"""A table as a real Word table (python-docx).

A team can give its house style by putting a Word file at
``templates/tables/table.docx`` (or ``tables/<name>.docx``): it is used as the
base document, so its styles (fonts, the "Table Grid" style) apply.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from reviewkit.reporting.outputs import Table, cell


def add_table(document: Any, table: Table) -> None:
    """Caption, a real Word table (bold header row) and the table's notes."""
    from docx.shared import Pt

    if table.title:
        document.add_paragraph(table.title, style="Caption" if _has_style(
            document, "Caption") else None)
    keys = [k for k, _ in table.columns]
    grid = document.add_table(rows=1, cols=len(keys))
    if _has_style(document, "Table Grid"):
        grid.style = "Table Grid"
    for i, (_, label) in enumerate(table.columns):
        head = grid.rows[0].cells[i]
        head.text = label
        for run in head.paragraphs[0].runs:
            run.bold = True
    for row in table.rows:
        cells = grid.add_row().cells
        for i, key in enumerate(keys):
            cells[i].text = cell(row.get(key))
    for note in table.notes:
        for run in document.add_paragraph(note).runs:
            run.font.size = Pt(9)


def write_docx(table: Table, path: Path, project_root: Path | None = None) -> Path:
    import docx

    base = _base_document(table.name, project_root)
    document = docx.Document(str(base)) if base else docx.Document()
    add_table(document, table)
    path.parent.mkdir(parents=True, exist_ok=True)
    document.save(str(path))
    return path


def _base_document(name: str, project_root: Path | None) -> Path | None:
    if project_root is None:
        return None
    for candidate in (f"tables/{name}.docx", "tables/table.docx"):
        p = project_root / "templates" / candidate
        if p.is_file():
            return p
    return None


def _has_style(document: object, name: str) -> bool:
    return any(s.name == name for s in document.styles)  # type: ignore[attr-defined]
