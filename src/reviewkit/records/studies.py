"""Included studies, listed by hand in ``studies.toml`` until screening lands.

PRISMA counts records, reports and studies: a study names the record ids of
its reports, and studies from one programme of work can share a ``programme``.
"""

from __future__ import annotations

import re
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from reviewkit.errors import ReviewkitError
from reviewkit.project import tomlfile
from reviewkit.project.config import Project

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
    path = studies_path(project)
    if not path.exists():
        return []
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
    return studies


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
    # the last occurrence: the duplicate, not the original
    hits = list(re.finditer(rf"^\s*id\s*=\s*[\"']{re.escape(study)}[\"']", text, re.M))
    return text.count("\n", 0, hits[-1].start()) + 1 if hits else None
