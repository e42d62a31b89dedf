"""When is it safe to stop screening? A statistical rule and a labelled heuristic.

API (plain data in, plain data out; labels are 0/1 in screening order, 1 = relevant,
a "maybe" not yet settled counts as 1 — reviewkit.screening.ranked builds them):

    stopping_status(labels, n_total, target=0.95, confidence=0.99, heuristic_n=50,
                    bias=DEFAULT_BIAS, min_urn=0.2) -> StoppingStatus  # pure, from scratch
    mon = StoppingMonitor(n_total, target, confidence, heuristic_n, bias, min_urn)
    mon.update(new_labels) -> StoppingStatus                  # append decisions, cheap
    mon.reset(labels) -> StoppingStatus       # after an undo, a re-decision or a settled maybe
    p_value(labels, n_total, target, bias, min_urn)  methods_text(...)
    (whole simulated orders: stopping_sim.first_stop; other rules: stopping_rules)

``StoppingMonitor.update`` gives exactly what ``stopping_status`` gives on the whole
sequence; it keeps running sums, so an update costs O(relevant found) CDF terms, not
O(records screened) (the screener calls it in a background thread after each decision).

**The test** (Callaghan & Müller-Hansen 2020, Syst Rev 9:273). H0: "recall so far is
below the target τ". With r relevant among the n screened of N, H0 means the pile
holds at least ⌊r/τ⌋ + 1 relevant records. Take the last k screened records as an
urn drawn from themselves plus the N − n unscreened: under H0 that population holds
at least K̂ = ⌊r/τ⌋ + 1 − r_before relevant records (r_before = relevant found before
the urn). The p-value is the chance of seeing as few relevant records in the urn as
we did, minimised over the urn sizes k; the criterion is met when p < 1 − confidence.

**confidence** (default 0.99) is the level of each check. Checked after every
decision, the rule stops short more often than one check's 1 − confidence; at 0.99 with
the smallest urn below it kept at least 95% of simulated reviews at the target
(stopping_defaults, docs/stopping.md), where 0.95 did not.

**min_urn** (default 0.2; 0 = the published test, every k): only urns of at least that
share of the records screened are taken. The published test takes the smallest p over
every k after every decision, so a chance run of a few dozen irrelevant records right
after a relevant one can reject H0 where the ranker's tail is flat (the records screened
last no richer than those left). A long urn is not fooled by a short run. Every single
test keeps its guarantee either way; the option only narrows the choice of urn.

**bias** (an option; the default is 1). Callaghan & Müller-Hansen's test assumes the urn is no
richer in relevant records than the unscreened ones (a random draw), which
prioritised screening violates in the safe direction. With ``bias`` = b > 1 the
test instead assumes the urn's records had odds of being relevant at least b times
those of the unscreened records; conditional on the population's relevant count the
urn's count then follows Fisher's noncentral hypergeometric distribution with odds
ratio b, and P(H0 true and p < α) ≤ α for every single test under that assumption
(its CDF falls as the odds ratio rises, so any true odds ratio ≥ b keeps it valid).
b = 1 is the original test. buscarpy (the authors' code) offers the same idea with
Wallenius' distribution; Fisher's has a closed form, hence cheap updates. The
default b = 1 was chosen by the worst shared dataset in bench/stopping.py: see
DEFAULT_BIAS and docs/stopping.md, which also says what the guarantee does NOT cover
(the test is checked after every decision: many tests, not one).

**N consecutive irrelevant** is a HEURISTIC: it gives no recall guarantee and no
confidence level. It is reported beside the test, never instead of it.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass

import numpy as np

from reviewkit.ranking.fisher import fisher_cdf, fisher_mean
from reviewkit.ranking.stopping_defaults import DEFAULT_CONFIDENCE, DEFAULT_MIN_URN, percent

RECENT_WINDOW = 200  # records whose relevant rate stands in for the unscreened ones
# Odds ratio assumed between the last screened records and the unscreened ones. Chosen
# by the worst shared dataset (bench/stopping.py, docs/stopping.md): on
# Cohen_2006_AtypicalAntipsychotics the ranker's tail is flat (about 10% relevant from
# record 700 to 1,100), the records screened last are no richer than the rest, and
# every b > 1 stops short of 95% recall in most runs. So the default stays 1: the
# test as published; a team may set [stopping] bias after checking its own tail.
DEFAULT_BIAS = 1.0


def _labels(labels: Sequence[int]) -> np.ndarray:
    return np.asarray(labels, dtype=np.int64)


def _k_hat_base(r: int, target: float) -> int:
    # round(): 19 / 0.95 must be 20, not 19.999999999999996
    return math.floor(round(r / target, 9)) + 1 - r


def _urn_p(urn_rel: np.ndarray, k: np.ndarray, n: int, r: int, n_total: int, target: float,
           bias: float, exact: bool) -> float:
    """min over the given urns (last k records, urn_rel relevant among them) of the CDF."""
    population = n_total - n + k                 # the urn plus everything unscreened
    k_hat = _k_hat_base(r, target) + urn_rel
    if (k_hat > population).any():               # H0 cannot hold for that urn: p = 0
        return 0.0
    # An urn holding more than mean + 1 relevant records has CDF >= 1/2 (the median lies
    # within 1 of the mean): skip those costly CDFs unless nothing else is below 1/2.
    low = urn_rel <= fisher_mean(population, k_hat, k, bias) + 1
    p = fisher_cdf(urn_rel[low], population[low], k_hat[low], k[low], bias).min(initial=1.0)
    if p >= 0.5 and exact and not low.all():
        p = fisher_cdf(urn_rel, population, k_hat, k, bias).min()
    return float(p)


def _candidates(ones: np.ndarray, n: int, k_min: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Urn sizes (at least ``k_min``) that can hold the minimum, and the relevant count in
    each.

    Growing an urn by an irrelevant record lowers its CDF (one more draw, same count,
    same population), so the minimum lies at an urn reaching back to just after a
    relevant record, or the whole sequence; k = 1 decides whether p = 0 (and when
    k_min > 1, the whole sequence's CDF is 0 whenever H0 cannot hold).
    ``ones`` = positions (0-based, ascending) of the relevant records.
    """
    r = len(ones)
    k = np.concatenate([n - 1 - ones[::-1], [n, 1]])          # urn after the j-th last one
    urn_rel = np.concatenate([np.arange(r), [r, int(r > 0 and ones[-1] == n - 1)]])
    keep = k >= max(k_min, 1)
    return urn_rel[keep], k[keep]


def smallest_urn(n: int, min_urn: float) -> int:
    """The fewest records an urn may hold after ``n`` screened: a share of them (>= 1)."""
    return max(1, math.ceil(round(min_urn * n, 9)))


def _p_from_ones(ones: np.ndarray, n: int, n_total: int, target: float, bias: float,
                 exact: bool = True, min_urn: float = 0.0) -> float:
    if n == 0:
        return 1.0
    if n > n_total:
        raise ValueError(f"{n} records screened but the pile has only {n_total}")
    urn_rel, k = _candidates(ones, n, smallest_urn(n, min_urn))
    return _urn_p(urn_rel, k, n, len(ones), n_total, target, bias, exact)


def p_value(labels: Sequence[int], n_total: int, target: float = 0.95,
            bias: float = 1.0, min_urn: float = 0.0) -> float:
    """p for H0 "recall < target", given labels in screening order and pile size N.

    ``bias`` 1 and ``min_urn`` 0 are Callaghan & Müller-Hansen's test (every urn size);
    ``min_urn`` f > 0 takes only urns of at least f × the records screened. See the
    module docstring."""
    lab = _labels(labels)
    return _p_from_ones(np.flatnonzero(lab), len(lab), n_total, target, bias,
                        min_urn=min_urn)


GRID_STEP = 0.005
# p at most this share below 1 - confidence is taken as equal to it: floating point gives
# 1 - 99/100 as 0.0099999999999998, and p = 0.01 is no stop at "p < 0.01"
TIE = 1e-9


def rejects(p: float, confidence: float) -> bool:
    """The criterion, p < 1 - confidence, with a p equal to it (up to rounding) no stop."""
    return p < (1 - confidence) * (1 - TIE)


def _first_shown(ones: np.ndarray, n: int, n_total: int, confidence: float, bias: float,
                 step: float = GRID_STEP, hint: int | None = None,
                 min_urn: float = 0.0) -> int | None:
    """Index into the grid of targets (0.995, 0.990, ... high to low) of the highest
    target the test shows, or None. Being shown is monotone along the grid (p falls as
    τ falls), so this gallops out from ``hint`` (the last answer) and bisects."""
    size = int(round(1 / step)) - 1

    def shown(i: int) -> bool:
        tau = round(1 - step * (i + 1), 9)
        return rejects(_p_from_ones(ones, n, n_total, tau, bias, exact=False,
                                    min_urn=min_urn), confidence)

    if hint is None or not 0 <= hint < size:
        hint = size // 2
    if shown(hint):                               # the answer is hint or above it
        hi, gap = hint, 1                         # shown(hi)
        while hi - gap >= 0 and shown(hi - gap):
            hi, gap = hi - gap, gap * 2
        lo = max(hi - gap + 1, 0)                 # not shown below lo (or lo = 0)
    else:
        lo, gap = hint + 1, 1                     # not shown before lo
        while lo + gap - 1 < size and not shown(lo + gap - 1):
            lo, gap = lo + gap, gap * 2
        if lo >= size:
            return None
        hi = min(lo + gap - 1, size - 1)
        if not shown(hi):
            return None
    while lo < hi:
        mid = (lo + hi) // 2
        if shown(mid):
            hi = mid
        else:
            lo = mid + 1
    return lo


def _bound(index: int | None, step: float = GRID_STEP) -> float:
    return 0.0 if index is None else round(1 - step * (index + 1), 6)


def recall_lower_bound(labels: Sequence[int], n_total: int,
                       confidence: float = DEFAULT_CONFIDENCE,
                       step: float = GRID_STEP, bias: float = 1.0,
                       min_urn: float = 0.0) -> float:
    """Largest recall τ (on a grid of ``step``) that the test shows at ``confidence``.
    0.0 = nothing shown."""
    lab = _labels(labels)
    return _bound(_first_shown(np.flatnonzero(lab), len(lab), n_total, confidence, bias,
                               step, min_urn=min_urn), step)


def consecutive_irrelevant(labels: Sequence[int]) -> int:
    """Length of the run of irrelevant records at the end of the order."""
    lab = _labels(labels)
    hits = np.flatnonzero(lab)
    return len(lab) - (int(hits[-1]) + 1 if len(hits) else 0)


def _estimate(r: int, n: int, recent_rel: int, recent_n: int, n_total: int) -> float | None:
    if r == 0:
        return None
    return r / (r + (n_total - n) * recent_rel / recent_n)


def estimated_recall(labels: Sequence[int], n_total: int) -> float | None:
    """Point estimate: found / (found + recent relevant rate × unscreened).

    The rate among the last RECENT_WINDOW screened records stands in for the
    unscreened ones; under prioritised screening the rest are poorer, so the
    estimate leans low. None before anything relevant is found.
    """
    lab = _labels(labels)
    recent = lab[-RECENT_WINDOW:]
    return _estimate(int(lab.sum()), len(lab), int(recent.sum()), len(recent), n_total)


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
    bias: float = 1.0                     # odds ratio the test assumed (1 = original test)
    min_urn: float = 0.0                  # smallest urn, as a share of the records screened
    unscreened: int = 0                   # records the reviewer has not screened
    estimated_missing: float | None = None  # relevant records the estimate puts among them

    def to_dict(self) -> dict:
        return asdict(self)

    @property
    def verdict(self) -> str:
        """One short line: the screener's top line and ``reviewkit status`` use it."""
        est = "" if self.estimated_recall is None else f", est. recall {self.estimated_recall:.0%}"
        if not self.screened:                # no test yet: p = 1 is no finding
            return f"nothing screened yet, {self.unscreened:,} left"
        if self.criterion_met:
            head = (f"stop: recall >= {percent(self.target)} shown at "
                    f"{percent(self.confidence)} confidence")
        else:
            head = f"keep screening: p = {self.p_value:.2g} (stop at < {1 - self.confidence:.2g})"
        return f"{head}{est}, {self.unscreened:,} left"


class StoppingMonitor:
    """The stopping test kept up to date one decision at a time.

    Keeps the relevant records' positions and the recent window's count, so
    ``update`` costs O(new labels + relevant found), never O(records screened).
    """

    def __init__(self, n_total: int, target: float = 0.95,
                 confidence: float = DEFAULT_CONFIDENCE,
                 heuristic_n: int = 50, bias: float = DEFAULT_BIAS,
                 min_urn: float = DEFAULT_MIN_URN) -> None:
        self.n_total, self.target, self.confidence = n_total, target, confidence
        self.heuristic_n, self.bias, self.min_urn = heuristic_n, bias, min_urn
        self.reset([])

    def reset(self, labels: Iterable[int]) -> StoppingStatus:
        """Start again from a whole sequence: an undo, a re-decision or a "maybe" being
        settled changes a past label (reviewkit.screening.ranked.stopping_labels)."""
        self._ones: list[int] = []
        self._recent: list[int] = []          # the last RECENT_WINDOW labels, a ring
        self._recent_rel = 0
        self._hint: int | None = None        # the last bound's grid index: it moves little
        self.n = 0
        return self.update(labels)

    def update(self, new_labels: Iterable[int]) -> StoppingStatus:
        for x in new_labels:
            x = int(bool(x))
            if x:
                self._ones.append(self.n)
            if len(self._recent) == RECENT_WINDOW:
                self._recent_rel -= self._recent[self.n % RECENT_WINDOW]
                self._recent[self.n % RECENT_WINDOW] = x
            else:
                self._recent.append(x)
            self._recent_rel += x
            self.n += 1
        return self.status()

    def status(self) -> StoppingStatus:
        ones, n, r = np.asarray(self._ones, dtype=np.int64), self.n, len(self._ones)
        p = _p_from_ones(ones, n, self.n_total, self.target, self.bias,
                         min_urn=self.min_urn)
        run = n - (self._ones[-1] + 1 if r else 0)
        est = _estimate(r, n, self._recent_rel, max(len(self._recent), 1), self.n_total)
        found = _first_shown(ones, n, self.n_total, self.confidence, self.bias,
                             hint=self._hint, min_urn=self.min_urn)
        # nothing shown yet: start next time from the lowest target (one test if still so)
        self._hint = found if found is not None else int(round(1 / GRID_STEP)) - 2
        if est is not None:
            # the recent-rate estimate leans low; one below the bound the test shows at its
            # confidence would say two things at once ("recall >= 85%, est. 67%")
            est = max(est, _bound(found))
        return StoppingStatus(
            screened=n, total=self.n_total, relevant_found=r, target=self.target,
            confidence=self.confidence, p_value=p, criterion_met=rejects(p, self.confidence),
            recall_lower_bound=_bound(found),
            estimated_recall=est, consecutive_irrelevant=run, heuristic_n=self.heuristic_n,
            heuristic_met=run >= self.heuristic_n, bias=self.bias, min_urn=self.min_urn,
            unscreened=self.n_total - n,
            estimated_missing=None if est is None else r / est - r)


def stopping_status(labels: Sequence[int], n_total: int, target: float = 0.95,
                    confidence: float = DEFAULT_CONFIDENCE, heuristic_n: int = 50,
                    bias: float = DEFAULT_BIAS, min_urn: float = DEFAULT_MIN_URN
                    ) -> StoppingStatus:
    """Everything a status line needs, from the 0/1 labels in screening order."""
    return StoppingMonitor(n_total, target, confidence, heuristic_n, bias,
                           min_urn).update(labels)


def methods_text(target: float = 0.95, confidence: float = DEFAULT_CONFIDENCE,
                 heuristic_n: int | None = None,
                 bias: float = DEFAULT_BIAS, min_urn: float = DEFAULT_MIN_URN,
                 order: str = "prioritised") -> str:
    """The sentence a report's methods section states about the stopping rule
    (``order``: how the records were presented, "prioritised" or "random")."""
    urns = (f"taking the smallest p over the last k screened records for every k of at "
            f"least {percent(min_urn)} of the records screened, " if min_urn > 0 else "")
    text = (f"Screening in {order} order stopped when the hypergeometric test of Callaghan "
            f"and Müller-Hansen (2020) rejected, at the {percent(confidence)} confidence level, "
            f"the hypothesis that recall was below {percent(target)} (p < {1 - confidence:.2g}, "
            f"{urns}checked after every screening decision)")
    if bias != 1:
        text += (f", assuming that the records screened last had odds of being relevant at "
                 f"least {bias:g} times those of the records left unscreened (Fisher's "
                 f"noncentral hypergeometric distribution)")
    text += (". A record marked \"maybe\" counted as relevant until it was settled. Records "
             "left unscreened because of this rule are counted as marked ineligible by "
             "automation tools.")
    if heuristic_n:
        text += (f" The number of consecutive irrelevant records (heuristic threshold "
                 f"{heuristic_n}) is reported for information only; it carries no recall "
                 f"guarantee.")
    return text
