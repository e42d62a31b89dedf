"""PRISMA 2020: the counts, their invariants, the R package's CSV and the flow diagram."""

from reviewkit.reporting.prisma.csvio import infer_merged, read_counts_csv, write_counts_csv
from reviewkit.reporting.prisma.invariants import BrokenInvariant, check_invariants
from reviewkit.reporting.prisma.model import (
    OTHER_GROUPS,
    Count,
    PrismaCounts,
    Reports,
    Sources,
)
from reviewkit.reporting.prisma.project import project_counts
from reviewkit.reporting.prisma.render import (
    GraphvizMissing,
    dot_source,
    draw,
    output_format,
    render_diagram,
)

__all__ = [
    "OTHER_GROUPS", "BrokenInvariant", "Count", "GraphvizMissing", "PrismaCounts", "Reports",
    "Sources", "check_invariants", "dot_source", "draw", "infer_merged", "output_format",
    "project_counts", "read_counts_csv", "render_diagram", "write_counts_csv",
]
