"""The review report as data: every section computed, nothing formatted yet."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from reviewkit.reporting.outputs import Table
from reviewkit.reporting.prisma.invariants import ids_text
from reviewkit.reporting.report.counts import ReportCounts
from reviewkit.reporting.report.diagram import Diagram, inline_svg
from reviewkit.reporting.report.screening import ScreeningSection
from reviewkit.reporting.report.searching import SearchString


@dataclass
class Problem:
    """A broken PRISMA invariant as the report states it."""

    message: str
    record_ids: tuple[str, ...] = ()  # only the records that make this gap
    why: str = ""  # what they have in common ("not screened at title-abstract")

    @property
    def ids_text(self) -> str:
        return ids_text(self.record_ids, self.why)


@dataclass
class Figure:
    """A plot beside the report: ``<name>.svg`` and ``<name>.png``, kept in memory."""

    name: str
    caption: str
    files: dict[str, bytes]  # "<name>.svg", "<name>.png"

    @property
    def inline_svg(self) -> str:
        return inline_svg(self.files[f"{self.name}.svg"], self.caption, self.name)


@dataclass
class Report:
    title: str
    question: str
    generator: str  # "reviewkit 0.1.0"
    counts: ReportCounts
    counts_label: str  # the counts file as the report names it, or ""
    numbers: Table
    problems: list[Problem]
    diagram: Diagram
    facts: dict[str, Any]  # for the methods template
    searches: Table
    search_strings: list[SearchString]
    dedup: Table | None
    dedup_reported: Table | None
    screening: ScreeningSection
    appraisal: list[Table] = field(default_factory=list)
    extraction: list[Table] = field(default_factory=list)
    appraisal_figures: list[Figure] = field(default_factory=list)
    synthesis: list[Table] = field(default_factory=list)  # themes, matrix, quotes
    synthesis_figures: list[Figure] = field(default_factory=list)  # heatmap, flowchart
    confidence: list[Table] = field(default_factory=list)  # SoQF first, Evidence Profile, ...
    notes: list[str] = field(default_factory=list)  # things to check before publishing

    def files(self) -> dict[str, bytes]:
        """Every picture beside the report documents, by file name."""
        out = dict(self.diagram.files)
        for f in [*self.appraisal_figures, *self.synthesis_figures]:
            out.update(f.files)
        return out
