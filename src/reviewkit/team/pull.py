"""team pull: the server's events written back into the folder's logs.

A log missing here is written whole (so a pushed folder pulled into a fresh clone is byte
for byte the original); a log that exists gets the lines it lacks appended, fsynced, in
server order, and nothing of it is ever rewritten (lines not pushed yet stay)."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from typing import Any

from reviewkit.errors import ReviewkitError
from reviewkit.project.atomic import ends_torn, write_bytes_atomic
from reviewkit.project.config import Project
from reviewkit.team.folder import DOC_PATH, inside, line_ids, log_match, own_id, torn


@dataclass
class PullResult:
    written: list[str] = field(default_factory=list)    # logs and documents created
    appended: dict[str, int] = field(default_factory=dict)  # log -> lines appended
    kept: list[str] = field(default_factory=list)       # documents changed here: left alone

    @property
    def warnings(self) -> list[str]:
        return [f"{rel}: differs from the server's newest version, and the server never had "
                "this folder's; kept this folder's version (push it, or move it aside and "
                "pull again)" for rel in self.kept]


def pull(project: Project, con: Any) -> PullResult:
    """Everything this connection may see, into the folder. Plans every write first, so a
    row the folder cannot take (a path outside the known logs) writes nothing."""
    logs: dict[str, list[tuple[str, str]]] = {}
    for log, event_id, line in con.execute("SELECT log, event_id, line FROM events "
                                           "ORDER BY seq"):
        if not torn(line):  # a crash's garbage an older reviewkit pushed: not spread
            # an older reviewkit also kept an editor's byte-order mark in a first line
            logs.setdefault(log, []).append((event_id, line.removeprefix("\ufeff")))
    newest: dict[str, tuple[str, str, str]] = {}
    versions: dict[str, set[str]] = {}
    for path, content, sha in con.execute("SELECT path, content, sha256 FROM documents "
                                          "ORDER BY seq"):  # one snapshot: the newest last
        newest[path] = (path, content, sha)
        versions.setdefault(path, set()).add(sha)
    docs = list(newest.values())
    for rel in [*logs, *(d[0] for d in docs)]:
        if not (log_match(rel) or DOC_PATH.match(rel)) or ".." in rel.split("/"):
            raise ReviewkitError(f"the server holds a file reviewkit does not write: {rel!r}; "
                                 "nothing was pulled")
    plan_new: dict[str, bytes] = {}
    plan_append: dict[str, bytes] = {}
    out = PullResult()
    for rel, lines in logs.items():
        path = inside(project, rel)
        have = line_ids(rel, path.read_bytes()) if path.exists() else set()
        missing = _lacking(lines, have)
        if not path.exists():
            plan_new[rel] = "".join(line + "\n" for line in missing).encode("utf-8")
            continue
        if missing:
            data = "".join(line + "\n" for line in missing).encode("utf-8")
            plan_append[rel] = (b"\n" if ends_torn(path) else b"") + data
            out.appended[rel] = len(missing)
    for rel, content, sha in docs:
        path = inside(project, rel)
        if not path.exists():
            plan_new[rel] = content.encode("utf-8")
            continue
        local = hashlib.sha256(path.read_bytes()).hexdigest()
        if local == sha:
            continue
        if local in versions.get(rel, set()):
            plan_new[rel] = content.encode("utf-8")  # ours is an older version: replace it
        else:
            out.kept.append(rel)
    for rel, data in plan_new.items():
        write_bytes_atomic(inside(project, rel), data)
        out.written.append(rel)
    for rel, data in plan_append.items():
        _append(inside(project, rel), data)
    return out


def _lacking(lines: list[tuple[str, str]], have: set[str]) -> list[str]:
    """The server's lines of one log that are not in ``have`` (ids), each event once: known
    by its row's id or by the id the line holds (an older reviewkit stored a first line
    behind a byte-order mark under a derived id, and then the same event under its own)."""
    out = []
    for event_id, line in lines:
        own = own_id(line)
        if event_id in have or own in have:
            continue
        have |= {event_id, own} - {None}
        out.append(line)
    return out


def _append(path: os.PathLike, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_APPEND)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        os.fsync(fd)
    finally:
        os.close(fd)
