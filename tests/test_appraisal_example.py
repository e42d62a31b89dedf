"""The worked example reproduces the seed review's Table 3 (CASP counts)."""

from __future__ import annotations

import csv
import io
import json

from appraisal_support import section
from helpers import run_cli
from reviewkit.appraisal.checklist import get_checklist, load_checklist
from reviewkit.appraisal.records import load_appraisals
from reviewkit.appraisal.summary import final_appraisals, summary_rows
from reviewkit.project import find_project

from conftest import REPO, shared_path


def _published_counts() -> dict[str, dict[str, int]]:
    rows = section(shared_path("example/tompkins-2018.yaml"), "casp_summary")
    return {f"q{r['q']}": {k: r[k] for k in ("yes", "no", "cant_tell")} for r in rows}


def test_table3_counts_regenerated_from_example_files():
    published = _published_counts()
    project = find_project(REPO)
    checklist = get_checklist(project, "casp-qualitative")
    appraisals, warnings = final_appraisals(project, checklist)
    assert warnings == [] and len(appraisals) == 6
    ours = {r["question"]: {k: r[k] for k in ("yes", "no", "cant_tell")}
            for r in summary_rows(checklist, appraisals)}
    assert ours == published


def test_cli_summary_csv_has_question_text_and_one_column_per_option():
    published = _published_counts()
    res = run_cli("appraisal", "summary", "--format", "csv", cwd=REPO)
    assert res.returncode == 0, res.stderr
    reader = csv.DictReader(io.StringIO(res.stdout))
    assert reader.fieldnames == ["question", "text", "yes", "no", "cant_tell"]
    rows = list(reader)
    assert {r["question"]: {k: int(r[k]) for k in ("yes", "no", "cant_tell")}
            for r in rows} == published
    assert rows[6]["text"] == "Have ethical issues been taken into consideration?"


def test_cli_summary_json_and_md():
    res = run_cli("appraisal", "summary", "--format", "json", cwd=REPO)
    assert res.returncode == 0, res.stderr
    data = json.loads(res.stdout)
    assert data[7] == {"question": "q8", "text": "Was the data analysis sufficiently rigorous?",
                       "yes": 3, "no": 0, "cant_tell": 3}
    res = run_cli("appraisal", "summary", "--format", "md", cwd=REPO)
    assert "| q10 | How valuable is the research? | 5 | 0 | 1 |" in res.stdout


def test_illustrative_split_is_marked_in_every_file_where_only_totals_exist():
    project = find_project(REPO)
    records = load_appraisals(project)
    assert len(records) == 6
    for a in records:
        text = a.path.read_text("utf-8")
        assert "ILLUSTRATIVE" in text
        for qid in ("q7", "q8", "q10"):
            assert "Illustrative split, not from the paper" in a.answers[qid].comment
        for qid in ("q1", "q6", "q9"):
            assert a.answers[qid].comment == ""


def test_example_checklist_carries_licence_and_attribution():
    checklist = get_checklist(find_project(REPO), "casp-qualitative")
    assert checklist.version == "2018"
    assert "CC BY-NC-SA" in checklist.licence
    assert "Critical Appraisal Skills Programme" in checklist.attribution
    notice = (REPO / "casp" / "NOTICE").read_text("utf-8")
    assert "CC BY-NC-SA 3.0" in notice and "MIT" in notice
    assert (REPO / "casp" / "LICENSE").is_file()
    # in the package the CASP text is only in data files that carry its licence, beside
    # a NOTICE naming them; never in code or templates (MIT)
    src = REPO / "src" / "reviewkit"
    holding = [p for p in src.rglob("*") if p.is_file() and p.suffix in (".py", ".yaml", ".j2")
               and "clear statement of the aims" in p.read_text("utf-8", "ignore")]
    assert holding and all(p.suffix == ".yaml" for p in holding)
    for path in holding:
        assert "CC BY-NC-SA" in load_checklist(path).licence
        assert path.name in (path.parent / "NOTICE").read_text("utf-8")
        assert "Attribution-NonCommercial-ShareAlike" in (path.parent / "LICENSE").read_text()
