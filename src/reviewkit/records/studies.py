"""Included studies, listed by hand in ``studies.toml`` until screening lands.

PRISMA counts records, reports and studies: a study names the record ids of
its reports, and studies from one programme of work can share a ``programme``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from reviewkit.errors import ReviewkitError
from reviewkit.project import tomlfile
from reviewkit.project.config import Project

if TYPE_CHECKING:  # records is a base layer: screening is only passed in
    from reviewkit.screening import Screening
    from reviewkit.store.base import Store

STUDIES_FILE = "studies.toml"
STUDY_ID = re.compile(r"^[a-z0-9][a-z0-9_.-]*$")


class Study(BaseModel):
    """One included study (the unit that is appraised and extracted)."""

    model_config = ConfigDict(extra="forbid")
    id: str
    citation: str
    reports: list[str] = Field(default_factory=list)  # record ids of its reports
    programme: str = ""
    notes: str = ""

    @field_validator("id")
    @classmethod
    def _id(cls, value: str) -> str:
        if not STUDY_ID.match(value):
            raise ValueError("study ids use lower-case letters, digits, '-', '_' or '.'")
        return value


class StudyList(BaseModel):
    model_config = ConfigDict(extra="forbid")
    study: list[Study] = Field(default_factory=list)


def studies_path(project: Project) -> Path:
    return project.root / STUDIES_FILE


def load_studies(project: Project) -> list[Study]:
    """The included studies in file order; none when the file does not exist yet."""
    return _load(project)[0]


def _load(project: Project) -> tuple[list[Study], str]:
    path = studies_path(project)
    if not path.exists():
        return [], ""
    data, text = tomlfile.load(path)
    try:
        studies = StudyList.model_validate(data).study
    except ValidationError as exc:
        raise tomlfile.validation_error(exc, path, text) from None
    seen: set[str] = set()
    for s in studies:
        if s.id in seen:
            raise ReviewkitError(f"study id {s.id!r} is listed twice", file=str(path),
                                 line=_line_of_id(text, s.id), field="study.id")
        seen.add(s.id)
    return studies, text


def study_ids(project: Project) -> list[str]:
    return [s.id for s in load_studies(project)]


def require_study(project: Project, study: str, file: str | None = None,
                  line: int | None = None) -> None:
    """Raise unless ``study`` is listed in studies.toml."""
    known = study_ids(project)
    if study not in known:
        hint = ", ".join(known[:8]) or f"none yet: list included studies in {STUDIES_FILE}"
        raise ReviewkitError(f"study {study!r} is not in {STUDIES_FILE} (known: {hint})",
                             file=file, line=line)


def _line_of_id(text: str, study: str) -> int | None:
    # the second occurrence: the duplicate, not the original
    hits = list(re.finditer(rf"^[ \t]*id[ \t]*=[ \t]*[\"']{re.escape(study)}[\"']", text, re.M))
    return text.count("\n", 0, hits[min(1, len(hits) - 1)].start()) + 1 if hits else None


@dataclass(frozen=True)
class StudyProblem:
    """A study in studies.toml that links a report PRISMA cannot count."""

    file: str
    line: int | None
    study: str
    report: str
    problem: str  # "is not a record in the project", "was excluded at full-text"

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: study {self.study!r}: report {self.report!r} {self.problem}"


def check_studies(project: Project, store: Store, screening: Screening) -> list[StudyProblem]:
    """Reports named in studies.toml that are not records, or that screening excluded.

    ``store`` is unused today (``screening`` holds the records); it is taken so callers
    need not change when the check reads more. Duplicate study ids raise, as in
    ``load_studies``.
    """
    studies, text = _load(project)
    path = str(studies_path(project))
    blocks = _blocks(text)
    out = []
    for i, study in enumerate(studies):
        start, end = blocks[i] if i < len(blocks) else (None, None)
        for report in study.reports:
            problem = _report_problem(screening, report)
            if problem:
                out.append(StudyProblem(path, _line_in(text, report, start, end), study.id,
                                        report, problem))
    return out


def refuse_study_problems(problems: list[StudyProblem]) -> None:
    """Raise on the first problem (one line, with how many more); PRISMA cannot count
    included studies around reports that do not exist or were excluded."""
    if not problems:
        return
    first = problems[0]
    more = f" (and {len(problems) - 1} more in {STUDIES_FILE})" if len(problems) > 1 else ""
    raise ReviewkitError(f"study {first.study!r}: report {first.report!r} {first.problem}"
                         f"{more}; fix {STUDIES_FILE} before counting included studies",
                         file=first.file, line=first.line, field="study.reports")


def _report_problem(screening: Screening, report: str) -> str:
    if not screening.knows(report):
        return "is not a record in the project (check the id with 'reviewkit export')"
    unit = screening.unit_of(report)
    for stage in screening.conf.stages:
        if unit in screening.eligible(stage) and screening.state(stage).outcome(unit) == "exclude":
            return f"was excluded at {stage}"
    return ""


def _blocks(text: str) -> list[tuple[int, int]]:
    """(first, last) line of each [[study]] table, in file order."""
    starts = [text.count("\n", 0, m.start()) + 1
              for m in re.finditer(r"^[ \t]*\[\[[ \t]*study[ \t]*\]\]", text, re.M)]
    total = text.count("\n") + 1
    ends = [*starts[1:], total + 1][:len(starts)]
    return [(a, b - 1) for a, b in zip(starts, ends, strict=True)]


def _line_in(text: str, needle: str, start: int | None, end: int | None) -> int | None:
    if start is None:
        return None
    lines = text.splitlines()
    for n in range(start, min(end or start, len(lines)) + 1):
        if needle in lines[n - 1]:
            return n
    return start
