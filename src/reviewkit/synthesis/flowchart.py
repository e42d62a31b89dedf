"""The synthesis flowchart, drawn by Graphviz: for meta-aggregation, findings (with their
credibility) -> categories -> synthesised findings; for any other method, each code into
the code above it (thematic: codes -> descriptive -> analytical themes).

Unsupported findings are left out of a meta-aggregation, so they are left out of the
drawing too, and named in a note under it.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

from reviewkit.errors import ReviewkitError
from reviewkit.synthesis.codebook import Codebook, presets

FORMATS = ("svg", "png", "dot")
SHORT_CREDIBILITY = {"unequivocal": "U", "credible": "C"}
COLOURS = ("#ffffff", "#deebf7", "#9ecae1", "#6baed6")  # by level, first level palest
WRAP = 34


def drawn(book: Codebook) -> list[str]:
    """The ids of the codes in the drawing (unsupported findings and what hangs only on
    them are left out)."""
    out = [c.id for c in book.codes.values() if c.credibility != "unsupported"]
    return [cid for cid in out if _path_ok(book, cid)]


def left_out(book: Codebook) -> list[str]:
    return [c.id for c in book.codes.values() if c.id not in set(drawn(book))]


def _path_ok(book: Codebook, cid: str) -> bool:
    at: str | None = cid
    while at is not None:
        if book.codes[at].credibility == "unsupported":
            return False
        at = book.codes[at].parent
    return True


def flowchart_graph(book: Codebook) -> object:
    """A pygraphviz AGraph, left to right, lowest level first; edges go child -> parent."""
    try:
        import pygraphviz
    except ImportError:  # a dependency, but a broken install should say what to do
        raise ReviewkitError("pygraphviz is not installed, so the flowchart cannot be drawn: "
                             "pip install pygraphviz") from None
    if not book.codes:
        raise ReviewkitError("the codebook has no codes to draw", file=book.file)
    levels = presets()[book.method]["levels"]
    graph = pygraphviz.AGraph(directed=True, strict=False, name="synthesis", rankdir="LR",
                              nodesep="0.25", ranksep="0.6", fontname="Helvetica",
                              fontsize="10")
    graph.node_attr.update(shape="box", style="rounded,filled", fontname="Helvetica",
                           fontsize="10", margin="0.12,0.06")
    graph.edge_attr.update(arrowsize="0.6", color="#555555")
    keep = drawn(book)
    for cid in keep:
        code = book.codes[cid]
        lines = textwrap.wrap(code.name, WRAP) or [cid]
        short = SHORT_CREDIBILITY.get(code.credibility)
        label = _lines(lines + ([f"({short})"] if short else []))
        depth = levels.index(code.level) if code.level in levels else 0
        graph.add_node(cid, label=label, tooltip=_lines([f"{code.level}: {code.name}"]),
                       fillcolor=COLOURS[min(depth, len(COLOURS) - 1)])
    for level in levels:  # one column per level
        ids = [cid for cid in keep if book.codes[cid].level == level]
        if ids:
            graph.add_subgraph(ids, name=f"level_{level}", rank="same")
    for cid in keep:
        parent = book.codes[cid].parent
        if parent is not None and parent in keep:
            graph.add_edge(cid, parent)
    note = legend(book)
    if note:
        graph.graph_attr.update(label=_lines(note.splitlines()), labelloc="b", labeljust="l")
    return graph


def legend(book: Codebook) -> str:
    """What the drawing's reader needs: the credibility letters and what was left out."""
    parts = []
    if book.method == "meta-aggregation":
        parts.append("U: unequivocal, C: credible")
    gone = left_out(book)
    if gone:
        parts.append("left out (unsupported): " + ", ".join(book.codes[c].name for c in gone))
    return "\n".join(parts)


def _lines(lines: list[str]) -> str:
    """A label of these lines: Graphviz reads backslash escapes, so the user's own
    backslashes are doubled and each line ends with an explicit \\n."""
    return "\\n".join(line.replace("\\", "\\\\") for line in lines)


def flowchart_bytes(book: Codebook, fmt: str) -> bytes:
    """The flowchart as DOT text, SVG or PNG."""
    if fmt not in FORMATS:
        raise ReviewkitError(f"unknown flowchart format {fmt!r}; use .svg, .png or .dot")
    graph = flowchart_graph(book)
    if fmt == "dot":
        return graph.string().encode("utf-8")
    args = "-Gdpi=144" if fmt == "png" else ""
    return graph.draw(format=fmt, prog="dot", args=args)


def write_flowchart(book: Codebook, output: Path) -> Path:
    """Drawn first, then written whole (.svg, .png or .dot by the file's extension)."""
    from reviewkit.reporting.outputs import write_output

    fmt = output.suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        raise ReviewkitError(f"cannot tell the format from {output.suffix or 'no extension'!r}; "
                             "use .svg, .png or .dot", file=str(output))
    data = flowchart_bytes(book, fmt)
    return write_output(output, data)
