"""The screener's live stopping test is `screen stop`'s, on the same decisions: a record
counts once with its current decision, in the order first decided, and a maybe counts as
relevant until settled (re-decisions, undos and resolutions included)."""

from __future__ import annotations

from reviewkit.screening import Screening, ScreenSession, resolve, stopping
from reviewkit.screening.events import decision_event
from reviewkit.screening.log import append_events, log_path
from reviewkit.store import open_store
from screener_support import STAGE, ranked_project


def _compare(session, project) -> dict:
    assert session.live.wait(60) and not session.live.stop_error
    session.refresh()
    live = session.stop_status
    cli = stopping(Screening(project, open_store(project.store_path)), STAGE, "ana")
    keys = ("screened", "relevant_found", "total", "p_value", "criterion_met",
            "recall_lower_bound", "consecutive_irrelevant")
    assert {k: getattr(live, k) for k in keys} == {k: cli[k] for k in keys}
    return cli


def test_the_live_stopping_test_counts_what_screen_stop_counts(tmp_path):
    project, store = ranked_project(tmp_path, ("ana", "ben", "cleo"))
    units = Screening(project, store).eligible(STAGE)
    acne = [u for u in units if u.startswith("bluelight-")]
    # before the sitting: ana's maybe that a third person settled as exclude, and one
    # that is still open (ben excluded it: a conflict)
    settled, open_maybe = acne[0], acne[1]
    for who, decisions in (("ana", [(settled, "maybe"), (open_maybe, "maybe")]),
                           ("ben", [(settled, "exclude"), (open_maybe, "exclude")])):
        append_events(log_path(project, STAGE, who),
                      [decision_event(STAGE, who, u, d) for u, d in decisions])
    resolve(Screening(project, store), STAGE, settled, "exclude", "cleo")

    session = ScreenSession(project, open_store(project.store_path), "ana")
    session.go_live()
    first = _compare(session, project)
    assert first["screened"] == 2 and first["relevant_found"] == 1  # the settled maybe: 0
    acne_set = set(acne)
    for _ in range(15):
        session.decide("include" if session.current() in acne_set else "exclude")
    _compare(session, project)
    redo = session.log.stack[-3]["record"]     # changed without an undo: counts once
    assert session.jump(redo) and session.current() == session.screening.unit_of(redo)
    session.decide("maybe")
    session.decide("include")
    session.undo()                             # the include taken back
    after = _compare(session, project)
    assert after["screened"] == 2 + 15         # every record once, however often decided
    session.close()
