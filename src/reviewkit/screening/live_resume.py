"""The newest ranking of one reviewer's queue, kept in .reviewkit/ranking/ so that the
next sitting opens on it at once instead of waiting for features and a first fit
(17 s at 100k records). The live worker writes it; the screener reads it.

It is a deletable cache, as the features are: a missing, torn or foreign file means
"rank now", never an error. It holds only what that reviewer's own queue was ranked
by (their own decisions and settled outcomes), so it leaks nothing between blind
reviewers, and it names the model version that made it, which the decisions taken
from it log.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from reviewkit.project.config import Project

_FORMAT = 1


def queue_file(project: Project, stage: str, reviewer: str) -> Path:
    # stage and reviewer names are checked to be file-name safe (they name the logs)
    return project.cache_dir / "ranking" / f"queue-{stage}-{reviewer}.json"


def save_queue(path: Path, ids: list[str], version: str) -> None:
    """Write atomically: a sitting that dies mid-write leaves the previous file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".queue-", suffix=".json", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump({"format": _FORMAT, "version": version, "ids": ids}, fh)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def saved_queue(project: Project, stage: str, reviewer: str) -> tuple[list[str], str] | None:
    """(ids best first, model version) of the last sitting's newest ranking, or None."""
    try:
        data = json.loads(queue_file(project, stage, reviewer).read_text(encoding="utf-8"))
        ids, version = data["ids"], data["version"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if (data.get("format") != _FORMAT or not isinstance(version, str) or not version
            or not isinstance(ids, list) or not all(isinstance(u, str) for u in ids)):
        return None
    return ids, version
