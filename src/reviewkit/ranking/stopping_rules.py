"""Other stopping rules, measured against the default in bench/stopping.py (not used
by the screener). Each works on a whole simulated order (0/1 labels in screening order)
and returns the records screened when it stops, or None.

With a guarantee (each under the assumption it names; see docs/stopping.md):

    first_scheduled_stop(labels, checks=10, ...)   # a fixed schedule, Bonferroni
    first_anytime_stop(labels, ...)                 # a test martingale (Ville)
    target_method(labels, rng, ...) -> (screened, relevant found)   # a random sample

A heuristic, with no guarantee at all:

    safe_heuristic(labels, rng, ...) -> (screened, relevant found)
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from reviewkit.ranking.fisher import fisher_cdf
from reviewkit.ranking.stopping import _k_hat_base, _labels


def first_scheduled_stop(labels: Sequence[int], n_total: int | None = None,
                         target: float = 0.95, confidence: float = 0.95,
                         checks: int = 10) -> int | None:
    """The hypergeometric test, honest about repeated use: it is run only at ``checks``
    checkpoints fixed in advance (every 1/checks of the pile), and at checkpoint j only
    on the j urns that start at an earlier checkpoint (or at 0). That is
    checks × (checks + 1) / 2 tests in all, each at level (1 - confidence) / that
    number, so by Bonferroni the chance that any of them rejects a true H0 is at most
    1 - confidence: a guarantee for the whole procedure, under the urn assumption
    (the urn's records are no poorer in relevant records than a random draw)."""
    lab = _labels(labels)
    n_total = len(lab) if n_total is None else n_total
    cum = np.concatenate([[0], np.cumsum(lab)])
    tests = checks * (checks + 1) // 2
    alpha = (1 - confidence) / tests
    points = [math.ceil(j * n_total / checks) for j in range(checks + 1)]
    for j in range(1, checks + 1):
        n = min(points[j], len(lab))
        r = int(cum[n])
        if _k_hat_base(r, target) > n_total - n:     # H0 cannot hold any more
            return n
        starts = np.asarray(points[:j])
        k = n - starts
        urn_rel = cum[n] - cum[starts]
        k_hat = _k_hat_base(r, target) + urn_rel
        pop = n_total - n + k
        if (fisher_cdf(urn_rel, pop, k_hat, k, 1.0) < alpha).any():
            return n
    return None


def _log_wealth(lab: np.ndarray, n_total: int, hypotheses: np.ndarray, window: int,
                cap: float) -> np.ndarray:
    """log M[i, n - 1]: a test martingale's wealth after n records under hypothesis
    "the pile holds hypotheses[i] relevant records".

    Under hypothesis R, with r relevant found in the first s records, a random
    unscreened record is relevant with chance q = (R - r) / (n_total - s). The
    assumption: the ranker's next record is at least that likely to be relevant.
    Then each factor 1 + λ (q - y) has expectation <= 1 when λ >= 0 is chosen from the
    past only, and by Ville's inequality P(M ever reaches 1/α) <= α, however often it
    is looked at. λ is the Kelly bet against the recent relevant rate (the last
    ``window`` records), at most ``cap`` of the largest bet that cannot go bankrupt."""
    cum = np.concatenate([[0], np.cumsum(lab)])
    s = np.arange(len(lab))
    lo = np.maximum(0, s - window)
    rate = (cum[s] - cum[lo] + 0.05) / (s - lo + 0.1)     # the recent rate, known before s
    left = (n_total - s)[None, :]
    rel_left = hypotheses[:, None] - cum[s][None, :]
    with np.errstate(divide="ignore", invalid="ignore"):
        q = np.clip(rel_left / left, 0.0, 1.0)
        lam = np.clip((q - rate[None, :]) / (q * (1 - q)), 0.0,
                      cap / np.maximum(1 - q, 1e-12))
        lam = np.nan_to_num(lam)
        log_f = np.log(np.maximum(1 + lam * (q - lab[None, :]), 1e-300))
    log_f[rel_left <= 0] = 0.0            # hypothesis already refuted: never tested
    return np.cumsum(log_f, axis=1)


def first_anytime_stop(labels: Sequence[int], n_total: int | None = None,
                       target: float = 0.95, confidence: float = 0.95,
                       window: int = 200, cap: float = 0.9, chunk: int = 256) -> int | None:
    """Stop at the first n where every hypothesis "recall < target" (R >= ⌊r/τ⌋ + 1)
    has wealth >= 1 / (1 - confidence): valid however often it is checked, under the
    assumption in _log_wealth. Hypotheses are taken ``chunk`` at a time, from the
    largest R down, keeping the running minimum over R' >= R (memory chunk × n)."""
    lab = _labels(labels)
    n = len(lab)
    n_total = n if n_total is None else n_total
    r = np.cumsum(lab)
    smallest = np.floor(np.round(r / target, 9)).astype(np.int64) + 1  # per n, the weakest R
    weakest = np.full(n, np.inf)        # min wealth over the hypotheses seen so far (>= R)
    at_smallest = np.full(n, np.inf)    # min wealth over R >= smallest[n]
    for top in range(n_total, 0, -chunk):
        hyp = np.arange(max(1, top - chunk + 1), top + 1)
        wealth = _log_wealth(lab, n_total, hyp, window, cap)
        suffix = np.minimum(np.minimum.accumulate(wealth[::-1], axis=0)[::-1], weakest)
        inside = (smallest >= hyp[0]) & (smallest <= hyp[-1])
        cols = np.flatnonzero(inside)
        at_smallest[cols] = suffix[smallest[cols] - hyp[0], cols]
        weakest = suffix[0]
    met = (smallest > n_total) | (at_smallest >= math.log(1 / (1 - confidence)))
    hits = np.flatnonzero(met)
    return int(hits[0]) + 1 if len(hits) else None


def target_size(target: float = 0.95, confidence: float = 0.95) -> int:
    """Relevant records the target set needs: the smallest T with target^T <= 1 - conf."""
    return math.ceil(math.log(1 - confidence) / math.log(target))


def target_method(labels: Sequence[int], rng: np.random.Generator, target: float = 0.95,
                  confidence: float = 0.95) -> tuple[int, int]:
    """The target method (Cormack & Grossman): screen a simple random sample until it
    holds target_size() relevant records (the target set), then screen in ranked order
    until every record of the target set has come up. If recall were below τ, each
    target record would have been missed with chance > 1 - τ, so all T found has
    chance < τ^T <= 1 - confidence: a guarantee that needs nothing of the ranker.
    Returns (records screened, relevant found), the sample counted once.

    Simplification: the ranked order is the simulated one, which did not learn from
    the sample's labels (a real review's would, and would find the rest a bit sooner)."""
    lab = _labels(labels)
    need = target_size(target, confidence)
    perm = rng.permutation(len(lab))
    hits = np.flatnonzero(lab[perm])
    if len(hits) < need:                         # too few relevant: screen everything
        return len(lab), int(lab.sum())
    sample = perm[:hits[need - 1] + 1]
    last = max(int(i) for i in sample if lab[i])  # ranked position of the last target
    seen = np.zeros(len(lab), dtype=bool)
    seen[sample] = True
    seen[:last + 1] = True
    return int(seen.sum()), int(lab[seen].sum())


def safe_heuristic(labels: Sequence[int], rng: np.random.Generator, random_share: float =
                   0.01, run: int = 50, min_share: float = 0.1, times_estimate: float = 2.0,
                   second_run: int = 50) -> tuple[int, int]:
    """A SAFE-like procedure (after ASReview's SAFE: random, active, find more,
    evaluate), a HEURISTIC: screen a random ``random_share`` of the pile (it estimates
    how many records are relevant); then in ranked order until all three hold: at least
    ``times_estimate`` × the estimated relevant count screened, at least ``min_share``
    of the pile screened, ``run`` consecutive irrelevant; then, standing in for the
    phase with a different model, on in the same order until ``second_run`` further
    consecutive irrelevant. The second model and the final quality check are not
    simulated. Returns (records screened, relevant found)."""
    lab = _labels(labels)
    n = len(lab)
    sample = rng.permutation(n)[:max(1, math.ceil(random_share * n))]
    seen = np.zeros(n, dtype=bool)
    seen[sample] = True
    estimate = max(1.0, lab[sample].mean() * n)
    streak, phase, second, screened = 0, 1, 0, len(sample)
    for i in range(n):
        if seen[i]:
            continue                             # screened in the random phase
        seen[i] = True
        screened += 1
        streak = 0 if lab[i] else streak + 1
        if phase == 1 and (screened >= max(times_estimate * estimate, min_share * n)
                           and streak >= run):
            phase, second = 2, 0
            continue
        if phase == 2:
            second = 0 if lab[i] else second + 1
            if second >= second_run:
                break
    return int(seen.sum()), int(lab[seen].sum())
