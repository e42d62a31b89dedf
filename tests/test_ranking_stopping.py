"""Stopping rules: the hypergeometric test by hand, and its guarantee on a real dataset."""

from __future__ import annotations

from math import comb, floor

import numpy as np
import pytest

from reviewkit.ranking import load_labelled, simulate
from reviewkit.ranking.stopping import (
    consecutive_irrelevant,
    first_heuristic_stop,
    first_stop,
    methods_text,
    outcome,
    p_value,
    recall_lower_bound,
    stopping_status,
)

from conftest import shared_path


def brute_p(labels: list[int], n_total: int, target: float) -> float:
    """Callaghan & Müller-Hansen's p from its definition, with exact binomial coefficients."""
    r, n, best = sum(labels), len(labels), 1.0
    for k in range(1, n + 1):
        urn = labels[n - k:]
        x, before = sum(urn), r - sum(urn)
        big_k = floor(r / target) + 1 - before      # relevant left in urn + unscreened under H0
        pop = n_total - n + k
        if big_k > pop:
            return 0.0
        p = sum(comb(big_k, j) * comb(pop - big_k, k - j) for j in range(x + 1)) / comb(pop, k)
        best = min(best, p)
    return best


def test_p_value_by_hand():
    # N = 10, screened 1 1 0 0 0, target 95%: H0 needs >= 3 relevant, so >= 1 among the
    # last k + the 5 unscreened. An urn of k irrelevant records: P(0 of 1 in k draws from
    # 5 + k) = 5 / (5 + k): smallest at k = 3 -> 5/8.
    assert p_value([1, 1, 0, 0, 0], 10, 0.95) == pytest.approx(5 / 8)


@pytest.mark.parametrize("seed", range(6))
def test_p_value_matches_definition(seed):
    rng = np.random.default_rng(seed)
    n_total = 60
    labels = (rng.random(int(rng.integers(5, 50))) < 0.2).astype(int).tolist()
    for target in (0.8, 0.95):
        assert p_value(labels, n_total, target) == pytest.approx(brute_p(labels, n_total,
                                                                          target), abs=1e-12)


def test_everything_screened_rejects_h0():
    assert p_value([1, 0, 1, 0], 4, 0.95) == 0.0


def test_heuristic_counts_the_final_run():
    assert consecutive_irrelevant([1, 0, 0, 1, 0, 0, 0]) == 3
    assert consecutive_irrelevant([0, 0]) == 2
    assert first_heuristic_stop([1, 0, 1, 0, 0, 0, 1], n=3) == 6
    assert first_heuristic_stop([1, 0, 1], n=3) is None


def test_status_reports_estimate_bound_and_both_criteria():
    labels = [1] * 30 + [0] * 250                 # 30 found early, then 250 irrelevant
    st = stopping_status(labels, 500, 0.95, 0.95, heuristic_n=50)
    assert st.relevant_found == 30 and st.screened == 280
    assert st.criterion_met == (st.p_value < 0.05)
    assert st.heuristic_met and st.consecutive_irrelevant == 250
    assert st.estimated_recall == 1.0             # nothing relevant in the last 200
    early = stopping_status(labels[:130], 500)    # window: 30 relevant in the last 130
    assert early.estimated_recall == pytest.approx(30 / (30 + 370 * 30 / 130))
    assert 0 < st.recall_lower_bound < 1
    # the bound is what the test shows: p below alpha there, not above the next grid step
    assert p_value(labels, 500, st.recall_lower_bound) < 0.05
    assert p_value(labels, 500, st.recall_lower_bound + 0.005) >= 0.05
    assert "Callaghan" in methods_text(0.95, 0.95, 50) and "no recall" in methods_text(
        0.95, 0.95, 50)


def test_bound_is_zero_when_nothing_is_shown():
    assert recall_lower_bound([1, 0, 1], 1000) == 0.0


def test_guarantee_on_a_real_dataset():
    """Recall at stopping reaches 95% in at least 95% of simulated screenings."""
    data = load_labelled(shared_path("data/screening/Cohen_2006_UrinaryIncontinence.csv"))
    results, heuristic = [], []
    for seed in range(20):
        sim = simulate(data.records, data.labels, seed=seed)
        results.append(outcome(sim.labels, first_stop(sim.labels, None, 0.95, 0.95)))
        heuristic.append(outcome(sim.labels, first_heuristic_stop(sim.labels, 5)))
    reached = np.mean([r["recall"] >= 0.95 for r in results])
    assert reached >= 0.95, [round(r["recall"], 3) for r in results]
    assert any(r["stopped"] for r in results)     # it does stop, it is not "screen everything"
    # a weak heuristic fails the same check: the validation can tell them apart
    assert np.mean([h["recall"] >= 0.95 for h in heuristic]) < 0.95


def test_outcome_never_stopped_means_everything_screened():
    o = outcome([0, 1, 0, 1], None)
    assert o == {"stopped": False, "screened": 4, "recall": 1.0, "work_saved": 0.0}
    assert outcome([1, 1, 0, 0], 2)["work_saved"] == pytest.approx(0.5)


def test_urn_sizes_all_considered():
    # the minimum can come from a long urn that includes relevant records
    labels = [1, 1, 1] + [0] * 5 + [1] + [0] * 40
    ps = [brute_p(labels[: n], 200, 0.9) for n in range(1, len(labels) + 1)]
    got = [p_value(labels[: n], 200, 0.9) for n in range(1, len(labels) + 1)]
    assert got == pytest.approx(ps, abs=1e-12)
