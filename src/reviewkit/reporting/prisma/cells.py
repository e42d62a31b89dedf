"""Cells of the PRISMA2020 R package's CSV: numbers, unknowns and "Name, n; Name, n" lists."""

from __future__ import annotations

import re
from collections.abc import Callable

from reviewkit.reporting.prisma.model import Count

# What people (and the R package's template) write for "not known".
UNKNOWN = {"", "na", "n/a", "nr", "xxx", "?", "unknown", "not reported"}
_NUMBER = r"\d{1,3}(?:,\d{3})+|\d+"
_WHOLE = re.compile(rf"^(?:{_NUMBER})$")
_NEGATIVE = re.compile(rf"^-\s*(?:{_NUMBER})$")
_UNKNOWN_RE = "|".join(re.escape(u) for u in sorted(UNKNOWN - {""}, key=len, reverse=True))
# Non-greedy name: "Medline, 1,270" is Medline 1270; "Wrong population, adults, 5" keeps
# its comma because only a number (or an unknown marker) may follow the last one.
_ITEM = re.compile(rf"^(?P<name>.*?),\s*(?P<n>-?\s*(?:{_NUMBER})|{_UNKNOWN_RE})$", re.I)
# The template's own placeholders ("Reason1, xxx; Reason2, xxx") mean nothing is known yet.
_PLACEHOLDER = re.compile(r"^(reason|database|register)\s*\d+$", re.I)

Fail = Callable[[str], Exception]


def parse_number(cell: str, fail: Fail) -> int | None:
    text = cell.strip()
    if text.lower() in UNKNOWN:
        return None
    if _WHOLE.match(text):
        return int(text.replace(",", ""))
    if _NEGATIVE.match(text):
        raise fail(f"{text} is negative; a count cannot be below 0")
    raise fail(f"expected a whole number (or NA when unknown), found {text!r}")


def parse_list(cell: str, fail: Fail) -> list[Count]:
    """'Name, n; Name, n' → counts; a bare number is a total without names; NA → []."""
    text = cell.strip()
    if text.lower() in UNKNOWN:
        return []
    if _WHOLE.match(text) or _NEGATIVE.match(text):
        return [Count("", parse_number(text, fail))]
    out = []
    for item in (p.strip() for p in text.split(";")):
        if not item:
            continue
        m = _ITEM.match(item)
        if not m or not m["name"].strip():
            raise fail(f"expected 'Name, number' entries separated by ';' (xxx or NA when the "
                       f"number is unknown), found {item!r}")
        out.append(Count(m["name"].strip(), parse_number(m["n"], fail)))
    if all(c.n is None and _PLACEHOLDER.match(c.name) for c in out):
        return []
    return out


def format_number(n: int | None) -> str:
    # Plain digits: the R package strips every non-digit, so "1,928" would also work there,
    # but digits alone are the unambiguous form for every reader.
    return "NA" if n is None else str(n)


def clean_name(name: str) -> str:
    """A name the R package splits correctly: it cuts entries at ';' and a name at ','."""
    return re.sub(r"\s+", " ", name.replace(";", ",").replace(",", " -")).strip()


def format_list(items: list[Count]) -> str:
    if not items:
        return "NA"
    if len(items) == 1 and not items[0].name:
        return format_number(items[0].n)
    return "; ".join(f"{clean_name(c.name) or 'Unnamed'}, "
                     f"{'xxx' if c.n is None else c.n}" for c in items)
