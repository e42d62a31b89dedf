"""The ranker's order for the screener (``[screening] order = "ranked"``).

The model learns from settled outcomes only (both reviewers agreed, or a
conflict was resolved), so the order never leaks one blind reviewer's
decisions to the other. The stopping rule reads each reviewer's own
decisions in the order they were made.
"""

from __future__ import annotations

from reviewkit.project.config import Project
from reviewkit.screening.data import Screening
from reviewkit.screening.order import register_order
from reviewkit.store.base import Store


def ranked_order(project: Project, store: Store, stage: str, units: list[str]) -> list[str]:
    # scikit-learn loads when a ranking is wanted only
    from reviewkit.screening.live import hand_over, prepared_ranker, settled_labels

    labels = settled_labels(Screening(project, store).state(stage), units)
    ranker = prepared_ranker(project, store, units)  # features cached in .reviewkit/
    ranked = ranker.order(labels)
    hand_over(project, stage, units, ranker, ranked.model_version, labels)  # the live queue
    return [u for u in ranked.order if u not in labels] + [u for u in units if u in labels]


def recall_estimate(session) -> float | None:
    """Estimated recall from this reviewer's own decisions, in the order made."""
    from reviewkit.ranking import stopping_status

    labels = [int(e["decision"] == "include") for e in session.log.stack
              if e["id"] not in session.log.undone and e.get("stage", session.stage)
              == session.stage]
    if not labels:
        return None
    return stopping_status(labels, session.total).estimated_recall


def stopping(screening: Screening, stage: str, reviewer: str, target: float = 0.95,
             confidence: float = 0.95) -> dict:
    """The stopping test for one reviewer at one stage, as plain data for status/report."""
    from reviewkit.ranking import stopping_status

    log = screening.state(stage).log(reviewer)
    labels = [int(e["decision"] == "include") for e in log.stack if e["id"] not in log.undone]
    st = stopping_status(labels, len(screening.eligible(stage)), target, confidence)
    return {"stage": stage, "reviewer": reviewer, **st.to_dict()}


ranked_order.recall_estimate = recall_estimate  # the screener shows it in its top line
register_order("ranked", ranked_order)
