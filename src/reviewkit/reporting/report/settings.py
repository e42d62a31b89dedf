"""The ``[report]`` and ``[stopping]`` sections of reviewkit.toml.

Config allows extra sections, so these are read from ``project.config.model_extra``
and validated here rather than in project/config.py (reporting reads, it does not own
the project's configuration).

    [report]
    counts = "prisma-counts.csv"     # a PRISMA2020 CSV whose numbers override computed ones
    duplicates = { databases = 1928, grey-literature = 6 }   # as published, per route

    [stopping]                       # the stopping rule the team applied, if any
    target = 0.95
    confidence = 0.99               # each check's level; the default (docs/stopping.md)
    heuristic_n = 50
    bias = 2.0                       # optional: see docs/stopping.md
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, NonNegativeInt, ValidationError

from reviewkit.errors import ReviewkitError
from reviewkit.project.config import CONFIG, Project, inside_project
from reviewkit.project.tomlfile import validation_error
from reviewkit.ranking.stopping_defaults import DEFAULT_CONFIDENCE


class ReportSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")
    counts: str = ""
    # duplicates removed per source as a paper reports them; the CSV holds only the total
    duplicates: dict[str, NonNegativeInt] = Field(default_factory=dict)


class StoppingSettings(BaseModel):
    """The parameters of reviewkit.ranking.stopping.methods_text."""

    # TOML gives real types: a quoted number or true is a mistake, not a 1; inf is no odds
    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False)
    target: float = Field(0.95, gt=0, lt=1)
    confidence: float = Field(DEFAULT_CONFIDENCE, gt=0, lt=1)
    heuristic_n: int | None = Field(None, ge=1)
    # odds ratio the test assumes (reviewkit.ranking.stopping); None = the default rule
    bias: float | None = Field(None, ge=1)


def _section(project: Project, name: str, model: type[BaseModel]) -> BaseModel | None:
    data = (project.config.model_extra or {}).get(name)
    if data is None:
        return None
    path = project.root / CONFIG
    if not isinstance(data, dict):
        raise ReviewkitError(f"[{name}] must be a table", file=str(path), field=name)
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        text = path.read_text("utf-8-sig") if path.exists() else ""
        err = validation_error(exc, path, text)
        err.field = f"{name}.{err.field}" if err.field else name
        raise err from None


def report_settings(project: Project) -> ReportSettings:
    return _section(project, "report", ReportSettings) or ReportSettings()  # type: ignore


def stopping_settings(project: Project) -> StoppingSettings | None:
    return _section(project, "stopping", StoppingSettings)  # type: ignore[return-value]


def applied_bias(stop: StoppingSettings, order: str) -> float:
    """The odds ratio the stopping test assumed: ``[stopping] bias`` only in ranked order,
    else 1 (reviewkit.screening.ranked.stopping), so the report states what was used."""
    from reviewkit.ranking.stopping import DEFAULT_BIAS

    if order != "ranked":
        return 1.0
    return DEFAULT_BIAS if stop.bias is None else stop.bias


def counts_path(project: Project, given: Path | None) -> Path | None:
    """``--counts`` (relative to where the command runs) or ``[report] counts`` (relative
    to the project root); None when neither names a file."""
    if given is not None:
        return given
    name = report_settings(project).counts
    return inside_project(project, name, "report.counts") if name else None
