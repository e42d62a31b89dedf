"""The ``[prisma]`` section of reviewkit.toml: updated reviews and meta-analysis.

    [prisma]
    previous = "../review-2019"          # the previous version: its project folder,
                                         # or its counts CSV ("review-2019-counts.csv")
    meta_analysis = { studies = 12, reports = 15 }   # when the review has one
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, NonNegativeInt, ValidationError

from reviewkit.errors import ReviewkitError
from reviewkit.project.config import CONFIG, Project
from reviewkit.project.tomlfile import validation_error


class MetaAnalysis(BaseModel):
    model_config = ConfigDict(extra="forbid")
    studies: NonNegativeInt
    reports: NonNegativeInt


class PrismaSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")
    previous: str = ""
    meta_analysis: MetaAnalysis | None = None


def prisma_settings(project: Project) -> PrismaSettings:
    data = (project.config.model_extra or {}).get("prisma")
    if data is None:
        return PrismaSettings()
    path = project.root / CONFIG
    if not isinstance(data, dict):
        raise ReviewkitError("[prisma] must be a table", file=str(path), field="prisma")
    try:
        return PrismaSettings.model_validate(data)
    except ValidationError as exc:
        text = path.read_text("utf-8-sig") if path.exists() else ""
        err = validation_error(exc, path, text)
        err.field = f"prisma.{err.field}" if err.field else "prisma"
        raise err from None


def previous_path(project: Project) -> Path | None:
    """``[prisma] previous``, relative to the project root; it must exist."""
    name = prisma_settings(project).previous
    if not name:
        return None
    path = (project.root / name).resolve()
    if not path.exists():
        raise ReviewkitError(f"[prisma] previous names {name!r}, which does not exist (a "
                             "previous review's project folder or its counts CSV)",
                             file=str(project.root / CONFIG), field="prisma.previous")
    if path.is_dir() and not (path / CONFIG).is_file():
        raise ReviewkitError(f"[prisma] previous names the folder {name!r}, which has no "
                             f"{CONFIG}: not a reviewkit project", file=str(project.root / CONFIG),
                             field="prisma.previous")
    return path
