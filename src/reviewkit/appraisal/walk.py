"""Walk a checklist one answer at a time, saving each answer the moment it is given.

The terminal form (reviewkit.tui.appraise) is a skin over this; a script can
drive it the same way.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from reviewkit.appraisal.checklist import Checklist, Question
from reviewkit.appraisal.records import Appraisal, open_appraisal, set_answer
from reviewkit.errors import ReviewkitError
from reviewkit.project import yamlfile
from reviewkit.project.config import Project


@dataclass
class Step:
    key: str  # q7 or q7.comment
    title: str  # section and progress
    prompt: str
    help: str = ""
    choices: list[str] = field(default_factory=list)  # "1 Yes", "2 No", ...
    value: str = ""  # what is recorded now, to edit


class ChecklistWalk:
    def __init__(self, project: Project, study: str, reviewer: str, checklist: Checklist) -> None:
        self.project, self.checklist = project, checklist
        self.record: Appraisal = open_appraisal(project, study, reviewer, checklist)
        self._stamp = yamlfile.stamp(self.record.path)  # the file as last read or written
        self._steps = [(q, part) for q in checklist.questions for part in ("answer", "comment")]
        answered = self.record.answers
        # resume at the first unanswered question
        self.pos = next((i for i, (q, part) in enumerate(self._steps)
                         if part == "answer" and q.id not in answered), len(self._steps))

    @property
    def done(self) -> bool:
        return self.pos >= len(self._steps)

    def step(self) -> Step | None:
        if self.done:
            return None
        q, part = self._steps[self.pos]
        n = self.checklist.questions.index(q) + 1
        title = f"{self.record.study} · {self._section(q)} · question {n} of " \
                f"{len(self.checklist.questions)}"
        current = self.record.answers.get(q.id)
        if part == "comment":
            return Step(f"{q.id}.comment", title, f"Comment on {q.id.upper()} (Enter to skip)",
                        q.text, [], current.comment if current else "")
        options = self.checklist.options(q)
        hint = q.hint + (" (screening question)" if q.screening else "")
        return Step(q.id, title, f"{q.id.upper()}. {q.text}", hint.strip(),
                    [f"{i} {o.label}" for i, o in enumerate(options, 1)],
                    current.value if current else "")

    def submit(self, text: str) -> None:
        """Record the typed answer (a number, a value or a label) and move on. The file is
        read again first if it changed since (another sitting, a hand edit): only this one
        answer is written over it, never the form's older copy of the others."""
        q, part = self._steps[self.pos]
        text = text.strip()
        if yamlfile.stamp(self.record.path) != self._stamp:
            r = self.record
            self.record = open_appraisal(self.project, r.study, r.reviewer, self.checklist)
        if part == "comment" and text and q.id not in self.record.answers:
            raise ReviewkitError(f"{q.id} has no answer in the file any more: go back "
                                 "(Escape) and answer it first", field=q.id)
        if part == "comment":
            if text or q.id in self.record.answers:
                set_answer(self.project, self.record, self.checklist, q.id,
                           self.record.answers[q.id].value, text)
        else:
            if not text:
                raise ReviewkitError(f"type one of {self._choices(q)}", field=q.id)
            options = self.checklist.options(q)
            if text.isdigit() and 1 <= int(text) <= len(options):
                text = options[int(text) - 1].value
            set_answer(self.project, self.record, self.checklist, q.id, text)
        self._stamp = yamlfile.stamp(self.record.path)
        self.pos += 1

    def back(self) -> None:
        self.pos = max(0, self.pos - 1)

    def _section(self, q: Question) -> str:
        for s in self.checklist.sections:
            if q in s.questions:
                return s.title
        return "Overall"

    def _choices(self, q: Question) -> str:
        return ", ".join(f"{i} ({o.label})" for i, o in enumerate(self.checklist.options(q), 1))
