"""People's same/different judgements: an append-only JSONL log in the project.

One line per judgement: {"a": id, "b": id, "same": bool, "by": name, "at": iso time,
"id": event id}. The latest judgement of a pair wins, and always overrides the method.
Undo is a new line too, {"a", "b", "undo": true, "of": event id, ...}: it withdraws the
judgement ``of`` names (a sitting's own, even when another reviewer has judged the pair
since), so the one before it (or the method, if none) decides again; an undo without
"of" (a script's, or lines written before it) withdraws the pair's latest judgement. An event id
counts once, as in the screening logs: a line a merge kept twice is reported and
skipped, so one undo still withdraws it (lines written before ids have none).

Lines are read as the screening logs are: a line that is cut short (a kill
mid-write), not JSON, or missing a field is reported with its file and line
and skipped; the writer starts on a fresh line after a torn one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from reviewkit.errors import ReviewkitError
from reviewkit.project.config import Project
from reviewkit.screening.log import Problem, append_events, new_id, read_jsonl
from reviewkit.store.base import Store


def log_path(project: Project) -> Path:
    return project.root / "dedup" / "judgements.jsonl"


def said_same(same: bool, different: bool) -> bool:
    """--same or --different, exactly one: with both, the last flag winning is a guess."""
    if same == different:
        raise ReviewkitError("say one of --same or --different", field="same")
    return same


def append_judgement(project: Project, a: str, b: str, same: bool, by: str) -> dict:
    """Write one judgement durably (fsynced, on a line of its own) before returning."""
    if a == b:
        raise ReviewkitError("a record cannot be judged against itself", field="a")
    return _append(project, {"a": a, "b": b, "same": bool(same), "by": by})


def append_undo(project: Project, a: str, b: str, by: str, of: str | None = None) -> dict:
    """Withdraw the judgement whose event id is ``of`` (else the pair's latest); the log
    stays append-only."""
    event: dict = {"a": a, "b": b, "undo": True, "by": by}
    if of:
        event["of"] = of
    return _append(project, event)


def _append(project: Project, event: dict) -> dict:
    event["at"] = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    event["id"] = new_id()
    append_events(log_path(project), [event])  # a torn last line is left on its own line
    return event


def check_judgement(event: dict) -> str:
    """What is wrong with one judgement line, or "" when it is valid."""
    a, b = event.get("a"), event.get("b")
    if not (isinstance(a, str) and a and isinstance(b, str) and b):
        return "a judgement names two record ids (fields 'a' and 'b')"
    if a == b:
        return "a record judged against itself"
    if "by" in event and not isinstance(event["by"], str):
        return "field 'by' must be text"
    if "id" in event and not (isinstance(event["id"], str) and event["id"]):
        return "field 'id' must be text"
    if "undo" in event:
        if "of" in event and not (isinstance(event["of"], str) and event["of"]):
            return "field 'of' must be a judgement's id"
        return "" if event["undo"] is True else "'undo' must be true"
    if not isinstance(event.get("same"), bool):
        return "'same' must be true or false"
    return ""


def read_judgement_log(project: Project) -> tuple[dict[tuple[str, str], bool], list[Problem]]:
    """((a, b) with a < b -> same?, the latest judgement not undone winning; lines skipped)."""
    stacks, problems = _stacks(project)
    return {pair: stack[-1]["same"] for pair, stack in stacks.items() if stack}, problems


def standing(project: Project, a: str, b: str) -> dict | None:
    """The judgement of the pair that decides it now (the latest not undone), or None."""
    stack = _stacks(project)[0].get((a, b) if a < b else (b, a))
    return stack[-1] if stack else None


def _valid_lines(path: Path) -> tuple[list[tuple[int, dict]], list[Problem]]:
    """(line, judgement) of each valid line whose id came first; the rest are problems."""
    lines, problems = read_jsonl(path)
    out = []
    first: dict[str, tuple[int, dict]] = {}  # event id -> (line, event) where it came first
    for number, event in lines:
        wrong = check_judgement(event)
        seen = first.get(event.get("id", ""))
        if not wrong and seen is not None:
            wrong = ("the same judgement as" if seen[1] == event else
                     f"id {event['id']!r} is used by") + \
                f" line {seen[0]} (a merge or copy kept it twice?)"
        if wrong:
            problems.append(Problem(str(path), number, wrong + "; skipped"))
            continue
        if "id" in event:
            first[event["id"]] = (number, event)
        out.append((number, event))
    return out, problems


def _stacks(project: Project) -> tuple[dict[tuple[str, str], list[dict]], list[Problem]]:
    path = log_path(project)
    lines, problems = _valid_lines(path)
    stacks: dict[tuple[str, str], list[dict]] = {}
    for _, event in lines:
        a, b = event["a"], event["b"]
        pair = (a, b) if a < b else (b, a)
        if event.get("undo") is True:
            _withdraw(stacks.get(pair), event.get("of"))
            continue
        stacks.setdefault(pair, []).append(event)
    problems.sort(key=lambda p: p.line or 0)
    return stacks, problems


def _withdraw(stack: list[dict] | None, of: str | None) -> None:
    """Take the judgement ``of`` names off the pair's stack (the latest when None); one
    already withdrawn, or never made on this pair, leaves the stack as it is."""
    if not stack:
        return
    if of is None:
        stack.pop()
        return
    at = next((i for i in range(len(stack) - 1, -1, -1) if stack[i].get("id") == of), None)
    if at is not None:
        del stack[at]


def read_judgements(project: Project) -> dict[tuple[str, str], bool]:
    """(a, b) with a < b -> same?, the latest judgement not undone winning."""
    return read_judgement_log(project)[0]


def judgement_problems(project: Project) -> list[Problem]:
    """Lines of dedup/judgements.jsonl every reader skips (file:line: what is wrong)."""
    return read_judgement_log(project)[1]


def judgement_orphans(project: Project, known: Callable[[str], bool]) -> list[Problem]:
    """Judgement lines naming a record id ``known`` does not accept, by file and line."""
    path = log_path(project)
    out = []
    for number, event in _valid_lines(path)[0]:  # the rest: reported by judgement_problems
        for rid in (event["a"], event["b"]):
            if not known(rid):
                out.append(Problem(str(path), number, f"record {rid!r} is not in the project"))
    return out


def judgement_warnings(project: Project, store: Store) -> list[Problem]:
    """What the dedup commands name: lines every reader skips, and judgements naming a
    record no longer in the project, which are not applied (the method decides again)."""
    gone = judgement_orphans(project, lambda rid: store.resolve(rid) is not None)
    orphans = [Problem(p.file, p.line, f"{p.message}: this judgement is not applied "
                       "(see reviewkit doctor)") for p in gone]
    return sorted(judgement_problems(project) + orphans, key=lambda p: p.line or 0)
