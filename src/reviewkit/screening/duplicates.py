"""Mark two records as the same study, or not, from the screener.

Written through the dedup stage's own judgement log (dedup/judgements.jsonl),
where people's judgements win over its scores.
"""

from __future__ import annotations

from reviewkit.dedup.judgements import append_judgement
from reviewkit.project.config import Project


def mark_duplicate(project: Project, a: str, b: str, reviewer: str) -> dict:
    return append_judgement(project, a, b, True, reviewer)


def mark_not_duplicate(project: Project, a: str, b: str, reviewer: str) -> dict:
    """Two records the dedup stage put in one cluster are different studies."""
    return append_judgement(project, a, b, False, reviewer)
