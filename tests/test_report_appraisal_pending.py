"""The report's appraisal tables: an included study with no final appraisal yet is shown
as 'not yet appraised' (it was left out of both tables, as if it were not included)."""

from __future__ import annotations

import re

import pytest

from reviewkit.appraisal.checklist import get_checklist
from reviewkit.project.config import find_project
from reviewkit.project.session import session
from reviewkit.reporting.report import build_report, render_report
from reviewkit.reporting.review_tables import casp_matrix, casp_summary
from test_report import example_copy

PENDING = "not yet appraised"


@pytest.fixture
def pending(tmp_path):
    """The worked example with welch-2013 not appraised and cornes-2015 only a draft."""
    root = example_copy(tmp_path / "review")
    (root / "casp" / "welch-2013" / "consensus.yaml").unlink()
    draft = root / "casp" / "cornes-2015" / "consensus.yaml"
    text = draft.read_text("utf-8")
    assert "status: final" in text
    draft.write_text(text.replace("status: final", "status: draft"), "utf-8")
    return root


def _by_key(table) -> dict:
    labels = dict(table.columns)
    return {labels.get(k, k): k for k, _ in table.columns}


def test_the_matrix_has_a_row_for_each_study_not_yet_appraised(pending):
    project = find_project(pending)
    table, _ = casp_matrix(project, get_checklist(project, None))
    rows = {r["study"]: r for r in table.rows}
    assert list(rows) == ["callanan-2012", "cornes-2015", "croft-2016", "welch-2013",
                          "welch-2017", "whiteford-2016"]  # studies.toml order
    for study in ("welch-2013", "cornes-2015"):
        assert all(v == PENDING for k, v in rows[study].items() if k != "study"), rows[study]
    assert rows["croft-2016"]["q1"] == "Yes"


def test_the_summary_counts_the_studies_not_yet_appraised(pending):
    project = find_project(pending)
    table, _ = casp_summary(project, get_checklist(project, None))
    key = _by_key(table)["Not yet appraised"]
    assert {r[key] for r in table.rows} == {2}
    assert table.title.endswith("answers across 4 studies; not yet appraised: cornes-2015, "
                                "welch-2013"), table.title
    # each question's answers and the pending ones add up to the six included studies
    answers = [k for k, _ in table.columns if k not in ("question", "text")]
    assert {sum(r[k] for k in answers) for r in table.rows} == {6}


def test_the_report_says_not_yet_appraised(pending):
    with session(pending) as (project, store):
        report = build_report(project, store)
    text = render_report(report, "md", project.root)
    appraisal = text.split("## Critical appraisal", 1)[1]
    assert re.search(r"\| welch-2013 \|( not yet appraised \|){10}", appraisal), appraisal
    assert re.search(r"\| cornes-2015 \|( not yet appraised \|){10}", appraisal)


def test_a_fully_appraised_review_has_no_pending_column(tmp_path):
    project = find_project(example_copy(tmp_path / "review"))
    table, _ = casp_summary(project, get_checklist(project, None))
    assert "Not yet appraised" not in dict(table.columns).values()
    assert PENDING not in table.title
    assert all(PENDING not in r.values()
               for r in casp_matrix(project, get_checklist(project, None))[0].rows)
