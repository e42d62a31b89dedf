"""The terminal coder in a real terminal: tmux at 80x24, keys sent, the screen read back.

Each action is checked on the screen (the picker and the codes here must be readable
at 80x24) and in the log; then the coder is killed with SIGKILL in the middle of an
action, and every action the screen showed as saved must be in the log; a torn last
line is reported and skipped by `synthesis status` and by the next sitting.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import signal
import subprocess
import sys
import time
import uuid

import pytest

from helpers import run_cli
from reviewkit.synthesis.codebook import load_codebook
from reviewkit.synthesis.coding import fold, read_coding
from synthesis_support import synth_project

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")
SOURCE = "callanan-2012-findings"


class Pane:
    """One tmux server of our own (its own socket), one 80x24 window."""

    def __init__(self, cwd, *args: str) -> None:
        self.socket = f"rk-{uuid.uuid4().hex[:8]}"
        env = {"PYTHONPATH": os.environ.get("PYTHONPATH", ""), "TERM": "xterm-256color"}
        command = "exec env " + " ".join(f"{k}={shlex.quote(v)}" for k, v in env.items()) + \
            " " + shlex.join([sys.executable, "-m", "reviewkit", *args])
        self.tmux("new-session", "-d", "-x", "80", "-y", "24", "-c", str(cwd), command)

    def tmux(self, *args: str) -> str:
        return subprocess.run(["tmux", "-L", self.socket, "-f", "/dev/null", *args],
                              capture_output=True, text=True, timeout=10, check=True).stdout

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p")

    def wait(self, *words: str, timeout: float = 20.0) -> str:
        """The screen once it shows every one of ``words`` (fails after ``timeout``)."""
        end = time.monotonic() + timeout
        while True:
            shown = self.screen()
            if all(w in shown for w in words):
                return shown
            if time.monotonic() > end:
                raise AssertionError(f"never showed {words!r}; the screen:\n{shown}")
            time.sleep(0.05)

    def keys(self, *keys: str, literal: str = "") -> None:
        if keys:
            self.tmux("send-keys", *keys)
        if literal:
            self.tmux("send-keys", "-l", literal)

    def pid(self) -> int:
        return int(self.tmux("display", "-p", "#{pane_pid}").strip())

    def alive(self) -> bool:
        return subprocess.run(["tmux", "-L", self.socket, "has-session"],
                              capture_output=True).returncode == 0

    def close(self) -> None:
        subprocess.run(["tmux", "-L", self.socket, "kill-server"], capture_output=True)


def log(project) -> list[dict]:
    path = project.root / "synthesis/coding/ann.jsonl"
    return [json.loads(x) for x in path.read_text("utf-8").splitlines()] if path.exists() else []


def types(project) -> list[str]:
    return [e["type"] for e in log(project)]


def test_coder_at_80x24_in_tmux_then_sigkill_and_a_torn_line(tmp_path):
    project = synth_project(tmp_path)
    pane = Pane(project.root, "synthesis", "code", SOURCE, "-r", "ann")
    try:
        first = pane.wait("no selection", "a apply")
        assert all(len(line) <= 80 for line in first.splitlines())
        pane.keys("s")  # select a sentence
        pane.wait("selected 37 chars")
        assert types(project) == []
        pane.keys("a")
        pane.wait("Apply code")  # typing goes to the picker once it is up
        pane.keys(literal="time")  # the fuzzy picker, filtered
        picker = pane.wait("Apply code", "› Time pressure  (time)")  # the first match
        assert "Autonomy" not in picker  # filtered out by the query
        pane.keys("Enter")
        pane.wait("Here: Time pressure", "applied time")
        assert types(project) == ["segment", "apply"]
        pane.keys("x")
        pane.wait("Here: no code", "removed time")
        assert types(project)[-1] == "remove"
        pane.keys("u")
        pane.wait("Here: Time pressure", "undone")
        assert types(project)[-1] == "undo"
        pane.keys("a")
        pane.wait("Apply code")
        pane.keys(literal="Xylophone")
        pane.wait("Enter: new code 'Xylophone'")
        pane.keys("Enter")
        pane.wait("Xylophone", "new code xylophone added")
        assert "xylophone" in load_codebook(project).codes and types(project)[-1] == "apply"
        pane.keys("m")
        pane.wait("Memo on the segment")
        pane.keys(literal="rushed?")
        pane.keys("Enter")
        pane.wait("Memo: rushed?", "memo saved")
        pane.keys("t")
        pane.wait("Type of the segment")
        pane.keys(literal="partic")
        pane.keys("Enter")
        here = pane.wait("participant quote · Memo: rushed?", "saved: participant quote")
        assert "Here: Time pressure; Xylophone" in here  # the codes here, readable
        saved = types(project)
        assert saved == ["segment", "apply", "remove", "undo", "apply", "memo", "describe"]
        # in the middle of the next action (its picker open, half typed): SIGKILL
        pane.keys("n")
        pane.wait("no selection")
        pane.keys("p", "a")
        pane.wait("Apply code")
        pane.keys(literal="tim")
        pane.wait("› Time pressure  (time)")
        os.kill(pane.pid(), signal.SIGKILL)  # delivered at once: the log can change no more
        assert types(project) == saved  # all the screen showed saved, nothing half
        seg = fold(project).segments[log(project)[0]["segment"]]
        assert seg.codes == {"time", "xylophone"} and seg.role == "participant quote"
    finally:
        pane.close()
    # the kill could have torn a write: a half line is reported and skipped
    with (project.root / "synthesis/coding/ann.jsonl").open("a", encoding="utf-8") as fh:
        fh.write('{"v": 1, "id": "torn", "type": "app')
    r = run_cli("synthesis", "status", "-f", "json", cwd=project.root)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)[0]["segments"] == 1
    assert "synthesis/coding/ann.jsonl:8: line cut short" in r.stderr
    again = Pane(project.root, "synthesis", "code", SOURCE, "-r", "ann")
    try:
        shown = again.wait("skipped 1 bad line", "1 segments")
        assert "ann.jsonl:8" in shown
        again.keys("n")  # on to the uncoded paragraph, code it
        again.wait("no selection")
        again.keys("p", "a")
        again.wait("Apply code")
        again.keys(literal="time")
        again.wait("› Time pressure  (time)")
        again.keys("Enter")
        again.wait("applied time", "2 segments")
        again.keys("q")
        end = time.monotonic() + 10
        while again.alive() and time.monotonic() < end:
            time.sleep(0.05)
        assert not again.alive()  # q quit the coder (and tmux with its only pane)
    finally:
        again.close()
    events, problems = read_coding(project)
    assert [e["type"] for e, _, _ in events][-2:] == ["segment", "apply"]
    assert [(p.line, "cut short" in p.message) for p in problems] == [(8, True)]
    assert len(fold(project).segments) == 2
