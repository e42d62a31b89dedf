"""The list filter and `screen bulk`, explored (each test failed before its fix): a
filter value no record can have is refused, not read as 'matches nothing' (negated, it
would match every record, and a bulk decision would overwrite every record's)."""

from __future__ import annotations

import pytest

from helpers import run_cli, snapshot
from reviewkit.errors import ReviewkitError
from reviewkit.screening.listing import parse_filter
from test_screening_support import screening_project


@pytest.mark.parametrize("query, words", [
    ("decision:excluded", "include, exclude, maybe or none"),
    ("-decision:inclde", "include, exclude, maybe or none"),
    ("ben:yes", "include, exclude, maybe or none"),
    ("year:2015-2010", "2010-2015"),
])
def test_a_filter_value_no_record_can_have_is_refused(query, words):
    with pytest.raises(ReviewkitError, match=words):
        parse_filter(query, ["ben"])


def test_the_valid_values_still_parse():
    terms = parse_filter("decision:none -decision:Exclude ben:maybe year:2010-2015", ["ben"])
    assert [(t.field, t.value, t.negate) for t in terms] == [
        ("decision", "none", False), ("decision", "exclude", True), ("ben", "maybe", False),
        ("year", "2010-2015", False)]


def test_bulk_with_a_mistyped_negated_decision_writes_nothing(tmp_path):
    project, store = screening_project(tmp_path)
    store.close()
    before = snapshot(project.root)
    res = run_cli("screen", "bulk", "-r", "ana", "--filter", "-decision:excluded",
                  "--decision", "exclude", "--yes", cwd=project.root)
    assert res.returncode == 2 and len(res.stderr.strip().splitlines()) == 1, res.stderr
    assert snapshot(project.root) == before


@pytest.mark.parametrize("decision, reason, stage, said", [
    ("bogus", "", "title-abstract", "unknown decision"),
    ("exclude", "", "full-text", "needs a reason"),
])
def test_bulk_without_yes_checks_the_decision_it_would_write(tmp_path, decision, reason,
                                                             stage, said):
    project, store = screening_project(tmp_path)
    store.close()
    res = run_cli("screen", "bulk", "-r", "ana", "--decision", decision, "--stage", stage,
                  cwd=project.root)
    assert res.returncode == 2 and said in res.stderr, res.stdout + res.stderr
