"""The report as a Word file (python-docx), laid out by the template ``report/report.docx.j2``.

That template writes one instruction per line, ``kind: text``: heading1..heading3,
paragraph, note (small text), bullet, and the placeholders ``table(t)``, ``code(text)``
and ``picture(name)`` return. Project text goes through the ``oneline`` filter, so it can
never start a line of its own. A team's ``templates/report/report.docx`` (any Word file)
is used as the base document, so its styles apply.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from reviewkit.errors import ReviewkitError
from reviewkit.reporting.docx_table import add_table, open_word, word_text
from reviewkit.reporting.outputs import Table, render
from reviewkit.reporting.report.model import Report
from reviewkit.reporting.report.render import is_wide, methods_paragraphs, report_environment

PICTURE_WIDTH_CM = 16.0


def render_docx(report: Report, project_root: Path | None = None) -> bytes:

    env = report_environment(project_root)
    objects: list[Any] = []

    def hold(kind: str, obj: Any) -> str:
        objects.append(obj)
        return f"\n{kind}: {len(objects) - 1}\n"

    lines = render(env, "report/report.docx.j2",
                   r=report, methods=methods_paragraphs(report, env),
                   table=lambda t: hold("table", t), code=lambda text: hold("code", text),
                   picture=lambda name: hold("picture", name))
    document = _base_document(project_root)
    for line in lines.splitlines():
        kind, sep, text = line.partition(":")
        if sep and kind.strip():
            _add(document, kind.strip(), word_text(text.strip()), objects, report)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _base_document(project_root: Path | None) -> Any:
    """The team's Word file for styles, or python-docx's own."""
    import docx

    if project_root is None:
        return docx.Document()
    base = project_root / "templates" / "report" / "report.docx"
    return open_word(base, project_root / "templates") if base.is_file() else docx.Document()


def _add(document: Any, kind: str, text: str, objects: list[Any], report: Report) -> None:
    from docx.shared import Cm, Pt

    table = objects[int(text)] if kind == "table" else None
    _landscape(document, table is not None and is_wide(table))
    if kind.startswith("heading") and kind[7:].isdigit():
        document.add_heading(text, level=int(kind[7:]))
    elif kind == "paragraph":
        document.add_paragraph(text)
    elif kind == "bullet":
        document.add_paragraph(text, style=_style(document, "List Bullet"))
    elif kind == "note":
        for run in document.add_paragraph(text).runs:
            run.font.size = Pt(9)
    elif table is not None:
        _table(document, table)
    elif kind == "code":
        para = document.add_paragraph()
        for i, line in enumerate(str(objects[int(text)]).splitlines()):
            if i:
                para.add_run().add_break()
            run = para.add_run(word_text(line))
            run.font.name, run.font.size = "Courier New", Pt(8.5)
    elif kind == "picture":
        name = str(objects[int(text)])
        data = report.files().get(name)
        if data is not None:
            document.add_picture(io.BytesIO(data), width=Cm(PICTURE_WIDTH_CM))
    else:
        raise ReviewkitError(f"unknown instruction {kind!r} (expected heading1, heading2, "
                             "heading3, paragraph, bullet, note or a placeholder line)",
                             file="report/report.docx.j2")


def _landscape(document: Any, on: bool) -> None:
    """Start a landscape section for a wide table, and a portrait one after it."""
    from docx.enum.section import WD_ORIENT, WD_SECTION

    last = document.sections[-1]
    if (last.orientation == WD_ORIENT.LANDSCAPE) == on:
        return
    section = document.add_section(WD_SECTION.NEW_PAGE)
    section.orientation = WD_ORIENT.LANDSCAPE if on else WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = last.page_height, last.page_width


def _table(document: Any, table: Table) -> None:
    add_table(document, table)


def _style(document: Any, name: str) -> str | None:
    return name if any(s.name == name for s in document.styles) else None
