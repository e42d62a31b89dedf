"""Appraisal records: ``casp/<study>/<reviewer>.yaml``, one writer per file.

A reviewer appraising a study with a second checklist writes
``casp/<study>/<reviewer>.<checklist>.yaml``. The agreed record of two
reviewers is ``casp/<study>/consensus.yaml``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reviewkit.appraisal.checklist import CHECKLIST_DIR, Checklist, load_checklists
from reviewkit.errors import ReviewkitError
from reviewkit.project import yamlfile
from reviewkit.project.config import Project
from reviewkit.records.studies import STUDY_ID, require_study
from reviewkit.screening.reviewers import require_signer

CONSENSUS = "consensus"
NAME = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
STATUSES = ("draft", "final")


@dataclass
class Answer:
    value: str
    comment: str = ""


@dataclass
class Appraisal:
    study: str
    reviewer: str
    checklist: str
    version: str = ""
    status: str = "draft"
    answers: dict[str, Answer] = field(default_factory=dict)
    path: Path | None = None

    def value(self, qid: str) -> str | None:
        a = self.answers.get(qid)
        return a.value if a else None


def appraisal_path(project: Project, study: str, reviewer: str, checklist: str | None = None
                   ) -> Path:
    """casp/<study>/<reviewer>[.<checklist>].yaml; names that could leave the folder refused."""
    for what, name, pattern in (("study", study, STUDY_ID), ("reviewer", reviewer, NAME),
                                ("checklist", checklist or "x", STUDY_ID)):
        if not pattern.match(name) or ".." in name:
            raise ReviewkitError(f"{what} {name!r}: use lower-case letters, digits, '-' or '_'",
                                 field=what)
    require_appraiser(project, reviewer)  # before any row of an import is written
    suffix = f".{checklist}" if checklist else ""
    return project.root / CHECKLIST_DIR / study / f"{reviewer}{suffix}.yaml"


def record_path(project: Project, study: str, reviewer: str, checklist: str) -> Path:
    """<reviewer>.yaml, or <reviewer>.<checklist>.yaml beside another checklist's record."""
    return yamlfile.beside(appraisal_path(project, study, reviewer),
                           appraisal_path(project, study, reviewer, checklist),
                           "checklist", checklist)


def require_appraiser(project: Project, reviewer: str, file: str | None = None) -> str:
    """One of the project's reviewers, or the pair's consensus record."""
    return require_signer(project, reviewer, file, CONSENSUS)


def check_answer(checklist: Checklist, qid: str, value: Any, where: dict | None = None) -> str:
    """The option value for ``value`` (a value, a label, or YAML's true/false for yes/no)."""
    where = where or {}
    q = checklist.question(qid)
    if q is None:
        ids = ", ".join(q.id for q in checklist.questions)
        raise ReviewkitError(f"{checklist.id} has no question {qid!r} (questions: {ids})",
                             field=f"answers.{qid}", **where)
    options = checklist.options(q)
    if isinstance(value, bool):  # YAML 1.1 reads an unquoted yes/no as true/false
        value = "yes" if value else "no"
    text = str(value).strip()
    for o in options:
        if text == o.value or text.casefold() in (o.label.casefold(), o.value.casefold()):
            return o.value
    expected = ", ".join(o.value for o in options)
    raise ReviewkitError(f"{text!r} is not an answer option (expected {expected})",
                         field=f"answers.{qid}", **where)


def parse_appraisal(data: Any, lines: yamlfile.Lines, path: Path, study: str, reviewer: str,
                    checklists: dict[str, Checklist]) -> Appraisal:
    """Validate one record's data against its checklist; errors name file, line and field."""
    def at(*loc: str) -> dict:
        return {"file": str(path), "line": yamlfile.line_at(lines, loc)}

    if not isinstance(data, dict):
        raise ReviewkitError("an appraisal is a mapping with checklist, status and answers", **at())
    unknown = set(data) - {"checklist", "version", "status", "answers", "study", "reviewer"}
    if unknown:
        key = sorted(unknown)[0]
        raise ReviewkitError("unknown field (check the spelling)", field=key, **at(key))
    for key, expect in (("study", study), ("reviewer", reviewer)):
        if key in data and str(data[key]) != expect:
            raise ReviewkitError(f"says {key} {data[key]!r} but the file is for {expect!r}",
                                 field=key, **at(key))
    cid = data.get("checklist")
    if cid not in checklists:
        raise ReviewkitError(f"unknown checklist {cid!r} (known: {', '.join(checklists)})",
                             field="checklist", **at("checklist"))
    checklist = checklists[cid]
    status = str(data.get("status", "final"))
    if status not in STATUSES:
        raise ReviewkitError(f"status must be draft or final, not {status!r}", field="status",
                             **at("status"))
    answers: dict[str, Answer] = {}
    raw = data.get("answers") or {}
    if not isinstance(raw, dict):
        raise ReviewkitError("answers is a mapping: question id -> answer", field="answers",
                             **at("answers"))
    for qid, entry in raw.items():
        qid = str(qid)
        comment = ""
        if isinstance(entry, dict):
            extra = set(entry) - {"answer", "comment"}
            if extra or "answer" not in entry:
                raise ReviewkitError("write {answer: ..., comment: ...}",
                                     field=f"answers.{qid}", **at("answers", qid))
            comment = str(entry.get("comment") or "")
            entry = entry["answer"]
        if entry is None:  # left blank: not answered yet
            continue
        value = check_answer(checklist, qid, entry, at("answers", qid))
        answers[qid] = Answer(value, comment)
    appraisal = Appraisal(study, reviewer, cid, str(data.get("version", checklist.version)),
                          status, answers, path)
    missing = [q.id for q in checklist.questions if q.id not in answers]
    if status == "final" and missing:
        raise ReviewkitError(f"a final appraisal answers every question; missing: "
                             f"{', '.join(missing)} (or set status: draft)",
                             field=f"answers.{missing[0]}", **at("answers"))
    return appraisal


def read_appraisal(project: Project, path: Path, checklists: dict[str, Checklist]
                   ) -> Appraisal:
    study = path.parent.name
    reviewer = path.stem.split(".", 1)[0]
    if not NAME.match(reviewer):
        raise ReviewkitError("appraisal files are named <reviewer>.yaml (lower-case letters, "
                             "digits, '-' or '_')", file=str(path))
    require_study(project, study, file=str(path))
    require_appraiser(project, reviewer, file=str(path))
    data, lines = yamlfile.load(path)
    return parse_appraisal(data, lines, path, study, reviewer, checklists)


def load_appraisals(project: Project, checklists: dict[str, Checklist] | None = None
                    ) -> list[Appraisal]:
    """Every appraisal record in the project; the first invalid file raises."""
    checklists = checklists if checklists is not None else load_checklists(project)
    folder = project.root / CHECKLIST_DIR
    paths = sorted(folder.glob("*/*.yaml")) if folder.exists() else []
    for other in sorted(folder.glob("*/*.[yY]*[lL]")):  # .yml, .YAML: read by no glob above
        if other.suffix.lower() in (".yml", ".yaml") and other.suffix != ".yaml":
            raise ReviewkitError(f"appraisal files end in .yaml (rename it to {other.stem}.yaml)",
                                 file=str(other))
    return [read_appraisal(project, p, checklists) for p in paths]


def to_yaml(a: Appraisal, checklist: Checklist) -> str:
    head = (f"# Appraisal of {a.study} by {a.reviewer} with {checklist.title} "
            f"({checklist.version}).\n# Answers: "
            f"{', '.join(checklist.option_values())}. Edit freely; reviewkit validates it.\n")
    answers: dict[str, Any] = {}
    for q in checklist.questions:
        if q.id in a.answers:
            ans = a.answers[q.id]
            answers[q.id] = ({"answer": ans.value, "comment": ans.comment} if ans.comment
                             else {"answer": ans.value})
    data = {"checklist": a.checklist, "version": a.version or checklist.version,
            "status": a.status, "answers": answers}
    return head + yamlfile.dump(data)


def save_appraisal(project: Project, a: Appraisal, checklist: Checklist) -> Path:
    """Validate, then write atomically (fsync + rename)."""
    require_study(project, a.study)
    require_appraiser(project, a.reviewer)
    for qid, ans in a.answers.items():
        check_answer(checklist, qid, ans.value)
    missing = [q.id for q in checklist.questions if q.id not in a.answers]
    if a.status == "final" and missing:
        raise ReviewkitError(f"cannot mark final: unanswered {', '.join(missing)}",
                             field=f"answers.{missing[0]}")
    path = a.path or appraisal_path(project, a.study, a.reviewer)
    yamlfile.write_atomic(path, to_yaml(a, checklist))
    a.path = path
    return path


def open_appraisal(project: Project, study: str, reviewer: str, checklist: Checklist
                   ) -> Appraisal:
    """The reviewer's record for this study and checklist, or a new draft."""
    require_study(project, study)
    require_appraiser(project, reviewer)
    for path in (appraisal_path(project, study, reviewer),
                 appraisal_path(project, study, reviewer, checklist.id)):
        if path.exists():
            a = read_appraisal(project, path, {**load_checklists(project), checklist.id: checklist})
            if a.checklist == checklist.id:
                return a
    base = appraisal_path(project, study, reviewer)
    path = base if not base.exists() else appraisal_path(project, study, reviewer, checklist.id)
    return Appraisal(study, reviewer, checklist.id, checklist.version, "draft", {}, path)


def set_answer(project: Project, a: Appraisal, checklist: Checklist, qid: str, value: Any,
               comment: str | None = None) -> Appraisal:
    """Record one answer and save at once; the record turns final when all are given."""
    v = check_answer(checklist, qid, value)
    old = a.answers.get(qid)
    a.answers[qid] = Answer(v, comment if comment is not None else (old.comment if old else ""))
    a.status = "final" if all(q.id in a.answers for q in checklist.questions) else "draft"
    save_appraisal(project, a, checklist)
    return a

