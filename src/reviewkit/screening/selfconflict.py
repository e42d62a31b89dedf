"""One reviewer's differing decisions on records later found to be one study.

A decision counts for its record's current duplicate cluster, so once two records a
reviewer judged differently are linked as duplicates, only their later decision counts.
That is reported (status, doctor, the screen commands) until the reviewer decides the
study again: a decision made on a study names the decisions it overrides ("over").
The message names no decision, so it unblinds nothing.
"""

from __future__ import annotations

from collections.abc import Callable

from reviewkit.screening.log import Problem
from reviewkit.screening.state import ReviewerLog, StageState


def differing(log: ReviewerLog, unit: str, same: Callable[[str], str]) -> list[dict]:
    """The reviewer's latest decisions on other records of ``unit`` that say otherwise than
    the one that counts and that it was not made over (``same``: a record's id today)."""
    events = log.active.get(unit, [])
    if len(events) < 2:
        return []
    latest = events[-1]
    over = set(latest.get("over") or ())
    last: dict[str, dict] = {}
    for event in events:
        last[same(event["record"])] = event
    said = (latest["decision"], latest.get("reason", ""))
    return [e for record, e in last.items() if record != same(latest["record"])
            and e["id"] not in over and (e["decision"], e.get("reason", "")) != said]


def conflicted(state: StageState, same: Callable[[str], str],
               reviewer: str | None = None) -> list[tuple[str, str, list[dict]]]:
    """(reviewer, unit, the differing decisions) for every reviewer's (or ``reviewer``'s)
    studies decided two ways at the stage."""
    out = []
    for name, log in sorted(state.logs.items()):
        if reviewer is None or name == reviewer:
            out += [(name, unit, rivals) for unit in sorted(log.active)
                    if (rivals := differing(log, unit, same))]
    return out


def stage_self_conflicts(state: StageState, same: Callable[[str], str]) -> list[Problem]:
    out = []
    for name, unit, rivals in conflicted(state, same):
        latest = state.logs[name].active[unit][-1]
        file, line = state.lines.get(latest["id"], ("", None))
        names = ", ".join(sorted({e["record"] for e in rivals}))
        out.append(Problem(file, line, (
            f"{name} decided {latest['record']} and {names} differently at "
            f"{state.stage}, and they are now one study ({unit}); only this later "
            f"decision counts; {name}: decide {unit} again to confirm (reviewkit "
            f"screen -r {name} --stage {state.stage}, then / to find it)")))
    return out
