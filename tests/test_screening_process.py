"""Real screening processes: killed with SIGKILL, and two reviewers at once."""

from __future__ import annotations

import os
import signal
import sys

import pytest

from reviewkit.screening import Screening, ScreenSession, agreement
from reviewkit.screening.log import log_path, read_events
from reviewkit.store import open_store
from test_screening_support import screening_project, start_driver

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")


def _acknowledged(proc, until: int) -> list[tuple[str, str]]:
    """(key, record) for each decision the screener acknowledged, up to ``until``."""
    out = []
    for line in proc.stdout:
        parts = line.split()
        if parts and parts[0].isdigit():
            out.append((parts[1], parts[2]))
            if len(out) == until:
                break
        elif parts == ["done"]:
            break
    return out


def test_sigkill_after_n_decisions_loses_none(tmp_path):
    project, _ = screening_project(tmp_path)
    n = 12
    proc = start_driver(tmp_path, project.root, "ana", "ixm" * 10)  # 30 keys, killed midway
    try:
        acked = _acknowledged(proc, n)
        os.kill(proc.pid, signal.SIGKILL)    # no clean shutdown, no chance to flush
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert len(acked) == n, proc.stderr.read()
    assert proc.returncode == -signal.SIGKILL
    events = read_events(log_path(project, "title-abstract", "ana"))
    labels = {"i": "include", "x": "exclude", "m": "maybe"}
    # every acknowledged decision is on disk, in order (a few more may have landed)
    assert [(e["record"], e["decision"]) for e in events[:n]] == [
        (record, labels[key]) for key, record in acked]
    # restart: all N are there and the screener resumes right after the last one on disk
    session = ScreenSession(project, open_store(project.store_path), "ana")
    assert session.done == len(events) >= n
    assert session.current() == session.order[len(events)]


def test_two_reviewers_screen_the_same_folder_at_once(tmp_path):
    project, _ = screening_project(tmp_path)
    keys = {"ana": "ixmi" * 8, "ben": "iixm" * 8}        # 32 decisions each
    procs = {name: start_driver(tmp_path, project.root, name, k) for name, k in keys.items()}
    acked = {}
    try:
        for name, proc in procs.items():
            acked[name] = _acknowledged(proc, len(keys[name]))
    finally:
        for proc in procs.values():
            proc.kill()
            proc.wait(timeout=30)
    for name, proc in procs.items():
        assert len(acked[name]) == 32, proc.stderr.read()
        events = read_events(log_path(project, "title-abstract", name))
        assert [e["record"] for e in events] == [record for _, record in acked[name]]
        assert all(e["reviewer"] == name for e in events)
    # same seeded order: both judged the same 32 records, and agreement sees them all
    store = open_store(project.store_path)
    row = agreement(Screening(project, store))[0]
    assert (row["reviewer_a"], row["reviewer_b"], row["both"]) == ("ana", "ben", 32)
