"""Moving through a source by word, sentence and paragraph: plain offsets into its text.

A paragraph is a line with something on it (sources are one paragraph a line, as
.docx imports are); a sentence ends at . ! or ? before a space, or at the line's end.
"""

from __future__ import annotations

import re

# a BOM is no text: a selection never starts on it (the quote would carry it)
BOM = "\ufeff"
WORD = re.compile(r"[^\s\ufeff]+")
SENTENCE_END = re.compile(r"[.!?]+[\"'”’)\]]*(?=\s|$)")


def paragraphs(text: str) -> list[tuple[int, int]]:
    """(start, end) of each non-blank line, surrounding spaces left out."""
    out = []
    for m in re.finditer(r"[^\n]+", text):
        line = m.group()
        if line.strip().lstrip(BOM):
            start = m.start() + len(line) - len(line.lstrip().lstrip(BOM).lstrip())
            out.append((start, m.start() + len(line.rstrip())))
    return out


def _ends(text: str, unit: str) -> list[int]:
    if unit == "word":
        return [m.end() for m in WORD.finditer(text)]
    if unit == "paragraph":
        return [e for _, e in paragraphs(text)]
    if unit == "sentence":
        ends = set()
        for start, end in paragraphs(text):
            ends.add(end)
            for m in SENTENCE_END.finditer(text, start, end):
                ends.add(m.end())
        return sorted(ends)
    raise ValueError(f"unknown unit {unit!r}")


def _starts(text: str, unit: str) -> list[int]:
    if unit == "word":
        return [m.start() for m in WORD.finditer(text)]
    if unit == "paragraph":
        return [s for s, _ in paragraphs(text)]
    ends = _ends(text, "sentence")
    return sorted({s for s, _ in paragraphs(text)} | {skip_space(text, e) for e in ends
                                                        if skip_space(text, e) < len(text)})


def skip_space(text: str, at: int) -> int:
    while at < len(text) and (text[at].isspace() or text[at] == BOM):
        at += 1
    return at


def next_end(text: str, at: int, unit: str) -> int:
    """The first end of a ``unit`` after ``at`` (``len(text)`` past the last)."""
    return next((e for e in _ends(text, unit) if e > at), len(text))


def next_start(text: str, at: int, unit: str) -> int:
    """The first start of a ``unit`` after ``at``; ``at`` itself when there is none."""
    return next((s for s in _starts(text, unit) if s > at), at)


def prev_start(text: str, at: int, unit: str) -> int:
    """The last start of a ``unit`` before ``at``; 0 when there is none."""
    return next((s for s in reversed(_starts(text, unit)) if s < at), 0)


def prev_end(text: str, at: int, unit: str) -> int:
    """The last end of a ``unit`` before ``at``; 0 when there is none."""
    return next((e for e in reversed(_ends(text, unit)) if e < at), 0)


def grow(text: str, anchor: int, end: int, unit: str) -> tuple[int, int]:
    """A selection from ``anchor`` grown to the end of the next ``unit`` after ``end``."""
    return anchor, max(anchor, next_end(text, max(end, anchor), unit))


def trim(text: str, start: int, end: int) -> tuple[int, int]:
    """The selection without the spaces at its edges (a segment starts and ends on text)."""
    while start < end and (text[start].isspace() or text[start] == BOM):
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end
