"""People's logs are validated where they are read: a bad or torn line is reported with
file and line, and skipped by every reader the same way."""

from __future__ import annotations

import json

from helpers import new_project, run_cli, snapshot
from reviewkit.dedup.judgements import (
    append_judgement,
    judgement_orphans,
    judgement_problems,
    read_judgements,
)
from reviewkit.dedup.judgements import (
    log_path as judgements_path,
)
from reviewkit.io.importer import import_files
from reviewkit.screening import Screening, add_reviewer, agreement, conflicts, screening_problems
from reviewkit.screening.log import append_events, log_path, read_log
from reviewkit.screening.review import screening_status
from test_screening_support import screening_project

from conftest import export_file

TA = "title-abstract"


def _line(**event) -> str:
    return json.dumps({"type": "decision", "stage": TA, **event})


def _write(path, lines: list[str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(line + "\n" for line in lines), "utf-8")


def test_every_kind_of_bad_line_is_a_problem_with_its_line(tmp_path):
    path = tmp_path / "screening" / TA / "ana.jsonl"
    _write(path, [
        _line(id="e1", record="r1", decision="Include"),         # 1 typed by hand: accepted
        _line(id="e2", record="r2", decision="yes"),             # 2 unknown word
        _line(id="e3", decision="exclude"),                      # 3 no record
        _line(id="e4", record="r4", decision="exclude", reason=3),  # 4 wrong type
        json.dumps({"type": "verdict", "record": "r5"}),         # 5 unknown event type
        _line(id="e6", record="r6", decision="include", stage="final"),  # 6 other stage
        "include r7",                                            # 7 not JSON
        '{"type": "decision", "record": "r8", "dec',             # 8 torn, mid-file
        _line(id="e9", record="r9", decision="exclude"),         # 9 fine
        json.dumps({"type": "resolution", "record": "r1", "decision": "maybe"}),  # 10
    ])
    with path.open("ab") as fh:
        fh.write(b'{"type": "decision", "record": "r\xff')      # 11 torn and not UTF-8
    events, problems = read_log(path, TA)
    assert [(e["record"], e["decision"]) for e in events] == [("r1", "include"),
                                                              ("r9", "exclude")]
    assert [p.line for p in problems] == [2, 3, 4, 5, 6, 7, 8, 10, 11]
    text = [str(p) for p in problems]
    assert all(t.startswith(f"{path}:") for t in text)
    assert "unknown decision 'yes'" in text[0] and "record" in text[1]
    assert "'reason' must be text" in text[2] and "unknown event type 'verdict'" in text[3]
    assert "stage 'final'" in text[4] and "not a JSON line" in text[5]
    assert "cut short" in text[6] and "resolution" not in text[7] and "maybe" in text[7]
    assert "UTF-8" in text[8]


def test_a_hand_written_line_without_id_can_be_undone(tmp_path):
    path = tmp_path / "screening" / TA / "ana.jsonl"
    _write(path, [json.dumps({"type": "decision", "record": "r1", "decision": "exclude"})])
    (event,), problems = read_log(path, TA)
    assert problems == [] and event["id"] == "ana.jsonl:1" and event["reviewer"] == "ana"


def _judged_project(tmp_path):
    """Two reviewers on four records: three agree, one conflicts; then bad lines."""
    project, store = screening_project(tmp_path)
    units = [u.id for u in Screening(project, store).units][:5]
    for reviewer, decisions in (("ana", ["include", "exclude", "exclude", "include"]),
                                ("ben", ["include", "exclude", "exclude", "exclude"])):
        append_events(log_path(project, TA, reviewer),
                      [json.loads(_line(id=f"{reviewer}{n}", record=u, decision=d,
                                        reviewer=reviewer))
                       for n, (u, d) in enumerate(zip(units, decisions, strict=False))])
    ana = log_path(project, TA, "ana")
    with ana.open("a", encoding="utf-8") as fh:
        fh.write(_line(id="x1", record=units[4], decision="Include", reviewer="ana") + "\n")
        fh.write(_line(id="x2", record=units[4], decision="yes", reviewer="ana") + "\n")
        fh.write('{"type": "decision", "record": "' + units[3])   # torn last line
    return project, store, units


def test_every_reader_counts_the_same_events(tmp_path):
    project, store, units = _judged_project(tmp_path)
    screening = Screening(project, store)
    ana = log_path(project, TA, "ana")
    expected = [f"{ana}:6", f"{ana}:7"]
    assert [f"{p.file}:{p.line}" for p in screening.problems()] == expected
    assert [f"{p.file}:{p.line}" for p in screening_problems(project)] == expected
    (row,) = agreement(screening, TA)
    assert (row["both"], row["agree"]) == (4, 3)   # "Include" on units[4]: only ana judged it
    assert [c["record_id"] for c in conflicts(screening, TA)] == [units[3]]
    done = {r["reviewer"]: r["done"] for r in screening_status(project, store) if r["stage"] == TA}
    assert done == {"ana": 5, "ben": 4}
    assert screening.state(TA).log("ana").current(units[4])["decision"] == "include"


def test_screen_commands_warn_with_file_and_line_and_write_nothing(tmp_path):
    project, store, units = _judged_project(tmp_path)
    store.close()
    before = snapshot(project.root)
    rel = "screening/title-abstract/ana.jsonl"
    for args in (["screen", "agreement"], ["screen", "conflicts"],
                 ["screen", "export", "-r", "ben"]):
        result = run_cli(*args, cwd=project.root)
        assert result.returncode == 0, (args, result.stderr)
        warnings = [w for w in result.stderr.splitlines() if w.startswith("warning:")]
        assert len(warnings) == 2, (args, result.stderr)
        assert f"{rel}:6:" in warnings[0] and "unknown decision 'yes'" in warnings[0]
        assert f"{rel}:7:" in warnings[1] and "cut short" in warnings[1]
        assert "Traceback" not in result.stderr
    assert snapshot(project.root) == before
    # the report counts the hand-typed "Include" (it crashed with KeyError before)
    result = run_cli("report", "-o", str(tmp_path / "out"), cwd=project.root)
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    assert (tmp_path / "out" / "report.html").is_file()


# --- dedup/judgements.jsonl --------------------------------------------------------

CITAVI = "ris/scopus-via-citavi_asreview.txt"   # the method queues one pair of it
PAIR = ("scopus/h-6902fa79077f", "scopus/scopus-2-s2.0-77957803193")


def _dedup_project(tmp_path):
    project, store = new_project(tmp_path, ("scopus", None))
    import_files(project, store, [export_file(CITAVI)], "scopus")
    add_reviewer(project, "alice")
    store.close()
    return project


def test_a_torn_judgement_line_loses_nothing_after_it(tmp_path):
    project = _dedup_project(tmp_path)
    append_judgement(project, "x/1", "x/2", True, "alice")
    path = judgements_path(project)
    path.write_bytes(path.read_bytes()[:-9])                 # a kill mid-write
    a, b = PAIR
    result = run_cli("dedup", "judge", a, b, "--same", "-r", "alice", cwd=project.root)
    assert result.returncode == 0, result.stderr
    assert f"{path}:1: line cut short" in result.stderr     # the torn line, reported
    saved = read_judgements(project)  # saved, not lost; under the records' ids of today
    assert [(tuple(i.split("/")[1] for i in k), v) for k, v in saved.items()] == \
        [(("h-6902fa79077f", "scopus-2-s2.0-77957803193"), True)]
    append_judgement(project, "x/3", "x/4", False, "alice")
    assert len(read_judgements(project)) == 2
    lines = path.read_text("utf-8").splitlines()
    assert len(lines) == 3 and lines[1].startswith('{"a":') and lines[2].startswith('{"a":')
    # a torn or bad line anywhere: skipped and reported, never fatal
    with path.open("a", encoding="utf-8") as fh:
        fh.write('{"a": "x/5", "b": "x/6", "same": "yes"}\n{"a": "x/7"}\nnot json\n')
    problems = [(p.line, p.message.split(";")[0]) for p in judgement_problems(project)]
    assert problems == [(1, "line cut short (a write interrupted by a crash?)"),
                        (4, "'same' must be true or false"),
                        (5, "a judgement names two record ids (fields 'a' and 'b')"),
                        (6, "not a JSON line (edited by hand?)")]
    before = snapshot(project.root)
    result = run_cli("dedup", cwd=project.root)
    assert result.returncode == 0, result.stderr
    # line 3 names two records not in the project (x/3, x/4): not applied, and said so
    assert [w.split(": ")[1].rsplit(":", 1)[1] for w in result.stderr.splitlines()
            if w.startswith("warning:")] == ["1", "3", "3", "4", "5", "6"]
    assert snapshot(project.root) == before


def test_events_and_judgements_naming_unknown_records_are_listed_by_line(tmp_path):
    project, store, units = _judged_project(tmp_path)
    ana = log_path(project, TA, "ana")
    with ana.open("a", encoding="utf-8") as fh:
        fh.write("\n" + _line(id="o1", record="wos/gone", decision="include") + "\n")
    orphans = Screening(project, store).orphans()
    assert [(p.file, p.line) for p in orphans] == [(str(ana), 8)]
    assert "'wos/gone' is not in the project" in str(orphans[0])
    append_judgement(project, units[0], "wos/gone", True, "ana")
    append_judgement(project, units[0], units[1], True, "ana")
    found = judgement_orphans(project, lambda rid: store.get_record(rid) is not None)
    assert [(p.line, p.message) for p in found] == [(1, "record 'wos/gone' is not in the "
                                                        "project")]
