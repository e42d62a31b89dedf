"""Counts in and out in exactly the PRISMA2020 R package's CSV (Haddaway et al.), so a diagram
can move between that package's Shiny app and reviewkit both ways.

Columns data,node,box,description,boxtext,tooltips,url,n; one row per number, keyed by
``data``; label rows (data NA, identification, …) carry no counts. Unknown is ``NA``.
"""

from __future__ import annotations

import csv
import io
from importlib import resources
from itertools import combinations
from pathlib import Path

from reviewkit.errors import ReviewkitError
from reviewkit.reporting.prisma.cells import format_list, format_number, parse_list, parse_number
from reviewkit.reporting.prisma.files import write_file
from reviewkit.reporting.prisma.invariants import fmt
from reviewkit.reporting.prisma.model import OTHER_GROUPS, PrismaCounts

COLUMNS = ["data", "node", "box", "description", "boxtext", "tooltips", "url", "n"]
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
}
LISTS = {
    "database_specific_results": "databases.sources",
    "register_specific_results": "registers.sources",
    "dbr_excluded": "dbr.excluded", "other_excluded": "other.excluded",
}
# Rows of the package's own template; the *_specific_results rows came later, so optional.
REQUIRED = [*NUMBERS, "dbr_excluded", "other_excluded"]


def read_counts_csv(path: Path | str) -> PrismaCounts:
    """Read a counts CSV (the R package's template and its exports included)."""
    path = Path(path)
    rows = _rows(path)
    counts = PrismaCounts()
    for key, attr in NUMBERS.items():
        line, cell = rows[key]
        _set(counts, attr, parse_number(cell, _failer(path, line, key)))
    for key, attr in LISTS.items():
        if key in rows:
            line, cell = rows[key]
            _set(counts, attr, parse_list(cell, _failer(path, line, key)))
    counts.merged_other = infer_merged(counts)
    return counts


def write_counts_csv(counts: PrismaCounts, path: Path | str,
                     template: Path | str | None = None) -> list[str]:
    """Write the counts into the package's rows (or ``template``'s, keeping its texts).

    Returns notes on what the schema cannot hold (per-source lists of other methods,
    title/abstract exclusion reasons, the "other" route); nothing is written on error.
    """
    path = Path(path)
    for attr, n in counts.numbers():
        if n is not None and n < 0:
            raise ReviewkitError(f"{n:,} is negative; a count cannot be below 0",
                                 file=str(path), field=attr)
    rows = _template_rows(Path(template) if template else None)
    for row in rows:
        key = row[0].strip()
        if key in NUMBERS:  # a route's total may be the sum of its listed sources
            attr = NUMBERS[key].removesuffix(".total") + (
                ".value" if NUMBERS[key].endswith(".total") else "")
            row[7] = format_number(_get(counts, attr))
        elif key in LISTS:
            row[7] = format_list(_get(counts, LISTS[key]))
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([COLUMNS, *rows])
    write_file(path, out.getvalue())
    return _lost(counts)


def infer_merged(c: PrismaCounts) -> tuple[str, ...]:
    """Which other-method routes were screened with the database records.

    The R schema has no field for it; when databases and registers alone do not add up to
    the records screened but adding some other routes does exactly, those routes were.
    If none does and some routes' counts are unknown, those are taken as merged, so the
    check is skipped rather than failed (unknown is not zero).
    """
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


def _rows(path: Path) -> dict[str, tuple[int, str]]:
    """data key -> (line, n cell), after checking the header and every row's shape."""
    text = _text(path)
    reader = csv.reader(io.StringIO(text, newline=""))
    rows: dict[str, tuple[int, str]] = {}
    try:
        header = [h.strip() for h in next(reader, [])]
        if header != COLUMNS:
            raise ReviewkitError(f"the header must be {','.join(COLUMNS)} (the PRISMA2020 "
                                 f"template's columns); {_header_gap(header)}",
                                 file=str(path), line=1)
        for row in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            if len(row) != len(COLUMNS):
                raise ReviewkitError(f"expected {len(COLUMNS)} cells, found {len(row)}",
                                     file=str(path), line=line)
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


def _text(path: Path) -> str:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ReviewkitError(f"cannot read the file ({exc.strerror})", file=str(path)) from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")  # saved from Excel on Windows


def _template_rows(template: Path | None) -> list[list[str]]:
    ours = resources.files("reviewkit.reporting.prisma").joinpath("PRISMA2020-template.csv")
    base = list(csv.reader(io.StringIO(ours.read_text("utf-8"), newline="")))[1:]
    if template is None:
        return base
    _rows(template)  # the same checks as reading
    rows = [r for r in csv.reader(io.StringIO(_text(template), newline=""))][1:]
    rows = [r for r in rows if any(c.strip() for c in r)]
    have = {r[0].strip() for r in rows}
    for i, row in enumerate(base):  # rows an older template lacks go after their predecessor
        if row[0] in (*NUMBERS, *LISTS) and row[0] not in have:
            before = {r[0] for r in base[:i]}
            at = max((j + 1 for j, r in enumerate(rows) if r[0].strip() in before), default=0)
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
