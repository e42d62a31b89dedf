"""The terminal UIs as a fast reviewer drives them: keys typed in one burst (tmux sends
them in one write, as a touch typist or a paste does), tiny terminals, odd records."""

from __future__ import annotations

import shutil
import sys

import pytest

from reviewkit.screening import Screening, ScreenSession
from reviewkit.screening.log import log_path, read_events
from reviewkit.store import open_store
from test_screening_list_tmux import Tmux
from test_screening_support import screening_project

tmux_needed = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")
STAGE = "title-abstract"


def _queue(project, reviewer: str = "ana", n: int = 3) -> list[str]:
    session = ScreenSession(project, open_store(project.store_path), reviewer)
    try:
        return list(session.order[:n])
    finally:
        session.close()


def _events(project, reviewer: str = "ana") -> list[dict]:
    path = log_path(project, STAGE, reviewer)
    return read_events(path) if path.exists() else []


@tmux_needed
def test_keys_typed_ahead_of_the_reason_box_and_the_note_box_are_not_lost(tmp_path):
    """"X1" in one go excludes with the first reason; "n", a note and Enter in one go
    save that whole note; "x" typed right after the note's Enter judges the record."""
    project, store = screening_project(tmp_path)
    first, second, third = _queue(project)
    reason = Screening(project, store).conf.reasons[0]  # what key 1 stands for
    store.close()
    tmux = Tmux(project.root, [sys.executable, "-m", "reviewkit", "screen", "-r", "ana"])
    try:
        tmux.wait(first)
        tmux.keys("X1")
        tmux.wait(second)
        tmux.keys("nfast note here", "Enter", "x")
        tmux.wait(third)
        tmux.keys("q")
    finally:
        tmux.close()
    events = _events(project)
    got = [(e["type"], e["record"], e.get("reason"), e.get("note")) for e in events]
    assert got[0] == ("decision", first, reason, ""), got
    assert got[1:] == [("note", second, None, "fast note here"),
                       ("decision", second, "", "")], got
