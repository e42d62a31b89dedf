"""Log lines as git and editors leave them: found by exploring the project's state."""

from __future__ import annotations

import json

from helpers import run_cli
from reviewkit.dedup.judgements import append_judgement, judgement_problems, read_judgements
from reviewkit.dedup.judgements import log_path as judgements_path
from reviewkit.records.fileids import FileIds
from reviewkit.records.orphans import find_orphans
from reviewkit.screening import Screening, screening_problems
from reviewkit.screening.events import decision_event, undo_event
from reviewkit.screening.log import append_events, log_path, read_log
from reviewkit.store.sync import file_ids_path
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


BOM = b"\xef\xbb\xbf"


def test_a_log_saved_with_a_bom_keeps_its_first_decision_and_its_orphan_check(tmp_path):
    """An editor that saves UTF-8 with a BOM (Notepad) used to make line 1 'not a JSON
    line': the log's first decision was skipped by every reader, and an orphan there was
    never listed (the orphan scan could not read the line either)."""
    project, store = screening_project(tmp_path)
    unit = Screening(project, store).units[0].id
    path = log_path(project, TA, "ana")
    append_events(path, [decision_event(TA, "ana", unit, "include"),
                         decision_event(TA, "ana", "wos-gone/nothing", "exclude")])
    path.write_bytes(BOM + path.read_bytes())
    judged = judgements_path(project)
    append_judgement(project, unit, "wos-gone/other", True, "ana")
    judged.write_bytes(BOM + judged.read_bytes())

    assert Screening(project, store).state(TA).log("ana").current(unit)["decision"] == "include"
    assert screening_problems(project) == [] and judgement_problems(project) == []
    assert read_judgements(project) == {tuple(sorted((unit, "wos-gone/other"))): True}
    orphans = {(o.file, o.line, o.id) for o in find_orphans(project, store)}
    assert orphans == {("screening/title-abstract/ana.jsonl", 2, "wos-gone/nothing"),
                       ("dedup/judgements.jsonl", 1, "wos-gone/other")}


def test_a_file_id_map_saved_with_a_bom_or_crlf_is_read(tmp_path):
    """searches/file-ids.tsv with a BOM stopped every command ('expected file<TAB>key...'
    at line 1); with CRLF the path read as 'medline.ris\\r', so no path matched its line."""
    project, store = screening_project(tmp_path)
    ids_path = file_ids_path(project)
    before = FileIds.load(ids_path)
    assert before.by_path
    for damage in (lambda b: BOM + b, lambda b: b.replace(b"\n", b"\r\n")):
        original = ids_path.read_bytes()
        ids_path.write_bytes(damage(original))
        edited = ids_path.read_bytes()
        again = FileIds.load(ids_path)
        assert again.by_path == before.by_path and again.by_sha == before.by_sha
        res = run_cli("status", cwd=project.root)
        assert res.returncode == 0, res.stderr
        assert ids_path.read_bytes() == edited  # nothing new to say: nothing appended
        ids_path.write_bytes(original)
