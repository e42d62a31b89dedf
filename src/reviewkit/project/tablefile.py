"""Rows from a spreadsheet (CSV) or a YAML list, each with the line it starts on."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from reviewkit.errors import ReviewkitError
from reviewkit.project import yamlfile


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
    rows = []
    for row in reader:
        if None in row:
            raise ReviewkitError("more cells than column names", file=str(path),
                                 line=reader.line_num)
        clean = {k.strip(): (v or "").strip() for k, v in row.items() if k}
        if any(clean.values()):
            rows.append((reader.line_num, clean, {}))
    return "csv", rows
