"""The list view in a real terminal (tmux, 80x24): filter, bulk-exclude 20 with a reason, undo."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import uuid

import pytest

from helpers import new_project
from reviewkit.io.importer import import_files
from reviewkit.screening import add_reviewer
from reviewkit.screening.log import log_path, read_events

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")


PLACES = ["Alberta", "Bavaria", "Catalonia", "Dorset", "Epirus", "Flanders", "Galicia",
          "Hokkaido", "Iowa", "Jutland", "Kerala", "Lapland", "Murcia", "Nevada", "Ontario",
          "Patagonia", "Queensland", "Ragusa", "Sonora", "Tasmania"]
NAMES = ["Abbott", "Baker", "Chen", "Diaz", "Evans", "Fischer", "Garcia", "Hughes", "Ito",
         "Jones", "Kumar", "Lopez", "Moreau", "Nagy", "Okafor", "Patel", "Quinn", "Rossi",
         "Silva", "Tanaka", "Ueda", "Vogel", "Wang", "Xu", "Yilmaz", "Zhou", "Adams", "Brown",
         "Clark", "Dunn", "Ellis", "Ford", "Grant", "Hall", "Irwin"]


def _ris(n_fire: int, n_other: int) -> str:
    """Distinct records (dedup keeps them apart): n_fire about wildfire smoke."""
    out = []
    for i in range(n_fire + n_other):
        place = PLACES[i % len(PLACES)]
        title = (f"Wildfire smoke exposure and {['asthma', 'bronchitis'][i % 2]} admissions "
                 f"in {place}" if i < n_fire else
                 f"{['Personal budgets', 'Direct payments', 'Care planning'][i % 3]} for "
                 f"{['older people', 'carers', 'young adults'][i % 3 - 1]} in {place} "
                 f"{['services', 'councils', 'clinics'][i % 3 - 2]}")
        out.append(f"TY  - JOUR\nTI  - {title}\nAU  - {NAMES[i]}, A.\nPY  - {1990 + i}\n"
                   f"JO  - Journal {i}\nVL  - {i + 1}\nSP  - {10 * i + 1}\n"
                   f"AB  - A study of {title.lower()}.\nER  - \n")
    return "\n".join(out)


class Tmux:
    def __init__(self, cwd, command: list[str]) -> None:
        self.name = f"rk-{uuid.uuid4().hex[:8]}"
        env = f"PYTHONPATH={os.environ.get('PYTHONPATH', '')}"
        subprocess.run(["tmux", "new-session", "-d", "-s", self.name, "-x", "80", "-y", "24",
                        "-c", str(cwd), f"env TERM=xterm-256color {env} "
                        + " ".join(command)], check=True)

    def keys(self, *keys: str) -> None:
        subprocess.run(["tmux", "send-keys", "-t", self.name, *keys], check=True)

    def screen(self) -> str:
        return subprocess.run(["tmux", "capture-pane", "-p", "-t", self.name],
                              capture_output=True, text=True).stdout

    def wait(self, text: str, timeout: float = 20) -> str:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            shown = self.screen()
            if text in shown:
                return shown
            time.sleep(0.1)
        raise AssertionError(f"{text!r} never shown; screen:\n{self.screen()}")

    def wait_for(self, ok, timeout: float = 20) -> None:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if ok(self.screen()):
                return
            time.sleep(0.1)
        raise AssertionError(f"screen never ready:\n{self.screen()}")

    def close(self) -> None:
        subprocess.run(["tmux", "kill-session", "-t", self.name], capture_output=True)


def _input_focused(tmux: Tmux) -> bool:
    """The filter box has the cursor: tmux puts the terminal cursor in row 3 (0-based 2)."""
    out = subprocess.run(["tmux", "display", "-p", "-t", tmux.name, "#{cursor_y}"],
                         capture_output=True, text=True).stdout.strip()
    return out == "2"


def test_filter_bulk_exclude_twenty_and_undo_at_80x24(tmp_path):
    project, store = new_project(tmp_path, ("db", None))
    ris = tmp_path / "records.ris"
    ris.write_text(_ris(20, 15), "utf-8")
    import_files(project, store, [ris], "db")
    add_reviewer(project, "ana")
    store.close()
    tmux = Tmux(project.root, [sys.executable, "-m", "reviewkit", "screen", "--list",
                               "-r", "ana"])
    try:
        tmux.wait("35 shown")
        tmux.keys("/")
        tmux.wait_for(lambda _screen: _input_focused(tmux))
        tmux.keys("wildfire")
        tmux.wait("▊  wildfire")  # typed into the filter box, not the table
        tmux.keys("Enter")
        tmux.wait("20 shown")
        tmux.keys("X")
        tmux.wait("Exclude: why?")
        tmux.keys("5")  # the fifth reason of the defaults: not empirical
        shown = tmux.wait("Exclude 20 records")
        assert "filter: wildfire" in shown
        tmux.keys("y")
        shown = tmux.wait("(saved)")
        assert "20 records: exclude" in shown and "20/35 decided" in shown
        events = read_events(log_path(project, "title-abstract", "ana"))
        assert len(events) == 20
        assert {e["note"] for e in events} == {"bulk exclude, filter: wildfire"}
        assert {e["reason"] for e in events} == {"not empirical"}
        tmux.keys("u")
        shown = tmux.wait("taken back")
        assert "0/35 decided" in shown
        assert len(read_events(log_path(project, "title-abstract", "ana"))) == 40
        for line in shown.splitlines():
            assert len(line) <= 80
        tmux.keys("q")
    finally:
        tmux.close()
