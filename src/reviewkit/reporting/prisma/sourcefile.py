"""A counts file as rows of cells, with each row's own text, so that what did not change
is written back byte for byte (quoting, line endings, a missing last newline)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from reviewkit.errors import ReviewkitError

COLUMNS = ["data", "node", "box", "description", "boxtext", "tooltips", "url", "n"]


@dataclass
class SourceFile:
    """A counts file's rows as cells, and each row's own text to write back unchanged."""

    rows: list[list[str]]
    raw: dict[tuple[str, ...], list[str]] | None = None  # cells -> their texts, in order
    header: str = ",".join(COLUMNS)
    eol: str = "\n"
    final_eol: bool = True

    def text(self, rows: list[list[str]]) -> str:
        raw = {k: list(v) for k, v in (self.raw or {}).items()}
        lines = [self.header]
        for row in rows:
            same = raw.get(tuple(row))
            lines.append(same.pop(0) if same else _format_row(row))
        return self.eol.join(lines) + (self.eol if self.final_eol else "")


def _format_row(row: list[str]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="").writerow(row)
    return out.getvalue()


def read_source(path: Path) -> SourceFile:
    """The file's records with their exact text (a quoted cell may span lines)."""
    text = text_of(path)
    lines = text.splitlines(keepends=True)
    eol = "\r\n" if lines and lines[0].endswith("\r\n") else "\n"
    taken: list[str] = []

    def feed():
        for line in lines:
            taken.append(line)
            yield line
    records = []
    for cells in csv.reader(feed()):
        raw = "".join(taken)
        taken.clear()
        records.append((cells, raw[:-len(eol)] if raw.endswith(eol) else raw.rstrip("\r\n")))
    if not records:
        return SourceFile([], {})
    raw_of: dict[tuple[str, ...], list[str]] = {}
    for cells, raw in records[1:]:
        raw_of.setdefault(tuple(cells), []).append(raw)
    return SourceFile([c for c, _ in records[1:]], raw_of, records[0][1], eol,
                      text.endswith(("\n", "\r")))


def ours() -> SourceFile:
    """The package's v1.1.4 template, shipped with reviewkit (written fresh, not kept)."""
    path = resources.files("reviewkit.reporting.prisma").joinpath("PRISMA2020-template.csv")
    rows = list(csv.reader(io.StringIO(path.read_text("utf-8"), newline="")))[1:]
    return SourceFile(rows)


def text_of(path: Path) -> str:
    """The file's text: UTF-8 (with or without BOM), else Windows' cp1252."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ReviewkitError(f"cannot read the file ({exc.strerror})", file=str(path)) from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")  # saved from Excel on Windows
