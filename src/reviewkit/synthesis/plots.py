"""The theme x study heatmap: one row per code (its path), one column per study, the
number of coded segments written in each cell. Same SVG and PNG as the appraisal plots
(no date in the SVG), with text kept as text so the numbers can be read and searched."""

from __future__ import annotations

import textwrap
from pathlib import Path

from reviewkit.errors import ReviewkitError
from reviewkit.synthesis.matrix import theme_matrix
from reviewkit.synthesis.outputs import study_ids
from reviewkit.synthesis.state import Synthesis

FORMATS = ("svg", "png")
LABEL_WIDTH = 48  # characters of a row label before it wraps


def heatmap_figure(syn: Synthesis, level: str | None = None) -> object:
    """The heatmap as a matplotlib figure; every cell is an SVG group ``cell-R-C`` and its
    number a group ``count-R-C`` (row R, column C from 0), for readers and tests."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.patches import Rectangle

    matplotlib.rcParams["svg.hashsalt"] = "reviewkit"
    rows = theme_matrix(syn, level)
    studies = study_ids(syn)
    if not rows or not studies:
        raise ReviewkitError("nothing to plot: the heatmap needs at least one code and one "
                             "source", file="synthesis/codebook.yaml")
    labels = ["\n".join(textwrap.wrap(syn.codebook.path(r["code"]), LABEL_WIDTH)) or r["code"]
              for r in rows]
    most = max((r[s] for r in rows for s in studies), default=0) or 1
    cmap = plt.get_cmap("Blues")
    lines = sum(label.count("\n") + 1 for label in labels)
    fig, ax = plt.subplots(figsize=(3.5 + 0.85 * len(studies), 1.2 + 0.3 * lines))
    for y, row in enumerate(rows):
        for x, study in enumerate(studies):
            n = row[study]
            share = n / most
            # zero stays white; darker with more segments, numbers white on dark cells
            ax.add_patch(Rectangle((x - 0.5, y - 0.5), 1, 1, facecolor=cmap(0.1 + 0.85 * share)
                                   if n else "#ffffff", edgecolor="#bbbbbb", linewidth=0.5,
                                   gid=f"cell-{y}-{x}"))
            ax.text(x, y, str(n), ha="center", va="center", fontsize=9,
                    color="white" if share > 0.55 else "black", gid=f"count-{y}-{x}")
    ax.set_xlim(-0.5, len(studies) - 0.5)
    ax.set_ylim(len(rows) - 0.5, -0.5)
    # parse_math off: a "$" in a code's name is a dollar sign, not TeX
    ax.set_xticks(range(len(studies)), studies, rotation=45, ha="left", parse_math=False)
    ax.set_yticks(range(len(rows)), labels, fontsize=8, parse_math=False)
    ax.xaxis.tick_top()
    ax.tick_params(length=0)
    for side in ("right", "bottom", "left", "top"):
        ax.spines[side].set_visible(False)
    what = f"{level} codes" if level else "codes"
    ax.set_title(f"Coded segments per study ({what}, sub-codes included)", fontsize=10,
                 pad=12, parse_math=False)
    return fig


def heatmap_files(syn: Synthesis, level: str | None = None) -> dict[str, bytes]:
    """{"svg": ..., "png": ...}: the heatmap drawn once, text as text in the SVG."""
    import matplotlib

    from reviewkit.reporting.robplots import figure_files

    with matplotlib.rc_context({"svg.fonttype": "none"}):
        return figure_files(heatmap_figure(syn, level))


def heatmap_bytes(syn: Synthesis, output: Path, level: str | None = None) -> bytes:
    """The heatmap in the format ``output``'s extension names (.svg or .png)."""
    fmt = output.suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        raise ReviewkitError(f"cannot tell the format from {output.suffix or 'no extension'!r}; "
                             "use .svg or .png", file=str(output))
    return heatmap_files(syn, level)[fmt]


def write_heatmap(syn: Synthesis, output: Path, level: str | None = None) -> Path:
    """Draw, then write whole: a failure leaves no file."""
    from reviewkit.reporting.outputs import write_output

    data = heatmap_bytes(syn, output, level)
    return write_output(output, data)
