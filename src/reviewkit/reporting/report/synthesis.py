"""The report's Synthesis section: the themes table, the theme x study matrix and its
heatmap, the flowchart and the quote table, when the project has a codebook and codings."""

from __future__ import annotations

import importlib.util

from reviewkit.project.config import Project
from reviewkit.project.owned import present
from reviewkit.reporting.outputs import Table
from reviewkit.reporting.report.model import Figure
from reviewkit.synthesis.codebook import CODEBOOK, Codebook, codebook_path

HEATMAP = "synthesis-heatmap"
FLOWCHART = "synthesis-flowchart"


def synthesis_section(project: Project) -> tuple[list[Table], list[Figure], list[str]]:
    """(tables, figures, notes); nothing at all when there is no codebook or no segment.
    A codebook that does not validate stops the report with its one-line error."""
    if not present(codebook_path(project), CODEBOOK):
        return [], [], []
    from reviewkit.synthesis.coders import for_outputs
    from reviewkit.synthesis.state import load_synthesis

    syn = for_outputs(project, load_synthesis(project))  # [synthesis] coders, if named
    if not syn.coding.segments:
        return [], [], [str(p) for p in syn.problems]
    from reviewkit.synthesis.outputs import matrix_table, quotes_table
    from reviewkit.synthesis.plots import heatmap_files
    from reviewkit.synthesis.themes import themes_table

    tables = [themes_table(syn), matrix_table(syn, with_ids=False),
              quotes_table(syn, with_ids=False)]
    figures = [Figure(HEATMAP, "Coded segments per study for each code (sub-codes included)",
                      {f"{HEATMAP}.{fmt}": data for fmt, data in heatmap_files(syn).items()})]
    notes = [str(p) for p in syn.problems]
    if any(c.parent for c in syn.codebook.codes.values()):
        if importlib.util.find_spec("pygraphviz"):  # flowchart.py draws through it
            figures.append(flowchart_figure(syn.codebook))
        else:
            notes.append("pygraphviz was not found, so the synthesis flowchart was not drawn: "
                         "pip install pygraphviz and run 'reviewkit report' again.")
    return tables, figures, notes


def flowchart_figure(book: Codebook) -> Figure:
    from reviewkit.synthesis.flowchart import flowchart_bytes

    caption = ("Meta-aggregation: findings, categories and synthesised findings"
               if book.method == "meta-aggregation" else
               f"How the codes build the themes ({book.method} synthesis)")
    return Figure(FLOWCHART, caption, {f"{FLOWCHART}.{fmt}": flowchart_bytes(book, fmt)
                                       for fmt in ("svg", "png")})
