"""The screener's stopping test follows the project's [stopping] rule, as `screen stop` does."""

from __future__ import annotations

import json

from helpers import run_cli
from reviewkit.project import find_project
from reviewkit.ranking.stopping import DEFAULT_BIAS
from reviewkit.ranking.stopping_defaults import DEFAULT_CONFIDENCE
from reviewkit.screening import ScreenSession
from reviewkit.screening.live import stopping_now, stopping_options
from reviewkit.store import open_store
from test_screener_live import _project as ranked_project

RULE = "\n[stopping]\ntarget = 0.8\nconfidence = 0.9\nbias = 2.0\nheuristic_n = 5\n"


def _with_rule(project):
    """The project again, after its reviewkit.toml gained RULE."""
    conf = project.root / "reviewkit.toml"
    conf.write_text(conf.read_text() + RULE)
    return find_project(project.root)


def test_stopping_options_read_the_project_section(tmp_path):
    project, store = ranked_project(tmp_path)
    store.close()
    assert stopping_options(project) == {"target": 0.95, "confidence": DEFAULT_CONFIDENCE,
                                         "heuristic_n": 50, "bias": DEFAULT_BIAS}
    project = _with_rule(project)
    assert stopping_options(project) == {"target": 0.8, "confidence": 0.9,
                                         "heuristic_n": 5, "bias": 2.0}


def test_the_screener_tests_with_the_project_rule_like_screen_stop(tmp_path):
    project, store = ranked_project(tmp_path)
    store.close()
    project = _with_rule(project)
    session = ScreenSession(project, open_store(project.store_path), "ana")
    assert session.go_live() is not None
    said = []
    for i in range(12):
        decision = "include" if i < 3 else "exclude"
        session.decide(decision)
        said.append(int(decision == "include"))
    assert session.live.wait(60)
    session.refresh()
    st = session.stop_status
    assert st is not None
    assert (st.target, st.confidence, st.bias, st.heuristic_n) == (0.8, 0.9, 2.0, 5)
    want = stopping_now(said, session.total, **stopping_options(project))
    assert st.to_dict() == want.to_dict()
    # screen stop reads the same rule and, on the same decisions, gives the same test
    session.close()
    rows = json.loads(run_cli("screen", "stop", "-f", "json", cwd=project.root).stdout)
    row = next(r for r in rows if r["reviewer"] == "ana")
    assert {k: row[k] for k in want.to_dict()} == want.to_dict()
