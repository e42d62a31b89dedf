"""A third reviewer who only settles conflicts: their resolutions are their work in
`reviewer list` (and in what `reviewer remove` keeps), and `status` does not show them
with every record "remaining" to screen."""

from __future__ import annotations

import json

from fulltext_support import TA, decide, project_with_decisions
from helpers import run_cli
from reviewkit.screening import add_reviewer


def test_a_resolver_is_counted_by_resolutions_not_listed_as_screening(tmp_path):
    project, store, units = project_with_decisions(tmp_path)
    decide(project, TA, "ben", {units[-1]: "include"})  # ana excluded it: a conflict
    add_reviewer(project, "cy")
    add_reviewer(project, "dee")  # on the project, nothing done yet
    store.close()
    root = project.root
    r = run_cli("screen", "resolve", units[-1], "exclude", "-r", "cy", "--reason",
                "wrong population", cwd=root)
    assert r.returncode == 0, r.stderr
    rows = {row["reviewer"]: row for row in
            json.loads(run_cli("reviewer", "list", "-f", "json", cwd=root).stdout)}
    assert (rows["cy"]["resolutions"], rows["cy"][TA]) == (1, 0)
    assert rows["ana"]["resolutions"] == 0 and rows["ana"][TA] == len(units)
    [status] = json.loads(run_cli("status", "-f", "json", cwd=root).stdout)
    screening = {(row["stage"], row["reviewer"]) for row in status["screening"]}
    assert (TA, "cy") not in screening  # settles conflicts; screens nothing
    assert (TA, "dee") in screening     # has not started: all remaining, truly
    r = run_cli("reviewer", "remove", "cy", cwd=root)
    assert r.returncode == 0 and "kept their work (1 resolutions)" in r.stdout


def test_calibration_progress_leaves_out_who_only_resolves(tmp_path):
    project, store, units = project_with_decisions(tmp_path)
    decide(project, TA, "ben", {units[-1]: "include"})
    add_reviewer(project, "cy")
    store.close()
    root = project.root
    assert run_cli("screen", "resolve", units[-1], "exclude", "-r", "cy", "--reason",
                   "wrong population", cwd=root).returncode == 0
    r = run_cli("screen", "calibrate", "--size", "3", "-f", "json", cwd=root)
    assert r.returncode == 0, r.stderr
    progress = json.loads(r.stdout)[0]["progress"]
    assert [p["reviewer"] for p in progress] == ["ana", "ben"]
