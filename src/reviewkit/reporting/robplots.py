"""robvis-style plots of appraisals: a traffic-light grid and a weighted summary bar.

Colours come from the checklist's answer options (``colour:``), so a team's
own tool plots with its own palette.
"""

from __future__ import annotations

import io
import math
from pathlib import Path

from reviewkit.appraisal.checklist import Checklist
from reviewkit.appraisal.records import Appraisal
from reviewkit.appraisal.summary import final_appraisals
from reviewkit.errors import ReviewkitError
from reviewkit.project.config import Project

_FALLBACK = ["#2e7d32", "#c62828", "#f9a825", "#1565c0", "#6a1b9a", "#757575"]
_MISSING = "#e0e0e0"


def _colours(checklist: Checklist) -> dict[str, str]:
    out: dict[str, str] = {}
    for q in checklist.questions:
        for o in checklist.options(q):
            out.setdefault(o.value, o.colour or _FALLBACK[len(out) % len(_FALLBACK)])
    return out


def figure_files(fig: object) -> dict[str, bytes]:
    """{"svg": ..., "png": ...} of a finished figure, which is then closed."""
    import matplotlib.pyplot as plt

    out = {}
    for fmt, extra in (("svg", {"metadata": {"Date": None}}), ("png", {"dpi": 150})):
        # no date in the SVG: the same project gives byte-for-byte the same file
        buf = io.BytesIO()
        fig.savefig(buf, format=fmt, bbox_inches="tight", **extra)
        out[fmt] = buf.getvalue()
    plt.close(fig)
    return out


def _save(fig: object, stem: Path) -> list[Path]:
    from reviewkit.project.owned import refuse_owned

    for fmt in ("svg", "png"):
        refuse_owned(stem.with_suffix(f".{fmt}"))
    stem.parent.mkdir(parents=True, exist_ok=True)
    paths = []
    for fmt, data in figure_files(fig).items():
        paths.append(stem.with_suffix(f".{fmt}"))
        paths[-1].write_bytes(data)
    return paths


KINDS = ("traffic-light", "summary")


def plot_appraisals(project: Project, checklist: Checklist, kind: str, stem: Path,
                    weights: list[str] | None = None) -> tuple[list[Path], list[str]]:
    """The plot of the final appraisals: (files written, warnings about the appraisals).

    ``weights``: "STUDY=WEIGHT" items for the summary plot (robvis's weighted bars).
    """
    if kind not in KINDS:
        raise ReviewkitError(f"--kind {kind!r}: expected {' or '.join(KINDS)}")
    parsed = parse_weights(weights or [])
    if parsed and kind != "summary":
        raise ReviewkitError("--weight is for the summary plot (--kind summary)",
                             field="--weight")
    appraisals, warnings = final_appraisals(project, checklist)
    appraised = [a.study for a in appraisals]
    for item, study in zip(weights or [], parsed, strict=True):
        if study not in appraised:  # a typo would weigh nothing, silently
            raise ReviewkitError(f"--weight {item!r}: {study} has no final {checklist.id} "
                                 f"appraisal (appraised: {', '.join(appraised) or 'none'})",
                                 field="--weight")
    if kind == "traffic-light":
        return traffic_light(checklist, appraisals, stem), warnings
    return summary_bar(checklist, appraisals, stem, parsed), warnings


def parse_weights(items: list[str]) -> dict[str, float]:
    out = {}
    for item in items:
        study, sep, value = item.partition("=")
        try:
            if not sep or not study.strip():
                raise ValueError
            weight = float(value)
        except ValueError:
            raise ReviewkitError(f"expected STUDY=WEIGHT with a number, got {item!r}",
                                 field="--weight") from None
        if not math.isfinite(weight) or weight <= 0:  # a share of nan, or below zero
            raise ReviewkitError(f"a weight is a positive number, got {item!r}",
                                 field="--weight")
        if study.strip() in out:
            raise ReviewkitError(f"--weight {item!r}: {study.strip()} is weighted twice",
                                 field="--weight")
        out[study.strip()] = weight
    return out


def traffic_light(checklist: Checklist, appraisals: list[Appraisal], stem: Path) -> list[Path]:
    """One row per study, one coloured dot per question; writes <stem>.svg and .png."""
    return _save(traffic_light_figure(checklist, appraisals), stem)


def traffic_light_figure(checklist: Checklist, appraisals: list[Appraisal]) -> object:
    """The traffic-light plot as a matplotlib figure (see :func:`figure_files`)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D

    matplotlib.rcParams["svg.hashsalt"] = "reviewkit"
    questions = checklist.plotted()
    colours = _colours(checklist)
    fig, ax = plt.subplots(figsize=(1.2 + 0.55 * len(questions), 0.8 + 0.45 * len(appraisals)))
    for y, a in enumerate(appraisals):
        for x, q in enumerate(questions):
            value = a.value(q.id)
            ax.scatter(x, y, s=260, color=colours.get(value or "", _MISSING),
                       edgecolors="black", linewidths=0.6, zorder=3)
    ax.set_xticks(range(len(questions)), [q.id.upper() for q in questions])
    ax.set_yticks(range(len(appraisals)), [_plain(a.study) for a in appraisals])
    ax.set_xlim(-0.6, len(questions) - 0.4)
    ax.set_ylim(len(appraisals) - 0.5, -0.5)
    ax.xaxis.tick_top()
    ax.grid(color="#dddddd", zorder=0)
    ax.set_axisbelow(True)
    for side in ("right", "bottom", "left", "top"):
        ax.spines[side].set_visible(False)
    handles = [Line2D([], [], marker="o", linestyle="", markersize=10, color=c,
                      markeredgecolor="black", label=_plain(checklist.label(v)))
               for v, c in colours.items()]
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.02),
              ncol=len(handles), frameon=False)
    ax.set_title(_plain(f"{checklist.title} ({checklist.version})"), pad=24, fontsize=10)
    return fig


def summary_bar(checklist: Checklist, appraisals: list[Appraisal], stem: Path,
                weights: dict[str, float] | None = None) -> list[Path]:
    """Per question, the (weighted) share of studies giving each answer, stacked to 100%."""
    return _save(summary_bar_figure(checklist, appraisals, weights), stem)


def summary_bar_figure(checklist: Checklist, appraisals: list[Appraisal],
                       weights: dict[str, float] | None = None) -> object:
    """The summary bar plot as a matplotlib figure (see :func:`figure_files`)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    matplotlib.rcParams["svg.hashsalt"] = "reviewkit"
    questions = checklist.plotted()
    colours = _colours(checklist)
    weights = weights or {}
    fig, ax = plt.subplots(figsize=(8, 0.6 + 0.42 * len(questions)))
    left = [0.0] * len(questions)
    for value, colour in colours.items():
        shares = []
        for q in questions:
            total = sum(weights.get(a.study, 1.0) for a in appraisals if a.value(q.id))
            part = sum(weights.get(a.study, 1.0) for a in appraisals if a.value(q.id) == value)
            shares.append(100.0 * part / total if total else 0.0)
        ax.barh(range(len(questions)), shares, left=left, color=colour, edgecolor="white",
                label=_plain(checklist.label(value)), height=0.7)
        left = [a + b for a, b in zip(left, shares, strict=True)]
    ax.set_yticks(range(len(questions)),
                  [_plain(f"{q.id.upper()} {_short(q.text)}") for q in questions])
    ax.invert_yaxis()
    ax.set_xlim(0, 100)
    ax.set_xlabel("% of studies" + (" (weighted)" if weights else ""))
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12 - 0.3 / max(len(questions), 1)),
              ncol=len(colours), frameon=False)
    for side in ("right", "top"):
        ax.spines[side].set_visible(False)
    ax.set_title(_plain(f"{checklist.title}: {len(appraisals)} studies"), fontsize=10)
    return fig


def _plain(text: str) -> str:
    """Text matplotlib shows as written: two '$' would start TeX math (and bad math
    raises), so each is escaped."""
    return text.replace("$", r"\$")


def _short(text: str, width: int = 48) -> str:
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"
