"""reviewer list | remove, and work signed by someone not on the project is refused."""

from __future__ import annotations

import json

import pytest

from appraisal_support import mini_project
from fulltext_support import FT, TA, project_with_decisions
from helpers import run_cli, snapshot
from reviewkit.dedup.review import undo
from reviewkit.errors import ReviewkitError
from reviewkit.project.config import find_project
from reviewkit.screening import Screening, add_reviewer
from reviewkit.screening.reviewers import remove_reviewer, reviewer_rows


def test_list_then_remove_keeps_every_log_and_every_count(tmp_path):
    project, store, units = project_with_decisions(tmp_path)
    add_reviewer(project, "carl")
    toml = project.root / "reviewkit.toml"
    toml.write_text(toml.read_text().replace("reviewers = [", "# who screens\nreviewers = ["))
    res = run_cli("reviewer", "list", "-f", "json", cwd=project.root)
    rows = {r["reviewer"]: r for r in json.loads(res.stdout)}
    # 50 records: each of ana and ben decided all 50 at title/abstract, 6 at full text
    assert (rows["ana"][TA], rows["ana"][FT], rows["ana"]["on_project"]) == (50, 6, "yes")
    assert (rows["carl"][TA], rows["carl"][FT]) == (0, 0)
    logs = {p: p.read_bytes() for p in (project.root / "screening").rglob("ben.jsonl")}
    assert len(logs) == 2
    sought = Screening(project, store).eligible(FT)

    res = run_cli("reviewer", "remove", "ben", cwd=project.root)
    assert res.returncode == 0, res.stderr
    assert "kept their work (50 title-abstract, 6 full-text)" in res.stdout
    assert "screening/title-abstract/ben.jsonl" in res.stdout
    assert {p: p.read_bytes() for p in logs} == logs  # nothing lost
    text = toml.read_text()
    assert "# who screens" in text and "ben" not in text.split("reviewers =")[1].split("\n")[0]
    rows = {r["reviewer"]: r for r in reviewer_rows(find_project(project.root))}
    assert rows["ben"]["on_project"] == "no" and rows["ben"][TA] == 50
    # ben's decisions still count
    assert Screening(find_project(project.root), store).eligible(FT) == sought
    # a removed reviewer is refused from now on, in one line
    before = snapshot(project.root)
    res = run_cli("screen", "resolve", units[0], "include", "-r", "ben", cwd=project.root)
    assert res.returncode == 2 and "'ben' is not a reviewer" in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1 and snapshot(project.root) == before


def test_remove_someone_unknown_or_who_signed_records_is_refused(tmp_path):
    project = mini_project(tmp_path)
    (project.root / "casp" / "s1").mkdir()
    (project.root / "casp" / "s1" / "bob.yaml").write_text("checklist: casp-qualitative\n")
    before = snapshot(project.root)
    for name, said in (("zed", "'zed' is not a reviewer"), ("bob", "bob signed casp/s1/bob.yaml")):
        res = run_cli("reviewer", "remove", name, cwd=project.root)
        lines = res.stderr.strip().splitlines()
        assert res.returncode == 2 and len(lines) == 1 and said in lines[0], res.stderr
        assert snapshot(project.root) == before
    assert remove_reviewer(project, "ann").counts["appraisal"] == 0
    assert project.config.reviewers == ["bob"]


def test_appraisal_and_extraction_by_someone_not_on_the_project(tmp_path):
    project = mini_project(tmp_path)
    head = "study,reviewer,checklist," + ",".join(f"q{i}" for i in range(1, 11)) + "\n"
    sheet = tmp_path / "appraisals.csv"
    sheet.write_text(head + "s1,zed,casp-qualitative," + ",".join(["yes"] * 10) + "\n")
    form = tmp_path / "extractions.csv"
    form.write_text("study,reviewer,status,year\ns1,zed,draft,2016\n")
    before = snapshot(project.root)
    for args in (["appraisal", "import", str(sheet)], ["extraction", "import", str(form)]):
        res = run_cli(*args, cwd=project.root)
        lines = res.stderr.strip().splitlines()
        assert res.returncode == 2 and len(lines) == 1, res.stderr
        assert "'zed' is not a reviewer" in lines[0]
        assert snapshot(project.root) == before
    # a record written by hand under an outsider's name is refused when read
    (project.root / "casp" / "s1").mkdir()
    (project.root / "casp" / "s1" / "zed.yaml").write_text("checklist: casp-qualitative\n")
    res = run_cli("appraisal", "summary", cwd=project.root)
    assert res.returncode == 2 and "casp/s1/zed.yaml" in res.stderr
    assert "'zed' is not a reviewer" in res.stderr


def test_dedup_judgements_by_someone_not_on_the_project(tmp_path):
    project, store, units = project_with_decisions(tmp_path)
    before = snapshot(project.root)
    res = run_cli("dedup", "judge", units[0], units[1], "--same", "-r", "zed", cwd=project.root)
    lines = res.stderr.strip().splitlines()
    assert res.returncode == 2 and len(lines) == 1 and "'zed' is not a reviewer" in lines[0]
    assert snapshot(project.root) == before
    assert not (project.root / "dedup" / "judgements.jsonl").exists()
    with pytest.raises(ReviewkitError, match="'zed' is not a reviewer"):
        undo(project, store, (units[0], units[1]), "zed")  # the review screen's undo
    assert snapshot(project.root) == before
