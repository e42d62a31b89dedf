"""Replay a labelled dataset as if a reviewer screened in the ranker's order.

The loop is the screener's: after every decision the model is refitted on
everything labelled so far and the most likely relevant unscreened record
is screened next. Start-up is either prior knowledge (``prior_included``
relevant and ``prior_excluded`` irrelevant records drawn with ``seed``, or
given as ``priors``) or, without a relevant prior, a seeded random order
until the first relevant record (and one irrelevant) turns up.

Once every relevant record has been found, no metric depends on the order of
the rest, so they are appended in the last model's order without refitting
(ASReview's simulation stops at the same point).
"""

from __future__ import annotations

import csv
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

import numpy as np

from reviewkit.errors import ReviewkitError
from reviewkit.ranking.fast import make_scorer
from reviewkit.ranking.features import TextFeatures
from reviewkit.ranking.metrics import summary
from reviewkit.ranking.models import combine_ranks, feature_params, member_specs, preset
from reviewkit.ranking.query import make_query


@dataclass
class Simulation:
    order: list[int]                 # record indices in screening order, priors first
    labels: list[int]                # their labels, same order
    n_priors: int
    model: str
    seed: int
    retrain_seconds: list[float] = field(default_factory=list)
    feature_seconds: float = 0.0
    wall_seconds: float = 0.0

    def metrics(self) -> dict[str, float | int]:
        return summary(self.labels, self.n_priors)

    def write_order(self, path: str | Path, ids: Sequence[str]) -> None:
        """The ground truth of every metric: CSV ``record_id,label``, priors first."""
        from reviewkit.project.atomic import write_through
        from reviewkit.project.owned import refuse_owned

        refuse_owned(Path(path))

        def write(fh: TextIO) -> int:
            out = csv.writer(fh, lineterminator="\n")
            out.writerow(["record_id", "label"])
            out.writerows((ids[i], lab) for i, lab in zip(self.order, self.labels, strict=True))
            return len(self.order)

        write_through(Path(path), write)


def draw_priors(labels: Sequence[int], n_included: int = 1, n_excluded: int = 1,
                seed: int = 0) -> list[int]:
    """Indices of prior knowledge: relevant ones first, drawn with ``seed``."""
    y = np.asarray(labels)
    pos, neg = np.flatnonzero(y == 1), np.flatnonzero(y == 0)
    for flag, value in (("--prior-included", n_included), ("--prior-excluded", n_excluded)):
        if value < 0:
            raise ReviewkitError(f"{flag} is {value}; expected 0 or more")
    for flag, value, have, kind in (("--prior-included", n_included, len(pos), "relevant"),
                                    ("--prior-excluded", n_excluded, len(neg), "irrelevant")):
        if value > have:  # name the option to lower (every record relevant: 0 irrelevant)
            raise ReviewkitError(f"{flag} is {value} but the dataset has {have} {kind} "
                                 f"record(s); ask for {have} or fewer ({flag} {have})")
    rng = np.random.default_rng(seed)
    inc = rng.choice(pos, n_included, replace=False) if n_included else []
    exc = rng.choice(neg, n_excluded, replace=False) if n_excluded else []
    return [int(i) for i in (*inc, *exc)]


def simulate(records: Sequence[Any], labels: Sequence[int], model: str | None = None,
             seed: int = 0, prior_included: int = 1, prior_excluded: int = 1,
             priors: Sequence[int] | None = None, query: str = "max",
             features: Any = None) -> Simulation:
    """Simulate screening ``records`` (dicts/Records/texts) whose true ``labels`` are known.

    ``features`` may pass a precomputed matrix (rows = records) to skip text processing.
    """
    t_start = time.perf_counter()
    if seed < 0:
        raise ReviewkitError(f"--seed is {seed}; expected 0 or more")
    name, _ = preset(model)
    y = np.asarray(labels, dtype=int)
    n = len(y)
    if features is None:
        features = TextFeatures(**feature_params(name)).fit_transform(records)
    X = features.astype(np.float64) if features.dtype != np.float64 else features
    t_feat = time.perf_counter() - t_start
    prior_idx = (list(priors) if priors is not None
                 else draw_priors(y, prior_included, prior_excluded, seed))
    if int(y[prior_idx].sum()) == int(y.sum()):
        raise ReviewkitError(f"every relevant record ({int(y.sum())}) is a prior: nothing is "
                             "left to find, so recall is undefined; ask for fewer relevant "
                             "priors (--prior-included)")
    spec = preset(name)[1]
    scorers = [make_scorer(X, m, seed) for m in member_specs(name)]
    picker = make_query(query, random_state=seed)
    cold = np.random.default_rng(seed).permutation(n)  # seeded random start-up order
    order: list[int] = list(prior_idx)
    unscreened = np.ones(n, dtype=bool)
    unscreened[prior_idx] = False
    found, total = int(y[prior_idx].sum()), int(y.sum())
    retrain: list[float] = []
    scores = np.zeros(n)
    cold_pos = 0
    while found < total and unscreened.any():
        lab_y = y[order]
        if len(set(lab_y.tolist())) < 2:  # no model until both classes are seen
            while not unscreened[cold[cold_pos]]:
                cold_pos += 1
            nxt = int(cold[cold_pos])
        else:
            t = time.perf_counter()
            idx = np.asarray(order)
            scores = combine_ranks([s.fit_scores(idx, lab_y) for s in scorers],
                                   spec.get("weights"))
            nxt = picker.pick(scores, unscreened)
            retrain.append(time.perf_counter() - t)
        order.append(nxt)
        unscreened[nxt] = False
        found += int(y[nxt])
    order.extend(int(i) for i in picker.order(scores, np.flatnonzero(unscreened)))
    return Simulation(order=order, labels=[int(y[i]) for i in order], n_priors=len(prior_idx),
                      model=name, seed=seed, retrain_seconds=retrain, feature_seconds=t_feat,
                      wall_seconds=time.perf_counter() - t_start)

