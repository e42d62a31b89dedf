"""Hypothesis strategies for PRISMA counts: random flows that add up, box by box."""

from __future__ import annotations

import copy
import re
import string

from hypothesis import strategies as st

from reviewkit.reporting.prisma import Count, PrismaCounts, Reports, Sources

NAMES = st.text(string.ascii_letters + " -", min_size=1, max_size=24).map(
    lambda s: " ".join(s.split())).filter(lambda s: s.strip("- "))


@st.composite
def split(draw, total: int, min_parts: int = 1, max_parts: int = 4, named: bool = True):
    """``total`` cut into named counts that add up to it."""
    k = draw(st.integers(min_parts, max_parts))
    if k == 0:
        return []
    cuts = sorted(draw(st.lists(st.integers(0, total), min_size=k - 1, max_size=k - 1)))
    parts = [b - a for a, b in zip([0, *cuts], [*cuts, total], strict=True)]
    names = draw(st.lists(NAMES, min_size=k, max_size=k, unique=True)) if named else [""] * k
    return [Count(n, p) for n, p in zip(names, parts, strict=True)]


@st.composite
def consistent_counts(draw, schema_only: bool = False) -> PrismaCounts:
    """Every number known and every invariant true. ``schema_only``: only what the
    PRISMA2020 CSV can hold (no per-source lists for other methods, no screening reasons)."""
    big = st.integers(0, 5000)
    dbs = draw(split(draw(big), 1, 4))
    regs = draw(split(draw(st.integers(0, 300)), 0 if schema_only else 1, 2)) \
        if draw(st.booleans()) else []
    c = PrismaCounts(databases=Sources(sum(x.n for x in dbs), dbs),
                     registers=Sources(sum(x.n for x in regs), regs))
    for g in ("websites", "organisations", "citations"):
        n = draw(st.integers(0, 200))
        items = [] if schema_only or not n else draw(split(n, 1, 3))
        setattr(c, g, Sources(n, items))
    # one path for other methods (the template's): screened with the database records, or
    # down their own column, never both
    c.merged_other = ("websites", "organisations", "citations") if draw(st.booleans()) else ()
    inflow = c.databases.total + c.registers.total + sum(
        c.group(g).total for g in c.merged_other)
    c.duplicates = draw(st.integers(0, inflow))
    c.automation_excluded = draw(st.integers(0, inflow - c.duplicates))
    c.removed_other = draw(st.integers(0, inflow - c.duplicates - c.automation_excluded))
    c.screened = inflow - c.duplicates - c.automation_excluded - c.removed_other
    c.records_excluded = draw(st.integers(0, c.screened))
    if not schema_only and draw(st.booleans()):
        c.records_excluded_reasons = draw(split(c.records_excluded, 1, 3))
    c.dbr = draw(_reports(c.screened - c.records_excluded, exact=True))
    kept = c.dbr.assessed - c.dbr.excluded_total
    own = sum(c.group(g).total for g in ("websites", "organisations", "citations")
              if g not in c.merged_other)
    if own:
        c.other = draw(_reports(own, exact=False))
        kept += c.other.assessed - c.other.excluded_total
    c.included_reports = kept
    c.included_studies = draw(st.integers(min(1, kept), kept))
    c.previous_studies = c.previous_reports = 0  # a first review, as the R template says
    if draw(st.booleans()):
        c.previous_studies = draw(st.integers(1, 50))
        c.previous_reports = c.previous_studies + draw(st.integers(0, 20))
    c.total_studies = c.included_studies + c.previous_studies
    c.total_reports = c.included_reports + c.previous_reports
    return c


@st.composite
def _reports(draw, available: int, exact: bool) -> Reports:
    sought = available if exact else draw(st.integers(0, available))
    not_retrieved = draw(st.integers(0, sought))
    assessed = sought - not_retrieved
    excluded = draw(st.integers(0, assessed))
    named = draw(st.booleans())
    return Reports(sought, not_retrieved, assessed,
                   draw(split(excluded, 1, 3 if named else 1, named=named)))


@st.composite
def with_unknowns(draw, c: PrismaCounts) -> PrismaCounts:
    """Some numbers forgotten (None): the diagram must say "not reported" for them."""
    c = copy.deepcopy(c)
    for path, n in list(c.numbers()):
        if n is not None and draw(st.integers(0, 5)) == 0:
            set_number(c, path, None)
    return c


_PATH = re.compile(r"^(\w+)(?:\.(\w+))?(?:\[(\d+)\])?$")


def set_number(c: PrismaCounts, path: str, value: int | None) -> None:
    """Set the number at a PrismaCounts.numbers() path (``dbr.excluded[1]``, ``screened``)."""
    top, attr, index = _PATH.match(path).groups()
    obj = getattr(c, top)
    if index is not None:
        items = getattr(obj, attr) if attr else obj
        items[int(index)].n = value
    elif attr:
        setattr(obj, attr, value)
    else:
        setattr(c, top, value)
