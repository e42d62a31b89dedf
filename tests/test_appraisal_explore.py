"""Appraisal bugs found by exploring the commands as a review team would."""

from __future__ import annotations

import pytest

from appraisal_support import all_answers, appraisal_text, mini_project, write
from helpers import run_cli, snapshot
from reviewkit.appraisal.checklist import get_checklist
from reviewkit.appraisal.compare import make_consensus
from reviewkit.appraisal.importer import import_appraisals
from reviewkit.appraisal.summary import final_appraisals
from reviewkit.errors import ReviewkitError

COHORT_IDS = ["q1", "q2", "q3", "q4", "q5a", "q5b", "q6a", "q6b", "q7", "q8", "q9", "q10",
              "q11", "q12"]


def cohort_text(value: str = "yes") -> str:
    return "checklist: casp-cohort\nstatus: final\nanswers:\n" + "".join(
        f'  {q}: "{value}"\n' for q in COHORT_IDS)


def test_importing_a_second_checklist_keeps_the_reviewers_first_appraisal(tmp_path):
    project = mini_project(tmp_path)
    first = write(project, "casp/s1/ann.yaml", appraisal_text(all_answers("no")))
    kept = first.read_bytes()
    path = tmp_path / "cohort.csv"
    path.write_text("study,reviewer,checklist," + ",".join(COHORT_IDS) + "\n"
                    "s1,ann,casp-cohort," + ",".join(["yes"] * len(COHORT_IDS)) + "\n", "utf-8")
    written = import_appraisals(project, path)
    assert first.read_bytes() == kept  # the casp-qualitative appraisal is not overwritten
    assert [p.name for p in written] == ["ann.casp-cohort.yaml"]
    qual = final_appraisals(project, get_checklist(project, "casp-qualitative"))[0]
    cohort = final_appraisals(project, get_checklist(project, "casp-cohort"))[0]
    assert [(a.study, a.value("q1")) for a in qual] == [("s1", "no")]
    assert [(a.study, a.value("q1")) for a in cohort] == [("s1", "yes")]
    # importing the same again leaves the record; --replace rewrites that record only
    again = import_appraisals(project, path)
    assert list(again) == [] and [p.name for p in again.unchanged] == ["ann.casp-cohort.yaml"]
    path.write_text(path.read_text("utf-8").replace(",yes\n", ",no\n"), "utf-8")
    with pytest.raises(ReviewkitError, match="ann.casp-cohort.yaml exists and says otherwise"):
        import_appraisals(project, path)
    import_appraisals(project, path, replace=True)
    assert first.read_bytes() == kept


def test_one_file_may_hold_two_checklists_for_one_reviewer(tmp_path):
    project = mini_project(tmp_path)
    path = tmp_path / "both.yaml"
    path.write_text(
        "- {study: s1, reviewer: ann, checklist: casp-qualitative, status: draft, "
        "answers: {q1: 'no'}}\n"
        "- {study: s1, reviewer: ann, checklist: casp-cohort, status: draft, "
        "answers: {q1: 'yes'}}\n", "utf-8")
    written = import_appraisals(project, path)
    assert sorted(p.name for p in written) == ["ann.casp-cohort.yaml", "ann.yaml"]
    again = tmp_path / "twice.yaml"
    again.write_text(path.read_text("utf-8").replace("casp-cohort", "casp-qualitative"), "utf-8")
    with pytest.raises(ReviewkitError, match="appears twice"):
        import_appraisals(project, again, replace=True)


def test_a_consensus_with_a_second_checklist_keeps_the_first_consensus(tmp_path):
    project = mini_project(tmp_path)
    first = write(project, "casp/s1/consensus.yaml", appraisal_text(all_answers("no")))
    kept = first.read_bytes()
    for reviewer in ("ann", "bob"):
        write(project, f"casp/s1/{reviewer}.casp-cohort.yaml", cohort_text())
    result = make_consensus(project, "s1", get_checklist(project, "casp-cohort"))
    assert result.path.name == "consensus.casp-cohort.yaml"
    assert first.read_bytes() == kept
    qual = final_appraisals(project, get_checklist(project, "casp-qualitative"))[0]
    assert [(a.reviewer, a.value("q1")) for a in qual] == [("consensus", "no")]
    # re-running writes the same record in the same place
    again = make_consensus(project, "s1", get_checklist(project, "casp-cohort"))
    assert again.path == result.path and first.read_bytes() == kept


def test_consensus_of_drafts_names_the_questions_nobody_answered(tmp_path):
    project = mini_project(tmp_path)
    write(project, "casp/s1/ann.yaml", appraisal_text({"q1": "yes", "q2": "no"}, "draft"))
    write(project, "casp/s1/bob.yaml", appraisal_text({"q1": "yes", "q2": "yes"}, "draft"))
    before = snapshot(project.root)
    res = run_cli("appraisal", "consensus", "s1", "--set", "q2=yes", cwd=project.root)
    assert res.returncode == 2 and "Traceback" not in res.stderr
    assert "no reviewer answered q3, q4, q5, q6, q7, q8, q9, q10" in res.stderr
    assert snapshot(project.root) == before
    # given each, the consensus is written; a label is stored as its option value
    sets = [a for q in range(3, 11) for a in ("--set", f"q{q}=Can't tell")]
    res = run_cli("appraisal", "consensus", "s1", "--set", "q2=Yes", *sets, cwd=project.root)
    assert res.returncode == 0, res.stderr
    record = final_appraisals(project, get_checklist(project, None))[0][0]
    assert record.reviewer == "consensus" and record.value("q2") == "yes"
    text = (project.root / "casp/s1/consensus.yaml").read_text("utf-8")
    assert "answer: cant_tell" in text and "Can't tell" not in text.split("\n", 2)[2]


@pytest.mark.parametrize("reviewers", [[], ["ann"]])
def test_compare_needs_two_reviewers_appraisals(tmp_path, reviewers):
    project = mini_project(tmp_path)
    for r in reviewers:
        write(project, f"casp/s1/{r}.yaml", appraisal_text(all_answers()))
    res = run_cli("appraisal", "compare", "s1", cwd=project.root)
    assert res.returncode == 2, res.stdout
    assert res.stderr.strip() == (f"error: a comparison needs two reviewers' appraisals of "
                                  f"'s1'; found {len(reviewers)}")
    assert "agree" not in res.stdout


def test_compare_one_reviewer_named_twice_is_not_an_agreement(tmp_path):
    project = mini_project(tmp_path)
    write(project, "casp/s1/ann.yaml", appraisal_text(all_answers()))
    write(project, "casp/s1/bob.yaml", appraisal_text(all_answers("no")))
    res = run_cli("appraisal", "compare", "s1", "--reviewers", "ann,ann", cwd=project.root)
    assert res.returncode == 2 and "found 1" in res.stderr


def test_a_csv_column_named_twice_is_refused_not_half_read(tmp_path):
    project = mini_project(tmp_path)
    path = tmp_path / "dup.csv"
    path.write_text("study,reviewer,checklist,q1,q2,q1\n"
                    "s1,ann,casp-qualitative,yes,no,no\n", "utf-8")
    before = snapshot(project.root)
    res = run_cli("appraisal", "import", str(path), cwd=project.root)
    assert res.returncode == 2
    assert res.stderr.strip() == f"error: {path}:1: column 'q1' is named twice (columns 4 and 6)"
    assert snapshot(project.root) == before


def test_a_csv_without_a_checklist_column_uses_the_projects_own_checklist(tmp_path):
    project = mini_project(tmp_path)  # casp/ holds one checklist of its own
    path = tmp_path / "plain.csv"
    path.write_text("study,reviewer,status,q1\ns1,ann,draft,yes\n", "utf-8")
    res = run_cli("appraisal", "import", str(path), cwd=project.root)
    assert res.returncode == 0, res.stderr
    text = (project.root / "casp/s1/ann.yaml").read_text("utf-8")
    assert "checklist: casp-qualitative" in text


def test_a_csv_without_a_checklist_says_how_to_name_one(tmp_path):
    project = mini_project(tmp_path)
    write(project, "casp/team.yaml", (project.root / "casp/casp-qualitative-2018.yaml")
          .read_text("utf-8").replace("id: casp-qualitative", "id: team", 1))
    path = tmp_path / "plain.csv"
    path.write_text("study,reviewer,status,q1\ns1,ann,draft,yes\n", "utf-8")
    before = snapshot(project.root)
    res = run_cli("appraisal", "import", str(path), cwd=project.root)
    assert res.returncode == 2 and "None" not in res.stderr
    assert res.stderr.startswith(f"error: {path}:2: ")
    assert "add a 'checklist' column or give --checklist" in res.stderr
    assert snapshot(project.root) == before


@pytest.mark.parametrize(("args", "expect"), [
    (["--kind", "summary", "--weight", "s1=2", "--weight", "s9=3"],
     "--weight 's9=3': s9 has no final casp-qualitative appraisal (appraised: s1, s2)"),
    (["--kind", "summary", "--weight", "s1=-1"], "a weight is a positive number, got 's1=-1'"),
    (["--kind", "summary", "--weight", "s1=nan"], "a weight is a positive number, got 's1=nan'"),
    (["--weight", "s1=2"], "--weight is for the summary plot (--kind summary)"),
])
def test_a_plot_weight_that_weighs_nothing_is_refused(tmp_path, args, expect):
    project = mini_project(tmp_path)
    write(project, "casp/s1/ann.yaml", appraisal_text(all_answers()))
    write(project, "casp/s2/ann.yaml", appraisal_text(all_answers("no")))
    res = run_cli("appraisal", "plot", str(tmp_path / "bar"), *args, cwd=project.root)
    assert res.returncode == 2 and res.stderr.strip() == f"error: field '--weight': {expect}"
    assert not list(tmp_path.glob("bar*"))


def test_an_appraisal_made_with_an_earlier_version_of_the_checklist_is_said(tmp_path):
    project = mini_project(tmp_path)
    write(project, "casp/s1/ann.yaml", "version: '2013'\n" + appraisal_text(all_answers()))
    write(project, "casp/s2/ann.yaml", appraisal_text(all_answers("no")))
    chosen, warnings = final_appraisals(project, get_checklist(project, None))
    assert [a.study for a in chosen] == ["s1", "s2"]  # still counted, and said
    assert warnings == ["s1: appraised with casp-qualitative version 2013; the checklist is "
                        "now version 2018 (check the answers still fit its questions)"]


def test_an_appraisal_file_ending_in_yml_is_named_not_left_out(tmp_path):
    project = mini_project(tmp_path)
    path = write(project, "casp/s1/ann.yml", appraisal_text(all_answers()))
    res = run_cli("appraisal", "summary", cwd=project.root)
    assert res.returncode == 2, res.stderr
    assert res.stderr.strip() == (f"error: {path}: appraisal files end in .yaml (rename it "
                                  "to ann.yaml)")
