"""Which unit a REFI file counts offsets in, and the reviewkit offsets they mean.

reviewkit indexes code points of the text with CRLF read as LF. Programs differ:
NVivo counts UTF-16 code units with CRLF as two. Each reading maps a REFI offset
to a reviewkit offset; the one under which most selections start and end on word
boundaries wins (ties go to the plain reading, listed first).
"""

from __future__ import annotations

import re
from bisect import bisect_left
from itertools import accumulate

_ASTRAL = re.compile("[\U00010000-\U0010FFFF]")
READINGS = (("code points", False), ("code points, CRLF as 2", True),
            ("UTF-16 units", False), ("UTF-16 units, CRLF as 2", True))


class Reading:
    """Offsets of one reading over ``raw`` (BOM removed, line ends as stored)."""

    def __init__(self, raw: str, name: str, crlf_two: bool) -> None:
        self.name = name
        utf16 = name.startswith("UTF-16")
        # no CR and (for UTF-16) no character outside the BMP: every reading is the plain
        # one, so skip the per-character tables (they dominate a large import)
        self.size = len(raw)
        self.identity = "\r" not in raw and not (utf16 and _ASTRAL.search(raw))
        if self.identity:
            return
        pair = [c == "\r" and raw[i + 1:i + 2] == "\n" for i, c in enumerate(raw)]
        widths = [(1 if crlf_two else 0) if p else (2 if utf16 and ord(c) > 0xFFFF else 1)
                  for c, p in zip(raw, pair, strict=True)]
        self.units = list(accumulate(widths, initial=0))
        self.norm = list(accumulate((0 if p else 1 for p in pair), initial=0))

    def map(self, offset: int) -> int | None:
        """The reviewkit offset of a REFI offset; None when it falls inside a character."""
        if self.identity:
            return offset if 0 <= offset <= self.size else None
        k = bisect_left(self.units, offset)
        if k < len(self.units) and self.units[k] == offset:
            return self.norm[k]
        return None


def normalise(raw: str) -> str:
    return raw.replace("\r\n", "\n")


def _on_boundaries(text: str, start: int, end: int) -> bool:
    before = text[start - 1] if start > 0 else " "
    after = text[end] if end < len(text) else " "
    return (start < end and not (before.isalnum() and text[start].isalnum())
            and not (after.isalnum() and text[end - 1].isalnum()))


def choose_reading(texts: list[tuple[str, list[tuple[int, int]]]]) -> str:
    """The reading name that best fits every (raw text, selections) of one file."""
    best, best_score = READINGS[0][0], -1
    for name, crlf in READINGS:
        score = 0
        for raw, spans in texts:
            if not spans:
                continue
            r, text = Reading(raw, name, crlf), normalise(raw)
            for s, e in spans:
                a, b = r.map(s), r.map(e)
                score += a is not None and b is not None and _on_boundaries(text, a, b)
        if score > best_score:
            best, best_score = name, score
    return best


def reading(raw: str, name: str) -> Reading:
    return Reading(raw, name, dict(READINGS)[name])
