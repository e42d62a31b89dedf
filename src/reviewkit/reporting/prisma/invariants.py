"""PRISMA arithmetic: each box equals what flows into it minus what leaves sideways.

A check runs only when every number it needs is known; unknown is not zero.
"""

from __future__ import annotations

from dataclasses import dataclass

from reviewkit.reporting.prisma.model import OTHER_GROUPS, PrismaCounts, Sources

MAX_IDS = 20  # record ids named per broken check before "and N more"


@dataclass(frozen=True)
class BrokenInvariant:
    """One failed check. ``record_ids`` is for the project-level checker, which can name
    the records responsible (``dataclasses.replace(b, record_ids=…)``)."""

    check: str
    message: str
    fields: tuple[str, ...]  # paths as in PrismaCounts.numbers()
    expected: int | None = None
    actual: int | None = None
    record_ids: tuple[str, ...] = ()
    why: str = ""  # what those records have in common ("not screened at title-abstract")

    @property
    def detail(self) -> str:
        """The message, with how many records make the gap and which (a CLI line)."""
        if not self.record_ids:
            return self.message
        return f"{self.message}; records still open: {ids_text(self.record_ids, self.why)}"


def ids_text(ids: tuple[str, ...], why: str = "") -> str:
    """How many, why, then which: "5 records (not screened at …): a, b, c"."""
    more = len(ids) - MAX_IDS
    head = ("1 record" if len(ids) == 1 else f"{len(ids):,} records") + (
        f" ({why})" if why else "")
    return f"{head}: {', '.join(ids[:MAX_IDS])}" + (f" and {more:,} more" if more > 0 else "")


def fmt(n: int | None) -> str:
    return "unknown" if n is None else f"{n:,}"


def _known(*values: int | None) -> bool:
    return all(v is not None for v in values)


def check_invariants(c: PrismaCounts) -> list[BrokenInvariant]:
    """Every broken invariant, each with a sentence a reviewer can act on."""
    out: list[BrokenInvariant] = []
    out += _negatives(c)
    for name in ("databases", "registers", *OTHER_GROUPS):
        out += _sources(name, c.group(name))
    out += _identification(c)
    out += _screening(c)
    out += _retrieval("dbr", "databases and registers", c)
    if c.other_flow:
        out += _retrieval("other", "other methods", c)
        out += _other_sought(c)
    out += _eligibility(c)
    out += _included(c)
    return out


def _negatives(c: PrismaCounts) -> list[BrokenInvariant]:
    return [BrokenInvariant("negative", f"{path} is {n:,}; a count cannot be negative",
                            (path,), 0, n)
            for path, n in c.numbers() if n is not None and n < 0]


def _sources(name: str, s: Sources) -> list[BrokenInvariant]:
    total, parts = s.total, Sources(None, s.sources).value
    if total is None or parts is None or not s.sources:
        return []
    if total == parts:
        return []
    listed = "; ".join(f"{x.name} {fmt(x.n)}" for x in s.sources)
    return [BrokenInvariant(
        f"sources:{name}",
        f"{name}: the total is {fmt(total)} but the sources listed add up to {fmt(parts)} "
        f"({listed})",
        (f"{name}.total", *(f"{name}.sources[{i}]" for i in range(len(s.sources)))),
        parts, total)]


def _identification(c: PrismaCounts) -> list[BrokenInvariant]:
    routes = ["databases", "registers", *c.merged_other]
    inflow = [c.group(r).value for r in routes]
    removed = (c.duplicates, c.automation_excluded, c.removed_other)
    if not _known(*inflow, *removed, c.screened):
        return []
    expected = sum(inflow) - sum(removed)  # type: ignore[arg-type]
    if expected == c.screened:
        return []
    names = " + ".join(f"{r} {fmt(v)}" for r, v in zip(routes, inflow, strict=True))
    return [BrokenInvariant(
        "identification",
        f"records screened is {fmt(c.screened)}, but records identified ({names}) minus "
        f"duplicates {fmt(c.duplicates)}, automation exclusions {fmt(c.automation_excluded)} "
        f"and other removals {fmt(c.removed_other)} leaves {fmt(expected)}",
        (*(f"{r}.total" for r in routes), "duplicates", "automation_excluded", "removed_other",
         "screened"), expected, c.screened)]


def _screening(c: PrismaCounts) -> list[BrokenInvariant]:
    out = []
    if _known(c.screened, c.records_excluded, c.dbr.sought):
        expected = c.screened - c.records_excluded  # type: ignore[operator]
        if expected != c.dbr.sought:
            out.append(BrokenInvariant(
                "screening",
                f"reports sought (databases and registers) is {fmt(c.dbr.sought)}, but records "
                f"screened {fmt(c.screened)} minus records excluded {fmt(c.records_excluded)} "
                f"leaves {fmt(expected)}",
                ("screened", "records_excluded", "dbr.sought"), expected, c.dbr.sought))
    reasons = Sources(None, c.records_excluded_reasons).value
    if c.records_excluded is not None and reasons is not None \
            and reasons != c.records_excluded:
        out.append(BrokenInvariant(
            "screening_reasons",
            f"records excluded is {fmt(c.records_excluded)} but its reasons add up to "
            f"{fmt(reasons)}",
            ("records_excluded", *(f"records_excluded_reasons[{i}]"
                                   for i in range(len(c.records_excluded_reasons)))),
            reasons, c.records_excluded))
    return out


def _retrieval(col: str, label: str, c: PrismaCounts) -> list[BrokenInvariant]:
    r = getattr(c, col)
    if not _known(r.sought, r.not_retrieved, r.assessed):
        return []
    expected = r.sought - r.not_retrieved
    if expected == r.assessed:
        return []
    return [BrokenInvariant(
        f"retrieval:{col}",
        f"reports assessed ({label}) is {fmt(r.assessed)}, but reports sought "
        f"{fmt(r.sought)} minus not retrieved {fmt(r.not_retrieved)} leaves {fmt(expected)}",
        (f"{col}.sought", f"{col}.not_retrieved", f"{col}.assessed"), expected, r.assessed)]


def _other_sought(c: PrismaCounts) -> list[BrokenInvariant]:
    own = [g for g in OTHER_GROUPS if g not in c.merged_other]
    found = [c.group(g).value for g in own]
    if not _known(c.other.sought, *found) or c.other.sought <= sum(found):  # type: ignore
        return []
    return [BrokenInvariant(
        "other_sought",
        f"reports sought (other methods) is {fmt(c.other.sought)}, more than the "
        f"{fmt(sum(found))} records identified by other methods",  # type: ignore[arg-type]
        ("other.sought", *(f"{g}.total" for g in own)), sum(found), c.other.sought)]


def _eligibility(c: PrismaCounts) -> list[BrokenInvariant]:
    kept = [c.dbr.assessed, c.dbr.excluded_total]
    fields_ = ["dbr.assessed", *(f"dbr.excluded[{i}]" for i in range(len(c.dbr.excluded)))]
    if c.other_flow:
        kept += [c.other.assessed, c.other.excluded_total]
        fields_ += ["other.assessed",
                    *(f"other.excluded[{i}]" for i in range(len(c.other.excluded)))]
    elif any(c.group(g).value is None for g in OTHER_GROUPS[:3] if g not in c.merged_other):
        return []  # whether other methods added any reports is unknown
    if not _known(*kept, c.included_reports):
        return []
    expected = sum(kept[0::2]) - sum(kept[1::2])  # type: ignore[arg-type]
    if expected == c.included_reports:
        return []
    return [BrokenInvariant(
        "eligibility",
        f"reports of included studies is {fmt(c.included_reports)}, but reports assessed "
        f"minus reports excluded leaves {fmt(expected)}"
        + (" (both columns)" if c.other_flow else ""),
        (*fields_, "included_reports"), expected, c.included_reports)]


def _included(c: PrismaCounts) -> list[BrokenInvariant]:
    out = []
    if _known(c.included_studies, c.included_reports) \
            and c.included_studies > c.included_reports:  # type: ignore[operator]
        out.append(BrokenInvariant(
            "studies_reports",
            f"{fmt(c.included_studies)} studies are included but only "
            f"{fmt(c.included_reports)} reports; every study needs at least one report",
            ("included_studies", "included_reports"), c.included_reports, c.included_studies))
    for unit in ("studies", "reports"):
        total, new = getattr(c, f"total_{unit}"), getattr(c, f"included_{unit}")
        prev = getattr(c, f"previous_{unit}")  # unknown previous counts skip the check
        if not _known(total, new, prev) or total == new + prev:
            continue
        out.append(BrokenInvariant(
            f"total_{unit}",
            f"total {unit} included is {fmt(total)}, but previous {fmt(prev)} plus new "
            f"{fmt(new)} makes {fmt(new + prev)}",
            (f"total_{unit}", f"previous_{unit}", f"included_{unit}"), new + prev, total))
    return out
