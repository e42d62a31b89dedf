"""Screening settings: defaults.yaml overlaid with [screening] from reviewkit.toml."""

from __future__ import annotations

import re
from functools import cache
from importlib import resources
from pathlib import PurePosixPath, PureWindowsPath

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from reviewkit.errors import ReviewkitError
from reviewkit.project.config import CONFIG, Project
from reviewkit.project.tomlfile import validation_error

DECISIONS = ("include", "exclude", "maybe")
STAGE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
_HEADER = re.compile(r"^\s*\[+\s*([^\]]+?)\s*\]+")


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
    reasons_must_agree: list[str] = Field(default_factory=list)
    order: str
    highlight: Highlight
    criteria: str = ""
    fulltext_dir: str = "fulltext"

    @field_validator("stages")
    @classmethod
    def _stage_names(cls, value: list[str]) -> list[str]:
        if not value:
            raise ValueError("at least one stage is needed")
        for stage in value:
            if not STAGE_NAME.match(stage):  # each stage is a folder under screening/
                raise ValueError(f"stage {stage!r} cannot name a folder: use letters, digits, "
                                 "'.', '_' or '-'")
        if len(set(value)) < len(value):
            raise ValueError("a stage is listed twice")
        return value

    @field_validator("reasons")
    @classmethod
    def _one_reason_each(cls, value: list[str]) -> list[str]:
        for reason in value:  # a decision keeps several reasons as "a; b"
            if ";" in reason:
                raise ValueError(f"reason {reason!r} holds ';', which separates the reasons "
                                 "of one decision: use ',' or another word")
            if not reason.strip():
                raise ValueError("a reason is empty")
        return value

    @field_validator("fulltext_dir")
    @classmethod
    def _inside_project(cls, value: str) -> str:
        if PurePosixPath(value).is_absolute() or PureWindowsPath(value).is_absolute() \
                or ".." in PurePosixPath(value.replace("\\", "/")).parts:
            raise ValueError(f"{value!r} must be a folder inside the project (no '..', "
                             "not absolute)")
        return value

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

    def reasons_conflict(self, stage: str, judged: list[dict]) -> bool:
        """Exclusions whose reasons differ are a conflict where the project says so."""
        if stage not in self.reasons_must_agree or len(judged) < 2:
            return False
        if any(e["decision"] != "exclude" for e in judged):
            return False
        return len({e.get("reason") or "" for e in judged} - {""}) > 1

    def check_stage(self, stage: str | None) -> str:
        """``stage`` if the project has it; None means the first stage."""
        stage = self.stages[0] if stage is None else stage
        if stage not in self.stages:
            raise ReviewkitError(f"unknown stage {stage!r}; expected one of "
                                 f"{', '.join(self.stages)}", field="stage")
        return stage


@cache
def _defaults() -> dict:
    text = resources.files("reviewkit.screening").joinpath("defaults.yaml").read_text("utf-8")
    return yaml.safe_load(text)


def screening_config(project: Project) -> ScreeningConfig:
    """The project's screening settings; a bad key names reviewkit.toml and its line."""
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

    def text() -> str:
        return path.read_text("utf-8-sig") if path.exists() else ""

    try:
        conf = ScreeningConfig.model_validate(data)
    except ValidationError as exc:
        err = validation_error(exc, path, "")
        loc = [str(p) for p in exc.errors()[0]["loc"] if not isinstance(p, int)]
        err.line = setting_line(text(), loc)
        err.message = err.message.removeprefix("Value error, ")
        err.field = f"screening.{err.field}" if err.field else "screening"
        raise err from None
    for key in ("reason_required", "reasons_must_agree"):
        for stage in getattr(conf, key):
            if stage not in conf.stages:
                raise ReviewkitError(f"{key} names unknown stage {stage!r}; stages: "
                                     f"{', '.join(conf.stages)}", file=str(path),
                                     line=setting_line(text(), [key]),
                                     field=f"screening.{key}")
    from reviewkit.screening.order import known_orders  # order sources register on import

    if conf.order not in known_orders():
        raise ReviewkitError(f"unknown screening order {conf.order!r}; expected one of: "
                             f"{', '.join(known_orders())}", file=str(path),
                             line=setting_line(text(), ["order"]), field="screening.order")
    return conf


def setting_line(text: str, loc: list[str]) -> int | None:
    """Line of a [screening] setting in reviewkit.toml: ``order = ...`` under [screening],
    or ``include = ...`` under [screening.highlight] for loc ["highlight", "include"]."""
    if not loc:
        return None
    table, fallback = "", None
    for number, line in enumerate(text.splitlines(), 1):
        header = _HEADER.match(line)
        if header:
            table = header.group(1).replace('"', "").replace("'", "").replace(" ", "")
            if table == f"screening.{loc[0]}":
                fallback = number
            continue
        if table == "screening" and _key(loc[0]).match(line):
            return number
        if len(loc) > 1 and table == f"screening.{loc[0]}" and _key(loc[1]).match(line):
            return number
        if table == "" and _key(f"screening.{loc[0]}").match(line):
            return number
    return fallback


def _key(name: str) -> re.Pattern:
    return re.compile(rf"^[ \t]*[\"']?{re.escape(name)}[\"']?[ \t]*=")
