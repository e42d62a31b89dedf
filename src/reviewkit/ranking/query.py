"""Query strategies: which unscreened record to show next, given model scores.

Ties (and the cold start, before any relevant record is known) are broken by
a permutation drawn from ``random_state``, never by file order or record id:
in many exports the order itself leaks the label.
"""

from __future__ import annotations

import numpy as np


class MaxQuery:
    """Most likely relevant first."""

    def __init__(self, random_state: int | None = None) -> None:
        self.random_state = random_state

    def _tiebreak(self, n: int) -> np.ndarray:
        if getattr(self, "_tb", None) is None or len(self._tb) != n:
            self._tb = np.random.default_rng(self.random_state).permutation(n)
        return self._tb

    def order(self, scores: np.ndarray, pool: np.ndarray) -> np.ndarray:
        """Indices of ``pool`` (record indices) sorted best first."""
        tb = self._tiebreak(len(scores))
        return pool[np.lexsort((tb[pool], -scores[pool]))]

    def pick(self, scores: np.ndarray, pool_mask: np.ndarray) -> int:
        """The single best unscreened record (``pool_mask`` True = unscreened)."""
        tb = self._tiebreak(len(scores))
        s = np.where(pool_mask, scores, -np.inf)
        best = np.flatnonzero(s == s.max())
        return int(best[np.argmin(tb[best])])


class MixedQuery(MaxQuery):
    """Most likely relevant first, but with probability ``explore`` a random record.

    Exploration can surface relevant records whose wording the model has not
    yet seen, at the cost of some irrelevant ones; off by default.
    """

    def __init__(self, explore: float = 0.05, random_state: int | None = None) -> None:
        super().__init__(random_state)
        self.explore = explore

    def pick(self, scores: np.ndarray, pool_mask: np.ndarray) -> int:
        if getattr(self, "_rng", None) is None:
            self._rng = np.random.default_rng(self.random_state)
        if self._rng.random() < self.explore:
            return int(self._rng.choice(np.flatnonzero(pool_mask)))
        return super().pick(scores, pool_mask)

    def order(self, scores: np.ndarray, pool: np.ndarray) -> np.ndarray:
        ranked = super().order(scores, pool)
        if getattr(self, "_rng", None) is None:
            self._rng = np.random.default_rng(self.random_state)
        # every 1/explore-th slot goes to a random lower-ranked record
        if self.explore <= 0 or len(ranked) < 3:
            return ranked
        step = max(2, int(round(1 / self.explore)))
        out = list(ranked)
        for slot in range(step - 1, len(out) - 1, step):
            j = int(self._rng.integers(slot, len(out)))
            out[slot], out[j] = out[j], out[slot]
        return np.array(out)


def make_query(name: str = "max", random_state: int | None = None,
               explore: float = 0.05) -> MaxQuery:
    if name == "max":
        return MaxQuery(random_state)
    if name == "mixed":
        return MixedQuery(explore, random_state)
    from reviewkit.errors import ReviewkitError

    raise ReviewkitError(f"unknown query strategy {name!r}; expected max or mixed")
