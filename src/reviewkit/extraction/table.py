"""The characteristics-of-included-studies table (the seed review's Table 4)."""

from __future__ import annotations

from reviewkit.extraction.form import Form, with_form
from reviewkit.extraction.records import CONSENSUS, Extraction, load_extractions
from reviewkit.extraction.values import display
from reviewkit.project.config import Project
from reviewkit.records.studies import load_studies


def final_extractions(project: Project, form: Form) -> tuple[list[Extraction], list[str]]:
    """One final record per included study (consensus first, else a lone reviewer's)."""
    records = [e for e in load_extractions(project, with_form(project, form))
               if e.form == form.id and e.status == "final"]
    chosen, warnings = [], []
    for study in load_studies(project):
        mine = [e for e in records if e.study == study.id]
        consensus = [e for e in mine if e.reviewer == CONSENSUS]
        if consensus or len(mine) == 1:
            chosen.append((consensus or mine)[0])
        elif mine:
            warnings.append(f"{study.id}: two or more extractions and no consensus "
                            f"('reviewkit extraction consensus {study.id}')")
        else:
            warnings.append(f"{study.id}: no final extraction with {form.id}; left out")
    return chosen, warnings


def table_columns(form: Form) -> list[tuple[str, str]]:
    """The form's chosen columns; every top-level field when it chooses none."""
    if form.table:
        return [(c.field, c.label) for c in form.table]
    return [("study", "Study")] + [(f.id, f.label) for f in form.fields]


def characteristics_rows(project: Project, form: Form, records: list[Extraction]
                         ) -> list[dict[str, str]]:
    """One row per record: study id, citation and every field as displayed."""
    studies = {s.id: s for s in load_studies(project)}
    rows = []
    for e in records:
        s = studies[e.study]
        row = {"study": s.id, "citation": s.citation, "programme": s.programme}
        for f in form.fields:
            row[f.id] = display(f, e.values.get(f.id))
        rows.append(row)  # every field; the table's columns choose what is shown
    return rows
