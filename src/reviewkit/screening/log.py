"""Append-only JSONL logs, one per reviewer and stage: screening/<stage>/<reviewer>.jsonl.

Every append is one write() of whole lines followed by fsync, so a decision
the screen has moved past survives a crash or a kill. One writer per file:
each reviewer only ever appends to their own log.
"""

from __future__ import annotations

import json
import os
import re
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from reviewkit.errors import ReviewkitError
from reviewkit.project.atomic import ends_torn, fsync_dir
from reviewkit.project.config import Project
from reviewkit.records.fileids import CONFLICT, is_conflict_marker
from reviewkit.screening.config import DECISIONS
from reviewkit.screening.reasons import lenient
from reviewkit.screening.reviewers import check_name

# A stage is a folder, a reviewer a file name: nothing that could step out of screening/.
SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
BOM = b"\xef\xbb\xbf"


def screening_dir(project: Project) -> Path:
    return project.root / "screening"


def log_path(project: Project, stage: str, reviewer: str) -> Path:
    """screening/<stage>/<reviewer>.jsonl; a name that could leave the folder is refused."""
    check_name(reviewer)
    if not SAFE_NAME.match(stage):
        raise ReviewkitError(f"stage {stage!r} cannot name a folder: use letters, digits, "
                             "'.', '_' or '-'", field="stage")
    return screening_dir(project) / stage / f"{reviewer}.jsonl"


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def new_id() -> str:
    return uuid.uuid4().hex[:16]


# fdatasync: the appended lines and the file's new size, as durable as fsync for an append
# (the folder entry of a new log is fsynced when it is made) and it skips the inode's times:
# 75 us of CPU a call against 119 us for fsync, measured on a 2-core VM. fsync where the
# system has no fdatasync.
_datasync = getattr(os, "fdatasync", os.fsync)


def log_line(event: dict) -> str:
    """One event as its log line (without the newline): the server's copy in team mode is
    this same line."""
    return json.dumps(event, ensure_ascii=False, separators=(",", ":"))


class LogWriter:
    """Appends events durably to one log file (kept open while screening).

    If the file is replaced or removed while open (an editor's save, a git checkout, a
    sync tool), the writer notices before its next write, opens the file at the path
    again and first writes back every line of its own that the new file lacks: a decision
    the screen called saved is never left in an unlinked file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None
        self._torn = False
        self._mine: list[bytes] = []  # every line this writer wrote, for a replaced file
        self.restored = 0             # lines written back after the file was replaced

    def _open(self) -> int:
        if self._fd is not None and not self._same_file():
            os.close(self._fd)
            self._fd = None
            self._restore()
        if self._fd is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            created = not self.path.exists()
            self._torn = ends_torn(self.path)
            self._fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
            if created:
                fsync_dir(self.path.parent)
        return self._fd

    def _same_file(self) -> bool:
        try:
            now = os.stat(self.path)
        except FileNotFoundError:
            return False
        held = os.fstat(self._fd)
        return (now.st_ino, now.st_dev) == (held.st_ino, held.st_dev)

    def _restore(self) -> None:
        try:
            there = set(self.path.read_bytes().split(b"\n"))
        except FileNotFoundError:
            there = set()
        missing = [line for line in self._mine if line not in there]
        if missing:
            self._mine = [line for line in self._mine if line in there]  # re-added below
            self._put(missing)
            self.restored += len(missing)

    def write(self, events: list[dict]) -> None:
        """The lines written, one write() of whole lines, not yet fsynced: team mode's
        outbox fsyncs (sync) while the send travels."""
        if events:
            self._put([log_line(e).encode("utf-8") for e in events])

    def _put(self, lines: list[bytes]) -> None:
        fd = self._open()
        data = b"".join(line + b"\n" for line in lines)
        if self._torn:
            data = b"\n" + data  # a crash mid-line before us: start on a fresh line
            self._torn = False
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        self._mine.extend(lines)

    def sync(self) -> None:
        if self._fd is not None:
            _datasync(self._fd)

    def append(self, events: list[dict]) -> None:
        """Durable when this returns."""
        if events:
            self.write(events)
            self.sync()

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


def append_events(path: Path, events: list[dict]) -> None:
    writer = LogWriter(path)
    try:
        writer.append(events)
    finally:
        writer.close()


@dataclass(frozen=True)
class Problem:
    """One log line every reader skips, and why (shown as ``file:line: message``)."""

    file: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.message}"


def read_jsonl(path: Path) -> tuple[list[tuple[int, dict]], list[Problem]]:
    """(line number, object) for each line holding one JSON object; the rest are problems.

    A line cut short (a write interrupted by a crash or a kill, anywhere in the
    file) is a problem like any other: reported, skipped, the rest stands.
    """
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return [], []
    except OSError as exc:
        return [], [Problem(str(path), None, f"cannot read: {exc.strerror}")]
    data = data.removeprefix(BOM)  # an editor's UTF-8 mark, else line 1 is "not JSON"
    out: list[tuple[int, dict]] = []
    problems: list[Problem] = []
    for number, raw in enumerate(data.split(b"\n"), start=1):
        if not raw.strip():
            continue
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            problems.append(Problem(str(path), number, "not UTF-8 text; line skipped"))
            continue
        try:
            value = json.loads(text)
        except (json.JSONDecodeError, RecursionError) as exc:
            torn = isinstance(exc, json.JSONDecodeError) and _cut_short(exc)
            problems.append(Problem(str(path), number, "line cut short (a write interrupted "
                                    "by a crash?); skipped" if torn else
                                    f"{CONFLICT}; skipped" if is_conflict_marker(text) else
                                    "not a JSON line (edited by hand?); skipped"))
            continue
        if not isinstance(value, dict):
            problems.append(Problem(str(path), number, "not a JSON object {...}; skipped"))
            continue
        out.append((number, value))
    return out, problems


KINDS = ("decision", "resolution", "undo", "note")


def whole_chars(text: str) -> str:
    """``text`` with any lone surrogate (a paste of bytes that were not UTF-8) made U+FFFD,
    so a note typed in can always be written."""
    return text if _whole(text) else \
        text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


def _whole(text: str) -> bool:
    """No lone surrogate (JSON lets one be escaped; no UTF-8 file, terminal or server can
    hold it, so it would stop every command that shows the line)."""
    if text.isascii():
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def check_event(event: dict, stage: str, reviewer: str, reasons: list[str] = ()
                ) -> tuple[dict | None, str]:
    """(the event normalised, "") or (None, what is wrong) for one screening log line.

    Decision words are matched case-insensitively and stored lower-case, as
    check_decision does for the keyboard and CSV: "Include" is include, "yes"
    is refused. Reasons take the project's spelling when they match one.
    """
    kind = event.get("type")
    if kind not in KINDS:
        return None, f"unknown event type {kind!r}; expected {', '.join(KINDS)}"
    for key in ("id", "stage", "reviewer", "at", "reason", "note", "target", "via"):
        if key in event and not isinstance(event[key], str):
            return None, f"field {key!r} must be text"
    for key in ("record", "note", "reason", "id", "at", "via", "target"):
        if isinstance(event.get(key), str) and not _whole(event[key]):
            return None, (f"field {key!r} holds half of a character (an escape such as "
                          "\\ud800 with no partner); write the character itself")
    if event.get("stage", stage) != stage:
        return None, f"stage {event['stage']!r} in the log of stage {stage!r}"
    if event.get("reviewer", reviewer) != reviewer:
        return None, f"reviewer {event['reviewer']!r} in the log of {reviewer!r}"
    record = event.get("record")
    if not isinstance(record, str) or not record.strip():
        return None, "no record id (field 'record')"
    out = {**event, "stage": stage, "reviewer": reviewer}
    if kind in ("decision", "resolution"):
        allowed = DECISIONS if kind == "decision" else ("include", "exclude")
        word = event.get("decision")
        label = word.strip().lower() if isinstance(word, str) else None
        if label not in allowed:
            return None, f"unknown decision {word!r}; expected {', '.join(allowed)}"
        out["decision"] = label
        out["reason"] = lenient(out.get("reason", ""), list(reasons))
    elif kind == "undo" and not event.get("target"):
        return None, "an undo names the event it takes back (field 'target')"
    elif kind == "note" and "note" not in event:
        return None, "a note event has no 'note'"
    return out, ""


def read_log_lines(path: Path, stage: str, reasons: list[str] = ()
                   ) -> tuple[list[tuple[int, dict]], list[Problem]]:
    """(line number, valid event) of one reviewer's log at ``stage``, and the lines skipped.

    Every reader of screening logs goes through here, so a bad line is skipped
    the same way everywhere and reported with its file and line.
    """
    lines, problems = read_jsonl(path)
    events = []
    first: dict[str, tuple[int, dict]] = {}  # event id -> (line, raw) where it came first
    for number, raw in lines:
        event, wrong = check_event(raw, stage, path.stem, reasons)
        if event is None:
            problems.append(Problem(str(path), number, wrong + "; skipped"))
            continue
        event.setdefault("id", f"{path.name}:{number}")  # a hand-written line: undo finds it
        # an id is one event (team mode keeps one row per id): a second copy, as a merge
        # keeping both sides leaves it, would outlive the undo that names the id
        seen = first.get(event["id"])
        if seen is not None:
            what = "the same event as" if seen[1] == raw else f"id {event['id']!r} is used by"
            problems.append(Problem(str(path), number, f"{what} line {seen[0]} (a merge or "
                                    "copy kept it twice?); skipped"))
            continue
        first[event["id"]] = (number, raw)
        events.append((number, event))
    problems.sort(key=lambda p: p.line or 0)
    return events, problems


def read_log(path: Path, stage: str, reasons: list[str] = ()
             ) -> tuple[list[dict], list[Problem]]:
    """One reviewer's valid events at ``stage`` in file order, and the lines skipped."""
    events, problems = read_log_lines(path, stage, reasons)
    return [event for _, event in events], problems


def read_events(path: Path) -> list[dict]:
    """The JSON objects of a log in file order (unvalidated: see read_log)."""
    return [event for _, event in read_jsonl(path)[0]]


def _cut_short(exc: json.JSONDecodeError) -> bool:
    """The line is a prefix of a JSON object: it ended before the object did."""
    text = exc.doc.rstrip()
    return text.startswith("{") and (exc.pos >= len(text)
                                     or exc.msg.startswith("Unterminated string"))
