"""synthesis/coding/<coder>.jsonl: one append-only log per coder, folded into the coding.

Each event is one fsynced write; a torn or bad line is reported with its file and
line and skipped. Folding follows undo, rename-code and merge-code, so a coding
never names a code that vanished (split-code and delete-code are history only). A
"describe" event gives a segment its role and page anew (the terminal coder's t and
g keys); logs without one read as before.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from reviewkit.errors import ReviewkitError
from reviewkit.project.config import Project
from reviewkit.records.fileids import CONFLICT, is_conflict_marker
from reviewkit.screening.log import BOM, Problem, _cut_short, append_events, new_id, now
from reviewkit.screening.reviewers import check_name, require_reviewer

CODING_DIR = "synthesis/coding"
TYPES = ("segment", "apply", "remove", "memo", "undo", "rename-code", "merge-code",
         "split-code", "delete-code", "describe")
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
    "describe": {"segment": str},  # and role, page: checked below (either may be '')
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
    if kind == "describe":
        if raw.get("role") not in ROLES:
            return f"unknown role {raw.get('role')!r}"
        if not isinstance(raw.get("page"), str):
            return "field 'page' must be text"
    if kind == "memo" and raw["on"] not in MEMO_ON:
        return f"a memo is on {', '.join(MEMO_ON)}, not {raw['on']!r}"
    return ""


ASCII_SPACE = " \t\n\r\x0b\x0c"  # what bytes.strip() strips, for a line read as text
Located = tuple[dict, str, int]  # event, log file (from the project root), line


def read_coding(project: Project, cache: LogCache | None = None
                ) -> tuple[list[Located], list[Problem]]:
    """Every valid event of every coder's log (coder by coder, file order), and problems.

    With ``cache`` (a session reading again and again) a log is parsed again only
    from where it grew."""
    events: list[Located] = []
    problems: list[Problem] = []
    folder = coding_dir(project)
    for path in sorted(folder.glob("*.jsonl")) if folder.is_dir() else []:
        got, bad = (cache or LogCache()).read(path)
        events.extend(got)
        problems.extend(bad)
    problems.sort(key=lambda p: (p.file, p.line or 0))
    return events, problems


def _parse(data: bytes, first: int, rel: str, coder: str
           ) -> tuple[list[Located], list[Problem]]:
    """The lines of ``data`` (line numbers from ``first``) checked as ``coder``'s events.

    Same verdicts as screening.log.read_jsonl, line by line."""
    events: list[Located] = []
    problems: list[Problem] = []
    loads = json.loads
    if first == 1:
        data = data.removeprefix(BOM)  # an editor's UTF-8 mark, else line 1 is "not JSON"
    try:  # the whole at once: a newline is never inside a UTF-8 character
        lines: list = data.decode("utf-8").split("\n")
    except UnicodeDecodeError:
        lines = data.split(b"\n")
    for number, raw in enumerate(lines, start=first):
        if not raw.strip(ASCII_SPACE if isinstance(raw, str) else None):
            continue
        try:
            value = loads(raw if isinstance(raw, str) else raw.decode("utf-8"))
        except UnicodeDecodeError:
            problems.append(Problem(rel, number, "not UTF-8 text; line skipped"))
            continue
        except (json.JSONDecodeError, RecursionError) as exc:
            torn = isinstance(exc, json.JSONDecodeError) and _cut_short(exc)
            problems.append(Problem(rel, number, "line cut short (a write interrupted "
                                    "by a crash?); skipped" if torn else
                                    f"{CONFLICT}; skipped" if is_conflict_marker(
                                        raw if isinstance(raw, str) else "") else
                                    "not a JSON line (edited by hand?); skipped"))
            continue
        if not isinstance(value, dict):
            problems.append(Problem(rel, number, "not a JSON object {...}; skipped"))
            continue
        wrong = check_coding_event(value, coder)
        if wrong:
            problems.append(Problem(rel, number, wrong + "; skipped"))
        else:
            events.append((value, rel, number))
    return events, problems


@dataclass
class LogRead:
    """One log as last read: its events and problems (whole lines, and the rest)."""

    rel: str
    key: tuple[int, int, int, int]  # device, inode, size, mtime: unchanged file
    done: int  # bytes up to the last newline: whole lines, parsed once
    lines: int  # newlines in them
    tail: bytes  # the last bytes of them, to tell an append from a rewrite
    events: list[Located]
    problems: list[Problem]
    rest: tuple[list[Located], list[Problem]]  # the line after the last newline


class LogCache:
    """The parsed lines of each coding log, kept between reads: an append (the only way
    a log changes while a coder codes) is parsed alone; any other change, all again."""

    def __init__(self) -> None:
        self.files: dict[Path, LogRead] = {}

    def logs(self, project: Project) -> list[LogRead]:
        """Every coder's log read (again where it grew), in read_coding's order."""
        folder = coding_dir(project)
        out = []
        for path in sorted(folder.glob("*.jsonl")) if folder.is_dir() else []:
            self.read(path)
            if path in self.files:
                out.append(self.files[path])
        return out

    def read(self, path: Path) -> tuple[list[Located], list[Problem]]:
        rel = f"{CODING_DIR}/{path.name}"
        try:
            st = os.stat(path)
        except FileNotFoundError:
            self.files.pop(path, None)
            return [], []
        key = (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)
        old = self.files.get(path)
        if old is not None and old.key == key:
            return old.events + old.rest[0], old.problems + old.rest[1]
        try:
            data = path.read_bytes()
        except OSError as exc:
            self.files.pop(path, None)
            return [], [Problem(rel, None, f"cannot read: {exc.strerror}")]
        if (old is None or old.key[:2] != key[:2] or len(data) < old.done
                or data[max(0, old.done - len(old.tail)):old.done] != old.tail):
            old = LogRead(rel, key, 0, 0, b"", [], [], ([], []))  # a new object: all anew
        cut = data.rfind(b"\n") + 1
        if cut > old.done:
            got, bad = _parse(data[old.done:cut - 1], old.lines + 1, rel, path.stem)
            old.events.extend(got)  # in place: a reader can take in only what came
            old.problems.extend(bad)
            old.lines += data.count(b"\n", old.done, cut)
            old.done = cut
            old.tail = data[max(0, cut - 256):cut]
        old.key = key
        old.rest = _parse(data[cut:], old.lines + 1, rel, path.stem)
        self.files[path] = old
        return old.events + old.rest[0], old.problems + old.rest[1]


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
    by: dict[str, set[str]] = field(default_factory=dict)  # code -> coders who applied it


@dataclass(frozen=True)
class Memo:
    on: str
    target: str
    text: str
    coder: str
    at: str
    file: str = ""  # the log and line it was written at, to name it when its target is gone
    line: int = 0


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
    return fold_events(events, problems, codes)


def fold_events(events: list[Located], problems: list[Problem],
                codes: set[str] | None = None) -> Coding:
    """fold() of events already read (read_coding's order)."""
    out = Coding(problems=list(problems))
    applied: dict[tuple[str, str], tuple[str, int]] = {}
    undone = {e["target"] for e, _, _ in events if e["type"] == "undo"}
    live = [x for x in events if x[0]["type"] != "undo" and x[0]["id"] not in undone]
    # codings of a withdrawn segment go with it, without a warning each
    withdrawn = {e["segment"] for e, _, _ in events
                 if e["type"] == "segment" and e["id"] in undone}
    # segments first, so a coding stamped before its segment (clocks of two machines
    # disagree) still finds it; then time order, file order within the same instant
    live.sort(key=lambda x: (x[0]["type"] != "segment", x[0]["at"]))
    renames = out.renames
    for e, _, _ in live:
        if e["type"] == "rename-code":
            renames[e["code"]] = e["to"]
        elif e["type"] == "merge-code":
            renames[e["code"]] = e["into"]
    segments = out.segments
    for e, rel, line in live:
        kind = e["type"]
        if kind == "segment":
            if e["segment"] in segments:
                out.problems.append(Problem(rel, line, f"segment {e['segment']} made twice; "
                                            "skipped"))
                continue
            segments[e["segment"]] = Segment(e["segment"], e["source"], e["start"],
                                             e["end"], e["text"], e.get("role", ""),
                                             e.get("page", ""), e["coder"], rel, line)
        elif kind in ("apply", "remove", "describe"):
            seg = segments.get(e["segment"])
            if seg is None and e["segment"] in withdrawn:
                continue
            if seg is None:
                out.problems.append(Problem(rel, line, f"{kind} names segment "
                                            f"{e['segment']!r}, which no log made; skipped"))
                continue
            if kind == "describe":
                seg.role, seg.page = e["role"], e["page"]
                continue
            code = e["code"]
            if code in renames:  # most codes were never renamed: no chain to follow
                code = out.resolve(code, codes)
            if kind == "apply":
                seg.codes.add(code)
                seg.by.setdefault(code, set()).add(e["coder"])
                applied[(seg.id, code)] = (rel, line)  # named if the code is gone
            else:
                seg.codes.discard(code)
                seg.by.pop(code, None)
        elif kind == "memo":
            target = out.resolve(e["target"], codes) if e["on"] == "code" else e["target"]
            out.memos.append(Memo(e["on"], target, e["text"], e["coder"], e["at"], rel, line))
    if codes is not None:
        for seg in segments.values():
            if seg.codes <= codes:
                continue
            for code in sorted(seg.codes - codes):
                rel, line = applied[(seg.id, code)]
                raise ReviewkitError(
                    f"code {code!r} is not in the codebook but {rel}:{line} codes a segment "
                    "with it (deleted by hand?): put the code back, then merge it into "
                    "another with `reviewkit synthesis codebook merge`", file="synthesis/"
                    "codebook.yaml", field="codes")
    for m in out.memos:  # kept, never dropped: but a memo on nothing is said
        gone = (m.on == "code" and codes is not None and m.target not in codes) or \
            (m.on == "segment" and m.target not in segments)
        if gone:
            out.problems.append(Problem(m.file, m.line, f"memo on {m.on} {m.target!r}, which "
                                        f"is no longer there (deleted by hand?); kept"))
    out.problems.sort(key=lambda p: (p.file, p.line or 0))
    return out
