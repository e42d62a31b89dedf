"""A consensus's comments are the team's notes, not its answers: a re-run whose answers
are the same leaves the file as it is even when a comment was typed into it (or a
reviewer commented afterwards), and --replace keeps the notes on answers it does not
change."""

from __future__ import annotations

import pytest
import yaml

from appraisal_support import (
    all_answers,
    appraisal_text,
    consensus_over_draft,
    mini_project,
    write,
)
from helpers import run_cli, snapshot


def _comment(path, qid: str, text: str) -> None:
    data = yaml.safe_load(path.read_text("utf-8"))
    entry = data["answers"][qid]
    value = entry["answer"] if isinstance(entry, dict) else entry
    data["answers"][qid] = {"answer": value, "comment": text}
    path.write_text(yaml.safe_dump(data, sort_keys=False), "utf-8")


def _agreed_on_q7(tmp_path):
    """ann and bob differ on q7 only; their consensus takes ann's answer."""
    project = mini_project(tmp_path)
    write(project, "casp/s1/ann.yaml", appraisal_text(all_answers(q7="no")))
    write(project, "casp/s1/bob.yaml", appraisal_text(all_answers(q7="cant_tell")))
    r = run_cli("appraisal", "consensus", "s1", "--set", "q7=no", cwd=project.root)
    assert r.returncode == 0 and r.stdout.strip() == "wrote casp/s1/consensus.yaml", r.stderr
    return project.root


@pytest.mark.parametrize("where, qid", [("consensus", "q7"), ("bob", "q3")])
def test_a_comment_is_not_a_difference(tmp_path, where, qid):
    """A note typed into the consensus, or one a reviewer adds to their own record later."""
    root = _agreed_on_q7(tmp_path)
    _comment(root / f"casp/s1/{where}.yaml", qid, "agreed at the meeting of 3 May")
    kept = snapshot(root)
    r = run_cli("appraisal", "consensus", "s1", "--set", "q7=no", cwd=root)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "unchanged casp/s1/consensus.yaml"
    assert snapshot(root) == kept


def test_replace_names_only_changed_answers_and_keeps_the_other_notes(tmp_path):
    root = _agreed_on_q7(tmp_path)
    sheet = root / "casp/s1/consensus.yaml"
    _comment(sheet, "q1", "aims on p.3")
    kept = snapshot(root)
    r = run_cli("appraisal", "consensus", "s1", "--set", "q7=@bob", cwd=root)
    assert r.returncode == 2
    assert r.stderr.strip() == ("error: casp/s1/consensus.yaml: already holds a consensus "
                                "that differs on q7: give --replace to overwrite it")
    assert snapshot(root) == kept
    r = run_cli("appraisal", "consensus", "s1", "--set", "q7=@bob", "--replace", cwd=root)
    assert r.returncode == 0, r.stderr
    data = yaml.safe_load(sheet.read_text("utf-8"))
    assert data["answers"]["q7"] == {"answer": "cant_tell"}
    assert data["answers"]["q1"] == {"answer": "yes", "comment": "aims on p.3"}


def test_a_draft_consensus_typed_by_hand_is_not_overwritten(tmp_path):
    """The team began the agreed record by hand (status: draft); a consensus run that
    answers otherwise is refused unless --replace; one that fills it in keeps its notes."""
    data = consensus_over_draft(tmp_path, "appraisal", {
        "casp/s1/ann.yaml": appraisal_text(all_answers(q7="no")),
        "casp/s1/bob.yaml": appraisal_text(all_answers(q7="cant_tell")),
        "casp/s1/consensus.yaml": "checklist: casp-qualitative\nstatus: draft\nanswers:\n"
                                  "  q7: {answer: 'no', comment: consent forms not shown}\n"},
        "q7=cant_tell", "q7=no", "q7")
    assert data["status"] == "final" and len(data["answers"]) == 10
    assert data["answers"]["q7"] == {"answer": "no", "comment": "consent forms not shown"}
