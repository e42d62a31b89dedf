"""Read the shared dedup benchmark CSVs (../shared/data/dedup/ schema) and score clusters.

Metric definitions follow that folder's MANIFEST (pairwise, removal, membership);
pairs left for a person count as not merged.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path


def read_rows(path: Path) -> list[dict]:
    csv.field_size_limit(1 << 24)
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def iter_rows(path: Path) -> Iterator[dict]:
    """Rows one at a time, so a benchmark child never holds the whole CSV twice."""
    csv.field_size_limit(1 << 24)
    with path.open(encoding="utf-8", newline="") as fh:
        yield from csv.DictReader(fh)


def as_record(row: dict) -> dict:
    rec = {k: row.get(k, "") for k in ("title", "authors", "year", "journal", "volume",
                                       "issue", "pages", "doi", "abstract")}
    rec["issn"] = row.get("isbn_issn", "")
    return rec


def _pairs(labels: list) -> set[tuple[int, int]]:
    by = defaultdict(list)
    for i, label in enumerate(labels):
        by[label].append(i)
    return {(m[x], m[y]) for m in by.values() for x in range(len(m)) for y in range(x + 1, len(m))}


def score(rows: list[dict], clusters: list[list[int]]) -> dict:
    pred = [0] * len(rows)
    for c, members in enumerate(clusters):
        for i in members:
            pred[i] = c
    out: dict = {}
    if rows and rows[0].get("dup_group"):
        truth = [r["dup_group"] for r in rows]
        tp_pairs, pp = _pairs(truth), _pairs(pred)
        tp = len(tp_pairs & pp)
        p = tp / len(pp) if pp else 1.0
        r = tp / len(tp_pairs) if tp_pairs else 1.0
        out.update(pair_precision=p, pair_recall=r, pair_f1=2 * p * r / (p + r) if p + r else 0.0)
        groups = set(truth)
        correct = wrong = 0
        for members in clusters:
            distinct = len({truth[i] for i in members})
            correct += len(members) - distinct
            wrong += distinct - 1
        positives, negatives = len(rows) - len(groups), len(groups)
        out.update(removal_sensitivity=correct / positives if positives else 1.0,
                   removal_specificity=1 - wrong / negatives if negatives else 1.0)
    else:
        sizes = {i: len(m) for m in clusters for i in m}
        tp = fp = fn = tn = 0
        for i, row in enumerate(rows):
            predicted, actual = sizes[i] >= 2, row.get("dup_label") == "1"
            tp += predicted and actual
            fp += predicted and not actual
            fn += actual and not predicted
            tn += not predicted and not actual
        out.update(member_sensitivity=tp / (tp + fn) if tp + fn else 1.0,
                   member_specificity=tn / (tn + fp) if tn + fp else 1.0,
                   member_precision=tp / (tp + fp) if tp + fp else 1.0)
    return out
