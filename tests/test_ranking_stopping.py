"""Stopping rules: the hypergeometric test by hand, and its guarantee on a real dataset."""

from __future__ import annotations

from math import comb, floor

import numpy as np
import pytest

from reviewkit.ranking import load_labelled, simulate
from reviewkit.ranking.stopping import (
    DEFAULT_BIAS,
    StoppingMonitor,
    _first_shown,
    consecutive_irrelevant,
    fisher_cdf,
    methods_text,
    p_value,
    recall_lower_bound,
    stopping_status,
)
from reviewkit.ranking.stopping_sim import first_heuristic_stop, first_stop, outcome

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
    st = stopping_status(labels, 500, 0.95, 0.95, heuristic_n=50, bias=1.0)
    assert st.relevant_found == 30 and st.screened == 280
    assert st.criterion_met == (st.p_value < 0.05)
    assert st.heuristic_met and st.consecutive_irrelevant == 250
    assert st.estimated_recall == 1.0             # nothing relevant in the last 200
    early = stopping_status(labels[:130], 500, bias=1.0)    # window: 30 relevant in the last 130
    # the recent-rate estimate, unless the bound the test shows is above it
    assert early.estimated_recall == pytest.approx(max(30 / (30 + 370 * 30 / 130),
                                                       early.recall_lower_bound))
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
    results, biased, heuristic = [], [], []
    for seed in range(20):
        sim = simulate(data.records, data.labels, seed=seed)
        results.append(outcome(sim.labels, first_stop(sim.labels, None, 0.95, 0.95)))
        biased.append(outcome(sim.labels, first_stop(sim.labels, None, 0.95, 0.95,
                                                     bias=2.0)))
        heuristic.append(outcome(sim.labels, first_heuristic_stop(sim.labels, 5)))
    for rule in (results, biased):
        reached = np.mean([r["recall"] >= 0.95 for r in rule])
        assert reached >= 0.95, [round(r["recall"], 3) for r in rule]
        assert any(r["stopped"] for r in rule)    # it does stop, it is not "screen everything"
    # the biased test never screens more than the unbiased one (a larger odds ratio
    # lowers every p), and here it saves work
    assert all(b["screened"] <= r["screened"] for b, r in zip(biased, results, strict=True))
    assert sum(b["screened"] for b in biased) < sum(r["screened"] for r in results)
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


def brute_p_biased(labels: list[int], n_total: int, target: float, odds: float) -> float:
    """The biased test over every urn size, with scipy's own Fisher distribution."""
    from scipy.stats import nchypergeom_fisher

    r, n, best = sum(labels), len(labels), 1.0
    for k in range(1, n + 1):
        x = sum(labels[n - k:])
        big_k = floor(r / target) + 1 - (r - x)
        pop = n_total - n + k
        if big_k > pop:
            return 0.0
        best = min(best, float(nchypergeom_fisher.cdf(x, pop, big_k, k, odds)))
    return best


def test_fisher_cdf_matches_scipy():
    from scipy.stats import hypergeom, nchypergeom_fisher

    rng = np.random.default_rng(3)
    pop = rng.integers(5, 400, 200)
    good = rng.integers(1, pop + 1)
    draws = rng.integers(1, pop + 1)
    x = rng.integers(0, np.minimum(good, draws) + 1)
    assert fisher_cdf(x, pop, good, draws, 1.0) == pytest.approx(
        hypergeom.cdf(x, pop, good, draws), abs=1e-10)
    for odds in (1.7, 4.0):
        assert fisher_cdf(x, pop, good, draws, odds) == pytest.approx(
            nchypergeom_fisher.cdf(x, pop, good, draws, odds), abs=1e-9)


def test_biased_p_value_by_hand():
    # as test_p_value_by_hand, odds 2: an urn of k irrelevant records, 1 relevant among
    # it and the 5 unscreened: P(0) = C(4+k, k) / (C(4+k, k) + 2 C(4+k, k-1)) = 5 / (5 + 2k),
    # k = 3 -> 5/11; the urns holding a relevant record give 175/259 and 651/819 (by hand)
    assert p_value([1, 1, 0, 0, 0], 10, 0.95, bias=2.0) == pytest.approx(5 / 11)
    assert p_value([1, 1, 0, 0, 0], 10, 0.95, bias=1.0) == pytest.approx(5 / 8)


@pytest.mark.parametrize("seed", range(6))
def test_candidate_urns_give_the_minimum_over_every_urn(seed):
    """Only r + 2 urns are evaluated: the same p as all n of them, biased or not."""
    rng = np.random.default_rng(seed)
    n_total = int(rng.integers(40, 160))
    n = int(rng.integers(5, n_total))
    prevalence = 0.4 * np.linspace(1, 0.05, n)          # prioritised: rich first
    labels = (rng.random(n) < prevalence).astype(int).tolist()
    for target in (0.8, 0.95):
        assert p_value(labels, n_total, target) == pytest.approx(
            brute_p(labels, n_total, target), abs=1e-10)
        for odds in (2.0, 5.0):
            assert p_value(labels, n_total, target, bias=odds) == pytest.approx(
                brute_p_biased(labels, n_total, target, odds), abs=1e-9)


def test_a_larger_bias_never_raises_p():
    rng = np.random.default_rng(7)
    labels = (rng.random(300) < np.linspace(0.5, 0.0, 300)).astype(int).tolist()
    ps = [p_value(labels, 600, 0.95, bias=b) for b in (1.0, 1.5, 2.0, 4.0)]
    assert ps == sorted(ps, reverse=True) and ps[-1] < ps[0]


@pytest.mark.parametrize("bias", [1.0, 2.0])
def test_first_stop_is_the_first_record_where_the_test_is_met(bias):
    rng = np.random.default_rng(11)
    for _ in range(8):
        n_total = int(rng.integers(60, 200))
        labels = (rng.random(n_total) < 0.5 * np.linspace(1, 0, n_total) ** 2).astype(int)
        labels[int(rng.integers(0, 5))] = 1
        naive = next((n for n in range(1, n_total + 1)
                      if p_value(labels[:n], n_total, 0.95, bias) < 0.05), None)
        assert first_stop(labels, None, 0.95, 0.95, bias=bias) == naive


def test_monitor_updates_equal_the_status_from_scratch():
    """Random sequences fed in random chunks: every update == stopping_status(prefix)."""
    rng = np.random.default_rng(5)
    for trial in range(4):
        n_total = int(rng.integers(200, 400))
        labels = (rng.random(n_total) < 0.3 * np.linspace(1, 0, n_total)).astype(int)
        bias = (DEFAULT_BIAS, 2.0)[trial % 2]
        mon, n = StoppingMonitor(n_total, 0.95, 0.95, heuristic_n=30, bias=bias), 0
        while n < n_total:
            step = int(rng.integers(1, 40))
            got = mon.update(labels[n:n + step])
            n = min(n + step, n_total)
            assert got == stopping_status(labels[:n], n_total, 0.95, 0.95, 30, bias)
        assert got.unscreened == 0 and got.criterion_met and got.p_value == 0.0
    # an undo rewrites the past: reset starts again from the whole sequence
    assert mon.reset(labels[:100]) == stopping_status(labels[:100], n_total, 0.95, 0.95, 30,
                                                     bias)


def test_status_says_what_is_left_and_its_verdict():
    st = stopping_status([1] * 20 + [0] * 300, 1000, bias=1.0)
    assert st.unscreened == 680 and not st.criterion_met
    assert st.estimated_missing == pytest.approx(20 / st.estimated_recall - 20)
    assert st.verdict.startswith("keep screening: p = ") and "680 left" in st.verdict
    done = stopping_status([1] * 20 + [0] * 300, 330, bias=1.0)
    assert done.criterion_met and done.verdict.startswith("stop: recall >= 95% shown")
    assert "maybe" in methods_text() and "odds" in methods_text(bias=2.0)
    assert "odds" not in methods_text(bias=1.0)


def test_bound_search_from_any_hint_is_the_highest_target_shown():
    rng = np.random.default_rng(2)
    for _ in range(4):
        labels = (rng.random(300) < 0.4 * np.linspace(1, 0, 300) ** 2).astype(int)
        ones = np.flatnonzero(labels)
        scan = next((i for i in range(199)
                     if p_value(labels, 420, round(1 - 0.005 * (i + 1), 9)) < 0.05), None)
        for hint in (None, 0, 50, 120, 198):
            assert _first_shown(ones, 300, 420, 0.95, 1.0, hint=hint) == scan


def test_the_estimate_is_never_below_the_bound_the_test_shows():
    # relevant records still turning up late, yet the test shows a bound: the recent-rate
    # estimate alone came out below it (the report helper saw 0.667 under a bound of 0.845)
    labels = [1] * 10 + [0] * 180 + [1] * 2 + [0] * 8
    st = stopping_status(labels, 300, target=0.8, confidence=0.9)
    assert st.recall_lower_bound > 0
    assert st.estimated_recall >= st.recall_lower_bound
    assert st.estimated_missing == pytest.approx(12 / st.estimated_recall - 12)
