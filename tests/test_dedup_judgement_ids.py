"""A dedup judgement has an event id, as a screening decision has: a line that a merge
keeps twice (merge=union when both sides add it) counts once, so one undo withdraws it,
and a doubled undo does not withdraw two judgements."""

from __future__ import annotations

from helpers import new_project
from reviewkit.dedup.judgements import (
    append_judgement,
    append_undo,
    judgement_problems,
    log_path,
    read_judgements,
)

PAIR = ("medline/1", "embase/7")
KEY = tuple(sorted(PAIR))


def doubled_last_line(path) -> None:
    lines = path.read_bytes().splitlines(keepends=True)
    path.write_bytes(b"".join(lines) + lines[-1])


def test_a_judgement_kept_twice_by_a_merge_is_withdrawn_by_one_undo(tmp_path):
    project, _ = new_project(tmp_path)
    event = append_judgement(project, *PAIR, True, "ana")
    assert isinstance(event["id"], str) and event["id"]
    doubled_last_line(log_path(project))
    assert read_judgements(project) == {KEY: True}
    [problem] = judgement_problems(project)
    assert problem.line == 2 and problem.message.startswith("the same judgement as line 1 ")
    append_undo(project, *PAIR, "ana")
    assert read_judgements(project) == {}  # the copy did not outlive the undo


def test_an_undo_kept_twice_withdraws_one_judgement(tmp_path):
    project, _ = new_project(tmp_path)
    append_judgement(project, *PAIR, False, "ana")
    append_judgement(project, *PAIR, True, "ben")
    append_undo(project, *PAIR, "ben")
    doubled_last_line(log_path(project))
    assert read_judgements(project) == {KEY: False}  # ana's judgement stands
    assert [p.line for p in judgement_problems(project)] == [4]


def test_lines_written_before_ids_still_read_as_before(tmp_path):
    project, _ = new_project(tmp_path)
    path = log_path(project)
    path.parent.mkdir(parents=True, exist_ok=True)
    old = '{"a": "medline/1", "b": "embase/7", "same": true, "by": "ana"}\n'
    path.write_text(old + old)  # two lines, no ids: two judgements, as they always were
    append_undo(project, *PAIR, "ana")
    assert read_judgements(project) == {KEY: True}
    assert judgement_problems(project) == []
    path.write_text(old.replace('"by"', '"id": 7, "by"'))
    assert "field 'id' must be text" in judgement_problems(project)[0].message
