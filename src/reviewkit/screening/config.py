"""Screening settings: defaults.yaml overlaid with [screening] from reviewkit.toml."""

from __future__ import annotations

from functools import cache
from importlib import resources

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from reviewkit.errors import ReviewkitError
from reviewkit.project.config import CONFIG, Project
from reviewkit.project.tomlfile import line_of, validation_error

DECISIONS = ("include", "exclude", "maybe")


class Highlight(BaseModel):
    model_config = ConfigDict(extra="forbid")
    from_searches: bool = True
    include: list[str] = Field(default_factory=list)
    exclude: list[str] = Field(default_factory=list)


class ScreeningConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")
    stages: list[str]
    reviewers_per_record: int = Field(ge=1)
    outcomes: dict[str, str]
    reasons: list[str]
    reason_required: list[str]
    order: str
    highlight: Highlight
    criteria: str = ""
    fulltext_dir: str = "fulltext"

    @field_validator("outcomes")
    @classmethod
    def _known_outcomes(cls, value: dict[str, str]) -> dict[str, str]:
        for key, outcome in value.items():
            if outcome not in ("include", "exclude"):
                raise ValueError(f"outcome of {key!r} must be include or exclude")
            if any(d not in DECISIONS for d in key.split("+")):
                raise ValueError(f"{key!r}: decisions are include, exclude, maybe joined by '+'")
        return value

    def outcome_key(self, decisions: list[str]) -> str:
        return "+".join(sorted(set(decisions)))

    def reason_needed(self, stage: str) -> bool:
        return stage in self.reason_required

    def check_stage(self, stage: str) -> str:
        if stage not in self.stages:
            raise ReviewkitError(f"unknown stage {stage!r}; expected one of "
                                 f"{', '.join(self.stages)}", field="stage")
        return stage


@cache
def _defaults() -> dict:
    text = resources.files("reviewkit.screening").joinpath("defaults.yaml").read_text("utf-8")
    return yaml.safe_load(text)


def screening_config(project: Project) -> ScreeningConfig:
    """The project's screening settings; a bad key names its line in reviewkit.toml."""
    data = dict(_defaults())
    user = (project.config.model_extra or {}).get("screening") or {}
    path = project.root / CONFIG
    if not isinstance(user, dict):
        raise ReviewkitError("[screening] must be a table", file=str(path))
    for key, value in user.items():
        if key == "highlight" and isinstance(value, dict):
            data[key] = {**data[key], **value}
        else:
            data[key] = value
    try:
        conf = ScreeningConfig.model_validate(data)
    except ValidationError as exc:
        text = path.read_text("utf-8-sig") if path.exists() else ""
        err = validation_error(exc, path, text)
        err.field = f"screening.{err.field}" if err.field else "screening"
        raise err from None
    for stage in conf.reason_required:
        if stage not in conf.stages:
            raise ReviewkitError(f"reason_required names unknown stage {stage!r}", file=str(path),
                                 line=line_of(path.read_text("utf-8"), "reason_required"))
    return conf
