"""One coder coding one source: the state the terminal coder shows, and its actions.

Blind: only the coder's own segments are seen. Every action appends its events to
the coder's log (one fsynced write) before it returns, so what the screen shows as
done is on disk; undo is a new event, read back from the log, so it also reaches
actions of an earlier sitting.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from reviewkit.errors import ReviewkitError
from reviewkit.project.config import Project
from reviewkit.project.session import lock
from reviewkit.screening.reviewers import require_reviewer
from reviewkit.synthesis import cursor as cur
from reviewkit.synthesis.anchor import anchor_text
from reviewkit.synthesis.codebook import Code, Codebook, add_code, load_codebook, retired_ids
from reviewkit.synthesis.coding import (
    ROLES,
    Located,
    LogCache,
    LogRead,
    Memo,
    Segment,
    append_coding,
    event,
    fold_events,
    segment_event,
)
from reviewkit.synthesis.sources import Source, get_source, page_at, source_text

UNDOABLE = ("segment", "apply", "remove", "memo", "describe")
# what the whole project's logs say about one coder's segments: renames and undos
# from any log, the rest only when it is on one of those segments
EVERY_LOG = ("undo", "rename-code", "merge-code")


class _FileIndex:
    """One log's events a session can need, by segment; filled as the log grows."""

    def __init__(self, read: LogRead) -> None:
        self.read, self.taken = read, 0
        self.every: list[Located] = []  # undo, rename-code, merge-code
        self.on: dict[str, list[Located]] = {}  # segment id -> events on it (and memos)
        self.made: dict[str, list[str]] = {}  # source -> segments this log made there

    def take(self, located: list[Located]) -> None:
        for x in located:
            e = x[0]
            kind = e["type"]
            if kind in EVERY_LOG:
                self.every.append(x)
            elif kind == "memo":
                if e["on"] == "segment":
                    self.on.setdefault(e["target"], []).append(x)
            else:
                self.on.setdefault(e["segment"], []).append(x)
                if kind == "segment":
                    self.made.setdefault(e["source"], []).append(e["segment"])

    def update(self) -> None:
        new = self.read.events[self.taken:]
        self.taken += len(new)
        self.take(new)


class _View:
    """The events on one coder's segments of one source, from every log, in read order:
    each refresh takes in only the lines appended since the last."""

    def __init__(self) -> None:
        self.cache = LogCache()
        self.files: dict[str, _FileIndex] = {}

    def events(self, project: Project, coder: str, source: str
               ) -> tuple[list[Located], LogRead | None]:
        """(the events fold needs for ``coder``'s segments on ``source``, ``coder``'s
        own log)."""
        indexes, own_log = [], None
        for read in self.cache.logs(project):
            index = self.files.get(read.rel)
            if index is None or index.read is not read:  # new, or read all anew
                index = self.files[read.rel] = _FileIndex(read)
            index.update()
            rest = _FileIndex(read)  # the line after the last newline, if it parses
            rest.take(read.rest[0])
            indexes += [index, rest]
            if read.rel.endswith(f"/{coder}.jsonl"):
                own_log = read
        own = {seg for i in indexes if i.read.rel.endswith(f"/{coder}.jsonl")
               for seg in i.made.get(source, ())}
        out = [x for i in indexes for x in i.every]
        out += [x for i in indexes for seg in own for x in i.on.get(seg, ())]
        out.sort(key=lambda x: (x[1], x[2]))  # read_coding's order: file, then line
        return out, own_log


@dataclass
class CodingSession:
    project: Project
    coder: str
    source: str
    text: str
    book: Codebook
    segments: list[Segment] = field(default_factory=list)  # the coder's own, by start
    memos: list[Memo] = field(default_factory=list)  # the coder's own, on those segments
    lost: int = 0  # own segments whose words an edit of the source took away
    cursor: int = 0
    selection: tuple[int, int] | None = None  # (anchor, end) as the keys grew it
    next_role: str = ""  # given to the next segment made (t, g with no segment here)
    next_page: str = ""
    view: _View = field(default_factory=_View)  # the logs, parsed once
    problems: list[str] = field(default_factory=list)  # bad lines of the coder's log
    pages: Source | None = None  # the source's entry: a PDF's page starts fill `page`
    undone: str = ""  # what the last undo withdrew, in words

    # --- what is shown ----------------------------------------------------------

    def selected(self) -> tuple[int, int] | None:
        """The selection trimmed of edge spaces; None when empty."""
        if self.selection is None:
            return None
        start, end = cur.trim(self.text, *sorted(self.selection))
        return (start, end) if start < end else None

    def segments_at(self, at: int) -> list[Segment]:
        """The coder's segments covering offset ``at``, shortest first."""
        hits = [s for s in self.segments if s.start <= at < s.end]
        return sorted(hits, key=lambda s: (s.end - s.start, s.start))

    def codes_at(self, at: int | None = None) -> list[str]:
        at = self.cursor if at is None else at
        return sorted({c for s in self.segments_at(at) for c in s.codes})

    def memos_here(self) -> list[str]:
        """The coder's memos on the segment an action would be on."""
        seg = self.target()
        return [m.text for m in self.memos if seg is not None and m.target == seg.id]

    def target(self) -> Segment | None:
        """The segment an action is on: the one the selection is exactly, else the
        shortest one at the cursor."""
        sel = self.selected()
        if sel is not None:
            return next((s for s in self.segments if (s.start, s.end) == sel), None)
        hits = self.segments_at(self.cursor)
        return hits[0] if hits else None

    # --- moving -------------------------------------------------------------------

    def move(self, to: int) -> None:
        self.cursor = max(0, min(to, max(len(self.text) - 1, 0)))

    def select(self, unit: str) -> None:
        """Start a selection at the cursor, or grow it by one ``unit``."""
        anchor, end = self.selection or (self.cursor, self.cursor)
        self.selection = cur.grow(self.text, anchor, end, unit)

    def shrink(self) -> None:
        """Take the last word off the selection."""
        if self.selection is not None:
            anchor, end = self.selection
            self.selection = (anchor, max(anchor, cur.prev_end(self.text, end, "word")))

    def clear(self) -> None:
        self.selection = None

    def next_uncoded(self, forward: bool = True) -> bool:
        """Move to the next (previous) paragraph no own segment touches; False if none."""
        paras = cur.paragraphs(self.text)
        free = [s for s, e in paras
                if not any(g.start < e and s < g.end for g in self.segments)]
        pick = ([s for s in free if s > self.cursor] if forward
                else [s for s in free if s < self.cursor][::-1])
        if not pick:
            return False
        self.cursor = pick[0]
        self.selection = None
        return True

    # --- actions: each writes its events before returning ---------------------------

    def apply(self, code: str) -> list[dict]:
        """Put ``code`` on the selection (a new segment unless one is exactly it) or on
        the segment at the cursor."""
        self._known(code)
        sel = self.selected()
        seg = self.target()
        if seg is not None and code in seg.codes:
            raise ReviewkitError(f"this segment is already coded with {code!r}", field="code")
        if seg is not None:
            events = [event("apply", self.coder, segment=seg.id, code=code)]
        elif sel is not None:
            start, end = sel
            page = self.next_page or (page_at(self.pages, start) if self.pages else "")
            new = segment_event(self.coder, self.source, start, end, self.text[start:end],
                                self.next_role, page)
            events = [new, event("apply", self.coder, segment=new["segment"], code=code)]
        else:
            raise ReviewkitError("select some text first (w, s, p or shift+arrows)")
        written = self._write(events)
        self.selection = None  # the segment exists now: the cursor reaches it
        if len(events) == 2:
            self.next_role = self.next_page = ""  # they went on that new segment
        return written

    def remove(self, code: str | None = None) -> list[dict]:
        """Take ``code`` (default: the only or first code) off the segment at the cursor."""
        seg = self.target()
        if seg is None or not seg.codes:
            raise ReviewkitError("no coded segment here")
        code = code or sorted(seg.codes)[0]
        if code not in seg.codes:
            raise ReviewkitError(f"this segment is not coded with {code!r}", field="code")
        return self._write([event("remove", self.coder, segment=seg.id, code=code)])

    def memo(self, text: str) -> list[dict]:
        """A memo on the segment at the cursor."""
        seg = self.target()
        if seg is None:
            raise ReviewkitError("a memo goes on a segment: move onto one first")
        if not text.strip():
            raise ReviewkitError("the memo is empty", field="text")
        return self._write([event("memo", self.coder, on="segment", target=seg.id,
                                  text=text)])

    def describe(self, role: str | None = None, page: str | None = None) -> list[dict]:
        """Set the role and/or page of the segment here (one describe event); with no
        segment here but a selection, keep them for the segment the next apply makes."""
        if role is not None and role not in ROLES:
            raise ReviewkitError(f"unknown role {role!r}; expected "
                                 f"{', '.join(repr(r) for r in ROLES)}", field="role")
        page = page.strip() if page is not None else None
        seg = self.target()
        if seg is None:
            if self.selected() is None:
                raise ReviewkitError("move onto a segment or select some text first")
            self.next_role = self.next_role if role is None else role
            self.next_page = self.next_page if page is None else page
            return []
        role = seg.role if role is None else role
        page = seg.page if page is None else page
        if (role, page) == (seg.role, seg.page):
            return []  # nothing changes: nothing written
        return self._write([event("describe", self.coder, segment=seg.id, role=role,
                                  page=page)])

    def new_code(self, name: str) -> tuple[Code, list[dict]]:
        """Add a code called ``name`` to the codebook and apply it (a selection is needed).

        The codebook is written first: an interrupted step leaves an unused code, never
        a coding that names no code."""
        if not name.strip():
            raise ReviewkitError("the new code has no name", field="name")
        if self.selected() is None and self.target() is None:
            raise ReviewkitError("select some text first (w, s, p or shift+arrows)")
        with lock(self.project):
            code = add_code(self.project, self._free_id(name), name.strip(),
                            method=self.book.method or "thematic")
        self.book = load_codebook(self.project)
        return code, self.apply(code.id)

    def undo(self) -> list[dict]:
        """Withdraw the coder's last action on this source still in force (an undo event).

        A segment made together with its first code is withdrawn as a whole."""
        last = self._last_action()
        if last is None:
            raise ReviewkitError("nothing to undo")
        self.undone = undone_text(last)  # said on screen: it may be from an earlier sitting
        return self._write([event("undo", self.coder, target=last["id"])])

    # --- helpers ------------------------------------------------------------------

    def _known(self, code: str) -> None:
        if code not in self.book.codes:
            raise ReviewkitError(f"code {code!r} is not in the codebook", field="code")

    def _free_id(self, name: str) -> str:
        base = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "code"
        if not base[0].isalnum():
            base = "c" + base
        taken = set(self.book.codes) | retired_ids(self.project)
        n, out = 1, base
        while out in taken:
            n += 1
            out = f"{base}-{n}"
        return out

    def _write(self, events: list[dict]) -> list[dict]:
        with lock(self.project):
            append_coding(self.project, self.coder, events)
        self.refresh()
        return events

    def _last_action(self) -> dict | None:
        _, log = self.view.events(self.project, self.coder, self.source)
        mine = [e for e, _, _ in log.events + log.rest[0]] if log is not None else []
        undone = {e["target"] for e in mine if e["type"] == "undo"}
        segs = {e["segment"]: e for e in mine if e["type"] == "segment"
                and e["source"] == self.source and e["id"] not in undone}

        def live(e: dict) -> bool:
            if e["type"] not in UNDOABLE or e["id"] in undone:
                return False
            if e["type"] == "memo":
                return e["on"] == "segment" and e["target"] in segs
            return e["segment"] in segs

        at = next((i for i in range(len(mine) - 1, -1, -1) if live(mine[i])), None)
        if at is None:
            return None
        last = mine[at]
        if last["type"] == "apply" and at and mine[at - 1] is segs[last["segment"]]:
            return mine[at - 1]  # the segment and its first code came in one write
        return last

    def refresh(self) -> None:
        """Read the coder's segments on this source back from the logs.

        Only the events that can touch them are folded (fold() of everything gives
        these segments the same codes, role and page, slower)."""
        mine, log = self.view.events(self.project, self.coder, self.source)
        self.problems = [str(p) for p in sorted(log.problems + log.rest[1],
                                                key=lambda p: p.line or 0)] if log else []
        coding = fold_events(mine, [], set(self.book.codes))
        self.segments, self.lost = [], 0
        for seg in coding.segments.values():
            if seg.coder != self.coder or seg.source != self.source:
                continue
            # an edited source: show the segment where its words are now
            status, start, end, _ = anchor_text(self.text, seg.start, seg.end, seg.text)
            if status == "lost":
                self.lost += 1
                continue
            seg.start, seg.end = start, end
            self.segments.append(seg)
        self.segments.sort(key=lambda s: (s.start, s.end))
        ids = {s.id for s in self.segments}
        self.memos = [m for m in coding.memos if m.coder == self.coder and m.on == "segment"
                      and m.target in ids]


def open_session(project: Project, coder: str, source: str) -> CodingSession:
    """The session of ``coder`` (a project reviewer) on ``source``, at its first uncoded
    paragraph."""
    require_reviewer(project, coder)
    book = load_codebook(project)
    src = get_source(project, source)
    text = source_text(project, src)
    session = CodingSession(project, coder, src.id, text, book, pages=src)
    session.refresh()
    session.cursor = -1
    if not session.next_uncoded():
        session.cursor = 0
    return session


def undone_text(e: dict) -> str:
    """What an undo of ``e`` withdraws, in a few words ("code 'time' off a segment")."""
    at = e.get("at", "")[:16].replace("T", " ")
    when = f" (made {at})" if at else ""
    if e["type"] == "segment":
        return f"the segment at {e['start']}-{e['end']} and its code{when}"
    if e["type"] in ("apply", "remove"):
        verb = "code" if e["type"] == "apply" else "the removal of code"
        return f"{verb} {e['code']!r} on a segment{when}"
    if e["type"] == "memo":
        return f"a memo on a segment{when}"
    return f"a {e['type']}{when}"
