"""Render rows as a terminal table, CSV, JSON or Markdown: one function for every listing."""

from __future__ import annotations

import csv
import io
import json
import re
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
        writer.writerows({c: csv_safe(_cell(r.get(c))) for c in cols} for r in rows)
        return buf.getvalue()
    if fmt == "md":
        out = [f"**{md_escape(title)}**\n"] if title else []
        out.append("| " + " | ".join(md_escape(c) for c in cols) + " |")
        out.append("|" + "|".join("---" for _ in cols) + "|")
        for r in rows:
            out.append("| " + " | ".join(md_escape(_cell(r.get(c))) for c in cols) + " |")
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
    table = Table(title=Text(terminal_safe(title)) if title else None, show_lines=False)
    for c in cols:
        table.add_column(Text(terminal_safe(c)), overflow="fold")
    for r in rows:
        table.add_row(*(Text(terminal_safe(_cell(r.get(c)))) for c in cols))
    console = Console(record=True, width=120, file=io.StringIO(), color_system=None)
    console.print(table)
    return console.export_text()


# C0 and C1 control characters but line feed and tab: an ESC in a title must not drive
# the terminal (colours, the window title, OSC 52 writing the clipboard)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def terminal_safe(text: str) -> str:
    """Text for a terminal: each control character shown as ``\\xNN``, not sent."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group(0)):02x}", text)


# Markdown: data is shown as written. Entities for what could start HTML or an entity;
# a backslash before what could start emphasis, code, a link, math or a table cell.
_MD_ENTITY = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
_MD_PUNCT = re.compile(r"[\\`*_\[\]|~$#]")  # "#": a heading's last "#" would vanish
_MD_LEADING = re.compile(r"^[-+=]")
_MD_ORDERED = re.compile(r"^(\d+)(?=[.)])")
_NEWLINE = re.compile(r"\r\n?|\n")


def md_escape(text: Any) -> str:
    """One line of inline Markdown (a table cell, a heading, a paragraph) that renders
    as exactly ``text``: nothing in it becomes HTML, emphasis, a link, code, math or a
    new cell; line breaks become ``<br>``."""
    lines = ["".join(_MD_ENTITY.get(c, c) for c in _MD_PUNCT.sub(r"\\\g<0>", line))
             for line in _NEWLINE.split(str(text))]
    # at the start of a line it may not open a list, a heading or a code block
    lines[0] = _MD_LEADING.sub(r"\\\g<0>", lines[0].lstrip())
    lines[0] = _MD_ORDERED.sub(r"\g<1>\\", lines[0])
    return "<br>".join(lines)


_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value: Any) -> Any:
    """A text cell a spreadsheet would run as a formula gets a leading ``'``; numbers
    (``-0.5``, ``-3``) and non-text values stay as they are. A carriage return becomes a
    line feed: the csv module quotes a cell for the line terminator ("\\n") only, and an
    unquoted CR breaks the row for every reader."""
    if not isinstance(value, str):
        return value
    if value.startswith(_FORMULA_START) and not _NUMBER.fullmatch(value):
        value = "'" + value
    return value.replace("\r\n", "\n").replace("\r", "\n") if "\r" in value else value


def csv_unsafe(value: str) -> str:
    """What ``csv_safe`` was given, for a cell read back (a CSV exported, filled in and
    imported again): the ``'`` it put before a formula's first character is taken off."""
    if value.startswith("'") and value[1:].startswith(_FORMULA_START) \
            and not _NUMBER.fullmatch(value[1:]):
        return value[1:]
    return value
