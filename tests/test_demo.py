"""`reviewkit demo` builds a whole review from the shipped CC0 records, and it adds up."""

from __future__ import annotations

import csv
from importlib import resources

import pytest

from helpers import run_cli
from reviewkit.demo import build_demo
from reviewkit.errors import ReviewkitError
from reviewkit.project.session import session
from reviewkit.reporting.prisma import check_invariants, project_counts
from reviewkit.screening import Screening


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    root = tmp_path_factory.mktemp("demo") / "review"
    return build_demo(root)


def shipped() -> list[dict]:
    text = resources.files("reviewkit.demo").joinpath("data/nagtegaal2019_sample.csv")
    return list(csv.DictReader(text.read_text("utf-8").splitlines()))


def test_dedup_finds_every_generated_overlap(demo):
    rows = shipped()
    assert demo.unique == len(rows) == 300
    assert demo.records > demo.unique  # the exports overlap


def test_screening_reproduces_the_published_inclusions(demo):
    # simulated reviewers slip, a third settles conflicts with the team's real decision
    assert demo.conflicts["title-abstract"] > 0
    assert demo.included == sum(r["label_fulltext"] == "1" for r in shipped())


def test_prisma_counts_add_up(demo):
    with session(demo.root) as (project, store):
        counts = project_counts(project, store)
        full_text = Screening(project, store).eligible("full-text")
    assert check_invariants(counts) == []
    assert counts.databases.value == demo.records
    assert counts.duplicates == demo.records - 300
    assert counts.screened == 300
    assert counts.dbr.sought == len(full_text)
    # both simulated reviewers can slip the same way: then no conflict flags it
    assert abs(counts.dbr.sought - sum(r["label_included"] == "1" for r in shipped())) <= 3
    assert counts.included_reports == counts.included_studies == demo.included


def test_appraisals_and_extractions_are_valid_files(demo):
    res = run_cli("appraisal", "summary", "--format", "csv", cwd=demo.root)
    assert res.returncode == 0, res.stderr
    lines = res.stdout.strip().splitlines()
    assert lines[0].startswith("question,text,yes,no,cant_tell") and len(lines) == 11
    res = run_cli("extraction", "table", "--format", "csv", cwd=demo.root)
    assert res.returncode == 0, res.stderr


def test_demo_rebuilds_its_own_folder_but_never_another_project(demo, tmp_path):
    again = build_demo(demo.root)  # re-running the README's command is safe
    assert (again.unique, again.included) == (demo.unique, demo.included)
    other = tmp_path / "mine"
    other.mkdir()
    (other / "reviewkit.toml").write_text("[review]\ntitle = 'mine'\n", "utf-8")
    with pytest.raises(ReviewkitError, match="already exists"):
        build_demo(other)
    assert (other / "reviewkit.toml").read_text("utf-8") == "[review]\ntitle = 'mine'\n"


def test_demo_codes_abstracts_and_its_report_shows_the_matrix(demo):
    res = run_cli("synthesis", "quotes", "--format", "csv", cwd=demo.root)
    assert res.returncode == 0 and "warning" not in res.stderr, res.stderr
    quotes = list(csv.DictReader(res.stdout.splitlines()))
    assert demo.segments > 0 and len({q["segment"] for q in quotes}) == demo.segments
    res = run_cli("synthesis", "matrix", "--format", "csv", cwd=demo.root)
    matrix = list(csv.DictReader(res.stdout.splitlines()))
    studies = [k for k in matrix[0] if k.startswith("study-")]
    assert len(studies) == 3  # three abstracts, three studies
    md = (demo.root / "report" / "report.md").read_text("utf-8")
    assert "## Synthesis" in md and "**Theme x study: coded segments per study**" in md
    for row in matrix:  # the report's matrix is the command's, row by row
        cells = [row["theme"], row["level"], *(row[s] for s in studies), row["studies"]]
        assert "| " + " | ".join(cells) + " |" in md, row["code"]
    assert (demo.root / "report" / "synthesis-heatmap.svg").is_file()
    # the second coder coded one source blind: agreement has something to measure
    res = run_cli("synthesis", "agreement", "--format", "csv", cwd=demo.root)
    assert res.returncode == 0 and "ana & ben" in res.stdout, res.stderr
