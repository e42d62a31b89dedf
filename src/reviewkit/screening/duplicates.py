"""Mark two records as the same study, or not, from the screener.

Written through the dedup stage's own judgement log (dedup/judgements.jsonl),
where people's judgements win over its scores.
"""

from __future__ import annotations

from reviewkit.project.config import Project


def mark_duplicate(project: Project, a: str, b: str, reviewer: str) -> dict:
    from reviewkit.dedup.judgements import append_judgement  # dedup reads screening.log

    return append_judgement(project, a, b, True, reviewer)


def mark_not_duplicate(project: Project, a: str, b: str, reviewer: str) -> dict:
    """Two records the dedup stage put in one cluster are different studies."""
    from reviewkit.dedup.judgements import append_judgement

    return append_judgement(project, a, b, False, reviewer)
