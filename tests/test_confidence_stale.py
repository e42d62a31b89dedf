"""A CERQual worksheet made on other evidence than the finding has now is said, by file,
in the tables and the report: a study coded into the finding since, or one whose
segments left it. A study id that is no study at all is still refused."""

from __future__ import annotations

from pathlib import Path

from helpers import copy_example, run_cli, snapshot
from reviewkit.project.config import find_project
from reviewkit.reporting.report import build_report
from reviewkit.store import open_store

ROOT = Path(__file__).resolve().parents[1]
SHEET = "synthesis/cerqual/awareness/consensus.yaml"
STALE = "finding 'awareness' was assessed on other evidence"


def example(tmp_path: Path) -> Path:
    return copy_example(ROOT, tmp_path / "example")


def soqf(root: Path):
    return run_cli("synthesis", "soqf", "-f", "csv", cwd=root)


def test_an_assessment_made_before_a_study_joined_the_finding_is_said(tmp_path):
    root = example(tmp_path)
    assert STALE not in soqf(root).stderr  # as shipped: the marks match the evidence
    words = (root / "synthesis/sources/croft-2016-findings.txt").read_text()[240:300]
    r = run_cli("synthesis", "code", "croft-2016-findings", "--text", words,
                "--code", "awareness", "-r", "tompkins", cwd=root)
    assert r.returncode == 0, r.stderr
    r = soqf(root)
    assert r.returncode == 0, r.stderr
    assert f"{SHEET}: {STALE} (croft-2016 contributes now but is not marked in it)" \
        in r.stderr
    assert "reviewkit synthesis consensus awareness" in r.stderr
    project = find_project(root)
    report = build_report(project, open_store(project.store_path))
    assert sum(STALE in note for note in report.notes) == 1  # once, not once per table


def test_a_marked_study_that_no_longer_contributes_is_said_not_refused(tmp_path):
    root = example(tmp_path)
    sheet = root / SHEET
    text = sheet.read_text()
    assert "      welch-2013: direct\n" in text
    sheet.write_text(text.replace("      welch-2013: direct\n",
                                  "      welch-2013: direct\n      croft-2016: partial\n"))
    r = soqf(root)
    assert r.returncode == 0, r.stderr
    assert f"{STALE} (croft-2016 no longer contributes)" in r.stderr
    sheet.write_text(text.replace("      welch-2013: direct\n",
                                  "      welch-2013: direct\n      croft-2061: partial\n"))
    before = snapshot(root)
    r = soqf(root)  # no such study: a typo, refused at its line
    assert r.returncode == 2 and "Traceback" not in r.stderr
    line = 1 + sheet.read_text().split("\n").index("      croft-2061: partial")
    assert f"{SHEET}:{line}:" in r.stderr and "does not contribute" in r.stderr
    assert snapshot(root) == before


def test_status_names_an_assessment_made_on_other_evidence(tmp_path):
    root = example(tmp_path)
    assert STALE not in run_cli("status", cwd=root).stderr
    words = (root / "synthesis/sources/croft-2016-findings.txt").read_text()[240:300]
    r = run_cli("synthesis", "code", "croft-2016-findings", "--text", words,
                "--code", "awareness", "-r", "tompkins", cwd=root)
    assert r.returncode == 0, r.stderr
    r = run_cli("status", cwd=root)
    assert r.returncode == 0, r.stderr
    assert f"synthesis: {SHEET}: {STALE} (croft-2016 contributes now" in r.stderr


def test_status_with_a_broken_findings_file_says_so_and_shows_the_rest(tmp_path):
    root = example(tmp_path)
    findings = root / "synthesis/findings.yaml"
    findings.write_text(findings.read_text().replace("statement:", "statment:", 1))
    before = snapshot(root)
    r = run_cli("status", cwd=root)
    assert r.returncode == 0 and "Traceback" not in r.stderr
    assert "synthesis/findings.yaml" in r.stderr and "unknown key" in r.stderr
    assert "cannot be made until it is mended" in r.stderr
    assert "records" in r.stdout  # the rest of the status is still shown
    assert snapshot(root) == before
    assert run_cli("synthesis", "soqf", cwd=root).returncode == 2
