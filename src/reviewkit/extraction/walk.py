"""Walk an extraction form field by field, saving each value the moment it is given.

Repeatable groups are walked entry by entry, asking after each whether to add another.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from reviewkit.errors import ReviewkitError
from reviewkit.extraction.form import Form, FormField
from reviewkit.extraction.records import Extraction, open_extraction, save_extraction
from reviewkit.extraction.values import SEP, coerce, display, empty, missing_required
from reviewkit.project import yamlfile
from reviewkit.project.config import Project

MORE = "+more"


@dataclass
class Step:
    key: str  # budget_type, participant_groups.1.n, participant_groups.+more
    title: str
    prompt: str
    help: str = ""
    choices: list[str] = field(default_factory=list)
    value: str = ""


class FormWalk:
    def __init__(self, project: Project, study: str, reviewer: str, form: Form) -> None:
        self.project, self.form = project, form
        self.record: Extraction = open_extraction(project, study, reviewer, form)
        self._stamp = yamlfile.stamp(self.record.path)  # the file as last read or written
        self._fixing = False
        steps = self._steps()
        self.pos = next((i for i, s in enumerate(steps) if s[-1] != MORE and
                         empty(self._get(s))), len(steps))

    def _steps(self) -> list[tuple]:
        out: list[tuple] = []
        for f in self.form.fields:
            if f.type != "group":
                out.append((f.id,))
                continue
            entries = self._entries(f)
            for i in range(max(len(entries), 1)):
                out += [(f.id, i, sub.id) for sub in f.fields or []]
            if f.repeatable:
                out.append((f.id, MORE))
        return out

    def _entries(self, f: FormField) -> list[dict]:
        v = self.record.values.get(f.id)
        return (v if isinstance(v, list) else [v]) if v else []

    def _get(self, path: tuple) -> Any:
        v = self.record.values.get(path[0])
        if len(path) == 1 or v is None:
            return v
        entries = v if isinstance(v, list) else [v]
        return entries[path[1]].get(path[2]) if path[1] < len(entries) else None

    @property
    def done(self) -> bool:
        return self.pos >= len(self._steps())

    def step(self) -> Step | None:
        steps = self._steps()
        again = False
        if self.done:  # at the end: back to a required value still missing, if any
            missing = self._first_missing()
            if missing is None:
                return None
            self.pos, again = missing, True
            self._fixing = True  # once given, back to the end (not through every step)
        path = steps[self.pos]
        f = self.form.field(path[0])
        assert f is not None
        title = f"{self.record.study} · {self.form.title} · step {self.pos + 1} of {len(steps)}"
        if path[-1] == MORE:
            return Step(f"{f.id}.{MORE}", title, f"Add another {f.label.lower()}? (y/n)",
                        f.help, ["y yes", "n no"], "")
        sub = f if len(path) == 1 else next(s for s in f.fields or [] if s.id == path[2])
        label = sub.label if len(path) == 1 else f"{f.label} {path[1] + 1}: {sub.label}"
        kind = sub.type.replace("_", " ") + (", required" if sub.required else "")
        choices = [f"{i} {o}" for i, o in enumerate(sub.options or [], 1)]
        if sub.type == "yes_no":
            choices = ["y yes", "n no"]
        note = f" (several: separate with '{SEP}')" if sub.type in ("multi_choice", "list") else ""
        prompt = ("Still required: " if again else "") + f"{label} [{kind}]{note}"
        return Step(".".join(str(p + 1) if isinstance(p, int) else p for p in path), title,
                    prompt, sub.help, choices, display(sub, self._get(path)))

    def _first_missing(self) -> int | None:
        """The step of the first required value still empty where the record needs it (a
        group entry given other values since it was passed over empty)."""
        for i, path in enumerate(self._steps()):
            if path[-1] == MORE:
                continue
            f = self.form.field(path[0])
            sub = f if len(path) == 1 else next(x for x in f.fields or [] if x.id == path[2])
            if sub.required and empty(self._get(path)) and (
                    len(path) == 1 or self._entry(f, path[1])):
                return i
        return None

    def submit(self, text: str) -> None:
        """Check and save the typed value, then move on (an error leaves everything as it was).
        The file is read again first if it changed since (another sitting, a hand edit):
        only this one value is written over it, never the form's older copy of the rest."""
        if yamlfile.stamp(self.record.path) != self._stamp:
            r = self.record
            self.record = open_extraction(self.project, r.study, r.reviewer, self.form)
            self.pos = min(self.pos, len(self._steps()) - 1)
        path = self._steps()[self.pos]
        f = self.form.field(path[0])
        assert f is not None
        if path[-1] == MORE:
            answer = coerce(FormField(id="more", label="more", type="yes_no"), text)
            if answer:
                # the new entry's first field now stands where this question stood
                self.record.values[f.id] = [*self._entries(f), {}]
            else:
                self.pos += 1
            self._save()  # the last step may complete the record
            return
        sub = f if len(path) == 1 else next(s for s in f.fields or [] if s.id == path[2])
        raw: Any = text
        if sub.type in ("choice", "multi_choice"):
            raw = [_by_number(sub, t) for t in text.split(SEP)] if sub.type == "multi_choice" \
                else _by_number(sub, text)
        name = sub.id if len(path) == 1 else f"{f.id}.{path[1] + 1}.{sub.id}"
        value = coerce(sub, raw, name)
        # a required sub-field may stay empty only while its whole entry is empty
        others = {} if len(path) == 1 else {k: v for k, v in self._entry(f, path[1]).items()
                                            if k != path[2]}
        if value is None and sub.required and (len(path) == 1 or others):
            raise ReviewkitError("required field: give a value", field=name)
        self._set(f, path, value)
        self.pos = len(self._steps()) if self._fixing else self.pos + 1
        self._fixing = False
        self._save()

    def back(self) -> None:
        self.pos = max(0, self.pos - 1)
        self._fixing = False

    def _set(self, f: FormField, path: tuple, value: Any) -> None:
        values = self.record.values
        if len(path) == 1:
            values.pop(f.id, None) if value is None else values.__setitem__(f.id, value)
            return
        entries = [dict(e) for e in self._entries(f)] or [{}]
        entries[path[1]] = {**entries[path[1]], path[2]: value}
        entries[path[1]] = {k: v for k, v in entries[path[1]].items() if v is not None}
        values[f.id] = entries if f.repeatable else entries[0]

    def _entry(self, f: FormField, i: int) -> dict:
        entries = self._entries(f)
        return entries[i] if i < len(entries) else {}

    def _save(self) -> None:
        # empty group entries are walking space, not data
        values = {k: _drop_empty(v) for k, v in self.record.values.items()}
        values = {k: v for k, v in values.items() if not empty(v)}
        complete = self.done and not missing_required(self.form.fields, values)
        self.record.status = "final" if complete else "draft"
        saved = Extraction(self.record.study, self.record.reviewer, self.record.form,
                           self.record.version, self.record.status, values, self.record.path)
        self.record.path = save_extraction(self.project, saved, self.form)
        self._stamp = yamlfile.stamp(self.record.path)


def _by_number(f: FormField, text: str) -> str:
    text = text.strip()
    options = f.options or []
    return options[int(text) - 1] if text.isdigit() and 1 <= int(text) <= len(options) else text


def _drop_empty(value: Any) -> Any:
    if isinstance(value, list) and all(isinstance(e, dict) for e in value):
        return [e for e in value if e]
    return value
