"""Which CERQual worksheet counts for a finding (the tables, the report and status agree)."""

from __future__ import annotations

from reviewkit.appraisal.records import CONSENSUS
from reviewkit.synthesis.confidence.worksheet import Worksheet

ILLUSTRATIVE = "not yet assessed"


def counted(sheets: list[Worksheet], finding: str) -> tuple[Worksheet | None, str]:
    """The worksheet that counts for a finding: the consensus; else a lone final one;
    else the assessors' when they agree on every level. Drafts never count."""
    mine = [w for w in sheets if w.finding == finding and w.status == "final"]
    consensus = [w for w in mine if w.assessor == CONSENSUS]
    if consensus:
        return consensus[0], ""
    if len(mine) == 1:
        return mine[0], ""
    if mine and all(_levels(w) == _levels(mine[0]) for w in mine):
        return mine[0], ""
    if mine:
        return None, (f"{finding}: assessors disagree; record a consensus "
                      f"('reviewkit synthesis consensus {finding}')")
    return None, f"{finding}: no final CERQual worksheet; shown as {ILLUSTRATIVE!r}"


def _levels(w: Worksheet) -> tuple:
    return (w.confidence, *sorted((k, j.concern) for k, j in w.components.items()))
