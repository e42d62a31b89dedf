"""The ranker's order for the screener (``[screening] order = "ranked"``).

The model learns from settled outcomes only (both reviewers agreed, or a
conflict was resolved), so the order never leaks one blind reviewer's
decisions to the other. The stopping rule reads each reviewer's own
decisions in the order they were made; a "maybe" counts as relevant until settled.
"""

from __future__ import annotations

import random

from reviewkit.errors import ReviewkitError
from reviewkit.project.config import Project
from reviewkit.ranking.stopping_defaults import DEFAULT_CONFIDENCE
from reviewkit.screening.data import Screening
from reviewkit.screening.order import register_order
from reviewkit.screening.state import ReviewerLog, StageState
from reviewkit.store.base import Store


def ranked_order(project: Project, store: Store, stage: str, units: list[str]) -> list[str]:
    from reviewkit.screening.live import settled_labels

    labels = settled_labels(Screening(project, store).state(stage), units)
    return ranked_from(project, store, stage, units, labels)


def ranked_from(project: Project, store: Store, stage: str, units: list[str],
                labels: dict[str, int]) -> list[str]:
    """``ranked_order`` given the settled labels (a screener has the stage's state
    already: reading it again costs a second at 100k records)."""
    # scikit-learn loads when a ranking is wanted only
    from reviewkit.ranking.ranker import Ranker
    from reviewkit.screening.live_features import hand_over, prepared_ranker

    if len(set(labels.values())) < 2:
        # nothing to learn from yet: the seeded start needs no features (minutes at 100k
        # the first time); the live queue's worker computes them beside the screener
        ranker = Ranker(random_state=project.config.settings.seed).prepare_ids(units)
        ranked = ranker.order(labels)
        hand_over(project, stage, units, None, ranked.model_version, labels)
    else:
        ranker = prepared_ranker(project, store, units)  # features cached in .reviewkit/
        ranked = ranker.order(labels)
        hand_over(project, stage, units, ranker, ranked.model_version, labels)  # live queue
    # settled records come last (a reviewer beyond the two who settled them), in a seeded
    # random order: never the import order, which groups them by database
    settled = [u for u in units if u in labels]
    random.Random(f"{project.config.settings.seed}/{stage}").shuffle(settled)
    return [u for u in ranked.order if u not in labels] + settled


def stopping_labels(state: StageState, log: ReviewerLog, eligible: set[str] | None = None
                    ) -> list[int]:
    """One reviewer's 0/1 labels in the order they first decided each record.

    A record counts with the reviewer's current decision; a "maybe" counts as relevant
    until the record is settled (its outcome is include or exclude), then as that.
    """
    seen: set[str] = set()
    labels = []
    for event in log.stack:
        if event["id"] in log.undone:
            continue
        unit = log.unit_of(event.get("record", ""))
        current = log.current(unit)
        if unit in seen or current is None or (eligible is not None and unit not in eligible):
            continue
        seen.add(unit)
        decision = current["decision"]
        if decision == "maybe":
            settled = state.outcome(unit)
            labels.append(int(settled == "include") if settled in ("include", "exclude")
                          else 1)
        else:
            labels.append(int(decision == "include"))
    return labels


def recall_estimate(session) -> float | None:
    """Estimated recall from this reviewer's own decisions, in the order made."""
    from reviewkit.ranking import stopping_status

    labels = stopping_labels(session.state, session.log, session.eligible)
    if not labels:
        return None
    return stopping_status(labels, session.total).estimated_recall


def stopping(screening: Screening, stage: str, reviewer: str, target: float = 0.95,
             confidence: float = DEFAULT_CONFIDENCE, bias: float | None = None,
             heuristic_n: int = 50) -> dict:
    """The stopping test for one reviewer at one stage, as plain data for status/report.

    ``bias`` (None: the default rule's, ranking.stopping.DEFAULT_BIAS) is assumed only
    when the project screens in ranked order; otherwise it is 1, the test as published:
    in random or file order the records screened last are not richer than the rest, so
    no bias holds (docs/stopping.md), whatever ``[stopping] bias`` says."""
    from reviewkit.ranking.stopping import DEFAULT_BIAS, stopping_status

    if screening.conf.order != "ranked":
        bias = 1.0
    elif bias is None:
        bias = DEFAULT_BIAS
    state = screening.state(stage)
    eligible = set(screening.eligible(stage))
    labels = stopping_labels(state, state.log(reviewer), eligible)
    total = len(eligible)
    st = stopping_status(labels, total, target, confidence, heuristic_n, bias=bias)
    bare = left_without_abstract(screening, stage, state.log(reviewer), eligible)
    return {"stage": stage, "reviewer": reviewer, **st.to_dict(), "verdict": st.verdict,
            "left_without_abstract": bare,
            "caution": CAUTION.format(n=bare, left=st.unscreened)
            if st.criterion_met and bare else ""}


# The test's assumption is about what is left; for a record with no abstract the ranker
# has almost nothing to go on, so it may sit low in the order while being relevant.
CAUTION = ("{n:,} of the {left:,} records left have no abstract: the test assumes the "
           "records left are no richer in relevant ones than the last screened, which the "
           "ranker cannot judge for them; screen them (or a random sample of them) first")


def left_without_abstract(screening: Screening, stage: str, log: ReviewerLog,
                          eligible: set[str]) -> int:
    """Units the reviewer has not decided at the first stage none of whose records has an
    abstract (0 at later stages: they are read in full)."""
    if stage != screening.conf.stages[0]:
        return 0
    return sum(1 for u in bare_units(screening, eligible) if log.current(u) is None)


def bare_units(screening: Screening, units: set[str]) -> set[str]:
    """The units none of whose records has an abstract."""
    bare = screening.without_abstract()
    if not bare:
        return set()
    return {u for u in units if all(m in bare for m in screening.members.get(u, [u]))}


def stopping_report(screening: Screening, stage: str | None = None,
                    reviewer: str | None = None, target: float | None = None,
                    confidence: float | None = None) -> list[dict]:
    """``stopping`` for every reviewer (or one) at every stage (or one) they screened.

    Target, confidence and bias not given come from the project's ``[stopping]``
    section, else 0.95, 0.99 and the default for the project's order."""
    from reviewkit.reporting.report.settings import StoppingSettings, stopping_settings

    conf = stopping_settings(screening.project) or StoppingSettings()
    target = conf.target if target is None else target
    confidence = conf.confidence if confidence is None else confidence
    stages = [screening.conf.check_stage(stage)] if stage else screening.conf.stages
    if reviewer is not None:
        known = {r for st in stages for r in screening.reviewers(st)}
        if reviewer not in known:
            raise ReviewkitError(f"no reviewer {reviewer!r}; known: "
                                 f"{', '.join(sorted(known)) or 'none'}", field="reviewer")
    rows = []
    for st in stages:
        names = [reviewer] if reviewer is not None else sorted(screening.state(st).logs)
        # every stage asked for by name; otherwise only where the reviewer screened
        rows += [stopping(screening, st, name, target, confidence, conf.bias,
                          conf.heuristic_n or 50) for name in names
                 if stage or screening.state(st).log(name).active]
    return rows


def stop_lines(rows: list[dict], reviewer: str | None = None) -> list[str]:
    """`screen stop`'s text: one verdict per stage and reviewer, each with its caution
    (``reviewer``: the one asked for, named when they have decided nothing)."""
    out = []
    for row in rows:
        out.append(f"{row['stage']} {row['reviewer']}: {row['verdict']}")
        if row["caution"]:
            out.append(f"  caution: {row['caution']}")
    if not out and reviewer is not None:
        return [f"{reviewer} has made no screening decision yet"]
    return out or ["nobody has screened yet"]


ranked_order.recall_estimate = recall_estimate  # the screener shows it in its top line
register_order("ranked", ranked_order)
