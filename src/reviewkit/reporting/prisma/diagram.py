"""Which boxes the PRISMA 2020 template has for these counts, and what each one says."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

import yaml

from reviewkit.reporting.prisma.model import OTHER_GROUPS, Count, PrismaCounts, Reports

INDENT = "\u00a0" * 4  # non-breaking: Graphviz keeps it, wrapping never splits there


@dataclass
class Box:
    """A box of the diagram, placed on the template's grid of rows and columns."""

    id: str
    row: str  # header | identification | screening | retrieval | eligibility | included | total
    #           | meta
    col: str  # phase | previous | main | side | other | other_side
    lines: list[str]
    kind: str = "box"  # box | header_* | phase | footnote | notice
    left: bool = False  # left-justified text (lists), else centred
    span: tuple[str, ...] = ()  # extra columns (headers) or rows (phase bars) it covers


@dataclass
class Flow:
    """Arrow a → b. ``elbow``: down from a, then across into b (the template's joins)."""

    a: str
    b: str
    elbow: bool = False


@dataclass
class Diagram:
    boxes: list[Box] = field(default_factory=list)
    flows: list[Flow] = field(default_factory=list)
    merge_from: str | None = None  # other-methods box feeding the records screened


@cache
def labels() -> dict[str, Any]:
    text = resources.files("reviewkit.reporting.prisma").joinpath("labels.yaml")
    return yaml.safe_load(text.read_text("utf-8"))


def count(label: str, n: int | None) -> str:
    L = labels()
    shown = L["not_reported"] if n is None else f"{n:,}"
    # non-breaking spaces keep "(n = 1,234)" on one line when the text is wrapped
    before, _, after = L["count"].partition("{label}")
    tail = after.format(n=shown)
    return before + label + tail[:1] + tail[1:].replace(" ", "\u00a0")


def build(c: PrismaCounts) -> Diagram:
    L, d = labels(), Diagram()
    upd = c.is_update
    d.boxes.append(Box("head_databases", "header", "main",
                       [L["headers"]["databases_update" if upd else "databases"]],
                       kind="header_main", span=("side",)))
    d.boxes += [Box(f"phase_{p}", r[0], "phase", [L["phases"][p]], kind="phase", span=r[1:])
                for p, r in (("identification", ("identification",)),
                             ("screening", ("screening", "retrieval", "eligibility")),
                             ("included", ("included", *(("total",) if upd else ()),
                                           *(("meta",) if c.has_meta_analysis else ()))))]
    mark = L["merged_mark"] if c.merged_other else ""
    ident = [L["identified"]["title"]]
    for g in ("databases", "registers"):
        s = c.group(g)
        ident.append(count(L["identified"][g], s.value))
        ident += [INDENT + count(x.name, x.n) for x in s.sources]
    removed = [L["removed"]["title"], count(L["removed"]["duplicates"] + mark, c.duplicates),
               count(L["removed"]["automation"], c.automation_excluded),
               count(L["removed"]["other"], c.removed_other)]
    d.boxes += [
        Box("identified", "identification", "main", ident, left=True),
        Box("removed", "identification", "side", removed, left=True),
        Box("screened", "screening", "main", [count(L["screened"] + mark, c.screened)]),
        Box("records_excluded", "screening", "side",
            [count(L["records_excluded"], c.records_excluded)]
            + [INDENT + count(x.name, x.n) for x in c.records_excluded_reasons],
            left=bool(c.records_excluded_reasons)),
    ]
    d.flows += [Flow("identified", "removed"), Flow("identified", "screened"),
                Flow("screened", "records_excluded"), Flow("screened", "sought")]
    _reports(d, c.dbr, "", "main", "side")
    d.flows.append(Flow("assessed", "included"))
    if c.other_column:
        _other(d, c, upd)
    inc = L["included"]
    d.boxes.append(Box("included", "included", "main",
                       [count(inc["new_studies" if upd else "studies"], c.included_studies),
                        count(inc["new_reports" if upd else "reports"], c.included_reports)]))
    if upd:
        prev = L["previous"]
        d.boxes += [
            Box("head_previous", "header", "previous", [L["headers"]["previous"]],
                kind="header_other"),
            Box("previous", "identification", "previous",
                [count(prev["studies"], c.previous_studies),
                 count(prev["reports"], c.previous_reports)]),
            Box("total", "total", "main", [count(inc["total_studies"], c.total_studies),
                                           count(inc["total_reports"], c.total_reports)]),
        ]
        d.flows += [Flow("included", "total"), Flow("previous", "total", elbow=True)]
    if c.has_meta_analysis:
        d.boxes.append(Box("meta_analysis", "meta", "main",
                           [count(inc["ma_studies"], c.ma_studies),
                            count(inc["ma_reports"], c.ma_reports)]))
        d.flows.append(Flow("total" if upd else "included", "meta_analysis"))
    if c.in_progress:
        d.boxes.append(Box("in_progress", "notice", "phase", [c.in_progress], kind="notice"))
    notes = list(L["footnotes"])
    if c.merged_other:
        routes = [L["identified"][g].lower() for g in c.merged_other]
        notes.append(L["merged_note"].format(routes=" and ".join(routes)))
    d.boxes.append(Box("footnotes", "footer", "phase", [*notes, L["source"]],
                       kind="footnote", left=True))
    return d


def _reports(d: Diagram, r: Reports, p: str, col: str, side: str) -> None:
    L = labels()
    d.boxes += [
        Box(f"{p}sought", "retrieval", col, [count(L["sought"], r.sought)]),
        Box(f"{p}not_retrieved", "retrieval", side, [count(L["not_retrieved"], r.not_retrieved)]),
        Box(f"{p}assessed", "eligibility", col, [count(L["assessed"], r.assessed)]),
        Box(f"{p}reports_excluded", "eligibility", side, _excluded(r.excluded),
            left=len(r.excluded) > 1 or bool(r.excluded and r.excluded[0].name)),
    ]
    d.flows += [Flow(f"{p}sought", f"{p}not_retrieved"), Flow(f"{p}sought", f"{p}assessed"),
                Flow(f"{p}assessed", f"{p}reports_excluded")]


def _excluded(items: list[Count]) -> list[str]:
    L = labels()
    if not items or (len(items) == 1 and not items[0].name):
        return [count(L["reports_excluded"], items[0].n if items else None)]
    return [L["reports_excluded_title"], *(count(x.name, x.n) for x in items)]


def _other(d: Diagram, c: PrismaCounts, upd: bool) -> None:
    L = labels()
    d.boxes.append(Box("head_other", "header", "other",
                       [L["headers"]["other_update" if upd else "other"]],
                       kind="header_other", span=("other_side",)))
    lines = [L["identified"]["other_title"]]
    for g in OTHER_GROUPS:
        s = c.group(g)
        if g == "other_methods" and not s.active:
            continue  # the template lists websites, organisations, citation searching
        mark = L["merged_mark"] if g in c.merged_other else ""
        lines.append(count(L["identified"][g] + mark, s.value))
        lines += [INDENT + count(x.name, x.n) for x in s.sources]
    d.boxes.append(Box("other_identified", "identification", "other", lines, left=True))
    if c.merged_other:
        d.merge_from = "other_identified"
    if c.other_flow:
        _reports(d, c.other, "other_", "other", "other_side")
        d.flows += [Flow("other_identified", "other_sought"),
                    Flow("other_assessed", "included", elbow=True)]
