"""synthesis/coding/<coder>.jsonl: one append-only log per coder, folded into the coding.

Each event is one fsynced write; a torn or bad line is reported with its file and
line and skipped. Folding follows undo, rename-code and merge-code, so a coding
never names a code that vanished (split-code and delete-code are history only).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from reviewkit.errors import ReviewkitError
from reviewkit.project.config import Project
from reviewkit.screening.log import Problem, append_events, new_id, now, read_jsonl
from reviewkit.screening.reviewers import check_name, require_reviewer

CODING_DIR = "synthesis/coding"
TYPES = ("segment", "apply", "remove", "memo", "undo", "rename-code", "merge-code",
         "split-code", "delete-code")
ROLES = ("participant quote", "author interpretation", "field observation", "")
MEMO_ON = ("code", "source", "segment")
HEX16 = re.compile(r"^[0-9a-f]{16}$")
# the fields each type needs, and whether they are text or whole numbers
NEEDS: dict[str, dict[str, type]] = {
    "segment": {"segment": str, "source": str, "start": int, "end": int, "text": str},
    "apply": {"segment": str, "code": str},
    "remove": {"segment": str, "code": str},
    "memo": {"on": str, "target": str, "text": str},
    "undo": {"target": str},
    "rename-code": {"code": str, "to": str},
    "merge-code": {"code": str, "into": str},
    "split-code": {"code": str, "to": str},  # history only: codings stay on `code`
    "delete-code": {"code": str},  # an unused code left the codebook; its id is retired
}


def coding_dir(project: Project) -> Path:
    return project.root / CODING_DIR


def coding_log(project: Project, coder: str) -> Path:
    return coding_dir(project) / f"{check_name(coder)}.jsonl"


def event(kind: str, coder: str, **fields: object) -> dict:
    """A new event with its envelope (v, id, type, coder, at)."""
    return {"v": 1, "id": new_id(), "type": kind, "coder": coder, "at": now(), **fields}


def segment_event(coder: str, source: str, start: int, end: int, text: str,
                  role: str = "", page: str = "") -> dict:
    if role not in ROLES:
        raise ReviewkitError(f"unknown role {role!r}; expected "
                             f"{', '.join(repr(r) for r in ROLES)}", field="role")
    return event("segment", coder, segment=new_id(), source=source, start=start, end=end,
                 text=text, role=role, page=page)


def append_coding(project: Project, coder: str, events: list[dict]) -> Path:
    """Append events to ``coder``'s log (a project reviewer), one fsynced write."""
    require_reviewer(project, coder)
    path = coding_log(project, coder)
    append_events(path, events)
    return path


def check_coding_event(raw: dict, coder: str) -> str:
    """'' when ``raw`` is a valid event of ``coder``'s log, else what is wrong."""
    kind = raw.get("type")
    if kind not in TYPES:
        return f"unknown event type {kind!r}"
    if raw.get("v") != 1:
        return f"unknown format version {raw.get('v')!r} (expected 1)"
    if not isinstance(raw.get("id"), str) or not raw["id"]:
        return "no event id (field 'id')"
    if raw.get("coder") != coder:
        return f"coder {raw.get('coder')!r} in the log of {coder!r}"
    if not isinstance(raw.get("at"), str):
        return "no time (field 'at')"
    for key, typ in NEEDS[kind].items():
        value = raw.get(key)
        if typ is int and (not isinstance(value, int) or isinstance(value, bool)):
            return f"field {key!r} must be a whole number"
        if typ is str and (not isinstance(value, str) or (key != "text" and not value)):
            return f"field {key!r} must be text"
    if kind == "segment":
        if not HEX16.match(raw["segment"]):
            return "segment id must be 16 hex digits"
        if not 0 <= raw["start"] < raw["end"]:
            return f"offsets {raw['start']}..{raw['end']} do not make a segment"
        if raw["end"] - raw["start"] != len(raw["text"]):
            return "the text is not as long as its offsets say"
        if raw.get("role", "") not in ROLES:
            return f"unknown role {raw.get('role')!r}"
        if not isinstance(raw.get("page", ""), str):
            return "field 'page' must be text"
    if kind == "memo" and raw["on"] not in MEMO_ON:
        return f"a memo is on {', '.join(MEMO_ON)}, not {raw['on']!r}"
    return ""


Located = tuple[dict, str, int]  # event, log file (from the project root), line


def read_coding(project: Project) -> tuple[list[Located], list[Problem]]:
    """Every valid event of every coder's log (coder by coder, file order), and problems."""
    events: list[Located] = []
    problems: list[Problem] = []
    folder = coding_dir(project)
    for path in sorted(folder.glob("*.jsonl")) if folder.is_dir() else []:
        rel = f"{CODING_DIR}/{path.name}"
        lines, bad = read_jsonl(path)
        problems.extend(Problem(rel, p.line, p.message) for p in bad)
        for number, raw in lines:
            wrong = check_coding_event(raw, path.stem)
            if wrong:
                problems.append(Problem(rel, number, wrong + "; skipped"))
            else:
                events.append((raw, rel, number))
    problems.sort(key=lambda p: (p.file, p.line or 0))
    return events, problems


@dataclass
class Segment:
    id: str
    source: str
    start: int
    end: int
    text: str
    role: str
    page: str
    coder: str
    file: str  # the log that holds it, and the line
    line: int
    codes: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class Memo:
    on: str
    target: str
    text: str
    coder: str
    at: str


@dataclass
class Coding:
    segments: dict[str, Segment] = field(default_factory=dict)
    memos: list[Memo] = field(default_factory=list)
    renames: dict[str, str] = field(default_factory=dict)  # old id -> id it became
    problems: list[Problem] = field(default_factory=list)

    def resolve(self, code: str, known: set[str] | None = None) -> str:
        """The id a code has now, following renames and merges.

        With ``known`` (the codebook's ids): the last id of the chain the codebook
        has, so a rename logged just before a crash kept the codebook unchanged
        leaves codings on the code as the codebook still names it."""
        chain = [code]
        while chain[-1] in self.renames and self.renames[chain[-1]] not in chain:
            chain.append(self.renames[chain[-1]])
        if known is not None:
            return next((c for c in reversed(chain) if c in known), chain[-1])
        return chain[-1]


def fold(project: Project, codes: set[str] | None = None) -> Coding:
    """The current coding: segments with their codes, memos, and the problems met.

    Events are taken in time order across coders. ``codes``: the codebook's ids; a
    live coding that names none of them (a code deleted by hand) is a ReviewkitError.
    """
    events, problems = read_coding(project)
    out = Coding(problems=problems)
    applied: dict[tuple[str, str], tuple[str, int]] = {}
    undone = {e["target"] for e, _, _ in events if e["type"] == "undo"}
    live = [x for x in events if x[0]["id"] not in undone and x[0]["type"] != "undo"]
    # codings of a withdrawn segment go with it, without a warning each
    withdrawn = {e["segment"] for e, _, _ in events
                 if e["type"] == "segment" and e["id"] in undone}
    # segments first, so a coding stamped before its segment (clocks of two machines
    # disagree) still finds it; then time order, file order within the same instant
    live.sort(key=lambda x: (x[0]["type"] != "segment", x[0]["at"]))
    for e, _, _ in live:
        if e["type"] == "rename-code":
            out.renames[e["code"]] = e["to"]
        elif e["type"] == "merge-code":
            out.renames[e["code"]] = e["into"]
    for e, rel, line in live:
        kind = e["type"]
        if kind == "segment":
            if e["segment"] in out.segments:
                out.problems.append(Problem(rel, line, f"segment {e['segment']} made twice; "
                                            "skipped"))
                continue
            out.segments[e["segment"]] = Segment(e["segment"], e["source"], e["start"],
                                                 e["end"], e["text"], e.get("role", ""),
                                                 e.get("page", ""), e["coder"], rel, line)
        elif kind in ("apply", "remove"):
            seg = out.segments.get(e["segment"])
            if seg is None and e["segment"] in withdrawn:
                continue
            if seg is None:
                out.problems.append(Problem(rel, line, f"{kind} names segment "
                                            f"{e['segment']!r}, which no log made; skipped"))
                continue
            code = out.resolve(e["code"], codes)
            if kind == "apply":
                seg.codes.add(code)
                applied[(seg.id, code)] = (rel, line)  # named if the code is gone
            else:
                seg.codes.discard(code)
        elif kind == "memo":
            target = out.resolve(e["target"], codes) if e["on"] == "code" else e["target"]
            out.memos.append(Memo(e["on"], target, e["text"], e["coder"], e["at"]))
    if codes is not None:
        for seg in out.segments.values():
            for code in sorted(seg.codes - codes):
                rel, line = applied[(seg.id, code)]
                raise ReviewkitError(
                    f"code {code!r} is not in the codebook but {rel}:{line} codes a segment "
                    "with it (deleted by hand?): put the code back, then merge it into "
                    "another with `reviewkit synthesis codebook merge`", file="synthesis/"
                    "codebook.yaml", field="codes")
    out.problems.sort(key=lambda p: (p.file, p.line or 0))
    return out
