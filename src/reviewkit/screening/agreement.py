"""Agreement between two reviewers: percent, Cohen's kappa with a 95% CI, confusion table.

The standard error is the large-sample one of Fleiss, Cohen & Everitt (1969),
the one SAS and most texts report.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import combinations

from reviewkit.screening.config import DECISIONS

Z95 = 1.959963984540054


@dataclass
class Kappa:
    n: int
    agree: int
    percent: float | None
    kappa: float | None      # None when chance agreement is 1 (one label used by both)
    se: float | None
    ci_low: float | None
    ci_high: float | None
    labels: tuple[str, ...]
    table: list[list[int]]   # rows: first reviewer's label, columns: second's


def cohen_kappa(a: Sequence[str], b: Sequence[str],
                labels: Sequence[str] = DECISIONS) -> Kappa:
    """Kappa of two equally long label sequences (item i judged by both)."""
    if len(a) != len(b):
        raise ValueError("both reviewers must judge the same items")
    index = {label: i for i, label in enumerate(labels)}
    k, n = len(labels), len(a)
    table = [[0] * k for _ in range(k)]
    for x, y in zip(a, b, strict=True):
        table[index[x]][index[y]] += 1
    agree = sum(table[i][i] for i in range(k))
    if n == 0:
        return Kappa(0, 0, None, None, None, None, None, tuple(labels), table)
    p = [[c / n for c in row] for row in table]
    rows = [sum(p[i]) for i in range(k)]
    cols = [sum(p[i][j] for i in range(k)) for j in range(k)]
    po = agree / n
    pe = sum(rows[i] * cols[i] for i in range(k))
    if math.isclose(pe, 1.0):
        return Kappa(n, agree, 100 * po, None, None, None, None, tuple(labels), table)
    kappa = (po - pe) / (1 - pe)
    diag = sum(p[i][i] * (1 - (rows[i] + cols[i]) * (1 - kappa)) ** 2 for i in range(k))
    off = (1 - kappa) ** 2 * sum(p[i][j] * (cols[i] + rows[j]) ** 2
                                 for i in range(k) for j in range(k) if i != j)
    var = (diag + off - (kappa - pe * (1 - kappa)) ** 2) / (n * (1 - pe) ** 2)
    if var <= 0 and not math.isclose(kappa, 1.0):
        # one reviewer gave one answer throughout: kappa is 0 whatever the other said, and
        # the large-sample variance comes out 0; an interval of [0, 0] would claim certainty
        return Kappa(n, agree, 100 * po, kappa, None, None, None, tuple(labels), table)
    se = math.sqrt(max(var, 0.0))
    low, high = max(-1.0, kappa - Z95 * se), min(1.0, kappa + Z95 * se)
    return Kappa(n, agree, 100 * po, kappa, se, low, high, tuple(labels), table)


def pair_rows(stage: str, decided: dict[str, dict[str, str]],
              units: Iterable[str] | None = None) -> list[dict]:
    """One row per pair of reviewers: ``decided`` is reviewer -> unit -> decision."""
    keep = set(units) if units is not None else None
    out = []
    for ra, rb in combinations(sorted(decided), 2):
        both = sorted(u for u in decided[ra].keys() & decided[rb].keys()
                      if keep is None or u in keep)
        result = cohen_kappa([decided[ra][u] for u in both], [decided[rb][u] for u in both])
        out.append(as_row(stage, ra, rb, result))
    return out


def as_row(stage: str, ra: str, rb: str, r: Kappa) -> dict:
    def rnd(x: float | None, digits: int = 3) -> float | None:
        return None if x is None else round(x, digits)

    return {"stage": stage, "reviewer_a": ra, "reviewer_b": rb, "both": r.n, "agree": r.agree,
            "percent": rnd(r.percent, 1), "kappa": rnd(r.kappa), "ci_low": rnd(r.ci_low),
            "ci_high": rnd(r.ci_high), "se": rnd(r.se, 4),
            "confusion": {"rows": ra, "columns": rb, "labels": list(r.labels),
                          "table": r.table}}


def confusion_text(row: dict) -> str:
    """The confusion table as aligned text, first reviewer down, second across."""
    c = row["confusion"]
    width = max(len(x) for x in [*c["labels"], c["rows"]]) + 2
    corner = f"{c['rows']} \\ {c['columns']}"
    width = max(width, len(corner) - 2)
    head = f"{corner:<{width + 4}}" + "".join(
        f"{label:>{width}}" for label in c["labels"])
    lines = [head] + [f"{label:<{width + 4}}" + "".join(f"{v:>{width}}" for v in values)
                      for label, values in zip(c["labels"], c["table"], strict=True)]
    return "\n".join(lines)
