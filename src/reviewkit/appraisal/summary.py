"""Which appraisal counts for each study, and the per-question counts and matrix."""

from __future__ import annotations

from reviewkit.appraisal.checklist import Checklist, with_checklist
from reviewkit.appraisal.records import CONSENSUS, Appraisal, load_appraisals
from reviewkit.project.config import Project
from reviewkit.records.studies import load_studies


def final_appraisals(project: Project, checklist: Checklist) -> tuple[list[Appraisal], list[str]]:
    """One final appraisal per included study, in studies.toml order, plus warnings.

    The consensus record wins; else a lone reviewer's; else the reviewers' if they
    agree on every answer. Drafts never count.
    """
    records = [a for a in load_appraisals(project, with_checklist(project, checklist))
               if a.checklist == checklist.id]
    chosen, warnings = [], []
    for study in load_studies(project):
        mine = [a for a in records if a.study == study.id]
        final = [a for a in mine if a.status == "final"]
        consensus = [a for a in final if a.reviewer == CONSENSUS]
        if consensus:
            chosen.append(consensus[0])
        elif len(final) == 1:
            chosen.append(final[0])
        elif final and all(a.answers.keys() == final[0].answers.keys() and
                           all(a.value(q) == final[0].value(q) for q in a.answers)
                           for a in final):
            chosen.append(final[0])
        elif final:
            warnings.append(f"{study.id}: reviewers disagree; record a consensus "
                            f"('reviewkit appraisal consensus {study.id}')")
        else:
            what = "only drafts" if mine else "no appraisal"
            warnings.append(f"{study.id}: {what} with {checklist.id}; left out")
    for a in chosen:  # same question ids, but perhaps not the same questions
        if a.version and a.version != checklist.version:
            warnings.append(f"{a.study}: appraised with {checklist.id} version {a.version}; the "
                            f"checklist is now version {checklist.version} (check the answers "
                            "still fit its questions)")
    return chosen, warnings


def summary_rows(checklist: Checklist, appraisals: list[Appraisal]) -> list[dict]:
    """Per question: how many studies gave each answer (the seed review's Table 3)."""
    values = checklist.option_values()
    rows = []
    for q in checklist.questions:
        row: dict = {"question": q.id, "text": q.text}
        for v in values:
            row[v] = sum(1 for a in appraisals if a.value(q.id) == v)
        rows.append(row)
    return rows


def summary_columns(checklist: Checklist) -> list[tuple[str, str]]:
    return [("question", "Question"), ("text", "CASP question" if checklist.id.startswith(
        "casp") else "Question text")] + [(v, checklist.label(v))
                                          for v in checklist.option_values()]


def matrix_rows(checklist: Checklist, appraisals: list[Appraisal]) -> list[dict]:
    """Study x question answer labels (the per-study appraisal matrix)."""
    return [{"study": a.study, **{q.id: checklist.label(a.value(q.id) or "") for q in
                                  checklist.questions}} for a in appraisals]
