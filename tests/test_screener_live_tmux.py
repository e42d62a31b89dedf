"""The ranked screener in a real terminal (tmux, 80x24): the stopping verdict on the top
line, explained on ?, and the queue reranked by the reviewer's own decisions."""

from __future__ import annotations

import re
import shutil
import sys
import time

import pytest

from reviewkit.screening import Screening, ScreenSession
from reviewkit.screening.log import log_path, read_events
from reviewkit.store import open_store
from test_screener_live import _project as ranked_project
from test_screening_list_tmux import Tmux

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")

STAGE = "title-abstract"


def _shown(screen: str, units: set[str]) -> str | None:
    """The record id the screener shows (its own line under the source line)."""
    for line in screen.splitlines():
        word = line.strip()
        if word in units:
            return word
    return None


def _until(tmux: Tmux, ok, timeout: float = 20) -> str:
    """The screen once ``ok(screen)`` holds."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        screen = tmux.screen()
        if ok(screen):
            return screen
        time.sleep(0.1)
    raise AssertionError(f"screen never ready:\n{tmux.screen()}")


def _help(tmux: Tmux) -> str:
    tmux.keys("?")
    shown = tmux.wait("Keys")
    tmux.keys("Escape")
    tmux.wait_for(lambda s: "Keys" not in s)
    return shown


def test_stopping_on_the_top_line_help_and_a_record_moved_up_by_my_decisions(tmp_path):
    project, store = ranked_project(tmp_path)  # ana and ben; ben decides nothing
    units = Screening(project, store).eligible(STAGE)
    relevant = {u for u in units if u.startswith("bluelight-")}
    # the queue before any decision: nothing settled, so the seeded start
    start = ScreenSession(project, open_store(project.store_path), "ana").order
    store.close()
    tmux = Tmux(project.root, [sys.executable, "-m", "reviewkit", "screen", "-r", "ana"])
    try:
        first = tmux.wait("stop? not yet", timeout=60)
        top = first.splitlines()[0]
        assert "stop? not yet" in top and len(top) <= 80
        # decide as the truth says until one relevant and one irrelevant are known
        decided: list[str] = []
        while not (set(decided) & relevant and set(decided) - relevant):
            unit = _shown(tmux.screen(), set(units))
            assert unit is not None and unit not in decided
            tmux.keys("i" if unit in relevant else "x")
            tmux.wait_for(lambda s, u=unit: _shown(s, set(units)) not in (None, u))
            decided.append(unit)
        assert decided == start[:len(decided)]   # so far the seeded start order
        # the refit runs in the background; ? shows which ranking the queue follows
        end = time.monotonic() + 60
        while f"/n-{len(decided)}" not in (text := _help(tmux)):
            assert time.monotonic() < end, text
            time.sleep(0.3)
        assert "Stopping (top line" in text and "hypergeometric test" in text
        assert "a maybe counts as" in text and "never on a key" in text
        assert re.search(r"Last test: \d+ decisions, \d+ relevant, p = ", text)
        assert "Order: svm/" in text
        # the record on screen stayed; the ones after it come from the new ranking
        screen = tmux.screen()
        on_screen = _shown(screen, set(units))
        assert on_screen == start[len(decided)]
        tmux.keys("i" if on_screen in relevant else "x")
        decided.append(on_screen)
        after = []
        for _ in range(3):
            screen = _until(tmux, lambda s: _shown(s, set(units)) not in
                            (None, *decided, *after))
            unit = _shown(screen, set(units))
            after.append(unit)
            tmux.keys("i" if unit in relevant else "x")
        assert all(u in relevant for u in after), after   # learnt: relevant first
        moved = [u for u in after if start.index(u) > len(decided) + after.index(u)]
        assert moved, (after, [start.index(u) for u in after])  # came up the queue
        top = tmux.wait("recall ~").splitlines()[0]
        assert re.search(r"stop\? (not yet, recall ~\d+%|yes)", top) and len(top) <= 80
        for line in tmux.screen().splitlines():
            assert len(line) <= 80
        tmux.keys("q")
        tmux.wait_for(lambda s: "stop?" not in s)
    finally:
        tmux.close()
    events = [e for e in read_events(log_path(project, STAGE, "ana")) if e["type"] == "decision"]
    assert [e["record"] for e in events] == decided + after
    assert all(e["ranked_by"].startswith("svm/") for e in events[len(decided):])
