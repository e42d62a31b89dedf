"""A decision as another screening tool wrote it, and the CSV reading the tools share.

How each tool writes its decisions is data (interop.yaml).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

import yaml

from reviewkit.errors import ReviewkitError


@cache
def rules() -> dict:
    text = resources.files("reviewkit.screening").joinpath("interop.yaml").read_text("utf-8")
    return yaml.safe_load(text)


@dataclass
class ToolRow:
    """One decision as the tool wrote it; ``where`` names it for a person."""

    where: str
    line: int | None
    ids: dict[str, str]  # any of: id, doi, pmid, title, year
    decision: str  # include / exclude / maybe, or '' for not decided
    reasons: list[str] = field(default_factory=list)  # the tool's, the project's or not
    note: str = ""


@dataclass
class ToolFile:
    tool: str
    rows: list[ToolRow] = field(default_factory=list)



def decode(data: bytes, name: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ReviewkitError("not UTF-8 text (save the CSV as UTF-8)", file=name) from None


def csv_rows(text: str, name: str) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """Header (lower case) and (line, row) pairs; the delimiter is sniffed from the header."""
    first = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first.count)
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = [h.strip().lower() for h in (reader.fieldnames or [])]
        reader.fieldnames = header
        rows, start = [], reader.line_num + 1
        for row in reader:
            rows.append((start, {k: (v or "").strip() for k, v in row.items() if k}))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise ReviewkitError(f"not valid CSV ({exc})", file=name, line=reader.line_num) from None
    return header, rows


def first(row: dict[str, str], columns: list[str]) -> str:
    return next((row[c] for c in columns if row.get(c)), "")


def row_ids(row: dict[str, str], id_columns: list[str]) -> dict[str, str]:
    return {"id": first(row, id_columns), "doi": first(row, ["doi"]),
            "pmid": first(row, ["pmid", "pubmed_id", "pubmed id"]),
            "title": first(row, ["title", "primary_title"]),
            "year": first(row, ["year", "published year", "publication_year", "date"])}

