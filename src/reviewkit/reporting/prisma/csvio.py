"""Counts in and out in exactly the PRISMA2020 R package's CSV (Haddaway et al.), so a diagram
can move between that package's Shiny app and reviewkit both ways.

Columns data,node,box,description,boxtext,tooltips,url,n; one row per number, keyed by
``data``; label rows (data NA, identification, …) carry no counts. Unknown is ``NA``
(how each unknown is carried, and why: schema.py and the README).
"""

from __future__ import annotations

import csv
import io
from itertools import combinations
from pathlib import Path

from reviewkit.errors import ReviewkitError
from reviewkit.reporting.prisma.cells import (
    UNKNOWN,
    format_list,
    format_number,
    parse_list,
    parse_number,
)
from reviewkit.reporting.prisma.files import write_file
from reviewkit.reporting.prisma.invariants import fmt
from reviewkit.reporting.prisma.model import OTHER_GROUPS, Count, PrismaCounts
from reviewkit.reporting.prisma.schema import (
    DEFAULT,
    MA_ROWS,
    SPECIFIC_ROWS,
    absent_rows,
    check_schema,
    detect_schema,
)
from reviewkit.reporting.prisma.sourcefile import COLUMNS, ours, read_source, text_of

# data key -> attribute path in PrismaCounts
NUMBERS = {
    "previous_studies": "previous_studies", "previous_reports": "previous_reports",
    "database_results": "databases.total", "register_results": "registers.total",
    "website_results": "websites.total", "organisation_results": "organisations.total",
    "citations_results": "citations.total", "duplicates": "duplicates",
    "excluded_automatic": "automation_excluded", "excluded_other": "removed_other",
    "records_screened": "screened", "records_excluded": "records_excluded",
    "dbr_sought_reports": "dbr.sought", "dbr_notretrieved_reports": "dbr.not_retrieved",
    "other_sought_reports": "other.sought", "other_notretrieved_reports": "other.not_retrieved",
    "dbr_assessed": "dbr.assessed", "other_assessed": "other.assessed",
    "new_studies": "included_studies", "new_reports": "included_reports",
    "total_studies": "total_studies", "total_reports": "total_reports",
    "total_studies_ma": "ma_studies", "total_reports_ma": "ma_reports",
}
LISTS = {
    "database_specific_results": "databases.sources",
    "register_specific_results": "registers.sources",
    "dbr_excluded": "dbr.excluded", "other_excluded": "other.excluded",
}
# Rows every release's template has (the specific lists and meta-analysis came later).
REQUIRED = [*(k for k in NUMBERS if k not in MA_ROWS), "dbr_excluded", "other_excluded"]


def read_counts_csv(path: Path | str) -> PrismaCounts:
    """Read a counts CSV (the R package's templates of 2021, v1.1.3, v1.1.4 and its exports).

    The file's rows are kept on the result, so writing it back keeps what reviewkit does
    not use (box texts, tooltips, other rows)."""
    path = Path(path)
    rows = _rows(path)
    counts = PrismaCounts()
    for key, attr in NUMBERS.items():
        if key not in rows:  # only the meta-analysis rows are optional
            continue
        line, cell = rows[key]
        _set(counts, attr, _read_cell(key, cell, _failer(path, line, key)))
    for key, attr in LISTS.items():
        if key in rows:
            line, cell = rows[key]
            items = _read_cell(key, cell, _failer(path, line, key))
            route = attr.removesuffix(".sources")
            if key in SPECIFIC_ROWS and items and not items[0].name:
                # a bare number is the route's total, not a source
                if counts.group(route).total is None:
                    counts.group(route).total = items[0].n
                items = []
            _set(counts, attr, items)
    counts.merged_other = infer_merged(counts)
    counts.source = read_source(path)
    counts.schema = detect_schema(set(rows))
    return counts


def write_counts_csv(counts: PrismaCounts, path: Path | str,
                     template: Path | str | None = None, schema: str = DEFAULT) -> list[str]:
    """Write the counts into the rows of ``template``, else of the file they were read
    from, else of the package's template (``schema``: "1.1.4" or "1.1.3").

    A cell whose value did not change is written back as it was, so a file read and written
    keeps every byte of its rows. Returns warnings: what the schema cannot hold and where
    the package will draw something other than reviewkit's diagram. Nothing is written on
    error.
    """
    path = Path(path)
    check_schema(schema)
    for attr, n in counts.numbers():
        if n is not None and n < 0:
            raise ReviewkitError(f"{n:,} is negative; a count cannot be below 0",
                                 file=str(path), field=attr)
    if template is not None:
        _rows(Path(template))  # the same checks as reading
        source = read_source(Path(template))
    elif counts.source is not None:
        source = counts.source
    else:
        source = ours()
        _new_review_texts(counts, source.rows)
    keep = source.raw is not None  # someone's own rows: what did not change stays as it was
    rows = [list(r) for r in source.rows]
    notes = _lost(counts)
    rows = _add_missing(rows)
    dropped = absent_rows(schema)
    for key in dropped:
        value = _get(counts, NUMBERS[key])
        if value:
            notes.append(f"{key} ({value:,}): the PRISMA2020 {schema} schema has no such "
                         "row; not written")
    rows = [r for r in rows if not r or r[0].strip() not in dropped]
    cells, more = _cells(counts)
    notes += more
    for row in rows:
        key = row[0].strip() if row else ""
        if key in cells and not (keep and _same(key, row[7], cells[key])):
            row[7] = cells[key]
    write_file(path, source.text(rows))
    return notes


def _cells(c: PrismaCounts) -> tuple[dict[str, str], list[str]]:
    """Every count row's cell for these counts, and warnings about them."""
    cells: dict[str, str] = {}
    notes: list[str] = []
    for key, attr in NUMBERS.items():
        if attr.endswith(".total"):  # a route's total may be the sum of its listed sources
            attr = attr.removesuffix(".total") + ".value"
        cells[key] = format_number(_get(c, attr))
    if _first_review(c):  # the package's default: no previous version (its app needs a number)
        cells["previous_studies"] = cells["previous_reports"] = "0"
    elif c.previous_studies is None or c.previous_reports is None:
        notes.append("previous studies or reports unknown: written as NA, which the "
                     "PRISMA2020 Shiny app cannot upload")
    for key in MA_ROWS:  # no meta-analysis: the package's default
        cells[key] = format_number(_get(c, NUMBERS[key]) or 0)
    for key, attr in LISTS.items():
        items = _get(c, attr)
        if key in SPECIFIC_ROWS:
            route = c.group(attr.removesuffix(".sources"))
            if route.value is None and items:
                # the package stops on an NA total beside a list: the line is left out
                known = [x for x in items if x.n is not None]
                if known:
                    notes.append(f"{key}: the total is unknown, so the listed counts ("
                                 + "; ".join(f"{x.name} {x.n:,}" for x in known)
                                 + ") were not written (the PRISMA2020 package stops on a "
                                 "list beside an unknown total)")
                items = []
            if not items:  # no list: the total again, which the package reads as one line
                items = [] if route.value is None else [Count("", route.value)]
        cells[key] = format_list(items)
    if c.duplicates is None and c.automation_excluded is None and c.removed_other is None:
        notes.append("records removed before screening are all unknown: the PRISMA2020 "
                     "package draws that box as n = 0")
    return cells, notes


def _first_review(c: PrismaCounts) -> bool:
    """No previous version: none stated, and no total that says otherwise."""
    return not c.is_update and all(
        getattr(c, f"total_{u}") in (None, getattr(c, f"included_{u}"))
        for u in ("studies", "reports"))


def _same(key: str, old: str, new: str) -> bool:
    """Whether two cells of a row read as the same value (so the old one stays)."""
    def fail(msg: str) -> Exception:
        return ValueError(msg)
    if key in SPECIFIC_ROWS and old.strip().lower() in UNKNOWN and old != new:
        return False  # NA in a list stops the package's app: the total is written instead
    try:
        a, b = _read_cell(key, old, fail), _read_cell(key, new, fail)
    except ValueError:
        return False
    if key in SPECIFIC_ROWS:  # a bare number there is the route's total, no source
        a, b = ([] if x and not x[0].name else x for x in (a, b))
    return a == b


def _read_cell(key: str, cell: str, fail):
    if key in LISTS:
        return parse_list(cell, fail)
    n = parse_number(cell, fail)
    return None if key in MA_ROWS and n == 0 else n  # 0: no meta-analysis


def _new_review_texts(c: PrismaCounts, rows: list[list[str]]) -> None:
    if c.is_update:
        return
    texts = _labels()["csv_new_review"]
    for row in rows:
        key = row[0].strip() if row[0].strip() not in ("", "NA") else row[2].strip()
        if key in texts:
            row[4] = texts[key]


def _labels() -> dict:
    from reviewkit.reporting.prisma.diagram import labels
    return labels()


def infer_merged(c: PrismaCounts) -> tuple[str, ...]:
    """Which other-method routes were screened with the database records.

    The R schema has no field for it; when databases and registers alone do not add up to
    the records screened but adding some other routes does exactly, those routes were.
    If none does and some routes' counts are unknown, those are taken as merged, so the
    check is skipped rather than failed (unknown is not zero). Other methods with reports
    of their own go down their own column (one path, as the template has): none merged.
    """
    if any(v for v in (c.other.sought, c.other.not_retrieved, c.other.assessed)) or any(
            x.n for x in c.other.excluded):
        return ()
    base = [c.databases.value, c.registers.value, c.duplicates, c.automation_excluded,
            c.removed_other, c.screened]
    if any(v is None for v in base):
        return ()
    gap = c.screened - (base[0] + base[1] - base[2] - base[3] - base[4])  # type: ignore
    routes = [g for g in OTHER_GROUPS if c.group(g).value]
    for size in range(1, len(routes) + 1):
        for combo in combinations(routes, size):
            if sum(c.group(g).value for g in combo) == gap:  # type: ignore[misc]
                return combo
    unknown = tuple(g for g in OTHER_GROUPS[:3] if c.group(g).value is None)
    return unknown if gap > 0 else ()


def _lost(c: PrismaCounts) -> list[str]:
    notes = []
    for g in ("websites", "organisations", "citations"):
        if len(c.group(g).sources) > 1:
            notes.append(f"{g}: the per-source counts have no row in the PRISMA2020 CSV; "
                         "only the total was written")
    if c.other_methods.active:
        notes.append(f"other methods ({fmt(c.other_methods.value)} records) have no row in "
                     "the PRISMA2020 CSV and were not written")
    if c.records_excluded_reasons:
        notes.append("title/abstract exclusion reasons have no row in the PRISMA2020 CSV; "
                     "only records_excluded was written")
    return notes


def row_line(path: Path, key: str) -> int | None:
    """The line of row ``key`` in a counts CSV (read already, so it reads again cleanly)."""
    found = _rows(path).get(key)
    return found[0] if found else None


def _rows(path: Path) -> dict[str, tuple[int, str]]:
    """data key -> (line, n cell), after checking the header and every row's shape."""
    text = text_of(path)
    reader = csv.reader(io.StringIO(text, newline=""))
    rows: dict[str, tuple[int, str]] = {}
    try:
        header = [h.strip() for h in next(reader, [])]
        if header != COLUMNS:
            raise ReviewkitError(f"the header must be {','.join(COLUMNS)} (the PRISMA2020 "
                                 f"template's columns); {_header_gap(header)}",
                                 file=str(path), line=1)
        end = reader.line_num
        for row in reader:
            # a row starts after the previous one ends: a stray '"' runs a row on over
            # many lines, and the mistake is where it starts, not where the row stops
            line, end = end + 1, reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            if len(row) != len(COLUMNS):
                runs_on = (f" (the row runs on from line {line} to line {end}: check for "
                           "an unclosed '\"')") if end > line else ""
                raise ReviewkitError(f"expected {len(COLUMNS)} cells, found {len(row)}"
                                     + runs_on, file=str(path), line=line)
            key = row[0].strip()
            if key in rows and key in (*NUMBERS, *LISTS):
                raise ReviewkitError(f"a second '{key}' row (the first is on line "
                                     f"{rows[key][0]})", file=str(path), line=line, field=key)
            rows.setdefault(key, (line, row[7]))
    except csv.Error as exc:
        raise ReviewkitError(f"not a readable CSV ({exc})", file=str(path),
                             line=reader.line_num) from None
    for key in REQUIRED:
        if key not in rows:
            raise ReviewkitError("no such row; every count row of the PRISMA2020 template "
                                 "must be present (write NA in n when unknown)",
                                 file=str(path), field=key)
    return rows


def _header_gap(header: list[str]) -> str:
    # said without quoting the file: it may not be a counts file at all
    if not any(header):
        return "the first line is empty"
    for i, want in enumerate(COLUMNS):
        if i >= len(header) or header[i] != want:
            return f"column {i + 1} is not '{want}'"
    return f"found {len(header)} columns, not {len(COLUMNS)}"


def _add_missing(rows: list[list[str]]) -> list[list[str]]:
    """Rows an older template lacks, from ours, each after its predecessor."""
    base = ours().rows
    have = {r[0].strip() for r in rows if r}
    for i, row in enumerate(base):
        if row[0] in (*NUMBERS, *LISTS) and row[0] not in have:
            before = {r[0] for r in base[:i]}
            at = max((j + 1 for j, r in enumerate(rows) if r and r[0].strip() in before),
                     default=0)
            rows.insert(at, list(row))
            have.add(row[0])
    return rows


def _failer(path: Path, line: int, key: str):
    return lambda msg: ReviewkitError(msg, file=str(path), line=line, field=key)


def _get(obj: object, attr: str):
    for part in attr.split("."):
        obj = getattr(obj, part)
    return obj


def _set(obj: object, attr: str, value: object) -> None:
    *parents, last = attr.split(".")
    for part in parents:
        obj = getattr(obj, part)
    setattr(obj, last, value)
