"""The ``[prisma]`` section of reviewkit.toml: updated reviews and meta-analysis.

    [prisma]
    previous = "../review-2019"          # the previous version: its project folder,
                                         # or its counts CSV ("review-2019-counts.csv")
    meta_analysis = { studies = 12, reports = 15 }   # when the review has one
"""

from __future__ import annotations

import re
from pathlib import Path

from pydantic import BaseModel, ConfigDict, NonNegativeInt, ValidationError

from reviewkit.errors import ReviewkitError
from reviewkit.project.config import CONFIG, Project
from reviewkit.project.tomlfile import table_line, validation_error
from reviewkit.reporting.prisma.model import PrismaCounts

_PRISMA = re.compile(r"^[ \t]*\[[ \t]*prisma[ \t]*\]")


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


def previous_included(previous: PrismaCounts) -> dict[str, tuple[int | None, str]]:
    """unit -> (what the previous version included, its attribute): its totals when it
    was an update itself, else its included studies and reports."""
    out = {}
    for unit in ("studies", "reports"):
        attr = f"total_{unit}" if getattr(previous, f"total_{unit}") is not None \
            else f"included_{unit}"
        out[unit] = (getattr(previous, attr), attr)
    return out


# attribute -> row of the counts CSV, to point at the number to correct
_ROWS = {"included_studies": "new_studies", "included_reports": "new_reports",
         "total_studies": "total_studies", "total_reports": "total_reports"}


def refuse_contradictory_previous(project: Project, path: Path,
                                  previous: PrismaCounts) -> None:
    """The previous version's boxes as the PRISMA 2020 template reads them: every study
    has at least one report, and a report is of an included study; else one line naming
    where the numbers are written (the counts CSV's row, or ``previous`` in reviewkit.toml
    for a project folder)."""
    (studies, s_attr), (reports, r_attr) = previous_included(previous).values()
    if studies is None or reports is None:
        return  # unknown is drawn as unknown
    if min(studies, reports) < 0:
        expected = "counts of 0 or more"
    elif studies > reports:
        expected = "at most as many studies as reports (every study has at least one report)"
    elif studies == 0 and reports > 0:
        expected = "no reports when no study was included (reports are of included studies)"
    else:
        return
    counts = f"{studies:,} {'study' if studies == 1 else 'studies'} in {reports:,} " \
             f"{'report' if reports == 1 else 'reports'}"
    if path.is_file():
        from reviewkit.reporting.prisma.csvio import row_line

        row = _ROWS[r_attr if reports < 0 <= studies else s_attr]
        raise ReviewkitError(f"the previous version of the review ([prisma] previous) has "
                             f"{counts}; expected {expected}", file=str(path),
                             line=row_line(path, row), field=row)
    config = project.root / CONFIG
    text = config.read_text("utf-8-sig")
    name = prisma_settings(project).previous
    raise ReviewkitError(f"the previous version of the review, {name!r}, has {counts}; "
                         f"expected {expected}", file=str(config),
                         line=table_line(text, _PRISMA, "previous"), field="prisma.previous")
