"""Appraisal checklists as data: CASP, JBI or domain-based tools such as RoB 2.

A checklist is sections (CASP's A-C, or RoB 2's domains) of questions; each
question takes one of the answer options. Questions marked ``judgement`` are a
domain's verdict (plotted in the traffic-light plot); ``overall`` is the
study-level verdict. Text and licence stay in the YAML file, never in code.
"""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from reviewkit.errors import ReviewkitError
from reviewkit.project import yamlfile
from reviewkit.project.config import Project
from reviewkit.project.datafiles import choose, load_by_id
from reviewkit.project.yamlfile import At

KEY = re.compile(r"^[a-z0-9][a-z0-9_]*$")
CHECKLIST_DIR = "casp"


def _key(value: str) -> str:
    if not KEY.match(value):
        raise ValueError(f"{value!r}: use lower-case letters, digits and '_'")
    return value


class Option(BaseModel):
    model_config = ConfigDict(extra="forbid")
    value: str
    label: str
    colour: str = ""  # for plots, e.g. "#2e7d32"

    _v = field_validator("value")(_key)
    _c = field_validator("colour")(lambda v: _colour(v))

    @field_validator("value", "label", mode="before")
    @classmethod
    def _yes_no(cls, value: object, info: ValidationInfo) -> object:
        # YAML 1.1 reads an unquoted yes/no as true/false: take back what was written
        if isinstance(value, bool):
            word = "yes" if value else "no"
            return word if info.field_name == "value" else word.capitalize()
        return value


_HEX = re.compile(r"#(?:[0-9a-fA-F]{3,4}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})")


def _colour(value: str) -> str:
    """A colour the plots can draw: '#rgb', '#rrggbb' or a name such as 'teal'."""
    if not value or _HEX.fullmatch(value):
        return value
    from matplotlib.colors import is_color_like  # only for names: matplotlib is slow to load

    if not is_color_like(value):
        raise ValueError(f"{value!r} is not a colour: use '#rrggbb' (e.g. '#2e7d32') or a "
                         "name such as 'teal'")
    return value


class Question(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str
    text: str
    hint: str = ""
    screening: bool = False
    judgement: bool = False
    answers: list[Option] | None = None  # default: the checklist's answers

    _v = field_validator("id")(_key)


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str
    title: str
    questions: list[Question] = Field(min_length=1)


class Checklist(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str
    title: str
    version: str
    licence: str
    attribution: str
    source: str = ""
    notes: str = ""
    answers: list[Option] = Field(min_length=2)
    sections: list[Section] = Field(min_length=1)
    overall: Question | None = None

    @field_validator("id")
    @classmethod
    def _id(cls, value: str) -> str:
        if not re.match(r"^[a-z0-9][a-z0-9_-]*$", value):
            raise ValueError(f"{value!r}: use lower-case letters, digits, '-' and '_'")
        return value

    @field_validator("version", mode="before")
    @classmethod
    def _version(cls, value: object) -> object:
        return str(value) if isinstance(value, (int, float)) else value

    @model_validator(mode="after")
    def _unique(self) -> Checklist:
        seen: set[str] = set()
        for q, at in self._located():
            if q.id in seen:
                raise At(f"question id {q.id!r} is used twice", *at, "id")
            seen.add(q.id)
            # the question's own answers, else the checklist's (errors point there)
            where = (*at, "answers") if q.answers is not None else ("answers",)
            values = [o.value for o in self.options(q)]
            twice = next((i for i, v in enumerate(values) if v in values[:i]), None)
            if twice is not None:
                raise At(f"question {q.id!r}: an answer option is listed twice", *where, twice)
            if len(values) < 2:
                raise At(f"question {q.id!r} has {len(values)} answer options; give two or "
                         "more", *where)
            _distinct_readings(q.id, self.options(q), where)
        return self

    def _located(self) -> list[tuple[Question, tuple[str | int, ...]]]:
        """Each question with its key path in the file."""
        out: list[tuple[Question, tuple[str | int, ...]]] = [
            (q, ("sections", i, "questions", j)) for i, s in enumerate(self.sections)
            for j, q in enumerate(s.questions)]
        return out + ([(self.overall, ("overall",))] if self.overall else [])

    @property
    def questions(self) -> list[Question]:
        """Every question in order, the overall judgement last."""
        out = [q for s in self.sections for q in s.questions]
        return out + ([self.overall] if self.overall else [])

    def question(self, qid: str) -> Question | None:
        return next((q for q in self.questions if q.id == qid), None)

    def options(self, q: Question) -> list[Option]:
        return q.answers if q.answers is not None else self.answers

    def option_values(self) -> list[str]:
        """Every answer value used by any question, in first-use order (summary columns)."""
        out: list[str] = []
        for q in self.questions:
            out += [o.value for o in self.options(q) if o.value not in out]
        return out

    def label(self, value: str) -> str:
        for q in self.questions:
            for o in self.options(q):
                if o.value == value:
                    return o.label
        return value

    def plotted(self) -> list[Question]:
        """The traffic-light columns: judgements (+ overall) if any, else every question."""
        chosen = [q for q in self.questions if q.judgement or q is self.overall]
        return chosen or self.questions


def _distinct_readings(qid: str, options: list[Option], where: tuple[str | int, ...]) -> None:
    """An answer is typed as a value or a label, in any case: no two options may read alike."""
    seen: dict[str, str] = {}
    for i, o in enumerate(options):
        for key in {o.value.casefold(), o.label.casefold()}:
            if seen.setdefault(key, o.value) != o.value:
                raise At(f"question {qid!r}: two answer options read as {key!r} (each "
                         "option's value and label must differ from the others')", *where, i)


def load_checklist(path: Path) -> Checklist:
    data, lines = yamlfile.load(path)
    if not isinstance(data, dict):
        raise ReviewkitError("a checklist file is a mapping with id, title, version, licence, "
                             "attribution, answers and sections", file=str(path))
    try:
        return Checklist.model_validate(data)
    except ValidationError as exc:
        raise yamlfile.validation_error(exc, path, lines) from None


def checklist_files(project: Project) -> list[Path]:
    """The project's own checklist files (casp/*.yaml)."""
    return sorted((project.root / CHECKLIST_DIR).glob("*.yaml"))


def shipped_checklist_files() -> list[Path]:
    """The checklists that come with reviewkit (each file carries its own licence)."""
    folder = resources.files("reviewkit.appraisal").joinpath("checklists")
    return sorted(Path(str(folder)).glob("*.yaml"))


def shipped_checklists() -> dict[str, Checklist]:
    return load_by_id(shipped_checklist_files(), load_checklist, "checklist",
                      "reviewkit's checklists")


def own_checklists(project: Project) -> dict[str, Checklist]:
    return load_by_id(checklist_files(project), load_checklist, "checklist", CHECKLIST_DIR)


def load_checklists(project: Project) -> dict[str, Checklist]:
    """Every checklist by id: the shipped ones, then the project's own (casp/), whose file
    replaces a shipped one of the same id; the first invalid file raises."""
    return {**shipped_checklists(), **own_checklists(project)}


def checklists_in_use(project: Project) -> set[str]:
    """The checklist ids the project's appraisal files (casp/<study>/*.yaml) name."""
    used = set()
    for path in (project.root / CHECKLIST_DIR).glob("*/*.yaml"):
        try:
            data = yaml.safe_load(path.read_text("utf-8"))
        except (OSError, UnicodeDecodeError, yaml.YAMLError):
            continue  # the appraisal commands report it with its line
        if isinstance(data, dict) and isinstance(data.get("checklist"), str):
            used.add(data["checklist"])
    return used


def get_checklist(project: Project, ref: str | None) -> Checklist:
    """A checklist by id, or by path to a team's own file. With none named: the project's
    own when it has exactly one, else the one its appraisals use, else the only one."""
    def known() -> dict[str, Checklist]:
        every = load_checklists(project)
        if ref is not None:
            return every
        own = own_checklists(project)
        if len(own) == 1:
            return own
        used = {c: every[c] for c in checklists_in_use(project) if c in every}
        return used if len(used) == 1 else every

    return choose(ref, known, load_checklist, "checklist", CHECKLIST_DIR, "--checklist")


def with_checklist(project: Project, checklist: Checklist) -> dict[str, Checklist]:
    """The project's checklists plus ``checklist`` (which may come from a file elsewhere)."""
    return {**load_checklists(project), checklist.id: checklist}


def checklist_rows(project: Project) -> list[dict]:
    """One row per checklist for `appraisal checklists`: where it comes from, its licence."""
    own = own_checklists(project)
    return [{"id": c.id, "title": c.title, "version": c.version, "questions": len(c.questions),
             "from": f"{CHECKLIST_DIR}/" if c.id in own else "reviewkit", "licence": c.licence}
            for c in load_checklists(project).values()]
