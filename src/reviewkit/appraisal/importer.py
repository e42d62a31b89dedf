"""Import appraisals from a spreadsheet (CSV) or a YAML list: all rows or nothing.

CSV columns: study, reviewer, checklist (or --checklist), status (optional),
then one column per question id (q1, q2, ...) and optionally q1_comment, ...
"""

from __future__ import annotations

from pathlib import Path

from reviewkit.appraisal.checklist import (
    Checklist,
    get_checklist,
    load_checklists,
    with_checklist,
)
from reviewkit.appraisal.records import (
    Appraisal,
    appraisal_path,
    parse_appraisal,
    read_appraisal,
    record_path,
    save_appraisal,
)
from reviewkit.errors import ReviewkitError
from reviewkit.project.config import Project
from reviewkit.project.tablefile import Claims, Imported, read_per_study


def import_appraisals(project: Project, path: Path, checklist: Checklist | None = None,
                      replace: bool = False) -> Imported:
    """Validate every row first; write only when all are valid. Rows that name no
    checklist take ``checklist``, else the one the appraisal commands default to. A row
    its record already says is left alone, so a sheet can be imported again."""
    checklist = checklist or _default_checklist(project)
    checklists = with_checklist(project, checklist) if checklist else load_checklists(project)
    only = next(iter(checklists.values())) if len(checklists) == 1 else None

    def parse(kind: str, row: dict, lines: dict, study: str, reviewer: str) -> Appraisal:
        data = row if kind == "yaml" else _from_csv(row, checklist or only)
        data = {k: v for k, v in data.items() if k not in ("study", "reviewer")}
        return parse_appraisal(data, lines, path, study, reviewer, checklists)

    claims = Claims()  # a reviewer's second checklist goes beside the first, also in one file

    def target(a: Appraisal) -> Path:
        return claims.target(record_path(project, a.study, a.reviewer, a.checklist),
                             appraisal_path(project, a.study, a.reviewer, a.checklist), a.checklist)

    def same(a: Appraisal, existing: Path) -> bool:
        b = read_appraisal(project, existing, checklists)
        return (a.checklist, a.version, a.status, a.answers) == \
            (b.checklist, b.version, b.status, b.answers)

    found, unchanged = read_per_study(project, path, parse, target, replace, same)
    return Imported([save_appraisal(project, a, checklists[a.checklist]) for a in found],
                    unchanged)


def _default_checklist(project: Project) -> Checklist | None:
    try:
        return get_checklist(project, None)
    except ReviewkitError:
        return None  # several: each row must name its own


def _from_csv(row: dict[str, str], checklist: Checklist | None) -> dict:
    answers: dict = {}
    for key, value in row.items():
        if key in ("study", "reviewer", "checklist", "status", "version") or not value:
            continue
        if key.endswith("_comment"):
            answers.setdefault(key.removesuffix("_comment"), {})["comment"] = value
        else:
            answers.setdefault(key, {})["answer"] = value
    for qid, entry in answers.items():
        if "answer" not in entry:
            raise ReviewkitError(f"a comment on {qid} without an answer", field=f"answers.{qid}")
    cid = row.get("checklist") or (checklist.id if checklist else None)
    if cid is None:
        raise ReviewkitError("which checklist? add a 'checklist' column or give --checklist",
                             field="checklist")
    data: dict = {"checklist": cid, "answers": answers}
    if row.get("status"):
        data["status"] = row["status"]
    return data

