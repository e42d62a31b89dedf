"""One reviewer's differing decisions on two records later linked as one study: reported
(status, doctor, screen commands) rather than the later winning in silence, until the
reviewer decides the study again."""

from __future__ import annotations

from helpers import run_cli, snapshot
from reviewkit.dedup.run import run_dedup
from reviewkit.screening import Screening, ScreenSession
from reviewkit.screening.duplicates import mark_duplicate
from reviewkit.screening.events import decision_event
from reviewkit.screening.listing import bulk_decide
from reviewkit.screening.log import append_events, log_path, read_events
from test_screening_support import screening_project

TA = "title-abstract"


def _decide(project, reviewer: str, record: str, decision: str, reason: str = "") -> None:
    append_events(log_path(project, TA, reviewer),
                  [decision_event(TA, reviewer, record, decision, reason, via="test")])


def _linked_after_deciding(tmp_path, second: str = "exclude"):
    """ana includes record a and decides record b (second); then a and b are linked."""
    project, store = screening_project(tmp_path)
    a, b = Screening(project, store).eligible(TA)[:2]
    _decide(project, "ana", a, "include")
    _decide(project, "ana", b, second)
    mark_duplicate(project, a, b, "ben")
    run_dedup(project, store)
    return project, store, a, b


def test_differing_decisions_on_records_linked_later_are_reported(tmp_path):
    project, store, a, b = _linked_after_deciding(tmp_path)
    screening = Screening(project, store)
    unit = screening.unit_of(a)
    assert screening.unit_of(b) == unit  # one study now
    found = screening.self_conflicts()
    assert len(found) == 1
    assert found[0].file.endswith("title-abstract/ana.jsonl") and found[0].line == 2
    assert a in found[0].message and b in found[0].message and "ana" in found[0].message
    assert "include" not in found[0].message and "exclude" not in found[0].message  # blind
    assert found[0] in screening.problems()
    # what counts is unchanged: the later decision
    assert screening.state(TA).log("ana").current(unit)["decision"] == "exclude"


def test_the_same_decision_on_both_is_no_conflict(tmp_path):
    project, store, *_ = _linked_after_deciding(tmp_path, second="include")
    assert Screening(project, store).self_conflicts() == []


def test_changing_ones_mind_on_one_record_is_no_conflict(tmp_path):
    project, store = screening_project(tmp_path)
    a = Screening(project, store).eligible(TA)[0]
    _decide(project, "ana", a, "include")
    _decide(project, "ana", a, "exclude")
    assert Screening(project, store).self_conflicts() == []


def test_deciding_the_study_again_in_the_screener_settles_it(tmp_path):
    project, store, a, b = _linked_after_deciding(tmp_path)
    session = ScreenSession(project, store, "ana")
    unit = session.screening.unit_of(a)
    assert session.jump(unit) == [unit]
    event = session.decide("exclude")  # the same decision again, knowing it is one study
    session.close()
    assert sorted(event["over"]) == sorted(
        e["id"] for e in read_events(log_path(project, TA, "ana"))[:2]
        if e["record"] != unit)
    assert Screening(project, store).self_conflicts() == []


def test_the_list_view_confirms_once_and_a_rerun_adds_nothing(tmp_path):
    project, store, a, _ = _linked_after_deciding(tmp_path)
    session = ScreenSession(project, store, "ana")
    unit = session.screening.unit_of(a)
    assert len(bulk_decide(session, [unit], "exclude")) == 1  # same as the later: written
    assert bulk_decide(session, [unit], "exclude") == []      # and once only
    session.close()
    assert Screening(project, store).self_conflicts() == []


def test_status_doctor_and_conflicts_name_it_and_write_nothing(tmp_path):
    project, store, a, b = _linked_after_deciding(tmp_path)
    store.close()
    before = snapshot(project.root)
    for args in (["status"], ["doctor"], ["screen", "conflicts"]):
        res = run_cli(*args, cwd=project.root)
        said = res.stdout + res.stderr
        assert res.returncode == (1 if args == ["doctor"] else 0), (args, said)
        assert "title-abstract/ana.jsonl:2" in said and b in said, (args, said)
    assert snapshot(project.root) == before


def test_a_log_merged_out_of_time_order_is_reported_until_decided_again(tmp_path):
    """ana decided on two machines; a pull (or a git merge) appended the earlier decision
    after the later one, so by file order the earlier counts."""
    project, store = screening_project(tmp_path)
    unit = Screening(project, store).eligible(TA)[0]
    later = decision_event(TA, "ana", unit, "exclude", via="test")
    earlier = {**decision_event(TA, "ana", unit, "include", via="test"),
               "at": "2020-01-01T00:00:00.000Z"}
    append_events(log_path(project, TA, "ana"), [later, earlier])
    found = Screening(project, store).self_conflicts()
    assert len(found) == 1 and found[0].line == 2
    assert "out of time order" in found[0].message and "2020-01-01" in found[0].message
    assert "include" not in found[0].message and "exclude" not in found[0].message
    same = {**decision_event(TA, "ana", unit, "exclude", via="test"),
            "at": "2020-01-01T00:00:00.000Z"}
    append_events(log_path(project, TA, "ben"), [later | {"reviewer": "ben"}, same
                                                 | {"reviewer": "ben"}])
    assert len(Screening(project, store).self_conflicts()) == 1  # ben's agree: nothing
    session = ScreenSession(project, store, "ana")
    session.jump(unit)
    session.decide("include")
    session.close()
    assert Screening(project, store).self_conflicts() == []
