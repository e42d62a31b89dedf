"""A table as a real Word table (python-docx).

A team can give its house style by putting a Word file at
``templates/tables/table.docx`` (or ``tables/<name>.docx``): it is used as the
base document, so its styles (fonts, the "Table Grid" style) apply.
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

from reviewkit.errors import ReviewkitError
from reviewkit.reporting.outputs import Table, cell, inside

# what XML 1.0 cannot hold (python-docx refuses it): control characters and non-characters
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def word_text(text: Any) -> str:
    """Text as Word can store it: a stray control character (a NUL, a vertical tab
    from an EndNote export) is dropped instead of failing the whole document."""
    return _NOT_XML.sub("", str(text))


def add_table(document: Any, table: Table) -> None:
    """Caption, a real Word table (bold header row) and the table's notes."""
    from docx.shared import Pt

    if table.title:
        document.add_paragraph(word_text(table.title), style="Caption" if _has_style(
            document, "Caption") else None)
    keys = [k for k, _ in table.columns]
    grid = document.add_table(rows=1, cols=len(keys))
    if _has_style(document, "Table Grid"):
        grid.style = "Table Grid"
    for i, (_, label) in enumerate(table.columns):
        head = grid.rows[0].cells[i]
        head.text = word_text(label)
        for run in head.paragraphs[0].runs:
            run.bold = True
    body = [[word_text(cell(row.get(key))) for key in keys] for row in table.rows]
    for texts in body:
        for c, text in zip(grid.add_row().cells, texts, strict=True):
            c.text = text
    _fit_columns(document, grid, [label for _, label in table.columns], body)
    for note in table.notes:
        for run in document.add_paragraph(word_text(note)).runs:
            run.font.size = Pt(9)


# a wide character of 11 pt body text, and a cell's left + right padding, in points
CHAR_PT, PAD_PT = 7.2, 16.0


def column_widths(header: list[str], body: list[list[str]], width: float) -> list[float]:
    """Each column's width (points) within ``width``, from what it holds.

    Every column first gets its longest word, so no word is split when the page allows;
    what is left goes to the columns whose text is longer than that (mean length,
    capped: long text wraps anyway), in proportion to how much longer.
    """
    least, want = [], []
    for i, label in enumerate(header):
        texts = [label] + [row[i] for row in body]
        longest = max((len(w) for t in texts for w in t.split()), default=1)
        mean = sum(len(t) for t in texts[1:]) / max(1, len(texts) - 1)
        least.append(max(longest, 3) * CHAR_PT + PAD_PT)
        want.append(max(longest, min(mean, 60.0), 3) * CHAR_PT + PAD_PT)
    spare = width - sum(least)
    if spare <= 0:  # too many columns for the page: shrink alike
        return [w * width / sum(least) for w in least]
    extra = [w - m for w, m in zip(want, least, strict=True)]
    if sum(extra) >= spare:
        return [m + spare * e / sum(extra) for m, e in zip(least, extra, strict=True)]
    left = spare - sum(extra)  # everything fits: share the rest by what each asked for
    return [w + left * w / sum(want) for w in want]


def _fit_columns(document: Any, grid: Any, header: list[str], body: list[list[str]]) -> None:
    """Widths for Word (each cell) and LibreOffice (the grid) within the page margins."""
    from docx.shared import Emu, Pt

    section = document.sections[-1]
    width = (section.page_width - section.left_margin - section.right_margin) / Pt(1)
    grid.autofit = False
    for column, points in zip(grid.columns, column_widths(header, body, width), strict=True):
        column.width = Emu(int(Pt(points)))
        for c in column.cells:
            c.width = column.width


def docx_bytes(table: Table, project_root: Path | None = None) -> bytes:
    """The table alone as a Word file, on the team's base document when it has one."""
    import docx

    base = _base_document(table.name, project_root)
    document = open_word(base, project_root / "templates") if base and project_root \
        else docx.Document()
    add_table(document, table)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def write_docx(table: Table, path: Path, project_root: Path | None = None) -> Path:
    from reviewkit.reporting.outputs import write_table

    return write_table(table, "docx", path, project_root)


def _base_document(name: str, project_root: Path | None) -> Path | None:
    if project_root is None:
        return None
    for candidate in (f"tables/{name}.docx", "tables/table.docx"):
        p = project_root / "templates" / candidate
        if p.is_file():
            return p
    return None


def open_word(path: Path, folder: Path) -> Any:
    """A team's Word file from the templates ``folder``, emptied, as the base document
    for its styles; never a file reached through a symlink out of that folder."""
    import docx

    shown = path.relative_to(folder.parent).as_posix()
    if not inside(path, folder):
        raise ReviewkitError("refused: a link to a file outside the templates folder",
                             file=shown)
    try:
        document = docx.Document(str(path))
    except Exception as exc:  # python-docx raises several kinds for a file that is not Word
        raise ReviewkitError(f"not a Word file ({type(exc).__name__})", file=shown) from None
    # its styles, page setup, headers and footers; not its text (last year's report,
    # a journal's sample page), which would open this review's document
    body = document.element.body
    for child in list(body):
        if not child.tag.endswith("}sectPr"):
            body.remove(child)
    return document


def _has_style(document: object, name: str) -> bool:
    return any(s.name == name for s in document.styles)  # type: ignore[attr-defined]
