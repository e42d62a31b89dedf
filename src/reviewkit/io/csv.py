"""CSV reader: Scopus, Embase.com, PubMed and generic exports.

The dialect is chosen from the header row; which column fills which field,
how list cells are split and how packed citation strings are taken apart all
live in tagmaps/csv.yaml. A generic file needs a title-like column or a
``columns`` mapping (Record field -> header).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator

from reviewkit.errors import ReviewkitError
from reviewkit.io import tagmap
from reviewkit.io.text import shown
from reviewkit.records.model import Record

# Record fields a column mapping may name, by where they sit in the tag map.
_FIRST = ("title", "abstract", "journal", "journal_abbrev", "volume", "issue", "year", "doi",
          "language", "database", "type")
_ALL = ("keywords", "issn", "isbn", "urls", "pmid")
FIELDS = (*_FIRST, "authors", "pages", *_ALL)
_LIST_SPLIT = r";\s*"  # for a list column the tag map has no separator for


def _delimiter(header_line: str) -> str:
    # Scopus/Embase/PubMed write commas; European spreadsheet saves use ';'
    counts = {d: header_line.count(d) for d in ",;\t"}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _first_line(text: str) -> str:
    return next((line for line in text.split("\n", 20)[:20] if line.strip()), "")


def _rows(text: str, path: str) -> Iterator[tuple[int, list[str]]]:
    """(physical line where the row starts, cells), skipping blank lines."""
    reader = csv.reader(io.StringIO(text, newline=""),
                        delimiter=_delimiter(_first_line(text)), strict=True)
    end = 0
    try:
        for cells in reader:
            start, end = end + 1, reader.line_num
            if any(c.strip() for c in cells):
                yield start, cells
    except csv.Error as exc:
        raise ReviewkitError(f"the row starting at line {end + 1} is not valid CSV ({exc}): "
                             "check for an unclosed or stray '\"'",
                             file=path, line=end + 1) from None


def detect(headers: list[str] | set[str]) -> str:
    """Dialect whose required headers (lower case) are all present; '' = generic."""
    keys = {h.strip().lower() for h in headers}
    for name in tagmap.load("csv")["detect_order"]:
        if set(tagmap.load("csv", name)["detect"]) <= keys:
            return name
    return ""


def sniff(text: str) -> bool:
    """Does the first line look like the header of a CSV export we can read?"""
    line = _first_line(text)
    try:
        header = next(csv.reader([line], delimiter=_delimiter(line)))
    except (csv.Error, StopIteration):
        return False
    keys = {h.strip().lower() for h in header}
    if len(keys) < 2:
        return False
    return bool(detect(keys)) or any(t in keys for t in tagmap.load("csv")["first"]["title"])


def _headers(header: list[str], most: int = 12) -> str:
    """The header row for a message: short, on one line, however odd the file."""
    listed = ", ".join(shown(h, 40) for h in header[:most])
    return listed + (f" (and {len(header) - most} more)" if len(header) > most else "")


def _with_columns(tm: dict, columns: dict[str, str], header: list[str], path: str) -> dict:
    """A copy of the tag map in which the user's field -> header choices win."""
    tm = {k: dict(v) if isinstance(v, dict) else list(v) for k, v in tm.items()}
    present = {h.lower(): h for h in header}
    for field, column in columns.items():
        key = column.strip().lower()
        if field not in FIELDS:
            raise ReviewkitError(f"column mapping names unknown field '{field}': expected one "
                                 f"of {', '.join(FIELDS)}", file=path)
        if key not in present:
            raise ReviewkitError(f"column mapping {field} -> '{column}': the file has no such "
                                 f"column; its headers are: {_headers(header)}", file=path, line=1)
        if field == "pages":
            tm["first"]["start_page"], tm["first"]["end_page"] = [key], []
        elif field == "authors":
            tm["authors"] = [key]
            tm["split"].setdefault(key, _LIST_SPLIT)
        elif field in _ALL:
            tm["all"][field] = [key]
            if field == "keywords":
                tm["split"].setdefault(key, _LIST_SPLIT)
        else:
            tm["first"][field] = [key]
    return tagmap.compile_map(tm)


class _Columns:
    """The tag map's per-header rules, compiled once for the whole file."""

    def __init__(self, tm: dict) -> None:
        self.split = {h: re.compile(p) for h, p in tm["split"].items()}
        self.strip = {h: re.compile(p) for h, p in tm["strip"].items()}
        self.parse = {h: [re.compile(p) for p in ps] for h, ps in tm["parse"].items()}

    def pairs(self, keys: list[str], cells: list[str]) -> list[tuple[str, str]]:
        """(lower-case header, value) for to_record: list cells one item per line,
        packed cells also taken apart into '<header>.<part>' pairs."""
        out = []
        for key, value in zip(keys, cells, strict=True):
            if not value.strip():
                continue
            for rx in self.parse.get(key, ()):
                m = rx.search(value)
                if m:
                    out.extend((f"{key}.{g}", v.strip()) for g, v in m.groupdict().items() if v)
            if key in self.split or key in self.strip:
                items = self.split[key].split(value) if key in self.split else [value]
                if key in self.strip:
                    items = [self.strip[key].sub("", item.strip()) for item in items]
                value = "\n".join(" ".join(item.split()) for item in items)
            out.append((key, value))
        return out


def read(text: str, path: str,
         columns: dict[str, str] | None = None) -> tuple[str, list[Record]]:
    """Parse a CSV export into normalised records; returns (dialect, records)."""
    # Scopus reference lists outgrow the csv module's 128 KiB default cell limit
    csv.field_size_limit(max(csv.field_size_limit(), 1 << 30))
    rows = _rows(text, path)
    first = next(rows, None)
    if first is None:
        raise ReviewkitError("no header row: expected a CSV export", file=path)
    header_line, header = first
    header = [h.strip() for h in header]
    keys = [h.lower() for h in header]
    name = detect(keys)
    tm = tagmap.load("csv", name)
    if columns:
        tm = _with_columns(tm, columns, header, path)
    titles = tm["first"]["title"]
    if not any(t in keys for t in titles):
        raise ReviewkitError(
            f"no title column: the headers found are {_headers(header)}; expected one of "
            f"{', '.join(titles)} (any case), or a column mapping such as "
            "{'title': '<your title header>'}", file=path, line=header_line)
    rules = _Columns(tm)
    records = []
    for line, cells in rows:
        if len(cells) != len(header):
            raise ReviewkitError(
                f"the row starting at line {line} has {len(cells)} columns but the header "
                f"(line {header_line}) has {len(header)}: check for an unquoted delimiter "
                "or a missing cell", file=path, line=line)
        rec = tagmap.to_record(rules.pairs(keys, cells), tm)
        for field, value in tm["defaults"].items():
            if not getattr(rec, field):
                setattr(rec, field, value)
        rec.raw = [(h, v) for h, v in zip(header, cells, strict=True) if v.strip()]
        rec.position, rec.line = len(records) + 1, line
        records.append(rec)
    if not records:
        raise ReviewkitError("no data rows below the header: the export holds no records",
                             file=path, line=header_line)
    return name, records
