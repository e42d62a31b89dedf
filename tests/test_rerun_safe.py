"""Re-running a command is safe: the same decision, judgement, coding or memo given
twice is written once (and one undo still undoes it)."""

from __future__ import annotations

import pytest

from helpers import run_cli
from reviewkit.dedup.judgements import append_undo, read_judgements
from reviewkit.dedup.judgements import log_path as judgement_log
from reviewkit.dedup.run import record_judgement, run_dedup
from reviewkit.errors import ReviewkitError
from reviewkit.screening import Screening, ScreenSession, conflicts, resolve
from reviewkit.screening.batch import import_decisions
from reviewkit.screening.log import log_path, read_events
from reviewkit.synthesis.coding import fold
from reviewkit.synthesis.edit import add_memo, code_text
from synthesis_support import synth_project
from test_screening_support import screening_project

TA = "title-abstract"


def _lines(path) -> int:
    return len(path.read_text("utf-8").splitlines())


def test_resolving_a_conflict_twice_writes_one_line(tmp_path):
    project, store = screening_project(tmp_path, ("ana", "ben", "cleo"))
    for who, said in (("ana", "include"), ("ben", "exclude")):
        s = ScreenSession(project, store, who, TA)
        s.decide(said)
        s.close()
    record = conflicts(Screening(project, store), TA)[0]["record_id"]
    for _ in range(2):
        resolve(Screening(project, store), TA, record, "include", "cleo", note="call")
    assert len(read_events(log_path(project, TA, "cleo"))) == 1
    resolve(Screening(project, store), TA, record, "exclude", "cleo", reason="")
    events = read_events(log_path(project, TA, "cleo"))  # a change of mind is written
    assert [e["decision"] for e in events] == ["include", "exclude"]
    assert conflicts(Screening(project, store), TA, resolved=True)[0]["resolution"] == \
        "cleo: exclude"


def test_judging_a_pair_twice_writes_one_line_and_one_undo_undoes_it(tmp_path):
    project, store = screening_project(tmp_path, ("ana", "ben"))
    run_dedup(project, store)
    a, b = [r.id for r in store.iter_records()][:2]
    pair = tuple(sorted((a, b)))
    for _ in range(2):
        record_judgement(project, store, a, b, True, "ana")
    assert _lines(judgement_log(project)) == 1
    append_undo(project, a, b, "ana")
    assert pair not in read_judgements(project)  # the method decides again
    record_judgement(project, store, a, b, True, "ana")
    record_judgement(project, store, a, b, True, "ben")  # a second person's word is kept
    record_judgement(project, store, a, b, False, "ben")  # and a change of mind
    assert _lines(judgement_log(project)) == 5 and read_judgements(project)[pair] is False


def test_coding_the_same_words_twice_makes_one_segment(tmp_path):
    project = synth_project(tmp_path)
    first = code_text(project, "b", "time pressure", "time", "ann")
    again = code_text(project, "b", "time pressure", "time", "ann")
    assert again["already"] is True and again["segment"] == first["segment"]
    other = code_text(project, "b", "time pressure", "choice", "ann")  # a second code
    assert other["segment"] == first["segment"] and other["already"] is False
    bo = code_text(project, "b", "time pressure", "time", "bo")  # dual coding: bo's own
    coding = fold(project)
    assert len(coding.segments) == 2 and bo["segment"] != first["segment"]
    assert coding.segments[first["segment"]].codes == {"time", "choice"}
    res = run_cli("synthesis", "code", "b", "--text", "time pressure", "--code", "time",
                  "-r", "ann", cwd=project.root)
    assert res.returncode == 0 and "already coded time" in res.stdout, res.stderr
    assert len(fold(project).segments) == 2


def test_coding_the_same_words_with_another_role_is_refused_not_ignored(tmp_path):
    project = synth_project(tmp_path)
    first = code_text(project, "b", "time pressure", "time", "ann", role="participant quote")
    log = project.root / "synthesis" / "coding" / "ann.jsonl"
    before = log.read_bytes()
    said = "already has role 'participant quote', not 'author interpretation'"
    with pytest.raises(ReviewkitError, match=said):
        code_text(project, "b", "time pressure", "choice", "ann", role="author interpretation")
    with pytest.raises(ReviewkitError, match="already has page '', not '4'"):
        code_text(project, "b", "time pressure", "choice", "ann", page="4")
    assert log.read_bytes() == before  # nothing written: not a second code on the old role
    same = code_text(project, "b", "time pressure", "choice", "ann", role="participant quote")
    assert same["segment"] == first["segment"]  # the same role given again is a re-run
    res = run_cli("synthesis", "code", "b", "--text", "time pressure", "--code", "time",
                  "--role", "author interpretation", "-r", "ann", cwd=project.root)
    assert res.returncode == 2 and "Traceback" not in res.stderr
    assert "ann.jsonl:" in res.stderr and "already has role" in res.stderr


def test_the_same_memo_twice_is_one_memo(tmp_path):
    project = synth_project(tmp_path)
    for _ in range(2):
        add_memo(project, "code", "time", "Mostly nurses.", "ann")
    add_memo(project, "code", "time", "Mostly nurses, some carers.", "ann")
    assert [m.text for m in fold(project).memos] == ["Mostly nurses.",
                                                     "Mostly nurses, some carers."]
    res = run_cli("synthesis", "memo", "time", "Mostly nurses.", "--on", "code", "-r", "ann",
                  cwd=project.root)
    assert res.returncode == 0 and "already saved" in res.stdout, res.stderr
    assert len(fold(project).memos) == 2


def test_one_record_twice_in_a_decisions_file(tmp_path):
    project, store = screening_project(tmp_path, ("ana",))
    first, second = [r.id for r in store.iter_records()][:2]
    same = tmp_path / "same.csv"
    same.write_text(f"record_id,decision\n{first},include\n{second},exclude\n{first},include\n",
                    "utf-8")
    report = import_decisions(Screening(project, store), same, "ana", TA)
    assert report.added == 2  # the repeated identical row adds nothing
    clash = tmp_path / "clash.csv"
    clash.write_text(f"record_id,decision\n{second},include\n{first},exclude\n"
                     f"{second},exclude\n", "utf-8")
    log = log_path(project, TA, "ana")
    before = log.read_bytes()
    with pytest.raises(ReviewkitError, match="already has a row at line 2") as err:
        import_decisions(Screening(project, store), clash, "ana", TA)
    assert err.value.line == 4 and log.read_bytes() == before


def test_a_decisions_file_with_a_column_twice_is_refused(tmp_path):
    project, store = screening_project(tmp_path, ("ana",))
    first = next(iter(store.iter_records())).id
    path = tmp_path / "two.csv"
    path.write_text(f"record_id,decision,decision\n{first},include,exclude\n", "utf-8")
    with pytest.raises(ReviewkitError, match="column 'decision' appears twice") as err:
        import_decisions(Screening(project, store), path, "ana", TA)
    assert err.value.line == 1 and not log_path(project, TA, "ana").exists()
