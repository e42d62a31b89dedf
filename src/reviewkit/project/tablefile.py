"""Rows from a spreadsheet (CSV) or a YAML list, each with the line it starts on."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

from reviewkit.errors import ReviewkitError
from reviewkit.project import yamlfile
from reviewkit.project.config import Project
from reviewkit.records.studies import require_study

# parse(kind, row, its YAML line map, study, reviewer) -> the parsed record
RowParser = Callable[[str, dict[str, Any], yamlfile.Lines, str, str], Any]


def read_rows(path: Path) -> tuple[str, list[tuple[int, dict[str, Any], yamlfile.Lines]]]:
    """(kind, rows): kind is csv or yaml; each row is (line, data, its YAML line map)."""
    if path.suffix.lower() in (".yaml", ".yml"):
        data, lines = yamlfile.load(path)
        if not isinstance(data, list) or not all(isinstance(d, dict) for d in data):
            raise ReviewkitError("expected a YAML list of records (- study: ...)", file=str(path))
        out = []
        for i, row in enumerate(data):
            sub = {k[1:]: v for k, v in lines.items() if k[:1] == (str(i),)}
            out.append((lines.get((str(i),), 0), row, sub))
        return "yaml", out
    try:
        text = path.read_text("utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ReviewkitError(f"cannot read the file as UTF-8 text ({exc})",
                             file=str(path)) from None
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames or "study" not in reader.fieldnames:
        raise ReviewkitError("the first row must name the columns, including 'study' and "
                             "'reviewer'", file=str(path), line=1)
    names = [n.strip() for n in reader.fieldnames]
    for i, name in enumerate(names):
        # DictReader keeps the last of two equal names: the other cell would be lost
        if name and name in names[:i]:
            raise ReviewkitError(f"column {name!r} is named twice (columns "
                                 f"{names.index(name) + 1} and {i + 1})", file=str(path), line=1)
    rows = []
    for row in reader:
        if None in row:
            raise ReviewkitError("more cells than column names", file=str(path),
                                 line=reader.line_num)
        clean = {k.strip(): (v or "").strip() for k, v in row.items() if k}
        if any(clean.values()):
            rows.append((reader.line_num, clean, {}))
    return "csv", rows


class Imported(list):
    """The record files an import wrote, and those it left as they were (``unchanged``)."""

    def __init__(self, written: list[Path], unchanged: list[Path]) -> None:
        super().__init__(written)
        self.unchanged = unchanged

    def line(self, what: str) -> str:
        """'imported 2 appraisals', with '; 1 unchanged' when rows were recorded already."""
        tail = f"; {len(self.unchanged)} unchanged" if self.unchanged else ""
        return f"imported {len(self)} {what}{tail}"


def read_per_study(project: Project, path: Path, parse: RowParser,
                   target: Callable[[Any], Path], replace: bool = False,
                   same: Callable[[Any, Path], bool] | None = None
                   ) -> tuple[list[Any], list[Path]]:
    """Parse every (study, reviewer) row of ``path``; raise on the first bad one.

    ``target`` gives a parsed record's file; two rows for one file are refused. A row
    whose file exists is refused unless ``replace``, or ``same(record, file)`` (the file
    records that already): those files come back as the second list, to leave alone.

    Nothing is written here: callers save the returned records (each with
    ``.path`` set) only once all rows passed, so an import is all or nothing.
    """
    kind, rows = read_rows(path)
    records: list[Any] = []
    unchanged: list[Path] = []
    seen: set[Path] = set()
    for line, row, lines in rows:
        study, reviewer = str(row.get("study") or ""), str(row.get("reviewer") or "")
        where = {"file": str(path), "line": line}
        if not study or not reviewer:
            raise ReviewkitError("each row needs a study and a reviewer", **where)
        try:
            require_study(project, study)
            record = parse(kind, row, lines or {(): line}, study, reviewer)
        except ReviewkitError as exc:
            raise ReviewkitError(f"study {study!r}, reviewer {reviewer!r}: {exc.message}",
                                 file=str(path), line=exc.line or line,
                                 field=exc.field) from None
        path_out = target(record)
        if path_out in seen:
            raise ReviewkitError(f"study {study!r}, reviewer {reviewer!r} appears twice", **where)
        seen.add(path_out)
        if path_out.exists() and not replace:
            if same is not None and same(record, path_out):
                unchanged.append(path_out)  # imported before: a re-run leaves it be
                continue
            told = " and says otherwise" if same is not None else ""
            raise ReviewkitError(f"study {study!r}, reviewer {reviewer!r}: "
                                 f"{project.relative(path_out)} exists{told} (use --replace)",
                                 **where)
        record.path = path_out
        records.append(record)
    return records, unchanged


class Claims:
    """Where each row of one import file goes: a reviewer's second checklist or form for
    a study goes beside the first even when both come in the same file."""

    def __init__(self) -> None:
        self.claimed: dict[Path, str] = {}  # file -> checklist or form of an earlier row

    def target(self, first: Path, named: Path, value: str) -> Path:
        return named if self.claimed.setdefault(first, value) != value else first
