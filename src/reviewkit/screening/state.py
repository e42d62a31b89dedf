"""Fold event logs into what each reviewer currently says about each unit.

Events name the record that was on screen; they count for that record's
current duplicate cluster (unit), so a later dedup never orphans a decision.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from reviewkit.screening.config import ScreeningConfig
from reviewkit.screening.log import Problem, read_log_lines

# Outcomes of a unit at a stage besides include / exclude.
CONFLICT, AWAITING, UNSCREENED = "conflict", "awaiting", "unscreened"


class ReviewerLog:
    """One reviewer's events at one stage. apply() is O(1): the screener calls it per key."""

    def __init__(self, reviewer: str, unit_of: Callable[[str], str]) -> None:
        self.reviewer = reviewer
        self.unit_of = unit_of
        self.active: dict[str, list[dict]] = {}   # unit -> decision events not undone
        self.stack: list[dict] = []               # decision events in order, for undo-last
        self.undone: set[str] = set()
        self.notes: dict[str, str] = {}
        self.resolutions: dict[str, dict] = {}
        self.events = 0

    def apply(self, event: dict) -> None:
        self.events += 1
        kind = event.get("type")
        unit = self.unit_of(event.get("record", ""))
        if kind == "decision":
            self.active.setdefault(unit, []).append(event)
            self.stack.append(event)
            if event.get("note"):
                self.notes[unit] = event["note"]
        elif kind == "undo":
            self.undone.add(event.get("target", ""))
            events = self.active.get(unit, [])
            for i in range(len(events) - 1, -1, -1):
                if events[i]["id"] == event.get("target"):
                    del events[i]
                    break
            if not events:
                self.active.pop(unit, None)
        elif kind == "note":
            if event.get("note"):
                self.notes[unit] = event["note"]
            else:  # an empty note takes the note away
                self.notes.pop(unit, None)
        elif kind == "resolution":
            self.resolutions[unit] = event

    def current(self, unit: str) -> dict | None:
        events = self.active.get(unit)
        return events[-1] if events else None

    def overridden(self, unit: str, record: str) -> list[str]:
        """Ids of this reviewer's standing decisions on the other records of ``unit``: a new
        decision names them ("over"), so it is known to have been made on the whole study."""
        return list({e["record"]: e["id"] for e in self.active.get(unit, ())
                     if e["record"] != record}.values())

    def decided(self) -> dict[str, dict]:
        return {unit: events[-1] for unit, events in self.active.items()}

    def last_active(self) -> dict | None:
        """The latest decision not yet undone (what 'undo last' takes back)."""
        while self.stack and self.stack[-1]["id"] in self.undone:
            self.stack.pop()
        return self.stack[-1] if self.stack else None


class StageState:
    """Every reviewer's log at one stage, and what follows for each unit."""

    def __init__(self, stage: str, conf: ScreeningConfig, unit_of: Callable[[str], str],
                 knows: Callable[[str], bool] | None = None) -> None:
        self.stage = stage
        self.conf = conf
        self.unit_of = unit_of
        self.knows = knows
        self.logs: dict[str, ReviewerLog] = {}
        self.problems: list[Problem] = []  # lines skipped while loading, with file and line
        self.orphans: list[Problem] = []   # events naming a record the project lacks
        self.files: dict[str, str] = {}    # reviewer -> their log, to name a line in it

    def load(self, folder: Path) -> StageState:
        for path in sorted(folder.glob("*.jsonl")) if folder.is_dir() else []:
            events, problems = read_log_lines(path, self.stage, self.conf.reasons)
            self.problems += problems
            log = self.log(path.stem)
            self.files[path.stem] = str(path)
            for line, event in events:
                log.apply(event)
                if self.knows is not None and not self.knows(event["record"]):
                    self.orphans.append(Problem(str(path), line, f"record {event['record']!r} "
                                                "is not in the project"))
        return self

    def log(self, reviewer: str) -> ReviewerLog:
        if reviewer not in self.logs:
            self.logs[reviewer] = ReviewerLog(reviewer, self.unit_of)
        return self.logs[reviewer]

    def judgements(self, unit: str) -> dict[str, dict]:
        """reviewer -> current decision event, for reviewers who judged ``unit``."""
        out = {}
        for reviewer, log in self.logs.items():
            event = log.current(unit)
            if event is not None:
                out[reviewer] = event
        return out

    def resolution(self, unit: str) -> dict | None:
        """The latest resolution of ``unit`` while the decisions it settled still stand."""
        done = self._latest_resolution(unit)
        return done if done is not None and self._stands(unit, done) else None

    def reopened(self, unit: str) -> dict | None:
        """The latest resolution when a decision changed after it (the unit is judged
        afresh: agreed now, or a conflict to settle again)."""
        done = self._latest_resolution(unit)
        return done if done is not None and not self._stands(unit, done) else None

    def rival_resolutions(self, unit: str) -> list[dict]:
        """Other resolvers' resolutions of ``unit`` that say otherwise than the latest
        (which counts; by time stamp, so machines' clocks decide between them)."""
        latest = self._latest_resolution(unit)
        if latest is None:
            return []
        return sorted((log.resolutions[unit] for log in self.logs.values()
                       if unit in log.resolutions and log.resolutions[unit] is not latest
                       and (log.resolutions[unit].get("decision"),
                            log.resolutions[unit].get("reason"))
                       != (latest.get("decision"), latest.get("reason"))),
                      key=lambda e: e.get("at", ""))

    def _latest_resolution(self, unit: str) -> dict | None:
        found = [log.resolutions[unit] for log in self.logs.values() if unit in log.resolutions]
        # one made knowing another ("replaces" its id) comes after it whatever the clocks
        # say; between the rest, the time stamp
        replaced = {e.get("replaces") for e in found}
        found = [e for e in found if e.get("id") not in replaced] or found
        return max(found, key=lambda e: e.get("at", "")) if found else None

    def _stands(self, unit: str, done: dict, judged: dict[str, dict] | None = None) -> bool:
        settled = done.get("settled")
        if not isinstance(settled, dict):
            return True  # written before resolutions named the decisions they settled
        if judged is None:
            judged = self.judgements(unit)
        return settled == {r: e.get("decision") for r, e in judged.items()}

    def outcome(self, unit: str) -> str:
        # the judgements are read once: outcome() runs for every unit on every redraw
        judged = self.judgements(unit)
        done = self._latest_resolution(unit)
        if done is not None and self._stands(unit, done, judged):
            return done["decision"]
        if not judged:
            return UNSCREENED
        if len(judged) < self.conf.reviewers_per_record:
            return AWAITING
        if self.conf.reasons_conflict(self.stage, list(judged.values())):
            return CONFLICT
        key = self.conf.outcome_key([e["decision"] for e in judged.values()])
        return self.conf.outcomes.get(key, CONFLICT)

    def units_judged(self) -> set[str]:
        return {unit for log in self.logs.values() for unit in log.active}
