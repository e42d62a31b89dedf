"""The folder side of team mode: which files hold events, and each line as a server row.

Every complete line of a log is one row, kept exactly as written (pull writes it back byte
for byte). A line's key is its "id"; a line without one (dedup judgements, a hand-edited
line) gets an id derived from its log, its text and how many times that same text came
before it in the log: the same on every push, so pushing twice adds nothing.

Two things a log may hold are not events and never reach the server: a line a crash cut
short (every reader skips it; the next write starts on a fresh line, so it is a complete
line from then on, and the append-only server would keep it for ever), and an editor's
byte-order mark before the first line (read as part of line 1 it hid that event's id)."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path

from reviewkit.project.config import Project
from reviewkit.screening.log import BOM, _cut_short, check_event

# folder-relative paths that hold events or whole-file documents; nothing else is pushed
# or pulled (a server row naming another path is refused)
LOG_PATHS = (re.compile(r"^screening/(?P<stage>[A-Za-z0-9][A-Za-z0-9_.-]{0,63})/"
                        r"(?P<name>[A-Za-z0-9][A-Za-z0-9_.-]{0,63})\.jsonl$"),
             re.compile(r"^synthesis/coding/(?P<name>[A-Za-z0-9][A-Za-z0-9_.-]{0,63})\.jsonl$"),
             re.compile(r"^dedup/judgements\.jsonl$"))
DOC_PATH = re.compile(r"^(casp|extraction)/[A-Za-z0-9][A-Za-z0-9_.-]{0,99}/"
                      r"(?P<name>[A-Za-z0-9][A-Za-z0-9_.-]{0,63})\.yaml$")


@dataclass(frozen=True)
class Row:
    event_id: str
    log: str
    kind: str
    stage: str | None
    record: str | None
    reviewer: str
    line: str
    number: int = 0  # line number in the folder's file (for warnings)


@dataclass(frozen=True)
class Skipped:
    log: str
    line: int
    why: str

    def __str__(self) -> str:
        return f"{self.log}:{self.line}: {self.why}"


def log_match(rel: str) -> re.Match | None:
    return next((m for p in LOG_PATHS if (m := p.match(rel))), None)


def log_files(project: Project) -> list[str]:
    """Folder-relative paths of every event log in the project, sorted."""
    root = project.root
    found = [*root.glob("screening/*/*.jsonl"), *root.glob("synthesis/coding/*.jsonl"),
             root / "dedup" / "judgements.jsonl"]
    rels = {p.relative_to(root).as_posix() for p in found if p.is_file()}
    return sorted(r for r in rels if log_match(r))


def document_files(project: Project) -> list[str]:
    root = project.root
    found = [*root.glob("casp/*/*.yaml"), *root.glob("extraction/*/*.yaml")]
    return sorted(r for p in found if p.is_file()
                  and DOC_PATH.match(r := p.relative_to(root).as_posix()))


def derived_id(log: str, line: str, nth: int) -> str:
    digest = hashlib.sha256(f"{log}\n{nth}\n{line}".encode()).hexdigest()
    return f"line-{digest[:24]}"


def rows_of(log: str, data: bytes) -> tuple[list[Row], list[Skipped]]:
    """The rows of one log's bytes, in file order, and the lines that cannot be rows."""
    m = log_match(log)
    stem = m.groupdict().get("name") if m else None
    folder_stage = m.groupdict().get("stage") if m else None
    parts = data.removeprefix(BOM).split(b"\n")
    rows: list[Row] = []
    skipped: list[Skipped] = []
    if parts[-1]:
        skipped.append(Skipped(log, len(parts), "a last line without its newline (cut "
                               "short?) is not pushed"))
    seen: dict[str, int] = {}
    for number, raw in enumerate(parts[:-1], start=1):
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError:
            skipped.append(Skipped(log, number, "not UTF-8 text; not pushed"))
            continue
        if "\x00" in line:
            skipped.append(Skipped(log, number, "holds a NUL byte; not pushed"))
            continue
        try:
            obj = json.loads(line)
        except (json.JSONDecodeError, RecursionError) as exc:
            if torn(line, exc):
                skipped.append(Skipped(log, number, "line cut short (a write interrupted by "
                                       "a crash?); not pushed"))
                continue
            obj = None
        if not isinstance(obj, dict):
            obj = {}
        event_id = obj.get("id")
        if not isinstance(event_id, str) or not event_id:
            nth = seen.get(line, 0)
            seen[line] = nth + 1
            event_id = derived_id(log, line, nth)
        kind = _text(obj.get("type")) or _judgement_kind(obj) or "unreadable"
        # a log belongs to the person it is named after (RLS checks the two agree)
        reviewer = stem or _text(obj.get("by")) or "unknown"
        stage = folder_stage or _text(obj.get("stage"))
        if folder_stage and stem:
            kind = screening_kind(obj, folder_stage, stem)
        rows.append(Row(event_id, log, kind, stage, _text(obj.get("record")), reviewer, line,
                        number))
    return rows, skipped


def torn(line: str, exc: Exception | None = None) -> bool:
    """A line cut short by a crash: the start of a JSON object that ended early."""
    if exc is None:
        try:
            json.loads(line)
            return False
        except (json.JSONDecodeError, RecursionError) as caught:
            exc = caught
    return isinstance(exc, json.JSONDecodeError) and _cut_short(exc)


def own_id(line: str) -> str | None:
    """The "id" a line holds itself (None when it holds none or is no JSON object)."""
    try:
        obj = json.loads(line.removeprefix("\ufeff"))
    except (json.JSONDecodeError, RecursionError):
        return None
    value = obj.get("id") if isinstance(obj, dict) else None
    return value if isinstance(value, str) and value else None


def line_ids(log: str, data: bytes) -> set[str]:
    """The ids of a local log's complete lines (what a pull need not append)."""
    return {r.event_id for r in rows_of(log, data)[0]}


def screening_kind(event: dict, stage: str, reviewer: str) -> str:
    """The kind the server files a screening log's line under: its type, or "invalid" for a
    line every reader of the folder skips (an unknown decision word, another stage's or
    another reviewer's event...), so that the server never counts what the folder does not.
    The line itself is stored as written."""
    if not event:
        return "unreadable"
    return event["type"] if check_event(event, stage, reviewer)[0] else "invalid"


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _judgement_kind(obj: dict) -> str | None:
    if "a" in obj and "b" in obj:
        return "undo" if obj.get("undo") is True else "judgement"
    return None


def inside(project: Project, rel: str) -> Path:
    """``rel`` under the project root (a path already matched against LOG_PATHS/DOC_PATH)."""
    return project.root.joinpath(*rel.split("/"))
