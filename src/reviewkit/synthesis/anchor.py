"""Keep coded segments on their words when a source's text changes.

In order: the recorded offsets if the text there is still the segment's text;
else the same text found exactly elsewhere (nearest the old start); else a fuzzy
match (rapidfuzz, score >= 90); else the segment is lost. Never silently shifted.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from reviewkit.errors import ReviewkitError
from reviewkit.project.config import Project
from reviewkit.screening.log import Problem
from reviewkit.synthesis.coding import Segment
from reviewkit.synthesis.sources import Source, source_text

FUZZY_MIN = 90.0


@dataclass(frozen=True)
class Anchor:
    segment: str
    status: str  # "same" | "moved" | "fuzzy" | "lost"
    start: int | None
    end: int | None
    score: float = 100.0


def anchor_text(text: str, start: int, end: int, words: str) -> tuple[str, int | None,
                                                                       int | None, float]:
    """(status, start, end, score) of ``words`` (once at start..end) in ``text`` now."""
    if text[start:end] == words:
        return "same", start, end, 100.0
    hits = []
    at = text.find(words)
    while at != -1:
        hits.append(at)
        at = text.find(words, at + 1)
    if hits:
        best = min(hits, key=lambda h: (abs(h - start), h))
        return "moved", best, best + len(words), 100.0
    if words.strip() and text:
        from rapidfuzz import fuzz  # only for words no longer found as they were

        m = fuzz.partial_ratio_alignment(words, text, score_cutoff=FUZZY_MIN)
        if m is not None and m.score >= FUZZY_MIN:
            return "fuzzy", m.dest_start, m.dest_end, round(m.score, 1)
    return "lost", None, None, 0.0


def anchor_segments(project: Project, segments: list[Segment], sources: list[Source]
                    ) -> list[Anchor]:
    """Where each segment sits in its source's text now.

    A segment whose source is unchanged (same sha256) must sit exactly at its
    offsets: when it does not, the log is wrong, and that is an error naming it.
    """
    by_id = {s.id: s for s in sources}
    texts: dict[str, tuple[str, bool]] = {}
    out = []
    for seg in segments:
        src = by_id.get(seg.source)
        if src is None:
            out.append(Anchor(seg.id, "lost", None, None, 0.0))
            continue
        if src.id not in texts:
            text = source_text(project, src)
            raw = (project.root / src.file).read_bytes()
            texts[src.id] = (text, hashlib.sha256(raw).hexdigest() == src.sha256)
        text, unchanged = texts[src.id]
        if unchanged and seg.end > len(text):
            raise ReviewkitError(f"segment {seg.id} ends at {seg.end}, outside source "
                                 f"{src.id!r} ({len(text)} characters)", file=seg.file,
                                 line=seg.line)
        if unchanged and text[seg.start:seg.end] != seg.text:
            raise ReviewkitError(f"segment {seg.id}: its text is not what source {src.id!r} "
                                 f"holds at {seg.start}..{seg.end}", file=seg.file,
                                 line=seg.line)
        status, start, end, score = anchor_text(text, seg.start, seg.end, seg.text)
        out.append(Anchor(seg.id, status, start, end, score))
    return out


def edited_problems(project: Project, segments: list[Segment], sources: list[Source]
                    ) -> list[Problem]:
    """What an output must say about sources edited since they were added: each coded
    segment whose words are gone (shown as coded, no longer in the text) or only
    approximately found. Only edited sources are read; a missing file is left to
    `synthesis source check`."""
    edited = []
    for src in sources:
        path = project.root / src.file
        if path.is_file() and hashlib.sha256(path.read_bytes()).hexdigest() != src.sha256:
            edited.append(src)
    ids = {s.id for s in edited}
    mine = [s for s in segments if s.source in ids and s.codes]
    out = []
    for seg, a in zip(mine, anchor_segments(project, mine, edited), strict=True):
        if a.status == "lost":
            out.append(Problem(seg.file, seg.line, f"segment {seg.id}: its words are no "
                               f"longer in source {seg.source!r} (edited since it was "
                               "added); shown as coded"))
        elif a.status == "fuzzy":
            out.append(Problem(seg.file, seg.line, f"segment {seg.id}: source {seg.source!r} "
                               f"was edited and its words are only nearly there "
                               f"({a.score:g}% alike); shown as coded"))
    return out
