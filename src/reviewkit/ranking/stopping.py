"""When is it safe to stop screening? A statistical rule and a labelled heuristic.

**Hypergeometric test** (Callaghan & Müller-Hansen 2020, Syst Rev 9:273; as
buscarpy's ``calculate_h0``). H0: "recall so far is below the target τ". With
r relevant records among the n screened out of N, H0 means the pile holds at
least ⌊r/τ⌋ + 1 relevant records. Treat the last k screened records as an urn
drawn at random from themselves plus the N − n unscreened ones: under H0 that
population holds at least K̂ = ⌊r/τ⌋ + 1 − r_before relevant records (r_before
= relevant found before the urn), and the chance of seeing as few relevant
records in the urn as we did is the hypergeometric CDF. The p-value is the
smallest over every urn size k; the criterion is met when p < 1 − confidence.
It needs only the exact screening order (0/1 labels) and N, and is valid if
the urn is at least as rich in relevant records as a random draw would be,
which prioritised screening makes conservative.

**N consecutive irrelevant** is a HEURISTIC: it gives no recall guarantee and
no confidence level; its outcome depends on pile size, prevalence and luck. It
is reported beside the test, never instead of it.

For the screener and ``reviewkit status``: ``stopping_status(labels, N)`` gives
the estimate, the p-value and whether each criterion is met; ``methods_text``
states the rule and its parameters for the report.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass

import numpy as np

RECENT_WINDOW = 200  # records whose relevant rate stands in for the unscreened ones


def _labels(labels: Sequence[int]) -> np.ndarray:
    return np.asarray(labels, dtype=np.int64)


def p_value(labels: Sequence[int], n_total: int, target: float = 0.95) -> float:
    """p for H0 "recall < target", given labels in screening order and pile size N."""
    return _p_value(_labels(labels), n_total, target, exact=True)


def _p_value(lab: np.ndarray, n_total: int, target: float, exact: bool) -> float:
    n = len(lab)
    if n == 0:
        return 1.0
    if n > n_total:
        raise ValueError(f"{n} records screened but the pile has only {n_total}")
    r = int(lab.sum())
    urn_rel = np.cumsum(lab[::-1])               # relevant in the last k records, k = 1..n
    k = np.arange(1, n + 1)
    population = n_total - n + k                 # the urn plus everything unscreened
    # round(): 19 / 0.95 must be 20, not 19.999999999999996
    k_hat = math.floor(round(r / target, 9)) + 1 - (r - urn_rel)
    if (k_hat > population).any():               # H0 cannot hold for that urn: p = 0
        return 0.0
    from scipy.stats import hypergeom  # here: scipy.stats costs half a second to import

    # An urn holding more than mean + 1 relevant records has CDF >= 1/2 (the
    # hypergeometric median lies within 1 of the mean): skip the costly CDF there.
    low = urn_rel <= k * k_hat / population + 1
    p = hypergeom.cdf(urn_rel[low], population[low], k_hat[low], k[low]).min(initial=1.0)
    if p >= 0.5 and exact and not low.all():
        p = hypergeom.cdf(urn_rel, population, k_hat, k).min()
    return float(p)


def recall_lower_bound(labels: Sequence[int], n_total: int, confidence: float = 0.95,
                       step: float = 0.005) -> float:
    """Largest recall τ (on a grid of ``step``) that the test shows at ``confidence``.

    p falls as τ falls, so the grid is searched by bisection. 0.0 = nothing shown.
    """
    grid = np.arange(step, 1.0, step)[::-1]     # 0.995, 0.990, ... high to low
    alpha = 1 - confidence
    if p_value(labels, n_total, float(grid[-1])) >= alpha:
        return 0.0
    lo, hi = 0, len(grid) - 1                    # grid[hi] is shown; find the first shown
    while lo < hi:
        mid = (lo + hi) // 2
        if p_value(labels, n_total, float(grid[mid])) < alpha:
            hi = mid
        else:
            lo = mid + 1
    return round(float(grid[lo]), 6)


def consecutive_irrelevant(labels: Sequence[int]) -> int:
    """Length of the run of irrelevant records at the end of the order."""
    lab = _labels(labels)
    hits = np.flatnonzero(lab)
    return len(lab) - (int(hits[-1]) + 1 if len(hits) else 0)


def estimated_recall(labels: Sequence[int], n_total: int) -> float | None:
    """Point estimate: found / (found + recent relevant rate × unscreened).

    The rate among the last RECENT_WINDOW screened records stands in for the
    unscreened ones; under prioritised screening the rest are poorer, so the
    estimate leans low. None before anything relevant is found.
    """
    lab = _labels(labels)
    r = int(lab.sum())
    if r == 0:
        return None
    recent = lab[-RECENT_WINDOW:]
    left = (n_total - len(lab)) * float(recent.mean())
    return r / (r + left)


@dataclass
class StoppingStatus:
    screened: int
    total: int
    relevant_found: int
    target: float
    confidence: float
    p_value: float
    criterion_met: bool
    recall_lower_bound: float
    estimated_recall: float | None
    consecutive_irrelevant: int
    heuristic_n: int
    heuristic_met: bool

    def to_dict(self) -> dict:
        return asdict(self)


def stopping_status(labels: Sequence[int], n_total: int, target: float = 0.95,
                    confidence: float = 0.95, heuristic_n: int = 50) -> StoppingStatus:
    """Everything a status line needs, from the 0/1 labels in screening order."""
    lab = _labels(labels)
    p = p_value(lab, n_total, target)
    run = consecutive_irrelevant(lab)
    return StoppingStatus(
        screened=len(lab), total=n_total, relevant_found=int(lab.sum()), target=target,
        confidence=confidence, p_value=p, criterion_met=p < 1 - confidence,
        recall_lower_bound=recall_lower_bound(lab, n_total, confidence),
        estimated_recall=estimated_recall(lab, n_total), consecutive_irrelevant=run,
        heuristic_n=heuristic_n, heuristic_met=run >= heuristic_n)


def first_stop(labels: Sequence[int], n_total: int | None = None, target: float = 0.95,
               confidence: float = 0.95, min_screened: int = 1) -> int | None:
    """Records screened when the test is first met (checked after every record), or None.

    ``labels`` is a full simulated order; ``n_total`` defaults to its length.
    """
    lab = _labels(labels)
    n_total = len(lab) if n_total is None else n_total
    alpha = 1 - confidence
    for n in range(max(1, min_screened), len(lab) + 1):
        if _p_value(lab[:n], n_total, target, exact=False) < alpha:
            return n
    return None


def first_heuristic_stop(labels: Sequence[int], n: int = 50) -> int | None:
    """Records screened when the N-consecutive-irrelevant heuristic first fires, or None."""
    run = 0
    for i, x in enumerate(_labels(labels), 1):
        run = 0 if x else run + 1
        if run >= n:
            return i
    return None


def methods_text(target: float = 0.95, confidence: float = 0.95, heuristic_n: int | None = None
                 ) -> str:
    """The sentence a report's methods section states about the stopping rule."""
    text = (f"Screening in prioritised order stopped when the hypergeometric test of Callaghan "
            f"and Müller-Hansen (2020) rejected, at the {confidence:.0%} confidence level, the "
            f"hypothesis that recall was below {target:.0%} (p < {1 - confidence:.2g}, "
            f"checked after every screening decision). Records left unscreened because of "
            f"this rule are counted as marked ineligible by automation tools.")
    if heuristic_n:
        text += (f" The number of consecutive irrelevant records (heuristic threshold "
                 f"{heuristic_n}) is reported for information only; it carries no recall "
                 f"guarantee.")
    return text


def outcome(labels: Sequence[int], stop: int | None) -> dict[str, float | int | bool]:
    """Recall and work saved if screening a full order stopped after ``stop`` records
    (None = never stopped: everything screened)."""
    lab = _labels(labels)
    n = len(lab) if stop is None else stop
    return {"stopped": stop is not None, "screened": n,
            "recall": float(lab[:n].sum() / lab.sum()), "work_saved": 1 - n / len(lab)}
