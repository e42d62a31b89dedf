"""The batch path: export a reviewer's records, import their decisions from CSV or from
another screening tool's export."""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from reviewkit.errors import ReviewkitError
from reviewkit.io.rawsource import RawSource
from reviewkit.io.writers import RawPairs, write_ris
from reviewkit.reporting.tables import csv_safe, csv_unsafe
from reviewkit.screening.calibration import calibration_sample
from reviewkit.screening.config import ScreeningConfig
from reviewkit.screening.data import Screening
from reviewkit.screening.events import check_decision, decision_event
from reviewkit.screening.interop import NAMES, read_tool_file
from reviewkit.screening.log import append_events, log_path
from reviewkit.screening.matching import Matcher
from reviewkit.screening.order import order_source, screening_order
from reviewkit.screening.reviewers import require_reviewer
from reviewkit.screening.toolrows import ToolFile
from reviewkit.store.base import StoredRecord

COLUMNS = ["record_id", "decision", "reason", "note", "title", "authors", "year", "journal",
           "keywords", "doi", "urls", "abstract"]


def assigned(screening: Screening, stage: str, reviewer: str,
             everything: bool = False) -> Iterator[StoredRecord]:
    """The reviewer's records at ``stage`` in the order the screener shows them (not yet
    judged, unless ``everything``): the whole stage is ordered first, then filtered, so a
    record's place never depends on what was judged before it."""
    done = screening.state(stage).log(reviewer).active
    units = screening.eligible(stage)
    source = order_source(screening.conf.order)
    first = calibration_sample(screening, stage)
    for uid in screening_order(screening.project, screening.store, stage, units, source, first):
        if everything or uid not in done:
            sr = screening.store.get_record(uid)
            if sr is not None:
                yield sr


def write_assigned(records: Iterator[StoredRecord], fmt: str, out: TextIO,
                   raw: RawPairs | None = None, decided: dict[str, dict] | None = None) -> int:
    """CSV with decision/reason/note to fill in (``decided``: the reviewer's own latest
    decisions, filled in), or RIS for another tool."""
    if fmt == "ris":
        return write_ris(records, out, raw)
    if fmt != "csv":
        raise ReviewkitError(f"unknown format {fmt!r}; expected csv or ris", field="format")
    decided = decided or {}
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    n = 0
    for sr in records:
        r = sr.record
        mine = decided.get(sr.id, {})
        row = {"record_id": sr.id, "decision": mine.get("decision", ""),
               "reason": mine.get("reason", ""), "note": mine.get("note", ""),
               "title": r.title, "authors": "; ".join(r.authors), "year": r.year or "",
               "journal": r.journal, "keywords": "; ".join(r.keywords), "doi": r.doi,
               "urls": "; ".join(r.urls), "abstract": r.abstract}
        writer.writerow({k: csv_safe(v) for k, v in row.items()})  # opened in spreadsheets
        n += 1
    return n


def export_assigned(screening: Screening, stage: str, reviewer: str, everything: bool,
                    fmt: str, out: TextIO | None = None, path: Path | None = None) -> int:
    """`screen export`: the reviewer's records in the screener's order, to ``out`` or a
    file written whole (``everything``: judged ones too, their latest decisions filled)."""
    records = assigned(screening, stage, reviewer, everything)
    mine = screening.state(stage).log(reviewer).decided() if everything else None
    raw = RawSource(screening.project).pairs
    if path is None:
        return write_assigned(records, fmt, out, raw, mine)
    return write_file(path, lambda fh: write_assigned(records, fmt, fh, raw, mine))


def write_file(path: Path, write: Callable[[TextIO], int]) -> int:
    """Write whole or not at all, so a failed export leaves no half file."""
    from reviewkit.project.atomic import write_through
    from reviewkit.project.owned import refuse_owned

    refuse_owned(path)
    return write_through(path, write)


@dataclass
class ImportReport:
    added: int = 0
    unchanged: int = 0
    blank: int = 0
    tool: str = "reviewkit"
    matched: dict[str, int] = field(default_factory=dict)  # how rows found their record


def import_decisions(screening: Screening, path: Path, reviewer: str, stage: str,
                     tool: str = "auto", member: str | None = None,
                     decision: str | None = None) -> ImportReport:
    """Validate every row, then append all decisions at once (or nothing, on any error).

    ``tool``: reviewkit's CSV, or ASReview's, Rayyan's or Covidence's export ('auto'
    tells them apart); ``member``: whose Rayyan decisions; ``decision``: what a Covidence
    list means when its file name does not say."""
    conf = screening.conf
    conf.check_stage(stage)
    require_reviewer(screening.project, reviewer)
    if tool != "reviewkit":
        found = read_tool_file(path, tool, member, reviewer, decision, stage)
        if found.tool != "reviewkit":
            return import_tool_rows(screening, path, reviewer, stage, found)
    eligible = set(screening.eligible(stage))
    current = {u: _key(e) for u, e in screening.state(stage).log(reviewer).decided().items()}
    report, events = ImportReport(), []
    matcher: Matcher | None = None
    seen: dict[str, tuple[int, tuple[str, str, str]]] = {}  # unit -> its first row
    for line, row in _rows(path):
        def fail(message: str, field: str | None = None, line: int = line) -> ReviewkitError:
            return ReviewkitError(message, file=str(path), line=line, field=field)

        rid = (row.get("record_id") or row.get("id") or "").strip()
        decision = (row.get("decision") or "").strip()
        if not screening.knows(rid) and (row.get("doi") or row.get("title")):
            matcher = matcher or Matcher(screening)  # an id from elsewhere: try DOI, title
            hit = matcher.match({k: row.get(k) or "" for k in ("doi", "pmid", "title", "year")})
            rid = hit[0] if hit else rid
        if not rid:
            raise fail("record_id is empty", "record_id")
        if not screening.knows(rid):
            raise fail(f"unknown record id {rid!r} (ids as 'reviewkit export' writes them)",
                       "record_id")
        unit = screening.unit_of(rid)
        if unit not in eligible:
            raise fail(f"{rid} is not screened at {stage} (not included at the stage before)",
                       "record_id")
        if not decision:
            report.blank += 1
            continue
        try:
            label, reason = check_decision(conf, stage, decision, row.get("reason") or "")
        except ReviewkitError as exc:
            raise fail(exc.message, exc.field) from None
        note = (row.get("note") or "").strip()
        first = seen.setdefault(unit, (line, (label, reason, note)))
        if first[1] != (label, reason, note):  # which row would win is a guess: ask
            raise fail(f"{rid} already has a row at line {first[0]} with another decision "
                       f"({first[1][0]}, here {label}); keep one row per record; nothing "
                       "imported", "record_id")
        if current.get(unit) == (label, reason, note):
            report.unchanged += 1  # re-importing the same file adds nothing
            continue
        current[unit] = (label, reason, note)
        events.append(decision_event(stage, reviewer, rid, label, reason, note, via="csv"))
    append_events(log_path(screening.project, stage, reviewer), events)
    report.added = len(events)
    return report


def _key(event: dict) -> tuple[str, str, str]:
    return event["decision"], event.get("reason", ""), event.get("note", "")


def _rows(path: Path) -> Iterator[tuple[int, dict]]:
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise ReviewkitError(f"cannot read: {exc.strerror}", file=str(path)) from None
    except UnicodeDecodeError:
        raise ReviewkitError("not UTF-8 text (save the CSV as UTF-8)", file=str(path)) from None
    first = text.split("\n", 1)[0]  # a spreadsheet may save with ';' or tabs: the header says
    sep = max(",;\t", key=first.count)
    reader = csv.DictReader(text.splitlines(keepends=True), delimiter=sep)
    header = [h.strip() for h in (reader.fieldnames or [])]
    reader.fieldnames = header
    if not ({"record_id", "id"} & set(header)) or "decision" not in header:
        raise ReviewkitError("expected columns record_id, decision (reason, note optional); "
                             f"found: {', '.join(header) or 'nothing'}", file=str(path), line=1)
    twice = sorted({h for h in header if h and header.count(h) > 1})
    if twice:  # which of the two columns holds the decision would be a guess
        raise ReviewkitError(f"column {twice[0]!r} appears twice in the header; keep one",
                             file=str(path), line=1)
    start = reader.line_num + 1
    for row in reader:  # our own export, filled in, comes back: its cells as written
        if row.get(None):  # cells beyond the header: which column each meant is a guess
            raise ReviewkitError(f"{len(header) + len(row[None])} cells where the header has "
                                 f"{len(header)} (a {sep!r} inside a cell "
                                 "needs the cell in quotes)", file=str(path), line=start)
        yield start, {k: csv_unsafe(v) if isinstance(v, str) else v for k, v in row.items()}
        start = reader.line_num + 1


def import_tool_rows(screening: Screening, path: Path, reviewer: str, stage: str,
                     found: ToolFile) -> ImportReport:
    """Match every row of another tool's export, check every decision, then append them
    all as ``reviewer``'s events (noted with where each came from), or raise and write
    nothing: every unmatched row is named in the one error."""
    conf, matcher = screening.conf, Matcher(screening)
    name = NAMES[found.tool]
    eligible = set(screening.eligible(stage))
    # the same decisions from a later export (rows reordered, another file name) add nothing
    current = {u: _key(e)[:2] + (_own_note(e.get("note", "")),)
               for u, e in screening.state(stage).log(reviewer).decided().items()}
    report, events, unmatched = ImportReport(tool=found.tool), [], []
    seen: dict[str, tuple[str, str]] = {}  # unit -> (where, decision) of its first row
    for row in found.rows:
        if not row.decision:
            report.blank += 1
            continue
        hit = matcher.match(row.ids)
        if hit is None:
            unmatched.append(row)
            continue
        rid, how = hit
        unit = screening.unit_of(rid)
        if unit not in eligible:
            raise ReviewkitError(f"{row.where}: {rid} is not screened at {stage} (not "
                                 "included at the stage before)", file=str(path),
                                 line=row.line)
        try:
            label, reason = check_decision(conf, stage, row.decision, _known(conf, row.reasons))
        except ReviewkitError as exc:
            raise ReviewkitError(f"{row.where}: {exc.message}", file=str(path),
                                 line=row.line, field=exc.field) from None
        earlier = seen.setdefault(unit, (row.where, label))
        if earlier[1] != label:  # two copies in the tool, one record (cluster) here
            raise ReviewkitError(f"{earlier[0]} and {row.where} are the same record ({unit}) "
                                 f"with different decisions ({earlier[1]}, {label}); decide "
                                 "one in the tool or drop a row; nothing imported",
                                 file=str(path), line=row.line)
        note = f"from {name} {row.where}" + (f"; {row.note}" if row.note else "")
        report.matched[how] = report.matched.get(how, 0) + 1
        if current.get(unit) == (label, reason, row.note):
            report.unchanged += 1
            continue
        current[unit] = (label, reason, row.note)
        events.append(decision_event(stage, reviewer, rid, label, reason, note,
                                     via=found.tool))
    if unmatched:
        listed = ", ".join(r.where for r in unmatched[:20])
        more = f" and {len(unmatched) - 20} more" if len(unmatched) > 20 else ""
        raise ReviewkitError(f"{len(unmatched)} decided rows match no record (by id, DOI, "
                             f"PMID, title and year): {listed}{more}; nothing imported",
                             file=str(path), line=unmatched[0].line)
    append_events(log_path(screening.project, stage, reviewer), events)
    report.added = len(events)
    return report


def _own_note(note: str) -> str:
    """A logged note without the 'from <tool> <where>' an import put in front of it."""
    if any(note.startswith(f"from {name} ") for name in NAMES.values()):
        return note.partition("; ")[2]
    return note


def _known(conf: ScreeningConfig, reasons: list[str]) -> str:
    """The first of a tool's reasons the project lists; none otherwise (the tool's reasons
    stay in the note): a reason is never made up."""
    listed = {r.lower() for r in conf.reasons}
    return next((r for r in reasons if r.strip().lower() in listed), "")
