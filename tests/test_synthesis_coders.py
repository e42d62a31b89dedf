"""Whose coding the outputs show: --coder, [synthesis] coders, and what always reads all."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from helpers import run_cli, snapshot
from reviewkit.project.config import find_project
from reviewkit.screening.reviewers import add_reviewer
from reviewkit.synthesis.edit import code_text
from reviewkit.synthesis.reconcile import reconcile
from synthesis_support import synth_project

A_SRC = "callanan-2012-findings"


@pytest.fixture
def project(tmp_path: Path):
    project = synth_project(tmp_path)
    add_reviewer(project, "lead")
    code_text(project, A_SRC, "Staff felt rushed.", "time", "ann")
    code_text(project, A_SRC, "Staff felt rushed.", "time", "bo")
    code_text(project, "b", "Nurses described time pressure.", "time", "ann")
    reconcile(project, "ann", "bo", "lead")  # lead gets the one passage both coded
    return project


def _time_row(project, *args: str) -> dict:
    r = run_cli("synthesis", "matrix", "-f", "csv", *args, cwd=project.root)
    assert r.returncode == 0, r.stderr
    return next(row for row in csv.DictReader(io.StringIO(r.stdout)) if row["code"] == "time")


def test_the_matrix_counts_each_coder_or_only_those_named(project):
    everyone = _time_row(project)
    # ann 2, bo 1, lead 1
    assert sum(int(everyone[s]) for s in ("callanan-2012", "smith-2015")) == 4
    lead = _time_row(project, "--coder", "lead")
    assert (lead["callanan-2012"], lead["smith-2015"]) == ("1", "0")
    both = _time_row(project, "--coder", "ann,bo")
    assert (both["callanan-2012"], both["smith-2015"]) == ("2", "1")


def test_reviewkit_toml_names_whose_coding_every_output_shows(project, tmp_path):
    conf = project.root / "reviewkit.toml"
    conf.write_text(conf.read_text("utf-8") + '\n[synthesis]\ncoders = ["lead"]\n', "utf-8")
    row = _time_row(project)
    assert (row["callanan-2012"], row["smith-2015"]) == ("1", "0")
    r = run_cli("synthesis", "quotes", "-f", "csv", cwd=project.root)
    assert len(list(csv.DictReader(io.StringIO(r.stdout)))) == 1
    from reviewkit.reporting.report.synthesis import synthesis_section

    tables, _, _ = synthesis_section(find_project(project.root))  # the report's section
    matrix = next(t for t in tables if t.name == "synthesis-matrix")
    assert any("coded by lead" in n for n in matrix.notes)
    assert sum(r["callanan-2012"] for r in matrix.rows) == 1
    # agreement compares the blind coders whatever the outputs show
    r = run_cli("synthesis", "agreement", "-f", "csv", cwd=project.root)
    assert r.returncode == 0 and "ann" in r.stdout and "bo" in r.stdout


@pytest.mark.parametrize("toml, args, words", [
    ("", ["--coder", "leed"], "no coding by leed"),
    ('\n[synthesis]\ncoders = "lead"\n', [], "coders is a list of reviewer names"),
])
def test_a_coder_with_no_coding_is_one_line(project, toml, args, words):
    conf = project.root / "reviewkit.toml"
    conf.write_text(conf.read_text("utf-8") + toml, "utf-8")
    find_project(project.root)
    before = snapshot(project.root)
    r = run_cli("synthesis", "matrix", *args, cwd=project.root)
    assert r.returncode == 2 and words in r.stderr, r.stderr
    assert len(r.stderr.strip().splitlines()) == 1 and snapshot(project.root) == before
