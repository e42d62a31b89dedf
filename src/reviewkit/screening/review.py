"""After screening: status, agreement, conflicts and their resolution."""

from __future__ import annotations

from reviewkit.errors import ReviewkitError
from reviewkit.project.config import Project
from reviewkit.screening.agreement import pair_rows
from reviewkit.screening.data import Screening
from reviewkit.screening.events import check_decision, resolution_event
from reviewkit.screening.log import append_events, log_path
from reviewkit.screening.state import AWAITING, CONFLICT
from reviewkit.store.base import Store


def screening_status(project: Project, store: Store,
                     screening: Screening | None = None) -> list[dict]:
    """Per stage and reviewer: done, remaining, conflicts, awaiting a second reviewer."""
    screening = screening or Screening(project, store)
    rows = []
    for stage in screening.conf.stages:
        units = screening.eligible(stage)
        state = screening.state(stage)
        outcome = {u: state.outcome(u) for u in units}
        for reviewer in screening.reviewers(stage):
            mine = state.log(reviewer).active
            if not mine and reviewer not in project.config.reviewers \
                    or screening.only_resolves(stage, reviewer):
                continue  # not a screener here
            done = sum(1 for u in units if u in mine)
            rows.append({"stage": stage, "reviewer": reviewer, "done": done,
                         "remaining": len(units) - done,
                         "conflicts": sum(1 for u in mine if outcome.get(u) == CONFLICT),
                         "awaiting_second": sum(1 for u in mine if outcome.get(u) == AWAITING)})
    return rows


def agreement(screening: Screening, stage: str | None = None) -> list[dict]:
    """Per stage and pair of reviewers: both, percent, kappa, 95% CI, confusion table."""
    rows = []
    for st in [screening.conf.check_stage(stage)] if stage else screening.conf.stages:
        state = screening.state(st)
        eligible = set(screening.eligible(st))
        decided = {r: {u: e["decision"] for u, e in log.decided().items() if u in eligible}
                   for r, log in state.logs.items() if log.active}
        rows += pair_rows(st, decided)
    return rows


def conflicts(screening: Screening, stage: str, resolved: bool = False) -> list[dict]:
    """Units the reviewers disagree on (only units enough reviewers have judged are shown)."""
    state = screening.state(stage)
    out = []
    for unit in screening.eligible(stage):
        judged = state.judgements(unit)
        if len(judged) < screening.conf.reviewers_per_record:
            continue
        key = screening.conf.outcome_key([e["decision"] for e in judged.values()])
        if key in screening.conf.outcomes and not screening.conf.reasons_conflict(
                stage, list(judged.values())):
            continue
        done = state.resolution(unit)
        if done and not resolved:
            continue
        before = state.reopened(unit)  # settled once, then a decision changed: open again
        rivals = "".join(f" (after {e['reviewer']}: {_said(e)})"
                         for e in state.rival_resolutions(unit)) if done else ""
        sr = screening.store.get_record(unit)
        notes = {r: state.log(r).notes.get(unit, "") for r in judged}
        out.append({
            "stage": stage, "record_id": unit, "title": sr.record.title if sr else "",
            "year": sr.record.year if sr else None,
            "decisions": "; ".join(f"{r}: {_said(e)}" for r, e in sorted(judged.items())),
            "notes": "; ".join(f"{r}: {n}" for r, n in sorted(notes.items()) if n),
            "resolution": f"{done['reviewer']}: {_said(done)}{rivals}" if done else
            f"{before['reviewer']}: {_said(before)}, before a decision changed" if before
            else "",
        })
    return out


def resolve(screening: Screening, stage: str, record_id: str, decision: str, reviewer: str,
            reason: str = "", note: str = "") -> dict:
    """Record how a conflict was settled, in the resolver's own log."""
    conf = screening.conf
    conf.check_stage(stage)
    if not screening.knows(record_id):
        raise ReviewkitError(f"unknown record id {record_id!r}", field="record_id")
    unit = screening.unit_of(record_id)
    state = screening.state(stage)
    if state.outcome(unit) != CONFLICT and state.resolution(unit) is None:
        raise ReviewkitError(f"{record_id} is not a conflict at {stage} "
                             f"(outcome: {state.outcome(unit)})", field="record_id")
    label, reason = check_decision(conf, stage, decision, reason, resolution=True)
    if reviewer in state.judgements(unit):
        said = state.judgements(unit)[reviewer]["decision"]
        raise ReviewkitError(f"{reviewer} made one of the conflicting decisions on {record_id} "
                             f"({said}); a conflict is settled by someone who did not judge it "
                             "(a third reviewer: reviewkit reviewer add NAME)", field="reviewer")
    event = resolution_event(stage, reviewer, unit, label, reason, note)
    # what it settles: a later change of any of these decisions reopens the record (the
    # decisions, not their events: saying the same again, or undoing a change, does not)
    event["settled"] = {r: e["decision"] for r, e in sorted(state.judgements(unit).items())}
    done = state.resolution(unit)
    if done is not None and all(done.get(k, "") == event.get(k, "") for k in
                                ("reviewer", "decision", "reason", "note")):
        return done  # settled so already: a second line would say nothing new
    if done is not None and done["reviewer"] != reviewer:
        # it was made knowing that one: later, whatever the machines' clocks say
        event["replaces"] = done.get("id", "")
    append_events(log_path(screening.project, stage, reviewer), [event])
    if done is not None and done["reviewer"] != reviewer and _said(done) != _said(event):
        event = {**event, "replaced": f"{done['reviewer']}: {_said(done)}"}  # said, not kept
    return event


def resolved_line(event: dict) -> str:
    """What `screen resolve` says: the outcome, and the other resolver's it replaces."""
    line = f"resolved {event['record']}: {event['decision']}"
    if event.get("replaced"):
        line += (f"; it replaces {event['replaced']} (the latest resolution counts: "
                 "`screen conflicts --all` shows both)")
    return line


def _said(event: dict) -> str:
    text = event["decision"]
    if event.get("reason"):
        text += f" ({event['reason']})"
    return text
