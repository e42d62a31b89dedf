"""Extraction bugs found by exploring the commands as a review team would."""

from __future__ import annotations

import pytest

from appraisal_support import mini_project, write
from helpers import run_cli, snapshot
from reviewkit.errors import ReviewkitError
from reviewkit.extraction.compare import make_consensus
from reviewkit.extraction.form import get_form
from reviewkit.extraction.importer import import_extractions
from reviewkit.extraction.table import final_extractions

OUTCOMES = """\
id: outcomes
title: Outcomes
fields:
  - {id: outcome, label: Outcome, type: text, required: true}
  - {id: n, label: Participants, type: integer}
"""


def outcomes_record(outcome: str) -> str:
    return f"form: outcomes\nstatus: final\nvalues: {{outcome: {outcome}, n: 12}}\n"


def test_importing_a_second_form_keeps_the_reviewers_first_record(tmp_path):
    project = mini_project(tmp_path)
    write(project, "extraction/outcomes.yaml", OUTCOMES)
    first = write(project, "extraction/s1/ann.yaml", "form: characteristics\nstatus: draft\n"
                  "values: {location: Leeds}\n")
    kept = first.read_bytes()
    path = tmp_path / "outcomes.csv"
    path.write_text("study,reviewer,form,outcome,n\ns1,ann,outcomes,recovery,12\n", "utf-8")
    written = import_extractions(project, path)
    assert [p.name for p in written] == ["ann.outcomes.yaml"]
    assert first.read_bytes() == kept
    import_extractions(project, path, replace=True)
    assert first.read_bytes() == kept
    chosen, _ = final_extractions(project, get_form(project, "outcomes"))
    assert [(e.study, e.values["outcome"]) for e in chosen] == [("s1", "recovery")]


def test_a_consensus_with_a_second_form_keeps_the_first_consensus(tmp_path):
    project = mini_project(tmp_path)
    write(project, "extraction/outcomes.yaml", OUTCOMES)
    first = write(project, "extraction/s1/consensus.yaml", "form: characteristics\n"
                  "status: draft\nvalues: {location: Leeds}\n")
    kept = first.read_bytes()
    write(project, "extraction/s1/ann.outcomes.yaml", outcomes_record("recovery"))
    write(project, "extraction/s1/bob.outcomes.yaml", outcomes_record("relapse"))
    result = make_consensus(project, "s1", get_form(project, "outcomes"),
                            {"outcome": "@bob"})
    assert result.path.name == "consensus.outcomes.yaml"
    assert first.read_bytes() == kept
    with pytest.raises(ReviewkitError, match="appears twice"):
        path = tmp_path / "twice.csv"
        path.write_text("study,reviewer,form,outcome\ns2,ann,outcomes,a\ns2,ann,outcomes,b\n",
                        "utf-8")
        import_extractions(project, path)


@pytest.mark.parametrize("reviewers", [[], ["ann"]])
def test_compare_needs_two_reviewers_extractions(tmp_path, reviewers):
    project = mini_project(tmp_path)
    write(project, "extraction/outcomes.yaml", OUTCOMES)
    for r in reviewers:
        write(project, f"extraction/s1/{r}.yaml", outcomes_record("recovery"))
    res = run_cli("extraction", "compare", "s1", "--form", "outcomes", cwd=project.root)
    assert res.returncode == 2, res.stdout
    assert res.stderr.strip() == (f"error: a comparison needs two reviewers' extractions of "
                                  f"'s1'; found {len(reviewers)}")


@pytest.mark.parametrize("typed", ["12,34", "1,2", "1,5"])
def test_an_integer_with_a_comma_that_is_no_thousands_separator_is_refused(typed):
    from reviewkit.extraction.form import FormField
    from reviewkit.extraction.values import coerce

    f = FormField(id="n", label="N", type="integer")
    with pytest.raises(ReviewkitError, match="expected a whole number"):
        coerce(f, typed)
    assert coerce(f, "1,503") == 1503  # a thousands separator is still read


def test_a_date_and_time_in_yaml_is_refused_at_its_line_and_nothing_is_written(tmp_path):
    project = mini_project(tmp_path)
    write(project, "extraction/dates.yaml", "id: dates\ntitle: Dates\nfields:\n"
          "  - {id: n, label: N, type: integer}\n  - {id: when, label: When, type: date}\n")
    path = tmp_path / "in.yaml"
    path.write_text("- {study: s1, reviewer: ann, form: dates, status: draft, values: {n: 3}}\n"
                    "- study: s1\n  reviewer: bob\n  form: dates\n  status: draft\n"
                    "  values:\n    when: 2017-05-01 10:30:00\n", "utf-8")
    before = snapshot(project.root)
    with pytest.raises(ReviewkitError) as err:
        import_extractions(project, path)
    assert err.value.file == str(path) and err.value.line == 7
    assert "expected a date as YYYY-MM-DD" in err.value.message
    assert snapshot(project.root) == before


def test_an_extraction_file_ending_in_yml_is_named_not_left_out(tmp_path):
    project = mini_project(tmp_path)
    path = write(project, "extraction/s1/ann.YAML", "form: characteristics\nstatus: draft\n")
    res = run_cli("extraction", "table", cwd=project.root)
    assert res.returncode == 2, res.stderr
    assert res.stderr.strip() == (f"error: {path}: extraction files end in .yaml (rename it "
                                  "to ann.yaml)")


def test_a_consensus_of_drafts_names_the_required_fields_nobody_gave(tmp_path):
    project = mini_project(tmp_path)
    write(project, "extraction/outcomes.yaml", OUTCOMES)
    write(project, "extraction/s1/ann.outcomes.yaml", "form: outcomes\nstatus: draft\n"
          "values: {n: 3}\n")
    write(project, "extraction/s1/bob.outcomes.yaml", "form: outcomes\nstatus: draft\n"
          "values: {n: 4}\n")
    before = snapshot(project.root)
    res = run_cli("extraction", "consensus", "s1", "--form", "outcomes", "--set", "n=@bob",
                  cwd=project.root)
    assert res.returncode == 2
    assert res.stderr.strip() == ("error: field 'outcome': no reviewer gave outcome, which "
                                  "the form requires: give it, e.g. --set outcome=...")
    assert snapshot(project.root) == before
    res = run_cli("extraction", "consensus", "s1", "--form", "outcomes", "--set", "n=@bob",
                  "--set", "outcome=relapse", cwd=project.root)
    assert res.returncode == 0, res.stderr
    chosen, _ = final_extractions(project, get_form(project, "outcomes"))
    assert [(e.values["outcome"], e.values["n"]) for e in chosen] == [("relapse", 4)]
