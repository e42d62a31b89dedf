"""Stopping rules applied to a whole simulated screening order (bench/stopping.py, tests).

    first_stop(labels, n_total, target, confidence, bias=, min_urn=) -> records screened
    first_heuristic_stop(labels, n) -> records screened when N consecutive irrelevant
    outcome(labels, stop) -> recall and work saved had screening stopped there
    random_order_misses(n_total, relevant, runs, rng, ...) -> share stopping short
    flat_tail_order(n_total, start, scale, flat, rng) -> a synthetic ranked order
    buried_order(n_total, start, scale, flat, share, rate, rng) -> the same, with the
        last ``share`` of the pile richer (records the ranker buried: the assumption broken)
    flat_tail_misses(shape, runs, rng, ...) -> share of such orders stopping short
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from reviewkit.ranking.stopping import _labels, _p_from_ones, rejects
from reviewkit.ranking.stopping_defaults import DEFAULT_CONFIDENCE


def first_stop(labels: Sequence[int], n_total: int | None = None, target: float = 0.95,
               confidence: float = DEFAULT_CONFIDENCE, min_screened: int = 1,
               bias: float = 1.0, min_urn: float = 0.0) -> int | None:
    """Records screened when the test is first met (as if checked after every record),
    or None. ``labels`` is a full simulated order; ``n_total`` defaults to its length.

    Between two relevant records p only falls: each irrelevant record lengthens every
    urn, and an urn allowed after n records (at least min_urn × n long) is still allowed
    one record later. So each such stretch is tested at its end and searched only if
    met there.
    """
    lab = _labels(labels)
    n_total = len(lab) if n_total is None else n_total
    all_ones = np.flatnonzero(lab)

    def met(n: int) -> bool:
        ones = all_ones[:np.searchsorted(all_ones, n)]
        return rejects(_p_from_ones(ones, n, n_total, target, bias, exact=False,
                                    min_urn=min_urn), confidence)

    starts = [max(1, min_screened)] + [int(i) + 1 for i in all_ones if i + 1 > min_screened]
    ends = [*starts[1:], len(lab) + 1]           # stretch [start, end): one relevant at most
    for start, end in zip(starts, ends, strict=True):
        if start >= end:
            continue
        if met(start):
            return start
        if end - 1 > start and met(end - 1):
            lo, hi = start + 1, end - 1          # met at hi, not at start
            while lo < hi:
                mid = (lo + hi) // 2
                lo, hi = (lo, mid) if met(mid) else (mid + 1, hi)
            return lo
    return None


def first_heuristic_stop(labels: Sequence[int], n: int = 50) -> int | None:
    """Records screened when the N-consecutive-irrelevant heuristic first fires, or None."""
    run = 0
    for i, x in enumerate(_labels(labels), 1):
        run = 0 if x else run + 1
        if run >= n:
            return i
    return None


def outcome(labels: Sequence[int], stop: int | None) -> dict[str, float | int | bool]:
    """Recall and work saved if screening a full order stopped after ``stop`` records
    (None = never stopped: everything screened)."""
    lab = _labels(labels)
    n = len(lab) if stop is None else stop
    return {"stopped": stop is not None, "screened": n,
            "recall": float(lab[:n].sum() / lab.sum()), "work_saved": 1 - n / len(lab)}


def random_order_misses(n_total: int, relevant: int, runs: int, rng: np.random.Generator,
                        target: float = 0.95, confidence: float = DEFAULT_CONFIDENCE,
                        min_urn: float = 0.0) -> float:
    """Share of ``runs`` random screening orders of a pile (``relevant`` of ``n_total``)
    in which the test, checked after every record, stops short of ``target`` recall.

    In random order every urn is a true random draw: the test's assumption holds with
    equality, and nothing but repeated testing can make it stop short. So this measures
    what the single-test guarantee leaves out, without any ranker or dataset."""
    pile = np.array([1] * relevant + [0] * (n_total - relevant))
    short = 0
    for _ in range(runs):
        lab = rng.permutation(pile)
        stop = first_stop(lab, None, target, confidence, min_urn=min_urn)
        short += stop is not None and lab[:stop].sum() < target * relevant
    return short / runs


def flat_tail_order(n_total: int, start: float, scale: float, flat: float,
                    rng: np.random.Generator) -> np.ndarray:
    """A synthetic ranked order: record i is relevant with probability
    max(flat, start × exp(−i / (scale × n_total))), independently.

    The ranker finds most relevant records early, then has nothing left to go on: the
    tail is a random order at rate ``flat``. There the urn is a true random draw (the
    test's assumption met with equality), as in random order, but the urns are sparse
    and tested over a long stretch: the case where testing after every record costs most.
    """
    i = np.arange(n_total)
    p = np.maximum(flat, start * np.exp(-i / (scale * n_total)))
    return (rng.random(n_total) < p).astype(np.int64)


def buried_order(n_total: int, start: float, scale: float, flat: float, share: float,
                 rate: float, rng: np.random.Generator) -> np.ndarray:
    """``flat_tail_order``, except that the last ``share`` of the pile is relevant at
    ``rate`` (> ``flat``): relevant records the ranker has nothing to go on for and puts
    last (say, ones without an abstract). The records screened just before them are
    poorer than those left, so the urn is not a conservative draw: outside the test's
    assumption, to show what breaking it costs."""
    lab = flat_tail_order(n_total, start, scale, flat, rng)
    k = int(round(share * n_total))
    lab[n_total - k:] = rng.random(k) < rate
    return lab


def flat_tail_misses(shape: tuple[float, ...], runs: int,
                     rng: np.random.Generator, target: float = 0.95,
                     confidence: float = DEFAULT_CONFIDENCE, min_urn: float = 0.0,
                     min_relevant: int = 20, bias: float = 1.0) -> float:
    """Share of ``runs`` orders drawn by ``flat_tail_order(*shape)`` (a shape of six:
    ``buried_order``; piles with fewer than ``min_relevant`` relevant records redrawn)
    in which the test, checked after every record, stops short of ``target`` recall.
    With ``bias`` > 1 the test assumes what a flat tail denies (the urn richer than what
    is left): it shows the cost."""
    draw = buried_order if len(shape) == 6 else flat_tail_order
    short = 0
    for _ in range(runs):
        lab = draw(*shape, rng)
        while lab.sum() < min_relevant:
            lab = draw(*shape, rng)
        stop = first_stop(lab, None, target, confidence, bias=bias, min_urn=min_urn)
        short += stop is not None and lab[:stop].sum() < target * lab.sum()
    return short / runs
