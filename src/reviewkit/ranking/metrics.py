"""Simulation metrics, defined as asreview-insights defines them.

All metrics read one thing: the screening order's 0/1 labels, priors first.
Priors are excluded: with N′ = records after the priors and R′ = relevant
records among them,

- recall@x: relevant found in the first ⌊x·N′⌋ records / R′
- n95, n100: records screened (after the priors) until recall first reaches
  95% (at least ⌈0.95·R′⌉ relevant found) and 100%
- WSS@95 = 0.95 − n95/N′, WSS@100 = 1 − n100/N′ (work saved over random
  screening at that recall)
- RRF@10: relevant records found after screening 10% (= recall@10%, as a
  proportion, the ASReview papers' definition)
- ATD: average time to discovery: the mean position (1-based, after the
  priors) at which each relevant record was screened; also as a fraction of N′.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

RECALL_AT = (0.05, 0.10, 0.25)


def records_to_recall(labels: Sequence[int], recall: float) -> int:
    """Records screened until at least ``recall`` of the relevant ones are found."""
    lab = np.asarray(labels, dtype=int)
    total = int(lab.sum())
    if total == 0:
        raise ValueError("no relevant records after the priors: recall is undefined")
    # round() keeps 0.95 * 20 = 19.000000000000004 from asking for 20
    need = math.ceil(round(recall * total, 9))
    return int(np.searchsorted(np.cumsum(lab), need) + 1)


def recall_at(labels: Sequence[int], fraction: float) -> float:
    """Share of relevant records among the first ⌊fraction·N′⌋ screened."""
    lab = np.asarray(labels, dtype=int)
    k = math.floor(round(fraction * len(lab), 9))
    return float(lab[:k].sum() / lab.sum()) if k else 0.0


def wss(labels: Sequence[int], recall: float = 0.95) -> float:
    """Work saved over sampling at ``recall``: recall − n_recall/N′."""
    return recall - records_to_recall(labels, recall) / len(labels)


def atd(labels: Sequence[int]) -> float:
    """Average (1-based) position of the relevant records."""
    lab = np.asarray(labels, dtype=int)
    return float(np.mean(np.flatnonzero(lab) + 1))


def summary(order_labels: Sequence[int], n_priors: int) -> dict[str, float | int]:
    """Every metric for one screening order (labels in screening order, priors first)."""
    lab = np.asarray(order_labels, dtype=int)[n_priors:]
    n = len(lab)
    out: dict[str, float | int] = {"records": n, "relevant": int(lab.sum())}
    for x in RECALL_AT:
        out[f"recall@{round(x * 100)}%"] = recall_at(lab, x)
    out["n95"] = records_to_recall(lab, 0.95)
    out["n100"] = records_to_recall(lab, 1.0)
    out["wss@95"] = 0.95 - out["n95"] / n
    out["wss@100"] = 1.0 - out["n100"] / n
    out["rrf@10"] = recall_at(lab, 0.10)
    out["atd"] = atd(lab)
    out["atd_fraction"] = out["atd"] / n
    return out


def pick_robust(deltas: dict[str, dict[str, float]], sets: Sequence[str]) -> str:
    """The candidate whose worst delta over ``sets`` is highest; ties by the mean delta.

    ``deltas[candidate][dataset]``: a metric's difference to a baseline (e.g.
    WSS@95 minus ASReview's). Choosing by the worst set, not the mean, favours
    a model that holds on every review over one that wins big on a few.
    """
    def key(c: str) -> tuple[float, float]:
        d = [deltas[c][s] for s in sets]
        return (min(d), float(np.mean(d)))
    return max(sorted(deltas), key=key)


def leave_one_out(deltas: dict[str, dict[str, float]]) -> list[dict[str, float | str]]:
    """Leave-one-dataset-out selection: for each dataset, the candidate picked on
    the others (:func:`pick_robust`) and that pick's delta on the held-out one.
    Fewer than two datasets: nothing to hold out against, so no rows."""
    sets = sorted(next(iter(deltas.values())))
    if len(sets) < 2:
        return []
    rows: list[dict[str, float | str]] = []
    for held in sets:
        rest = [s for s in sets if s != held]
        pick = pick_robust(deltas, rest)
        rows.append({"held out": held, "picked on the other sets": pick,
                     "delta on held-out set": deltas[pick][held]})
    return rows
