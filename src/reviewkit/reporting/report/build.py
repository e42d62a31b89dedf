"""Assemble the review report from a project: a pure function of its files and store."""

from __future__ import annotations

import os
from pathlib import Path

from reviewkit import __version__
from reviewkit.appraisal.checklist import Checklist, load_checklists
from reviewkit.appraisal.records import Appraisal
from reviewkit.appraisal.summary import final_appraisals
from reviewkit.extraction.form import load_forms
from reviewkit.extraction.table import final_extractions
from reviewkit.project.config import Project
from reviewkit.reporting.outputs import Table
from reviewkit.reporting.prisma import project_counts
from reviewkit.reporting.prisma.project import project_invariants
from reviewkit.reporting.prisma.settings import prisma_settings
from reviewkit.reporting.report.counts import FILE, ReportCounts, merge_counts, number_rows
from reviewkit.reporting.report.diagram import draw_diagram
from reviewkit.reporting.report.methods import methods_facts
from reviewkit.reporting.report.model import Figure, Problem, Report
from reviewkit.reporting.report.screening import screening_section
from reviewkit.reporting.report.searching import (
    dedup_facts,
    dedup_table,
    reported_duplicates,
    search_strings,
    search_table,
)
from reviewkit.reporting.report.settings import (
    counts_path,
    report_settings,
    stopping_settings,
)
from reviewkit.reporting.report.synthesis import synthesis_section
from reviewkit.reporting.review_tables import casp_matrix, casp_summary, characteristics
from reviewkit.reporting.robplots import figure_files, summary_bar_figure, traffic_light_figure
from reviewkit.screening import Screening
from reviewkit.searches.log import load_searches
from reviewkit.store.base import Store
from reviewkit.synthesis.confidence.tables import report_tables as confidence_tables

NOT_REPORTED = "not reported"


def build_report(project: Project, store: Store, counts_file: Path | None = None) -> Report:
    """Every section of the report; a bad counts file raises before anything is drawn."""
    file = counts_path(project, counts_file)
    computed = project_counts(project, store)
    rc = merge_counts(computed, file, project_invariants(project, store, computed))
    label = _label(project, file)
    searches = load_searches(project)
    screening = Screening(project, store)
    screened = screening_section(screening, stopping_settings(project))
    settings = report_settings(project)
    report = Report(
        title=project.config.review.title, question=project.config.review.question,
        generator=f"reviewkit {__version__}", counts=rc, counts_label=label,
        numbers=_numbers_table(rc, label, prisma_settings(project).previous),
        problems=[Problem(b.message, b.record_ids, b.why) for b in rc.problems],
        diagram=draw_diagram(rc.counts, project.config.review.title),
        facts=methods_facts(project, searches, dedup_facts(store), screening,
                            screened.screened, label, rc.origin.get("duplicates") == FILE,
                            rc.counts.in_progress),
        searches=search_table(searches, store), search_strings=search_strings(searches),
        dedup=dedup_table(store, searches),
        dedup_reported=reported_duplicates(settings.duplicates, searches,
                                           rc.counts.duplicates),
        screening=screened)
    if rc.counts.in_progress:  # first among the things to check before publishing
        report.notes.append(rc.counts.in_progress)
    _add_appraisal_and_extraction(project, report)
    report.synthesis, report.synthesis_figures, notes = synthesis_section(project)
    report.notes += notes
    for table, warnings in confidence_tables(project):
        report.confidence.append(table)
        report.notes += [w for w in warnings if w not in report.notes]  # said once per table
    if report.dedup_reported is not None:
        report.notes += report.dedup_reported.notes
    return report


def _label(project: Project, file: Path | None) -> str:
    if file is None:
        return ""
    try:  # as the team wrote it: relative to the project when it is inside
        return Path(os.path.relpath(file.resolve(), project.root.resolve())).as_posix() \
            if file.resolve().is_relative_to(project.root.resolve()) else str(file)
    except ValueError:  # another drive on Windows
        return str(file)


def _numbers_table(rc: ReportCounts, label: str, previous: str = "") -> Table:
    rows = [{**r, "n": NOT_REPORTED if r["n"] is None else f"{r['n']:,}"}
            for r in number_rows(rc, label, previous)]
    notes = ["Every number is computed from the project's files"
             + (f", except those marked {label}, which come from that counts file "
                "(the PRISMA2020 R package's CSV)" if label else "")
             + f". \"{NOT_REPORTED.capitalize()}\" means the number is not known; it is "
             "never 0."]
    return Table("report-numbers", "Where each number in the flow diagram comes from",
                 [("item", "Box"), ("n", "n"), ("source", "Source")], rows, notes)


def _add_appraisal_and_extraction(project: Project, report: Report) -> None:
    """The appraisal and characteristics tables of every checklist and form in use."""
    for checklist in load_checklists(project).values():
        chosen, warnings = final_appraisals(project, checklist)
        if chosen:
            report.appraisal += [casp_summary(project, checklist)[0],
                                 casp_matrix(project, checklist)[0]]
            report.appraisal_figures += appraisal_figures(checklist, chosen)
            report.notes += warnings
    for form in load_forms(project).values():
        chosen, warnings = final_extractions(project, form)
        if chosen:
            report.extraction.append(characteristics(project, form)[0])
            report.notes += warnings


def appraisal_figures(checklist: Checklist, appraisals: list[Appraisal]) -> list[Figure]:
    """The robvis-style plots of one checklist's final appraisals."""
    light, summary = appraisal_stems(checklist.id)
    plots = [(light, f"{checklist.title}: answers per study",
              traffic_light_figure(checklist, appraisals)),
             (summary, f"{checklist.title}: share of studies per answer",
              summary_bar_figure(checklist, appraisals))]
    return [Figure(name, caption, {f"{name}.{fmt}": data
                                   for fmt, data in figure_files(fig).items()})
            for name, caption, fig in plots]


def appraisal_stems(checklist_id: str) -> tuple[str, str]:
    """The names of a checklist's two plots (traffic light, summary bars)."""
    return f"appraisal-{checklist_id}-traffic-light", f"appraisal-{checklist_id}-summary"
