"""Mark two records as the same study from the screener.

Written through the dedup stage's own judgement log (dedup/judgements.jsonl),
where people's judgements win over its scores.
"""

from __future__ import annotations

from reviewkit.dedup.judgements import append_judgement
from reviewkit.project.config import Project


def mark_duplicate(project: Project, a: str, b: str, reviewer: str) -> dict:
    return append_judgement(project, a, b, True, reviewer)
