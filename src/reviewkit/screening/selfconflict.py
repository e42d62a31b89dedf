"""One reviewer's differing decisions on records later found to be one study.

A decision counts for its record's current duplicate cluster, so once two records a
reviewer judged differently are linked as duplicates, only their later decision counts.
That is reported (status, doctor, the screen commands) until the reviewer decides the
study again: a decision made on a study names the decisions it overrides ("over").
The message names no decision, so it unblinds nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from reviewkit.screening.log import Problem, read_jsonl
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


def out_of_order(log: ReviewerLog, unit: str) -> list[dict]:
    """Decisions on ``unit`` written before the one that counts but made after it, saying
    otherwise: one reviewer's log merged from two machines or branches (team pull, git),
    where file order, which decides, is not the order they were made in."""
    events = log.active.get(unit, [])
    at = events[-1].get("at") if len(events) > 1 else None
    if not isinstance(at, str) or not at:
        return []
    said = (events[-1]["decision"], events[-1].get("reason", ""))
    return [e for e in events[:-1] if isinstance(e.get("at"), str) and e["at"] > at
            and (e["decision"], e.get("reason", "")) != said]


def conflicted(state: StageState, same: Callable[[str], str],
               reviewer: str | None = None) -> list[tuple[str, str, list[dict], list[dict]]]:
    """(reviewer, unit, decisions on other records, later-made decisions) for every
    reviewer's (or ``reviewer``'s) studies decided two ways at the stage."""
    out = []
    for name, log in sorted(state.logs.items()):
        if reviewer is None or name == reviewer:
            for unit in sorted(u for u, events in log.active.items() if len(events) > 1):
                rivals, late = differing(log, unit, same), out_of_order(log, unit)
                if rivals or late:
                    out.append((name, unit, rivals, late))
    return out


def line_of(file: str, event_id: str, found: dict[str, dict[str, int]]) -> int | None:
    """The line of ``file`` holding the event (read once per file, and only for a file
    with something to report: no line numbers are kept for every event loaded)."""
    if file not in found:
        events, _ = read_jsonl(Path(file))
        found[file] = {e.get("id"): n for n, e in events if isinstance(e.get("id"), str)}
    return found[file].get(event_id)


def stage_self_conflicts(state: StageState, same: Callable[[str], str]) -> list[Problem]:
    out: list[Problem] = []
    found: dict[str, dict[str, int]] = {}
    for name, unit, rivals, late in conflicted(state, same):
        latest = state.logs[name].active[unit][-1]
        file = state.files.get(name, "")
        line = line_of(file, latest["id"], found) if file else None
        again = (f"{name}: decide {unit} again to confirm (reviewkit screen -r {name} "
                 f"--stage {state.stage}, then / to find it)")
        if rivals:
            names = ", ".join(sorted({e["record"] for e in rivals}))
            out.append(Problem(file, line, (
                f"{name} decided {latest['record']} and {names} differently at "
                f"{state.stage}, and they are now one study ({unit}); only this later "
                f"decision counts; {again}")))
        if late:
            out.append(Problem(file, line, (
                f"{name}'s decisions on {unit} at {state.stage} are out of time order (one "
                f"log from two machines or branches?): this one counts, made at "
                f"{latest['at']}, but one written before it, made at {late[-1]['at']}, "
                f"says otherwise; {again}")))
    return out
