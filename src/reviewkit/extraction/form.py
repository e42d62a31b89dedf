"""Extraction forms as data: typed fields, required flags, help, repeatable groups.

A form also names the columns of its characteristics table (``table:``).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from reviewkit.errors import ReviewkitError
from reviewkit.project import yamlfile
from reviewkit.project.config import Project
from reviewkit.project.datafiles import choose, load_by_id
from reviewkit.project.yamlfile import At

FORM_DIR = "extraction"
KEY = re.compile(r"^[a-z0-9][a-z0-9_]*$")
FieldType = Literal["text", "long_text", "number", "integer", "choice", "multi_choice", "list",
                    "date", "yes_no", "group"]
_ALIASES = {"long text": "long_text", "longtext": "long_text", "multi-choice": "multi_choice",
            "multichoice": "multi_choice", "yes/no": "yes_no", "yesno": "yes_no",
            "boolean": "yes_no", "float": "number", "int": "integer"}
# Columns a table can take from studies.toml rather than from the form
STUDY_COLUMNS = ("study", "citation", "programme")


class FormField(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str
    label: str
    type: FieldType
    required: bool = False
    help: str = ""
    options: list[str] | None = None
    fields: list[FormField] | None = None  # a group's fields
    repeatable: bool = False  # a group entered once per arm, site, participant group...

    @field_validator("id")
    @classmethod
    def _id(cls, value: str) -> str:
        if not KEY.match(value):
            raise ValueError(f"{value!r}: use lower-case letters, digits and '_'")
        return value

    @field_validator("type", mode="before")
    @classmethod
    def _type(cls, value: object) -> object:
        return _ALIASES.get(str(value).strip().lower(), value) if isinstance(value, str) else value

    @field_validator("options", mode="before")
    @classmethod
    def _options(cls, value: object) -> object:
        # YAML reads unquoted yes/no options as booleans; keep what the person wrote
        if isinstance(value, list):
            return [("yes" if v else "no") if isinstance(v, bool) else str(v) for v in value]
        return value

    @model_validator(mode="after")
    def _shape(self) -> FormField:
        if self.type in ("choice", "multi_choice"):
            if not self.options or len(set(self.options)) != len(self.options):
                raise ValueError(f"a {self.type} field needs a list of distinct options")
        elif self.options is not None:
            raise ValueError(f"only choice and multi_choice fields have options, not {self.type}")
        if self.type == "group":
            if not self.fields:
                raise ValueError("a group needs fields")
            if any(f.type == "group" for f in self.fields):
                raise ValueError("groups do not nest")
        elif self.fields is not None or self.repeatable:
            raise ValueError("only a group has fields or is repeatable")
        return self


class Column(BaseModel):
    model_config = ConfigDict(extra="forbid")
    field: str
    label: str


class Form(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str
    title: str
    version: str = "1"
    notes: str = ""
    fields: list[FormField] = Field(min_length=1)
    table: list[Column] = Field(default_factory=list)

    @field_validator("version", mode="before")
    @classmethod
    def _version(cls, value: object) -> object:
        return str(value) if isinstance(value, (int, float)) else value

    @model_validator(mode="after")
    def _check(self) -> Form:
        ids = [f.id for f in self.fields]
        twice = next((i for i, fid in enumerate(ids) if fid in ids[:i]), None)
        if twice is not None:
            raise At(f"field id {ids[twice]!r} is used twice", "fields", twice, "id")
        for i, col in enumerate(self.table):
            if col.field not in ids and col.field not in STUDY_COLUMNS:
                raise At(f"table column {col.field!r} is not a field of this form (nor one "
                         f"of {', '.join(STUDY_COLUMNS)})", "table", i, "field")
        return self

    def field(self, fid: str) -> FormField | None:
        return next((f for f in self.fields if f.id == fid), None)


def load_form(path: Path) -> Form:
    data, lines = yamlfile.load(path)
    if not isinstance(data, dict):
        raise ReviewkitError("a form file is a mapping with id, title and fields", file=str(path))
    try:
        return Form.model_validate(data)
    except ValidationError as exc:
        raise yamlfile.validation_error(exc, path, lines) from None


def load_forms(project: Project) -> dict[str, Form]:
    """The project's forms by id; the first invalid file raises."""
    return load_by_id(sorted((project.root / FORM_DIR).glob("*.yaml")), load_form,
                      "form", FORM_DIR)


def get_form(project: Project, ref: str | None) -> Form:
    """A form by id or path; the only one when ``ref`` is None."""
    return choose(ref, lambda: load_forms(project), load_form, "extraction form", FORM_DIR,
                  "--form")


def with_form(project: Project, form: Form) -> dict[str, Form]:
    return {**load_forms(project), form.id: form}
