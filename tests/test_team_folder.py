"""The folder side of push (no server): which lines become rows, and under which id."""

from __future__ import annotations

import json

from reviewkit.team.folder import derived_id, rows_of

JUDGEMENTS = "dedup/judgements.jsonl"


def test_a_line_without_an_id_keeps_one_derived_id_as_the_log_grows():
    same = json.dumps({"a": "x/1", "b": "x/2", "same": True, "by": "ana"})
    data = f"{same}\n{same}\n".encode()
    rows, skipped = rows_of(JUDGEMENTS, data)
    assert skipped == []
    # the same text twice is two rows: the second is its second occurrence
    assert [r.event_id for r in rows] == [derived_id(JUDGEMENTS, same, 0),
                                          derived_id(JUDGEMENTS, same, 1)]
    assert len({r.event_id for r in rows}) == 2
    assert [(r.kind, r.reviewer) for r in rows] == [("judgement", "ana")] * 2
    grown, _ = rows_of(JUDGEMENTS, data + b'{"a": "x/1", "b": "x/2", "undo": true, "by": "ben"}\n')
    assert [r.event_id for r in grown[:2]] == [r.event_id for r in rows]
    assert (grown[2].kind, grown[2].reviewer) == ("undo", "ben")


def test_a_screening_log_belongs_to_its_file_and_a_cut_line_is_not_sent():
    log = "screening/title-abstract/ana.jsonl"
    line = json.dumps({"id": "e1", "type": "decision", "reviewer": "someone-else",
                       "record": "x/1", "decision": "include"})
    rows, skipped = rows_of(log, f'{line}\nnot json\n{{"id": "e2", "ty'.encode())
    assert [(r.event_id, r.reviewer, r.stage, r.record, r.kind, r.number) for r in rows] == [
        # filed as ana's, and "invalid": every reader of the folder skips a line naming
        # another reviewer, so the server must not count it as a decision either
        ("e1", "ana", "title-abstract", "x/1", "invalid", 1),
        (derived_id(log, "not json", 0), "ana", "title-abstract", None, "unreadable", 2)]
    assert rows[0].line == line  # the text exactly as written
    assert [(s.line, "without its newline" in s.why) for s in skipped] == [(3, True)]
    not_text, skipped = rows_of(log, b"\xff\xfe\n")
    assert not_text == [] and "not UTF-8" in skipped[0].why
