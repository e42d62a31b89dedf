"""bench/stopping.py's chooser: what its grid and leave-one-dataset-out tables pick."""

from __future__ import annotations

import sys

import numpy as np

from conftest import REPO

sys.path.insert(0, str(REPO / "bench"))  # the bench scripts are not a package

import stopping as bench  # noqa: E402


def _runs(reached: int, saved: float, n: int = 10) -> list[dict]:
    return [{"recall": 0.96 if i < reached else 0.9, "work_saved": saved} for i in range(n)]


def test_the_chooser_takes_the_most_saving_setting_that_holds_on_every_set():
    grid = {(0.2, 0.95, 1.0): {"a": _runs(10, 0.20), "b": _runs(10, 0.10)},
            (0.2, 0.95, 1.5): {"a": _runs(10, 0.30), "b": _runs(7, 0.20)},  # fails on b
            (0.1, 0.95, 1.0): {"a": _runs(10, 0.20), "b": _runs(10, 0.10)}}
    assert bench.choose(grid, ["a", "b"], 0.95) == (0.2, 0.95, 1.0)  # ties: the larger urn
    # leave b out: nothing warns against the bias, so it is chosen, and fails on b
    assert bench.choose(grid, ["a"], 0.95) == (0.2, 0.95, 1.5)
    assert bench.reach(grid[(0.2, 0.95, 1.5)]["b"], 0.95) == 0.7
    # equal savings: the smaller bias
    grid[(0.2, 0.95, 1.25)] = {"a": _runs(10, 0.20), "b": _runs(10, 0.10)}
    assert bench.choose(grid, ["a", "b"], 0.95) == (0.2, 0.95, 1.0)
    assert bench.setting((0.2, 0.95, 1.0)) == "urn 20%, 95%"
    assert bench.setting((0.1, 0.99, 1.25)) == "urn 10%, 99%, bias 1.25"


def test_a_setting_that_stops_short_on_a_flat_tail_is_not_chosen():
    """The flat-tail screen: the shared sets alone would take the setting saving most;
    the screen asks for the share stopping short to be <= 5% on every shape."""
    grid = {(0.2, 0.95, 1.0): {"a": _runs(10, 0.30)},
            (0.2, 0.99, 1.0): {"a": _runs(10, 0.20)},
            (0.0, 0.99, 1.0): {"a": _runs(10, 0.25)}}
    assert bench.choose(grid, ["a"], 0.95) == (0.2, 0.95, 1.0)
    flat = {(0.2, 0.95, 1.0): (0.11, 0.14), (0.2, 0.99, 1.0): (0.03, 0.045),
            (0.0, 0.99, 1.0): (0.06, 0.08)}
    assert bench.choose(grid, ["a"], 0.95, flat) == (0.2, 0.99, 1.0)
    assert bench.choose(grid, ["a"], 0.95, {k: (0.2, 0.3) for k in flat}) is None


def test_wilson_bounds_hold_the_share_and_narrow_with_more_runs():
    low, high = bench.wilson(0.03, 100)
    low4, high4 = bench.wilson(0.03, 400)
    assert low < low4 < 0.03 < high4 < high
    assert bench.wilson(0.0, 50)[0] == 0 and 0 < bench.wilson(0.0, 50)[1] < 0.1
    # 11 of 400 short (2.75%): shown under 5%; 19 of 400 (4.75%): not
    assert bench.wilson(11 / 400, 400)[1] < 0.05 < bench.wilson(19 / 400, 400)[1]


def test_flat_worst_is_the_worst_shape_and_a_bias_costs_on_a_flat_tail():
    one, one_high = bench.flat_worst((0.2, 0.95, 1.0), 40, 0.95)
    biased, biased_high = bench.flat_worst((0.2, 0.95, 2.0), 40, 0.95)
    assert 0 <= one <= one_high <= 1 and biased > one
    assert biased_high == 1.0                     # failed on a first quarter of the runs


def test_flat_worst_draws_each_order_once_and_matches_one_pass(monkeypatch):
    shapes = bench.FLAT_SHAPES[:2]
    monkeypatch.setattr(bench, "FLAT_SHAPES", shapes)
    calls = []
    real = bench.flat_tail_misses

    def counted(shape, runs, *rest, **kw):
        calls.append(runs)
        return real(shape, runs, *rest, **kw)

    monkeypatch.setattr(bench, "flat_tail_misses", counted)
    got = bench.flat_worst((0.2, 0.99, 1.0), 24, 0.95)
    assert sum(calls) == 24 * len(shapes)         # a quarter, then the other three
    one_pass = [real(s, 24, np.random.default_rng(i), 0.95, 0.99, 0.2)
                for i, s in enumerate(shapes)]
    assert got[0] == max(one_pass)
