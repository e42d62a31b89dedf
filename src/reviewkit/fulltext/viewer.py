"""Open a record's full text in the system's viewer (or $REVIEWKIT_VIEWER)."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

from reviewkit.errors import ReviewkitError
from reviewkit.fulltext.attach import resolve_record
from reviewkit.fulltext.index import load_index, unit_files
from reviewkit.project.config import Project
from reviewkit.store.base import Store

VIEWER_ENV = "REVIEWKIT_VIEWER"


def fulltext_file(project: Project, store: Store, record_id: str,
                  members: list[str] | None = None) -> Path:
    """The file holding a record's full text (the indexed one first, then by name).

    ``members``: the record's duplicates too (a screening unit), any of which may hold it."""
    rid = resolve_record(store, record_id)
    members = [rid, *[x for x in members or [] if x != rid]]
    keyed = [(k, e) for k, e in load_index(project).items()  # an older id's entry too
             if k in members or store.resolve(k) in members]
    keyed.sort(key=lambda ke: members.index(ke[0]) if ke[0] in members else len(members))
    found = unit_files(project, keyed, members)
    if found:
        return found[0][1]
    raise ReviewkitError(f"no full text for {rid} yet (attach one: reviewkit fulltext attach "
                         f"{rid} FILE)")


def viewer_command() -> list[str]:
    """$REVIEWKIT_VIEWER (a command line), else the system's opener."""
    given = os.environ.get(VIEWER_ENV, "").strip()
    if given:
        try:
            return shlex.split(given)
        except ValueError as exc:  # an unbalanced quote
            raise ReviewkitError(f"not a command line ({str(exc).lower()}): {given!r}",
                                 field=VIEWER_ENV) from None
    name = "open" if sys.platform == "darwin" else "xdg-open"
    if shutil.which(name) is None:
        raise ReviewkitError(f"no viewer: {name} is not installed; set {VIEWER_ENV} to a "
                             "command that opens a file (e.g. evince)")
    return [name]


def open_fulltext(project: Project, store: Store, record_id: str,
                  members: list[str] | None = None) -> Path:
    """Start the viewer on the record's full text (not waited for); returns the file."""
    path = fulltext_file(project, store, record_id, members)
    command = viewer_command()
    try:
        subprocess.Popen([*command, str(path)], stdin=subprocess.DEVNULL,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                         start_new_session=True)
    except OSError as exc:
        raise ReviewkitError(f"cannot start the viewer {command[0]!r}: {exc.strerror}",
                             field=VIEWER_ENV) from None
    return path
