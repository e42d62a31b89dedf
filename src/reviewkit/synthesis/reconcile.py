"""Reconcile two blind coders into a third coder's log; the two logs are never written.

Per source and code, the segments of A and B that overlap form one unit. A unit
where A and B coded the same spans is agreed and copied to C's log. Any other unit
is a disagreement, listed with a stable id (from its source, code and spans) for C
to decide: take A's spans, B's, both or neither. Deciding writes what the choice
lacks to C's log, takes off C's codings in that unit the choice leaves out (so a
decision can be changed later) and a memo on the source that records it ("reconcile
d1a2b3c4: B ..."), which is how a later run knows what was decided (also after the
code is renamed or merged: the unit's id under the old code id still names it).
Reconciling again adds nothing twice.
"""

from __future__ import annotations

import csv
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

from reviewkit.errors import ReviewkitError
from reviewkit.project.config import Project
from reviewkit.screening.reviewers import require_reviewer
from reviewkit.synthesis.codebook import load_codebook
from reviewkit.synthesis.coding import Segment, append_coding, event, fold, segment_event

TAKES = ("A", "B", "both", "neither")
DECIDED = re.compile(r"^reconcile (d[0-9a-f]{7}): (A|B|both|neither)\b")
Span = tuple[int, int]


@dataclass
class Unit:
    id: str
    source: str
    code: str
    a: list[Segment]
    b: list[Segment]
    c: list[Segment] = field(default_factory=list)  # C's segments with the code, overlapping
    # the ids this unit had under the code's earlier ids (before a rename or merge), so a
    # decision recorded or listed then still names it
    former: list[str] = field(default_factory=list)

    @property
    def agreed(self) -> bool:
        return _spans(self.a) == _spans(self.b)

    def spans(self, take: str) -> set[Span]:
        return {"A": _spans(self.a), "B": _spans(self.b), "neither": set(),
                "both": _spans(self.a) | _spans(self.b)}[take]


def _spans(segs: list[Segment]) -> set[Span]:
    return {(s.start, s.end) for s in segs}


@dataclass
class Reconciled:
    coders: tuple[str, str]
    judge: str
    agreed: int = 0  # agreed units
    written: int = 0  # codings written to the judge's log now
    removed: int = 0  # codings the judge's decisions took off
    disagreements: list[Unit] = field(default_factory=list)
    decided: dict[str, str] = field(default_factory=dict)  # unit id -> take, from memos

    def summary(self) -> str:
        a, b = self.coders
        open_ = sum(1 for u in self.disagreements if u.id not in self.decided)
        return (f"{a} and {b}: {self.agreed} agreed unit(s), {len(self.disagreements)} "
                f"disagreement(s) ({open_} not decided); {self.written} coding(s) written "
                f"to {self.judge}'s log, {self.removed} taken off")

    def rows(self) -> list[dict]:
        a, b = self.coders
        return [{"id": u.id, "source": u.source, "code": u.code,
                 a: " | ".join(_show(s) for s in u.a) or "-",
                 b: " | ".join(_show(s) for s in u.b) or "-",
                 "decided": self.decided.get(u.id, "open")}
                for u in self.disagreements]


def _show(seg: Segment) -> str:
    text = " ".join(seg.text.split())
    return f"{seg.start}..{seg.end} {text[:60]}" + ("..." if len(text) > 60 else "")


def units(project: Project, a: str, b: str, judge: str) -> list[Unit]:
    """Every unit of A's and B's coding, by source, code and position."""
    book = load_codebook(project)
    coding = fold(project, set(book.codes))
    earlier: dict[str, list[str]] = {}
    for old in coding.renames:
        earlier.setdefault(coding.resolve(old, set(book.codes)), []).append(old)
    by_key: dict[tuple[str, str], list[Segment]] = {}
    for seg in coding.segments.values():
        if seg.coder in (a, b, judge):
            for code in seg.codes:
                by_key.setdefault((seg.source, code), []).append(seg)
    out: list[Unit] = []
    for (source, code), segs in sorted(by_key.items()):
        segs.sort(key=lambda s: (s.start, s.end, s.coder, s.id))
        groups: list[list[Segment]] = []
        end = -1
        for s in segs:  # overlapping spans (of any of the three) join one unit
            if groups and s.start < end:
                groups[-1].append(s)
                end = max(end, s.end)
            else:
                groups.append([s])
                end = s.end
        for g in groups:
            ga = [s for s in g if s.coder == a]
            gb = [s for s in g if s.coder == b]
            if not ga and not gb:
                continue  # the judge's own coding, no one else's: not ours to decide
            spans = f"{sorted(_spans(ga))}|{sorted(_spans(gb))}"
            out.append(Unit(_unit_id(source, code, spans), source, code, ga, gb,
                            [s for s in g if s.coder == judge],
                            [_unit_id(source, old, spans) for old in earlier.get(code, [])]))
    return out


def _unit_id(source: str, code: str, spans: str) -> str:
    key = f"{source}|{code}|{spans}"
    return "d" + hashlib.sha256(key.encode()).hexdigest()[:7]


def read_decisions(file: Path) -> dict[str, str]:
    """id -> take from a CSV with columns id, take (the ids `reconcile` lists)."""
    name = str(file)
    try:
        text = Path(file).read_text("utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ReviewkitError(f"cannot read the decisions: {exc}", file=name) from None
    reader = csv.DictReader(text.splitlines())
    if [f.strip().lower() for f in reader.fieldnames or []] != ["id", "take"]:
        raise ReviewkitError("expected the columns id, take", file=name, line=1)
    out: dict[str, str] = {}
    for row in reader:
        line = reader.line_num
        uid, take = (v.strip() for v in row.values())
        if uid in out:
            raise ReviewkitError(f"disagreement {uid!r} is decided twice", file=name,
                                 line=line, field="id")
        out[uid] = _take(take, name, line)
    return out


def _take(value: str, file: str | None = None, line: int | None = None) -> str:
    for t in TAKES:
        if value.lower() == t.lower():
            return t
    raise ReviewkitError(f"take {value!r}; expected {', '.join(TAKES)}", file=file, line=line,
                         field="take")


def parse_takes(takes: list[str]) -> dict[str, str]:
    """``["d1a2b3c4=A", ...]`` (from --take) -> id -> take."""
    out = {}
    for t in takes:
        uid, sep, value = t.partition("=")
        if not sep or not uid.strip():
            raise ReviewkitError(f"--take {t!r}: give ID=A, ID=B, ID=both or ID=neither",
                                 field="take")
        out[uid.strip()] = _take(value.strip())
    return out


def reconcile(project: Project, a: str, b: str, judge: str,
              decisions: dict[str, str] | None = None) -> Reconciled:
    """Write A's and B's agreed codings, and the decided disagreements, to ``judge``'s log."""
    for name in (a, b, judge):
        require_reviewer(project, name)
    if a == b:
        raise ReviewkitError("give two different coders", field="coders")
    if judge in (a, b):
        raise ReviewkitError(f"{judge} is one of the coders: reconcile into another "
                             "reviewer's log so both originals stay as they are", field="as")
    decisions = decisions or {}
    found = units(project, a, b, judge)
    by_id = {u.id: u for u in found if not u.agreed}
    now_id = {old: u.id for u in by_id.values() for old in u.former}
    decisions = {now_id.get(uid, uid): take for uid, take in decisions.items()}
    unknown = sorted(set(decisions) - set(by_id))
    if unknown:
        raise ReviewkitError(f"no disagreement {unknown[0]!r} between {a} and {b} (list them "
                             "with `reviewkit synthesis reconcile` first)", field="take")
    out = Reconciled((a, b), judge)
    coding = fold(project)
    for m in coding.memos:  # in time order: the last decision of a unit counts
        hit = DECIDED.match(m.text) if m.coder == judge and m.on == "source" else None
        if hit:
            uid = now_id.get(hit.group(1), hit.group(1))  # recorded before a rename
            out.decided[uid] = hit.group(2)
    mine = {(s.source, s.start, s.end): s for s in coding.segments.values()
            if s.coder == judge}
    events: list[dict] = []
    for u in found:
        if u.agreed:
            out.agreed += 1
            want = u.spans("A")
        elif u.id in decisions:
            take = decisions[u.id]
            want = u.spans(take)
            if out.decided.get(u.id) != take:
                who = {"A": a, "B": b, "both": f"{a} and {b}", "neither": "no one"}[take]
                events.append(event("memo", judge, on="source", target=u.source,
                                    text=f"reconcile {u.id}: {take} (code {u.code}: took "
                                    f"{who}'s coding; {a} vs {b})"))
                out.decided[u.id] = take
        else:
            out.disagreements.append(u)
            continue
        out.written += _give(u, want, judge, mine, events)
        for s in u.c if not u.agreed else []:  # the judge's codings the choice leaves out
            if (s.start, s.end) not in want:
                events.append(event("remove", judge, segment=s.id, code=u.code))
                out.removed += 1
        if not u.agreed:
            out.disagreements.append(u)
    if events:
        append_coding(project, judge, events)
    return out


def _give(u: Unit, want: set[Span], judge: str, mine: dict, events: list[dict]) -> int:
    """Events that give the judge ``want`` coded with the unit's code; how many codings."""
    have = _spans(u.c)
    n = 0
    for start, end in sorted(want - have):
        model = next(s for s in u.a + u.b if (s.start, s.end) == (start, end))
        seg = mine.get((u.source, start, end))
        if seg is None:
            ev = segment_event(judge, u.source, start, end, model.text, model.role, model.page)
            events.append(ev)
            seg = Segment(ev["segment"], u.source, start, end, model.text, model.role,
                          model.page, judge, "", 0)
            mine[(u.source, start, end)] = seg
        events.append(event("apply", judge, segment=seg.id, code=u.code))
        n += 1
    return n


def reconcile_coders(project: Project, coders: str, judge: str, takes: list[str],
                     decisions: Path | None = None) -> Reconciled:
    """The command's arguments as given: "A,B", --take ID=X..., a decisions CSV."""
    names = [c.strip() for c in coders.split(",") if c.strip()]
    if len(names) != 2:
        raise ReviewkitError(f"--coders {coders!r}: give two coders, A,B", field="coders")
    chosen = read_decisions(decisions) if decisions is not None else {}
    for uid, t in parse_takes(takes).items():
        if chosen.get(uid, t) != t:
            raise ReviewkitError(f"disagreement {uid!r} is decided both {chosen[uid]} (in "
                                 f"{decisions}) and {t} (--take)", field="take")
        chosen[uid] = t
    return reconcile(project, names[0], names[1], judge, chosen)
