"""Bad checklists and bad answers give one clear error and change nothing; dual appraisal."""

from __future__ import annotations

import csv
import io

import pytest

from appraisal_support import CHECKLIST, all_answers, appraisal_text, mini_project, write
from helpers import run_cli, snapshot
from reviewkit.appraisal.checklist import get_checklist, load_checklist, shipped_checklist_files
from reviewkit.appraisal.compare import compare, make_consensus, study_appraisals
from reviewkit.appraisal.importer import import_appraisals
from reviewkit.appraisal.records import open_appraisal, set_answer
from reviewkit.appraisal.summary import final_appraisals, summary_rows
from reviewkit.errors import ReviewkitError

GOOD = CHECKLIST.read_text("utf-8")


@pytest.mark.parametrize(("change", "line", "expect"), [
    (("licence: CC BY-NC-SA 3.0 (https://creativecommons.org/licenses/by-nc-sa/3.0/)\n", ""),
     None, "field 'licence': required field is missing"),
    (("{id: q4,", "{id: q3,"), None, "question id 'q3' is used twice"),
    (("{value: \"no\", label: \"No\"", "{value: \"yes\", label: \"No\""), None,
     "an answer option is listed twice"),
    (("- {id: q9, text:", "- {id: q9, txet:"), 46,
     "field 'sections.1.questions.2.text': required field is missing"),
    (("research?\"}\n", "research?\"\n"), 36, "invalid YAML"),
    (("{id: q7, text", "{id: Q 7, text"), 44, "'Q 7': use lower-case"),
])
def test_bad_checklist_file_names_file_line_field_and_changes_nothing(tmp_path, change, line,
                                                                      expect):
    project = mini_project(tmp_path)
    path = project.root / "casp" / CHECKLIST.name
    assert change[0] in GOOD
    path.write_text(GOOD.replace(change[0], change[1], 1), "utf-8")
    with pytest.raises(ReviewkitError) as err:
        load_checklist(path)
    assert str(err.value).startswith(str(path)) and expect in str(err.value)
    if line:
        assert err.value.line == line
    before = snapshot(project.root)
    res = run_cli("appraisal", "summary", cwd=project.root)
    assert res.returncode == 2 and res.stderr.count("\n") == 1 and expect in res.stderr
    assert snapshot(project.root) == before


def test_domain_based_tool_fits(tmp_path):
    """A RoB 2-shaped tool: domains, signalling questions, judgements, an overall."""
    project = mini_project(tmp_path)
    write(project, "casp/rob.yaml", """
id: rob-like
title: Domain-based test tool
version: "1"
licence: CC0
attribution: written for this test
answers: [{value: y, label: "Yes"}, {value: n, label: "No"}, {value: ni, label: No information}]
sections:
  - id: d1
    title: Randomisation
    questions:
      - {id: d1_1, text: "Was the sequence random?"}
      - id: d1
        text: Risk of bias judgement
        judgement: true
        answers: &judgement
          - {value: low, label: Low}
          - {value: some, label: Some concerns}
          - {value: high, label: High}
overall: {id: overall, text: Overall risk of bias, answers: *judgement}
""")
    checklist = get_checklist(project, "rob-like")
    assert [q.id for q in checklist.plotted()] == ["d1", "overall"]
    write(project, "casp/s1/ann.rob-like.yaml",
          "checklist: rob-like\nanswers: {d1_1: n, d1: high, overall: high}\n")
    chosen, _ = final_appraisals(project, checklist)
    rows = summary_rows(checklist, chosen)
    assert rows[1] == {"question": "d1", "text": "Risk of bias judgement", "y": 0, "n": 0,
                       "ni": 0, "low": 0, "some": 0, "high": 1}
    write(project, "casp/s2/ann.rob-like.yaml",
          "checklist: rob-like\nanswers: {d1_1: n, d1: n, overall: high}\n")
    with pytest.raises(ReviewkitError, match="'n' is not an answer option .*low, some, high"):
        final_appraisals(project, checklist)


def test_answer_not_in_options_in_a_file_names_file_line_and_question(tmp_path):
    project = mini_project(tmp_path)
    path = write(project, "casp/s1/ann.yaml", appraisal_text(all_answers(q7="maybe")))
    before = snapshot(project.root)
    res = run_cli("appraisal", "summary", cwd=project.root)
    assert res.returncode == 2
    assert res.stderr.strip() == (f"error: {path}:10: field 'answers.q7': 'maybe' is not an "
                                  "answer option (expected yes, no, cant_tell)")
    assert snapshot(project.root) == before


@pytest.mark.parametrize(("text", "expect"), [
    (appraisal_text({"q1": "yes"}), "a final appraisal answers every question; missing: q2"),
    (appraisal_text({**all_answers(), "q11": "yes"}), "has no question 'q11'"),
    ("checklist: casp-qualitative\nanswers: {q1: yes}\nreviewer: bob\n", "says reviewer 'bob'"),
    ("checklist: jbi\nanswers: {}\n", "unknown checklist 'jbi'"),
    ("checklist: casp-qualitative\nstatus: done\n", "status must be draft or final"),
])
def test_other_bad_appraisal_files(tmp_path, text, expect):
    project = mini_project(tmp_path)
    write(project, "casp/s1/ann.yaml", text)
    res = run_cli("appraisal", "check", cwd=project.root)
    assert res.returncode == 2 and expect in res.stderr and "casp/s1/ann.yaml" in res.stderr


def test_bad_answer_through_the_library_changes_nothing(tmp_path):
    project = mini_project(tmp_path)
    checklist = get_checklist(project, None)
    record = open_appraisal(project, "s1", "ann", checklist)
    set_answer(project, record, checklist, "q1", "Yes", "aims on p. 2")
    before = record.path.read_bytes()
    with pytest.raises(ReviewkitError, match="'probably' is not an answer option"):
        set_answer(project, record, checklist, "q2", "probably")
    with pytest.raises(ReviewkitError, match="not in studies.toml"):
        open_appraisal(project, "nope", "ann", checklist)
    assert record.path.read_bytes() == before
    assert "draft" in before.decode() and "aims on p. 2" in before.decode()


def test_compare_and_consensus(tmp_path):
    project = mini_project(tmp_path)
    checklist = get_checklist(project, None)
    write(project, "casp/s1/ann.yaml", appraisal_text(all_answers(q7="no")))
    write(project, "casp/s1/bob.yaml", appraisal_text(all_answers(q7="cant_tell", q8="no")))
    records = study_appraisals(project, "s1", checklist)
    diffs = compare(records, checklist)
    assert [(d.question, d.answers) for d in diffs] == [
        ("q7", {"ann": "no", "bob": "cant_tell"}), ("q8", {"ann": "yes", "bob": "no"})]
    # reviewers disagree and there is no consensus: the study is left out, with a warning
    chosen, warnings = final_appraisals(project, checklist)
    assert [a.study for a in chosen] == [] and "s1: reviewers disagree" in warnings[0]
    before = snapshot(project.root)
    with pytest.raises(ReviewkitError, match="unresolved disagreements on q8"):
        make_consensus(project, "s1", checklist, {"q7": "yes"})
    with pytest.raises(ReviewkitError, match="'perhaps' is not an answer option"):
        make_consensus(project, "s1", checklist, {"q7": "perhaps", "q8": "@bob"})
    assert snapshot(project.root) == before
    res = run_cli("appraisal", "consensus", "s1", "--set", "q7=yes", "--set", "q8=@bob",
                  cwd=project.root)
    assert res.returncode == 0, res.stderr
    chosen, warnings = final_appraisals(project, checklist)
    assert chosen[0].reviewer == "consensus" and warnings == ["s2: no appraisal with "
                                                              "casp-qualitative; left out"]
    assert chosen[0].value("q7") == "yes" and chosen[0].value("q8") == "no"
    res = run_cli("appraisal", "compare", "s1", "--format", "csv", cwd=project.root)
    assert res.stdout.splitlines()[0] == "question,text,ann,bob"


def test_csv_import_all_or_nothing(tmp_path):
    project = mini_project(tmp_path)
    head = "study,reviewer,checklist," + ",".join(f"q{i}" for i in range(1, 11)) + ",q7_comment\n"
    good = "s1,ann,casp-qualitative," + ",".join(["yes"] * 10) + ",consent described\n"
    bad = "s2,ann,casp-qualitative," + ",".join(["yes"] * 6 + ["sort of"] + ["yes"] * 3) + ",\n"
    path = tmp_path / "in.csv"
    path.write_text(head + good + bad, "utf-8")
    before = snapshot(project.root)
    with pytest.raises(ReviewkitError) as err:
        import_appraisals(project, path)
    assert str(err.value) == (f"{path}:3: field 'answers.q7': study 's2', reviewer 'ann': "
                              "'sort of' is not an answer option (expected yes, no, cant_tell)")
    assert snapshot(project.root) == before
    path.write_text(head + good, "utf-8")
    assert len(import_appraisals(project, path)) == 1
    record = open_appraisal(project, "s1", "ann", get_checklist(project, None))
    assert record.status == "final" and record.answers["q7"].comment == "consent described"
    path.write_text(head + good.replace(",consent described", ",consent not described"),
                    "utf-8")
    with pytest.raises(ReviewkitError, match="exists and says otherwise \\(use --replace\\)"):
        import_appraisals(project, path)


def test_shipped_checklists_are_there_for_a_new_project_and_casp_overrides(tmp_path):
    r = run_cli("init", str(tmp_path / "x"), cwd=tmp_path)
    assert r.returncode == 0 and "casp-qualitative" in r.stdout, r.stderr
    root = tmp_path / "x"
    assert not (root / "casp" / "casp-qualitative-2018.yaml").exists()  # not copied
    r = run_cli("appraisal", "checklists", "--format", "csv", cwd=root)
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    assert {(row["id"], row["from"]) for row in rows} >= {("casp-qualitative", "reviewkit")}
    assert all(row["licence"] for row in rows)  # every shipped file names its licence
    # a project's own file with the same id replaces the shipped one
    own = (root / "casp" / "mine.yaml")
    shipped = next(p for p in shipped_checklist_files()
                   if p.name == "casp-qualitative-2018.yaml").read_text("utf-8")
    own.write_text(shipped.replace("title: CASP Qualitative Studies Checklist",
                                   "title: Our CASP"), "utf-8")
    r = run_cli("appraisal", "checklists", "--format", "csv", cwd=root)
    rows = {row["id"]: row for row in csv.DictReader(io.StringIO(r.stdout))}
    assert rows["casp-qualitative"]["title"] == "Our CASP"
    assert rows["casp-qualitative"]["from"] == "casp/"
