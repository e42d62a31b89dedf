"""Simulated reviewers for the demo: the review team's real decisions, with seeded slips.

Each reviewer follows the published label but disagrees now and then, as real
pairs do; a third reviewer settles every conflict with the published label.
Every event goes through the screening module's own log writer.
"""

from __future__ import annotations

import random

from reviewkit.project.config import Project
from reviewkit.ranking import Ranker
from reviewkit.screening import Screening, resolve
from reviewkit.screening.events import decision_event
from reviewkit.screening.log import append_events, log_path
from reviewkit.store.base import Store

SLIPS = {"ana": 0.03, "ben": 0.06}   # how often each reviewer departs from the label
RESOLVER = "cleo"
RETRAIN_EVERY = 10


def ranked_units(project: Project, store: Store, units: list[str], truth: dict[str, int],
                 seed: int) -> list[str]:
    """The order a reviewer meets the records in: the ranker's, retrained as labels arrive."""
    screening = Screening(project, store)
    records = [screening.store.get_record(u).record for u in units]
    ranker = Ranker(random_state=seed).prepare(records, units)
    order: list[str] = []
    labels: dict[str, int] = {}
    while len(order) < len(units):
        ranked = [u for u in ranker.order(labels).order if u not in labels]
        for unit in ranked[:RETRAIN_EVERY]:
            order.append(unit)
            labels[unit] = truth[unit]
    return order


def screen_stage(project: Project, store: Store, stage: str, order: list[str],
                 truth: dict[str, str], reasons: dict[str, str], seed: int) -> int:
    """Both reviewers judge every unit in ``order``; returns the number of conflicts."""
    rnd = random.Random(seed)
    for reviewer, slip in SLIPS.items():
        events = []
        for unit in order:
            decision = truth[unit]
            if rnd.random() < slip:
                decision = "exclude" if decision == "include" else "include"
            reason = reasons.get(unit, "") if decision == "exclude" else ""
            if decision == "exclude" and stage == "full-text" and not reason:
                reason = "wrong study design"
            events.append(decision_event(stage, reviewer, unit, decision, reason,
                                         via="demo"))
        append_events(log_path(project, stage, reviewer), events)
    screening = Screening(project, store)
    conflicts = [u for u in order if screening.state(stage).outcome(u) == "conflict"]
    for unit in conflicts:
        resolve(screening, stage, unit, truth[unit], RESOLVER,
                reason=reasons.get(unit, "") if truth[unit] == "exclude" else "")
    return len(conflicts)
