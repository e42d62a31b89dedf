"""Log lines as git and editors leave them: found by exploring the project's state."""

from __future__ import annotations

import json

from reviewkit.screening import Screening, screening_problems
from reviewkit.screening.events import decision_event, undo_event
from reviewkit.screening.log import append_events, log_path, read_log
from test_screening_support import screening_project

TA = "title-abstract"


def test_a_decision_line_kept_twice_by_a_merge_is_still_undone_by_one_undo(tmp_path):
    """An event id is one event (team mode keeps one row per id). A merge that kept both
    sides' copy of a line used to make the undo of that decision take back only one
    copy, so the decision stood although the screener said it was taken back."""
    project, store = screening_project(tmp_path)
    unit = Screening(project, store).units[0].id
    path = log_path(project, TA, "ana")
    event = decision_event(TA, "ana", unit, "include")
    append_events(path, [event])
    line = path.read_bytes()
    path.write_bytes(line + line)            # "accept both" in a merge tool
    append_events(path, [undo_event(TA, "ana", event)])

    log = Screening(project, store).state(TA).log("ana")
    assert log.current(unit) is None
    events, problems = read_log(path, TA)
    assert [e["type"] for e in events] == ["decision", "undo"]
    assert [(p.file, p.line) for p in problems] == [(str(path), 2)]
    assert "line 1" in problems[0].message
    assert [p.line for p in screening_problems(project)] == [2]


def test_two_different_lines_with_one_id_are_both_named(tmp_path):
    """Not a copy: a hand edit that reused an id. The later line is refused by its line."""
    path = tmp_path / "screening" / TA / "ana.jsonl"
    path.parent.mkdir(parents=True)
    lines = [{"id": "e1", "type": "decision", "record": "r1", "decision": "include"},
             {"id": "e1", "type": "decision", "record": "r2", "decision": "exclude"}]
    path.write_text("".join(json.dumps(e) + "\n" for e in lines), "utf-8")
    events, problems = read_log(path, TA)
    assert [e["record"] for e in events] == ["r1"]
    assert [p.line for p in problems] == [2]
    assert "'e1'" in problems[0].message and "line 1" in problems[0].message
