"""People's same/different judgements: an append-only JSONL log in the project.

One line per judgement: {"a": id, "b": id, "same": bool, "by": name, "at": iso time}.
The latest judgement of a pair wins, and always overrides the method. Undo is a
new line too, {"a", "b", "undo": true, ...}: it withdraws the pair's latest
judgement, so the one before it (or the method, if none) decides again.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

from reviewkit.errors import ReviewkitError
from reviewkit.project.config import Project


def log_path(project: Project) -> Path:
    return project.root / "dedup" / "judgements.jsonl"


def append_judgement(project: Project, a: str, b: str, same: bool, by: str) -> dict:
    """Write one judgement durably (flushed and fsynced) before returning."""
    if a == b:
        raise ReviewkitError("a record cannot be judged against itself", field="a")
    return _append(project, {"a": a, "b": b, "same": bool(same), "by": by})


def append_undo(project: Project, a: str, b: str, by: str) -> dict:
    """Withdraw the pair's latest judgement; the log stays append-only."""
    return _append(project, {"a": a, "b": b, "undo": True, "by": by})


def _append(project: Project, event: dict) -> dict:
    event["at"] = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    path = log_path(project)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as fh:
        fh.write(json.dumps(event, ensure_ascii=False) + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    return event


def read_judgements(project: Project) -> dict[tuple[str, str], bool]:
    """(a, b) with a < b -> same?, the latest judgement not undone winning."""
    path = log_path(project)
    stacks: dict[tuple[str, str], list[bool]] = {}
    if not path.exists():
        return {}
    lines = path.read_text("utf-8").splitlines()
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            event = json.loads(line)
            a, b = str(event["a"]), str(event["b"])
            if event.get("undo") is True:
                stack = stacks.get((a, b) if a < b else (b, a))
                if stack:
                    stack.pop()
                continue
            same = event["same"]
        except (ValueError, KeyError, TypeError):
            if number == len(lines):
                continue  # a line cut short by a crash mid-write: the rest stands
            raise ReviewkitError('expected {"a": id, "b": id, "same": true|false, ...}',
                                 file=str(path), line=number) from None
        if not isinstance(same, bool):
            raise ReviewkitError("'same' must be true or false", file=str(path), line=number)
        stacks.setdefault((a, b) if a < b else (b, a), []).append(same)
    return {pair: stack[-1] for pair, stack in stacks.items() if stack}
