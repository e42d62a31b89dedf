"""Append-only JSONL logs, one per reviewer and stage: screening/<stage>/<reviewer>.jsonl.

Every append is one write() of whole lines followed by fsync, so a decision
the screen has moved past survives a crash or a kill. One writer per file:
each reviewer only ever appends to their own log.
"""

from __future__ import annotations

import json
import os
import uuid
from datetime import datetime, timezone
from pathlib import Path

from reviewkit.errors import ReviewkitError
from reviewkit.project.config import Project


def screening_dir(project: Project) -> Path:
    return project.root / "screening"


def log_path(project: Project, stage: str, reviewer: str) -> Path:
    return screening_dir(project) / stage / f"{reviewer}.jsonl"


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def new_id() -> str:
    return uuid.uuid4().hex[:16]


class LogWriter:
    """Appends events durably to one log file (kept open while screening)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None
        self._torn = False

    def _open(self) -> int:
        if self._fd is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            created = not self.path.exists()
            self._torn = _ends_torn(self.path)
            self._fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
            if created:
                _fsync_dir(self.path.parent)
        return self._fd

    def append(self, events: list[dict]) -> None:
        if not events:
            return
        fd = self._open()
        data = "".join(json.dumps(e, ensure_ascii=False, separators=(",", ":")) + "\n"
                       for e in events).encode("utf-8")
        if self._torn:
            data = b"\n" + data  # a crash mid-line before us: start on a fresh line
            self._torn = False
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        os.fsync(fd)

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


def read_events(path: Path) -> list[dict]:
    """Events in file order; a line cut short by a crash mid-write is skipped."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return []
    lines = data.split(b"\n")
    out = []
    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        try:
            event = json.loads(raw.decode("utf-8", "replace"))
        except json.JSONDecodeError as exc:
            if _cut_short(exc):  # an append interrupted by a crash: the rest stands
                continue
            event = None
        if not isinstance(event, dict):
            raise ReviewkitError("not a JSON event line (the log was edited by hand?)",
                                 file=str(path), line=number) from None
        out.append(event)
    return out


def _cut_short(exc: json.JSONDecodeError) -> bool:
    """The line is a prefix of a JSON object: it ended before the object did."""
    text = exc.doc.rstrip()
    return text.startswith("{") and (exc.pos >= len(text)
                                     or exc.msg.startswith("Unterminated string"))


def _ends_torn(path: Path) -> bool:
    try:
        with path.open("rb") as fh:
            fh.seek(0, os.SEEK_END)
            if fh.tell() == 0:
                return False
            fh.seek(-1, os.SEEK_END)
            return fh.read(1) != b"\n"
    except FileNotFoundError:
        return False


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:  # pragma: no cover - platforms without directory fds
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
