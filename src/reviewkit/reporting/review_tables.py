"""The appraisal and extraction tables of a review, as Table objects ready to render."""

from __future__ import annotations

from reviewkit.appraisal.checklist import Checklist
from reviewkit.appraisal.summary import (
    final_appraisals,
    matrix_rows,
    summary_columns,
    summary_rows,
)
from reviewkit.extraction.form import Form
from reviewkit.extraction.table import characteristics_rows, final_extractions, table_columns
from reviewkit.project.config import Project
from reviewkit.records.studies import load_studies
from reviewkit.reporting.outputs import Table

# an included study with no final appraisal yet (none, drafts only, or no consensus):
# shown, never left out as if it were not included
PENDING = "not yet appraised"


def casp_summary(project: Project, checklist: Checklist) -> tuple[Table, list[str]]:
    """Counts of each answer per question across the included studies (seed Table 3),
    and of the studies not yet appraised when there are any."""
    appraisals, warnings = final_appraisals(project, checklist)
    waiting = _pending(project, appraisals)
    columns, rows = summary_columns(checklist), summary_rows(checklist, appraisals)
    if waiting:
        columns.append(("pending", PENDING.capitalize()))
        rows = [{**row, "pending": len(waiting)} for row in rows]
    title = f"{checklist.title} ({checklist.version}): answers across " \
            f"{_appraised(project, appraisals)}"
    if waiting:
        title += f"; {PENDING}: {', '.join(waiting)}"
    return Table("casp-summary", title, columns, rows, _licence_note(checklist)), warnings


def _pending(project: Project, appraisals: list) -> list[str]:
    """The included studies (studies.toml order) with no final appraisal to count."""
    done = {a.study for a in appraisals}
    return [s.id for s in load_studies(project) if s.id not in done]


def _appraised(project: Project, appraisals: list) -> str:
    """"6 studies", or "6 reports of 4 studies" when studies.toml links entries of one
    programme (each entry is appraised; PRISMA counts the programme as one study)."""
    programme = {s.id: s.programme or f"id:{s.id}" for s in load_studies(project)}
    studies = len({programme.get(a.study, f"id:{a.study}") for a in appraisals})
    if studies == len(appraisals):
        return f"{studies} studies"
    return f"{len(appraisals)} reports of {studies} studies"


def casp_matrix(project: Project, checklist: Checklist) -> tuple[Table, list[str]]:
    """Study x question: each study's answers, in studies.toml order; a study not yet
    appraised has a row saying so."""
    appraisals, warnings = final_appraisals(project, checklist)
    columns = [("study", "Study")] + [(q.id, q.id.upper()) for q in checklist.questions]
    key = [f"{q.id.upper()}: {q.text}" for q in checklist.questions]
    answered = {row["study"]: row for row in matrix_rows(checklist, appraisals)}
    rows = [answered.get(s.id) or {"study": s.id, **{q.id: PENDING
                                                     for q in checklist.questions}}
            for s in load_studies(project)]
    table = Table("casp-matrix", f"{checklist.title} ({checklist.version}) by study", columns,
                  rows, ["; ".join(key), *_licence_note(checklist)])
    return table, warnings


def characteristics(project: Project, form: Form) -> tuple[Table, list[str]]:
    """Characteristics of included studies from the form's chosen columns (seed Table 4)."""
    records, warnings = final_extractions(project, form)
    table = Table("characteristics", form.title, table_columns(form),
                  characteristics_rows(project, form, records))
    return table, warnings


def _licence_note(checklist: Checklist) -> list[str]:
    return [f"Questions: {checklist.attribution.strip()} Licence: {checklist.licence}."]
