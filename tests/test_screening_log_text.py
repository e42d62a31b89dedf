"""Text no UTF-8 file or terminal can hold: a hand-written \\ud800 escape in a log line (a
traceback in `screen conflicts` before), and a pasted lone surrogate in a typed note."""

from __future__ import annotations

from helpers import run_cli, snapshot
from reviewkit.screening import Screening
from reviewkit.screening.events import decision_event, note_event
from reviewkit.screening.log import append_events, log_path, read_events
from test_screening_support import screening_project

TA = "title-abstract"


def _half_char_line(record: str) -> str:
    return ('{"v":1,"id":"half1","type":"decision","stage":"title-abstract","reviewer":"ana",'
            '"at":"2026-12-04T22:00:00.000Z","via":"hand","record":"' + record +
            '","decision":"include","reason":"","note":"bad \\ud800 note"}\n')


def test_a_lone_surrogate_escape_is_a_skipped_line_named_not_a_traceback(tmp_path):
    project, store = screening_project(tmp_path)
    units = Screening(project, store).eligible(TA)
    for reviewer, decision in (("ana", "include"), ("ben", "exclude")):
        append_events(log_path(project, TA, reviewer),
                      [decision_event(TA, reviewer, units[0], decision, via="test")])
    with log_path(project, TA, "ana").open("a", encoding="utf-8") as fh:
        fh.write(_half_char_line(units[1]))
    problems = Screening(project, store).problems()
    assert [(p.line, "half of a character" in p.message) for p in problems] == [(2, True)]
    store.close()
    before = snapshot(project.root)
    for args in (["screen", "conflicts"], ["screen", "conflicts", "--format", "csv"],
                 ["status"]):
        res = run_cli(*args, cwd=project.root)
        assert res.returncode == 0 and "Traceback" not in res.stderr, (args, res.stderr)
        assert "ana.jsonl:2: field 'note' holds half of a character" in res.stderr, res.stderr
    assert snapshot(project.root) == before


def test_a_pasted_lone_surrogate_in_a_note_is_written_as_a_replacement_character(tmp_path):
    project, store = screening_project(tmp_path)
    unit = Screening(project, store).eligible(TA)[0]
    events = [decision_event(TA, "ana", unit, "exclude", note="paste \udcff here", via="test"),
              note_event(TA, "ana", unit, "and \ud800", via="test")]
    append_events(log_path(project, TA, "ana"), events)
    back = read_events(log_path(project, TA, "ana"))
    assert [e["note"] for e in back] == ["paste \ufffd here", "and \ufffd"]
    assert decision_event(TA, "ana", unit, "include", note="\ud83d\ude00")["note"] == "😀"
