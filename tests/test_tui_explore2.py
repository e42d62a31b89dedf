"""The terminal UIs as a fast reviewer drives them: keys typed in one burst (tmux sends
them in one write, as a touch typist or a paste does), tiny terminals, odd records."""

from __future__ import annotations

import shutil
import sys
import time

import pytest

from reviewkit.screening import Screening, ScreenSession
from reviewkit.screening.listing import bulk_decide, list_rows
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


@tmux_needed
def test_a_filter_typed_fast_after_slash_goes_into_the_box_and_undoes_nothing(tmp_path):
    """In the list view "/" then "ussr" in one go: before, "u" (undo bulk) took back the
    last bulk exclusion and the filter box stayed empty."""
    project, store = screening_project(tmp_path)
    session = ScreenSession(project, store, "ana")
    units = [row.unit for row in list_rows(session, "year:1980-2005")]
    bulk_decide(session, units, "exclude", "", "year:1980-2005")
    session.close()
    store.close()
    before = _events(project)
    tmux = Tmux(project.root, [sys.executable, "-m", "reviewkit", "screen", "--list",
                               "-r", "ana"])
    try:
        tmux.wait(f"{len(units)}/50 decided")
        tmux.keys("/ussr")
        shown = tmux.wait("▊  ussr")  # typed into the filter box
        tmux.keys("Enter")
        shown = tmux.wait("filter: ussr")
        assert f"{len(units)}/50 decided" in shown and "taken back" not in shown
        tmux.keys("q")
    finally:
        tmux.close()
    assert _events(project) == before  # nothing undone, nothing written


@tmux_needed
def test_a_bulk_exclusion_typed_in_one_go_still_waits_for_a_y_to_the_count(tmp_path):
    """"X1y" at once: the reason is taken (it was lost before), but the "y" came before
    the question with the count showed, so it answers nothing; a "y" to it writes."""
    project, store = screening_project(tmp_path)
    reason = Screening(project, store).conf.reasons[0]
    store.close()
    tmux = Tmux(project.root, [sys.executable, "-m", "reviewkit", "screen", "--list",
                               "-r", "ana"])
    try:
        tmux.wait("0/50 decided")
        tmux.keys("X1y")
        tmux.wait(f"Exclude 50 records ({reason})")
        time.sleep(0.5)
        assert _events(project) == []
        tmux.keys("y")
        tmux.wait("50 records: exclude (saved)")
        tmux.keys("q")
    finally:
        tmux.close()
    assert [e["reason"] for e in _events(project)] == [reason] * 50
