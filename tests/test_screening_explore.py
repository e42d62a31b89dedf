"""Screening bugs found by exploring the non-interactive commands (each test failed before
its fix): resolutions the decisions changed under, CSV round trips, calibration ids."""

from __future__ import annotations

import io

import pytest

from helpers import run_cli, snapshot
from reviewkit.dedup.run import run_dedup
from reviewkit.errors import ReviewkitError
from reviewkit.screening import Screening, conflicts, resolve
from reviewkit.screening.batch import export_assigned, import_decisions
from reviewkit.screening.calibration import calibration_report, draw_calibration
from reviewkit.screening.duplicates import mark_duplicate
from reviewkit.screening.events import decision_event, undo_event
from reviewkit.screening.log import append_events, log_path, read_events
from test_screening_support import screening_project

TA, FT = "title-abstract", "full-text"


def _decide(project, reviewer: str, unit: str, decision: str) -> dict:
    event = decision_event(TA, reviewer, unit, decision, via="test")
    append_events(log_path(project, TA, reviewer), [event])
    return event


@pytest.fixture
def settled(tmp_path):
    """ana includes, ben excludes, cleo settles it: include."""
    project, store = screening_project(tmp_path, ("ana", "ben", "cleo"))
    unit = Screening(project, store).eligible(TA)[0]
    _decide(project, "ana", unit, "include")
    _decide(project, "ben", unit, "exclude")
    resolve(Screening(project, store), TA, unit, "include", "cleo")
    assert unit in Screening(project, store).eligible(FT)
    return project, store, unit


def test_a_decision_changed_after_the_resolution_reopens_the_record(settled):
    project, store, unit = settled
    _decide(project, "ana", unit, "exclude")  # now both exclude: cleo's include is stale
    screening = Screening(project, store)
    assert screening.state(TA).outcome(unit) == "exclude"
    assert unit not in screening.eligible(FT)
    with pytest.raises(ReviewkitError, match="not a conflict"):
        resolve(screening, TA, unit, "include", "cleo")


def test_a_reopened_conflict_is_listed_again_with_the_earlier_resolution(settled):
    project, store, unit = settled
    _decide(project, "ben", unit, "maybe")  # still no agreement (exclude+maybe is open)
    _decide(project, "ana", unit, "exclude")
    screening = Screening(project, store)
    assert screening.state(TA).outcome(unit) == "conflict"
    rows = conflicts(screening, TA)
    assert [r["record_id"] for r in rows] == [unit]
    assert "cleo: include" in rows[0]["resolution"]
    assert "changed" in rows[0]["resolution"]
    resolve(screening, TA, unit, "exclude", "cleo")  # settled anew
    again = Screening(project, store)
    assert again.state(TA).outcome(unit) == "exclude" and conflicts(again, TA) == []


def test_undoing_the_change_brings_the_resolution_back(settled):
    project, store, unit = settled
    change = _decide(project, "ana", unit, "exclude")
    append_events(log_path(project, TA, "ana"), [undo_event(TA, "ana", change, via="test")])
    screening = Screening(project, store)
    assert screening.state(TA).outcome(unit) == "include"
    assert conflicts(screening, TA) == []


def test_saying_the_same_decision_again_keeps_the_resolution(settled):
    project, store, unit = settled
    _decide(project, "ana", unit, "include")  # a second look, the same decision
    screening = Screening(project, store)
    assert screening.state(TA).outcome(unit) == "include"
    assert conflicts(screening, TA) == [] and unit in screening.eligible(FT)


def test_resolving_again_the_same_way_writes_nothing(settled):
    project, store, unit = settled
    before = read_events(log_path(project, TA, "cleo"))
    resolve(Screening(project, store), TA, unit, "include", "cleo")
    assert read_events(log_path(project, TA, "cleo")) == before


@pytest.mark.parametrize("note", ["-unsure, check p. 3", "=see the protocol", "+1 from ben",
                                  "@ben: dose?"])
def test_re_importing_my_own_export_adds_nothing_and_keeps_the_note(tmp_path, note):
    project, store = screening_project(tmp_path)
    unit = Screening(project, store).eligible(TA)[0]
    _decide_with_note(project, unit, note)
    out = io.StringIO()
    export_assigned(Screening(project, store), TA, "ana", True, "csv", out)
    path = tmp_path / "mine.csv"
    path.write_text(out.getvalue(), encoding="utf-8")
    report = import_decisions(Screening(project, store), path, "ana", TA)
    assert (report.added, report.unchanged) == (0, 1)
    assert [e["note"] for e in read_events(log_path(project, TA, "ana"))] == [note]


def _decide_with_note(project, unit: str, note: str) -> None:
    event = decision_event(TA, "ana", unit, "include", note=note, via="test")
    append_events(log_path(project, TA, "ana"), [event])


def test_a_calibration_record_found_a_duplicate_later_still_counts(tmp_path):
    project, store = screening_project(tmp_path)
    sample = draw_calibration(Screening(project, store), TA, 8)
    mark_duplicate(project, sample[0], sample[1], "ana")  # the screener's 'd' key, later
    run_dedup(project, store)
    screening = Screening(project, store)
    for reviewer in ("ana", "ben"):
        append_events(log_path(project, TA, reviewer),
                      [decision_event(TA, reviewer, u, "exclude", via="test")
                       for u in screening.eligible(TA)])
    progress, pairs = calibration_report(Screening(project, store), TA)
    assert [(p["done"], p["sample"]) for p in progress] == [(7, 7), (7, 7)]  # 8 drawn, 2 one
    assert pairs[0]["both"] == 7


@pytest.mark.parametrize("args", [["screen", "agreement"], ["screen", "conflicts"],
                                  ["screen", "calibrate"], ["screen", "export", "-r", "ben"]])
def test_screen_commands_name_a_decision_on_a_record_that_is_gone(tmp_path, args):
    project, store = screening_project(tmp_path)
    units = Screening(project, store).eligible(TA)
    store.close()
    for reviewer in ("ana", "ben"):
        _decide(project, reviewer, units[0], "include")
    _decide(project, "ana", "wos-asysd-000000/gone", "include")  # counted for no record
    before = snapshot(project.root)
    res = run_cli(*args, cwd=project.root)
    warnings = [w for w in res.stderr.splitlines() if w.startswith("warning:")]
    assert res.returncode == 0 and len(warnings) == 1, res.stderr
    assert "title-abstract/ana.jsonl:2" in warnings[0] and "gone" in warnings[0]
    assert snapshot(project.root) == before


def test_a_filled_in_export_saved_by_a_spreadsheet_with_semicolons_imports(tmp_path):
    project, store = screening_project(tmp_path)
    unit = Screening(project, store).eligible(TA)[0]
    path = tmp_path / "excel.csv"  # Excel in a locale whose list separator is ';'
    path.write_text(f"\ufeffrecord_id;decision;reason;note\n{unit};Include;;a; b\n",
                    encoding="utf-8")
    with pytest.raises(ReviewkitError):  # four columns, five cells: refused, not guessed
        import_decisions(Screening(project, store), path, "ana", TA)
    path.write_text(f"\ufeffrecord_id;decision;reason;note\n{unit};Include;;\"a; b\"\n",
                    encoding="utf-8")
    assert import_decisions(Screening(project, store), path, "ana", TA).added == 1
    (event,) = read_events(log_path(project, TA, "ana"))
    assert (event["record"], event["decision"], event["note"]) == (unit, "include", "a; b")


def test_a_second_resolver_saying_otherwise_is_said_not_silent(tmp_path):
    from reviewkit.screening.review import resolved_line

    project, store = screening_project(tmp_path, ("ana", "ben", "cleo", "dan"))
    unit = Screening(project, store).eligible(TA)[0]
    _decide(project, "ana", unit, "include")
    _decide(project, "ben", unit, "exclude")
    first = resolve(Screening(project, store), TA, unit, "include", "cleo")
    assert "replaces" not in resolved_line(first)
    second = resolve(Screening(project, store), TA, unit, "exclude", "dan")
    assert "it replaces cleo: include" in resolved_line(second)
    assert second["replaces"] == first["id"]  # kept in the log: it came after cleo's
    screening = Screening(project, store)
    assert screening.state(TA).outcome(unit) == "exclude"  # the latest counts
    (row,) = conflicts(screening, TA, resolved=True)
    assert row["resolution"] == "dan: exclude (after cleo: include)"
    same = resolve(Screening(project, store), TA, unit, "exclude", "cleo")  # cleo agrees now
    assert "replaces" not in resolved_line(same)
    (row,) = conflicts(Screening(project, store), TA, resolved=True)
    assert row["resolution"] == "cleo: exclude"
