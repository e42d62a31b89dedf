"""Render rows as a terminal table, CSV, JSON or Markdown: one function for every listing."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

FORMATS = ("table", "csv", "json", "md")


def render(rows: list[dict[str, Any]], fmt: str = "table", title: str = "",
           columns: list[str] | None = None) -> str:
    """Rows -> text. Columns default to the first row's keys."""
    cols = columns or (list(rows[0]) if rows else [])
    if fmt == "json":
        return json.dumps(rows, ensure_ascii=False, indent=2)
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=cols, extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        writer.writerows({c: _cell(r.get(c)) for c in cols} for r in rows)
        return buf.getvalue()
    if fmt == "md":
        out = [f"**{title}**\n"] if title else []
        out.append("| " + " | ".join(cols) + " |")
        out.append("|" + "|".join("---" for _ in cols) + "|")
        for r in rows:
            out.append("| " + " | ".join(_cell(r.get(c)).replace("|", "\\|").replace("\n", "<br>")
                                         for c in cols) + " |")
        return "\n".join(out) + "\n"
    if fmt == "table":
        return _rich_table(rows, cols, title)
    raise ValueError(f"unknown format {fmt!r}")


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return "; ".join(str(v) for v in value)
    return str(value)


def _rich_table(rows: list[dict[str, Any]], cols: list[str], title: str) -> str:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    # Text objects, never str: Rich would read "[b]" or "[/]" in a title as markup
    table = Table(title=Text(title) if title else None, show_lines=False)
    for c in cols:
        table.add_column(Text(c), overflow="fold")
    for r in rows:
        table.add_row(*(Text(_cell(r.get(c))) for c in cols))
    console = Console(record=True, width=120, file=io.StringIO(), color_system=None)
    console.print(table)
    return console.export_text()
