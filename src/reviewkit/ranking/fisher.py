"""Fisher's noncentral hypergeometric distribution, vectorised: the stopping test's null
distribution when the records screened last are assumed richer than the rest (odds > 1);
odds 1 is the ordinary hypergeometric distribution."""

from __future__ import annotations

import math

import numpy as np


def _lnc(n: np.ndarray, k: np.ndarray) -> np.ndarray:
    from scipy.special import gammaln  # here: scipy costs half a second to import

    return gammaln(n + 1) - gammaln(k + 1) - gammaln(n - k + 1)


def fisher_mean(pop: np.ndarray, good: np.ndarray, draws: np.ndarray, odds: float
                 ) -> np.ndarray:
    """Approximate mean (Cornfield's equation, exact for odds 1): for filters and windows."""
    if odds == 1:
        return draws * good / pop
    b = pop - good - draws + odds * (good + draws)
    c = odds * good * draws
    return 2 * c / (b + np.sqrt(np.maximum(b * b - 4 * (odds - 1) * c, 0)))


def fisher_cdf(x: np.ndarray, pop: np.ndarray, good: np.ndarray, draws: np.ndarray,
               odds: float) -> np.ndarray:
    """P(X <= x) for Fisher's noncentral hypergeometric distribution, vectorised.

    ``pop`` records of which ``good`` are relevant, ``draws`` drawn, relevant ones with
    odds ratio ``odds`` (1 = the ordinary hypergeometric distribution). Terms more
    than 15 standard deviations + 15 from the mean are left out: the distribution is
    log-concave, so they weigh less than 1e-40 and the cost is that of the window.
    """
    x, pop, good, draws = (np.atleast_1d(np.asarray(a, dtype=np.int64))
                           for a in (x, pop, good, draws))
    mean = fisher_mean(pop, good, draws, odds)
    with np.errstate(divide="ignore"):
        inv = (1 / mean + 1 / (good - mean) + 1 / (draws - mean)
               + 1 / (pop - good - draws + mean))
    sd = np.sqrt(1 / np.maximum(inv, 1e-12))
    lo = np.maximum(np.maximum(0, draws - (pop - good)), np.floor(mean - 15 * sd - 15))
    hi = np.minimum(np.minimum(draws, good), np.ceil(mean + 15 * sd + 15))
    lo, hi = lo.astype(np.int64), hi.astype(np.int64)
    out = np.ones(len(x))
    out[x < lo] = 0.0
    todo = np.flatnonzero((x >= lo) & (x < hi))
    for start in range(0, len(todo), 256):          # rows in chunks: bounded memory
        rows = todo[start:start + 256]
        width = int((hi[rows] - lo[rows]).max()) + 1
        y = lo[rows, None] + np.arange(width)[None, :]
        inside = y <= hi[rows, None]
        yy = np.where(inside, y, lo[rows, None])
        g, d, p = good[rows, None], draws[rows, None], pop[rows, None]
        logf = _lnc(g, yy) + _lnc(p - g, d - yy) + yy * math.log(odds)
        logf = np.where(inside, logf, -np.inf)
        f = np.exp(logf - logf.max(axis=1, keepdims=True))
        below = f * (y <= x[rows, None])
        out[rows] = below.sum(axis=1) / f.sum(axis=1)
    return np.minimum(out, 1.0)
