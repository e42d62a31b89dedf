"""PRISMA invariants: consistent flows pass, any single wrong number is caught and named."""

from __future__ import annotations

import copy

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from prisma_strategies import consistent_counts, set_number, with_unknowns
from reviewkit.reporting.prisma import Count, PrismaCounts, Reports, Sources, check_invariants


@settings(max_examples=150, deadline=None)
@given(consistent_counts())
def test_consistent_counts_break_no_invariant(counts):
    assert check_invariants(counts) == []


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_unknown_numbers_skip_checks_never_fail_them(data):
    counts = data.draw(with_unknowns(data.draw(consistent_counts())))
    assert check_invariants(counts) == []


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_any_perturbed_number_is_reported(data):
    counts = data.draw(consistent_counts())
    # Records found by other methods that keep their own column only bound the reports
    # sought from above, so more of them breaks nothing: PRISMA has no equation for them.
    free = {f"{g}.total" for g in ("websites", "organisations", "citations")
            if g not in counts.merged_other and not counts.group(g).sources}
    known = [path for path, n in counts.numbers() if n is not None and path not in free]
    path = data.draw(st.sampled_from(known))
    delta = data.draw(st.integers(1, 40))
    bad = copy.deepcopy(counts)
    set_number(bad, path, dict(bad.numbers())[path] + delta)
    broken = check_invariants(bad)
    assert broken, f"{path} + {delta} went unnoticed"
    assert any(path in b.fields for b in broken), (path, [b.fields for b in broken])
    for b in broken:
        assert b.message and b.record_ids == ()
        assert b.expected != b.actual


def _example() -> PrismaCounts:
    return PrismaCounts(
        databases=Sources(700, [Count("MEDLINE", 300), Count("Embase", 400)]),
        registers=Sources(0), websites=Sources(0), organisations=Sources(0),
        citations=Sources(0), duplicates=200, automation_excluded=0, removed_other=0,
        screened=500, records_excluded=450, dbr=Reports(50, 5, 45, [Count("Wrong design", 40)]),
        included_studies=4, included_reports=5)


def test_example_messages_are_sentences_with_the_numbers():
    c = _example()
    assert check_invariants(c) == []
    c.screened = 480
    (b,) = [x for x in check_invariants(c) if x.check == "identification"]
    assert b.expected == 500 and b.actual == 480
    assert "records screened is 480" in b.message and "leaves 500" in b.message
    c = _example()
    c.databases.sources[1].n = 401
    (b,) = check_invariants(c)
    assert b.check == "sources:databases"
    assert "MEDLINE 300; Embase 401" in b.message and "701" in b.message


@pytest.mark.parametrize(("path", "check"), [
    ("dbr.assessed", "retrieval:dbr"), ("dbr.sought", "screening"),
    ("included_reports", "eligibility"), ("duplicates", "identification")])
def test_each_box_equation(path, check):
    c = _example()
    set_number(c, path, dict(c.numbers())[path] + 3)
    assert check in {b.check for b in check_invariants(c)}


def test_unknown_is_not_zero():
    c = _example()
    c.duplicates = None  # unknown: the identification check cannot run, so it does not fail
    assert check_invariants(c) == []
    c.duplicates = 0  # a real zero makes the arithmetic wrong
    assert [b.check for b in check_invariants(c)] == ["identification"]


def test_negative_numbers_and_studies_beyond_reports():
    c = _example()
    c.automation_excluded = -1
    c.removed_other = 1
    assert "negative" in {b.check for b in check_invariants(c)}
    c = _example()
    c.included_studies = 6
    assert [b.check for b in check_invariants(c)] == ["studies_reports"]


def test_updated_review_totals():
    c = _example()
    c.previous_studies, c.previous_reports = 10, 12
    c.total_studies, c.total_reports = 14, 17
    assert c.is_update and check_invariants(c) == []
    c.total_reports = 16
    (b,) = check_invariants(c)
    assert b.check == "total_reports" and "previous 12 plus new 5 makes 17" in b.message


def test_merged_other_methods_join_the_screening_arithmetic():
    c = _example()
    c.websites = Sources(56)  # following their own column, where nothing is known yet
    assert [b.check for b in check_invariants(c)] == []
    c.screened, c.records_excluded = 556, 506
    assert [b.check for b in check_invariants(c)] == ["identification"]
    c.merged_other = ("websites",)
    assert check_invariants(c) == []
    with pytest.raises(ValueError, match="unknown route"):
        PrismaCounts(merged_other=("databases",))
