"""The batch path: export a reviewer's records, import their decisions from CSV."""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from reviewkit.errors import ReviewkitError
from reviewkit.io.rawsource import RawSource
from reviewkit.io.writers import RawPairs, write_ris
from reviewkit.reporting.tables import csv_safe
from reviewkit.screening.calibration import calibration_sample
from reviewkit.screening.data import Screening
from reviewkit.screening.events import check_decision, decision_event
from reviewkit.screening.log import append_events, log_path
from reviewkit.screening.order import order_source, screening_order
from reviewkit.screening.reviewers import require_reviewer
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
    """Write through a temporary file so a failed export leaves no half file."""
    tmp = path.with_name("." + path.name + ".part")
    try:
        with tmp.open("w", encoding="utf-8", newline="") as fh:
            n = write(fh)
        tmp.replace(path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise ReviewkitError(f"cannot write: {exc.strerror}", file=str(path)) from None
    return n


@dataclass
class ImportReport:
    added: int = 0
    unchanged: int = 0
    blank: int = 0


def import_decisions(screening: Screening, path: Path, reviewer: str,
                     stage: str) -> ImportReport:
    """Validate every row, then append all decisions at once (or nothing, on any error)."""
    conf = screening.conf
    conf.check_stage(stage)
    require_reviewer(screening.project, reviewer)
    eligible = set(screening.eligible(stage))
    current = {u: _key(e) for u, e in screening.state(stage).log(reviewer).decided().items()}
    report, events = ImportReport(), []
    for line, row in _rows(path):
        def fail(message: str, field: str | None = None, line: int = line) -> ReviewkitError:
            return ReviewkitError(message, file=str(path), line=line, field=field)

        rid = (row.get("record_id") or row.get("id") or "").strip()
        decision = (row.get("decision") or "").strip()
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
    reader = csv.DictReader(text.splitlines(keepends=True))
    header = [h.strip() for h in (reader.fieldnames or [])]
    reader.fieldnames = header
    if not ({"record_id", "id"} & set(header)) or "decision" not in header:
        raise ReviewkitError("expected columns record_id, decision (reason, note optional); "
                             f"found: {', '.join(header) or 'nothing'}", file=str(path), line=1)
    start = reader.line_num + 1
    for row in reader:
        yield start, row
        start = reader.line_num + 1
