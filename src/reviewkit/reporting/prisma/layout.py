"""Place the boxes on the template's grid: fixed columns, rows as tall as their fullest box.

Graphviz is told every position (neato with pinned nodes), so the drawing keeps the
template's shape whatever the counts are; it only draws boxes, text and straight arrows.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass

from reviewkit.reporting.prisma.diagram import Box, Diagram, labels

ROWS = ("notice", "header", "identification", "screening", "retrieval", "eligibility", "included",
        "total", "meta", "footer")
COLUMNS = ("phase", "previous", "main", "side", "other", "other_side")


@dataclass
class Node:
    id: str
    kind: str  # box kinds, or "point" for the corners arrows turn at
    x: float  # centre, inches; y grows downwards here and is flipped for Graphviz
    y: float
    w: float = 0.0
    h: float = 0.0
    lines: tuple[str, ...] = ()
    left: bool = False
    font_size: float = 10.0


@dataclass
class Arrow:
    a: str
    b: str
    head: bool = True


def place(d: Diagram) -> tuple[list[Node], list[Arrow]]:
    geo = labels()["layout"]
    gap = geo["col_gap"]
    used_cols = {b.col for b in d.boxes} | {c for b in d.boxes if b.kind != "phase"
                                             for c in b.span}
    xs: dict[str, tuple[float, float]] = {}  # column -> (left, right)
    x = 0.0
    for col in COLUMNS:
        if col in used_cols:
            xs[col] = (x, x + geo["columns"][col])
            x = xs[col][1] + gap
    right = x - gap

    wrapped = {b.id: _wrap(b, _width(b, xs, right), geo) for b in d.boxes}
    heights = {b.id: len(wrapped[b.id]) * geo["line_height"] + geo["padding"] for b in d.boxes}
    ys: dict[str, tuple[float, float]] = {}  # row -> (top, bottom)
    y = 0.0
    for row in ROWS:
        tall = [heights[b.id] for b in d.boxes if b.row == row and b.kind != "phase"]
        if row == "header":
            tall.append(geo["header_height"])
        if tall:
            ys[row] = (y, y + max(tall))
            y = ys[row][1] + geo["row_gap"]

    nodes = []
    for b in d.boxes:
        left, rgt = xs[b.col][0], _width(b, xs, right) + xs[b.col][0]
        top, bottom = ys[b.row][0], ys[(b.span or (b.row,))[-1]][1] if b.kind == "phase" \
            else ys[b.row][1]
        h = bottom - top if b.kind in ("phase", "header_main", "header_other") else heights[b.id]
        nodes.append(Node(b.id, b.kind, (left + rgt) / 2, (top + bottom) / 2, rgt - left, h,
                          tuple(wrapped[b.id]), b.left, _font(b, geo)))
    return nodes, _arrows(d, nodes, ys)


def _arrows(d: Diagram, nodes: list[Node], ys: dict) -> list[Arrow]:
    at = {n.id: n for n in nodes}
    arrows: list[Arrow] = []
    for f in d.flows:
        if f.a not in at or f.b not in at:
            continue
        if f.elbow:  # down from a to b's height, then across into b
            corner = f"corner_{f.a}"
            nodes.append(Node(corner, "point", at[f.a].x, at[f.b].y))
            arrows += [Arrow(f.a, corner, head=False), Arrow(corner, f.b)]
        elif d.merge_from and (f.a, f.b) == ("identified", "screened"):
            mid = (ys["identification"][1] + ys["screening"][0]) / 2
            nodes += [Node("merge_join", "point", at[f.a].x, mid),
                      Node("merge_corner", "point", at[d.merge_from].x, mid)]
            arrows += [Arrow(f.a, "merge_join", head=False), Arrow("merge_join", f.b),
                       Arrow(d.merge_from, "merge_corner", head=False),
                       Arrow("merge_corner", "merge_join")]
        else:
            arrows.append(Arrow(f.a, f.b))
    return arrows


def _width(b: Box, xs: dict, right: float) -> float:
    if b.kind in ("footnote", "notice"):  # the whole width of the diagram
        return right - xs[b.col][0]
    last = b.span[-1] if b.span and b.kind != "phase" else b.col
    return xs[last][1] - xs[b.col][0]


def _font(b: Box, geo: dict) -> float:
    sizes = geo["font_size"]
    return sizes.get(b.kind, sizes["box"])


def _wrap(b: Box, width: float, geo: dict) -> list[str]:
    bold = 1.15 if b.kind == "notice" else 1.0  # the notice is bold: wider letters
    chars = max(12, int((width - 0.2) * 72 / (_font(b, geo) * geo["char_width"] * bold)))
    out: list[str] = []
    for line in b.lines:
        indent = line[: len(line) - len(line.lstrip("\u00a0"))]
        out += textwrap.wrap(line, chars, subsequent_indent=indent + "\u00a0\u00a0",
                             break_on_hyphens=False, break_long_words=False) or [""]
    return out
