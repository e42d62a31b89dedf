"""Screening events as plain dicts: what one reviewer did, when, at which stage.

A changed decision is a new decision event; undo and resolution are events too,
so a log is the full audit trail (who, what, when, where).
"""

from __future__ import annotations

from reviewkit.errors import ReviewkitError
from reviewkit.screening.config import DECISIONS, ScreeningConfig
from reviewkit.screening.log import new_id, now, whole_chars
from reviewkit.screening.reasons import normalise_reasons

VERSION = 1


def _base(kind: str, stage: str, reviewer: str, via: str) -> dict:
    return {"v": VERSION, "id": new_id(), "type": kind, "stage": stage, "reviewer": reviewer,
            "at": now(), "via": via}


def check_decision(conf: ScreeningConfig, stage: str, decision: str, reason: str = "",
                   resolution: bool = False) -> tuple[str, str]:
    """(decision, reason) normalised, or a ReviewkitError saying what is allowed."""
    label = decision.strip().lower()
    allowed = ("include", "exclude") if resolution else DECISIONS
    if label not in allowed:
        raise ReviewkitError(f"unknown decision {decision!r}; expected {', '.join(allowed)}",
                             field="decision")
    reason = normalise_reasons(reason, conf.reasons)
    if reason and label != "exclude":
        raise ReviewkitError("a reason goes with an exclusion only", field="reason")
    if not reason and label == "exclude" and conf.reason_needed(stage):
        raise ReviewkitError(f"an exclusion at {stage} needs a reason: "
                             f"{'; '.join(conf.reasons)} (several: 'a; b'; or 'other: <why>')",
                             field="reason")
    return label, reason


def decision_event(stage: str, reviewer: str, record: str, decision: str, reason: str = "",
                   note: str = "", via: str = "screener") -> dict:
    return {**_base("decision", stage, reviewer, via), "record": record, "decision": decision,
            "reason": whole_chars(reason), "note": whole_chars(note)}


def resolution_event(stage: str, reviewer: str, record: str, decision: str, reason: str = "",
                     note: str = "", via: str = "cli") -> dict:
    return {**_base("resolution", stage, reviewer, via), "record": record,
            "decision": decision, "reason": whole_chars(reason), "note": whole_chars(note)}


def undo_event(stage: str, reviewer: str, target: dict, via: str = "screener") -> dict:
    return {**_base("undo", stage, reviewer, via), "record": target["record"],
            "target": target["id"]}


def note_event(stage: str, reviewer: str, record: str, note: str, via: str = "screener") -> dict:
    return {**_base("note", stage, reviewer, via), "record": record,
            "note": whole_chars(note)}
