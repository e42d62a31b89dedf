"""People's same/different judgements: an append-only JSONL log in the project.

One line per judgement: {"a": id, "b": id, "same": bool, "by": name, "at": iso time}.
The latest judgement of a pair wins, and always overrides the method.
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
    event = {"a": a, "b": b, "same": bool(same), "by": by,
             "at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")}
    path = log_path(project)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as fh:
        fh.write(json.dumps(event, ensure_ascii=False) + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    return event


def read_judgements(project: Project) -> dict[tuple[str, str], bool]:
    """(a, b) with a < b -> same?, the latest line per pair winning."""
    path = log_path(project)
    out: dict[tuple[str, str], bool] = {}
    if not path.exists():
        return out
    lines = path.read_text("utf-8").splitlines()
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            event = json.loads(line)
            a, b, same = str(event["a"]), str(event["b"]), event["same"]
        except (ValueError, KeyError, TypeError):
            if number == len(lines):
                continue  # a line cut short by a crash mid-write: the rest stands
            raise ReviewkitError('expected {"a": id, "b": id, "same": true|false, ...}',
                                 file=str(path), line=number) from None
        if not isinstance(same, bool):
            raise ReviewkitError("'same' must be true or false", file=str(path), line=number)
        out[(a, b) if a < b else (b, a)] = same
    return out
