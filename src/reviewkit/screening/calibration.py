"""Calibration round: a seeded random sample every reviewer screens first.

The sample is kept as data (screening/<stage>/calibration.json), so every
reviewer and every re-run sees the same records.
"""

from __future__ import annotations

import json
import random

from reviewkit.errors import ReviewkitError
from reviewkit.project.atomic import write_text_atomic
from reviewkit.screening.agreement import pair_rows
from reviewkit.screening.data import Screening
from reviewkit.screening.log import screening_dir


def _path(screening: Screening, stage: str):
    return screening_dir(screening.project) / stage / "calibration.json"


def calibration_sample(screening: Screening, stage: str) -> list[str]:
    """The drawn sample as units today, or [] before one is drawn: a record drawn that
    has since joined another's duplicate cluster counts as that cluster."""
    return list(dict.fromkeys(screening.unit_of(u) for u in _drawn(screening, stage)))


def _drawn(screening: Screening, stage: str) -> list[str]:
    """The ids the file holds, as drawn."""
    path = _path(screening, stage)
    if not path.exists():
        return []
    try:
        return list(json.loads(path.read_text("utf-8"))["records"])
    except (ValueError, KeyError, TypeError):
        raise ReviewkitError("not a calibration sample file", file=str(path)) from None


def draw_calibration(screening: Screening, stage: str, size: int) -> list[str]:
    """Draw ``size`` units (seeded); re-running with the same size returns the same sample."""
    path = _path(screening, stage)
    existing = _drawn(screening, stage)
    if existing:
        if len(existing) != size:
            raise ReviewkitError(f"a calibration sample of {len(existing)} records was already "
                                 f"drawn; delete the file to draw another", file=str(path))
        return calibration_sample(screening, stage)
    if size < 1:
        raise ReviewkitError("the calibration sample needs at least one record", field="size")
    seed = screening.project.config.settings.seed
    units = sorted(screening.eligible(stage))
    if size > len(units):  # all of them would put the whole stage in calibration order
        raise ReviewkitError(f"only {len(units)} records are screened at {stage}: choose "
                             f"--size {len(units)} or fewer", field="size")
    sample = random.Random(f"{seed}/calibration/{stage}").sample(units, size)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_text_atomic(path, json.dumps({"stage": stage, "seed": seed, "size": len(sample),
                                        "records": sample}, indent=1) + "\n")
    return sample


def calibration_report(screening: Screening, stage: str) -> tuple[list[dict], list[dict]]:
    """(progress per reviewer, agreement per pair) on the calibration sample."""
    sample = calibration_sample(screening, stage)
    state = screening.state(stage)
    reviewers = [r for r in screening.reviewers(stage) if not screening.only_resolves(stage, r)]
    decided = {r: {u: e["decision"] for u, e in state.log(r).decided().items()}
               for r in reviewers}
    progress = [{"reviewer": r, "done": sum(1 for u in sample if u in decided[r]),
                 "sample": len(sample)} for r in reviewers]
    screeners = {r: d for r, d in decided.items() if d}  # not those who only resolve
    return progress, pair_rows(stage, screeners, sample)
