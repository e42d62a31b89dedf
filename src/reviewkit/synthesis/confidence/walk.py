"""Walk a CERQual worksheet one answer at a time, saving each answer the moment it is
given (the keyboard form in reviewkit.tui.assess is a skin over this).

Per component: the concern level, its explanation, for relevance a mark per study,
private notes; then the overall confidence and its explanation, drafted from the
levels for the assessor to edit. Each step shows what the project knows.
"""

from __future__ import annotations

from pathlib import Path

from reviewkit.appraisal.walk import Step
from reviewkit.errors import ReviewkitError
from reviewkit.project import yamlfile
from reviewkit.project.config import Project
from reviewkit.project.session import lock
from reviewkit.synthesis.confidence.cerqual import draft_explanation, match, spec
from reviewkit.synthesis.confidence.evidence import Evidence, gather
from reviewkit.synthesis.confidence.findings import citations, load_findings
from reviewkit.synthesis.confidence.worksheet import (
    Judgement,
    Worksheet,
    open_worksheet,
    save_worksheet,
    sheet_path,
)


class AssessWalk:
    def __init__(self, project: Project, finding: str, assessor: str) -> None:
        self.project = project
        self.findings = load_findings(project)
        self.finding = self.findings.get(finding)
        self.record: Worksheet = open_worksheet(project, self.findings, finding, assessor)
        self._stamp = yamlfile.stamp(self._path())  # the file as last read or written
        self.evidence: Evidence = gather(project, self.finding, citations(project))
        s = spec()
        self._steps: list[tuple[str, str]] = []
        for c in s.components:
            self._steps += [(c.id, "concern"), (c.id, "explanation")]
            if c.id == "relevance":
                self._steps += [(c.id, f"study:{st}") for st in self.finding.studies]
            self._steps.append((c.id, "notes"))
        self._steps += [("overall", "confidence"), ("overall", "explanation")]
        # resume at the first part not yet given
        self.pos = next((i for i, step in enumerate(self._steps) if not self._given(*step)),
                        len(self._steps))

    @property
    def done(self) -> bool:
        return self.pos >= len(self._steps)

    def _given(self, part: str, what: str) -> bool:
        w = self.record
        if part == "overall":
            return bool(w.confidence if what == "confidence" else w.explanation)
        j = w.components.get(part)
        comp = spec().component(part)
        if what == "notes" or (comp and comp.optional):
            return True  # never required: not a place to resume
        if j is None:
            return False
        if what.startswith("study:"):
            return what[6:] in j.studies
        return bool(getattr(j, what))

    def step(self) -> Step | None:
        if self.done:
            return None
        s = spec()
        part, what = self._steps[self.pos]
        f = self.finding
        title = f"{f.id} · {self.record.assessor} · step {self.pos + 1} of {len(self._steps)}"
        if part == "overall":
            if what == "confidence":
                return Step("overall.confidence", title, f"Overall: confidence in “{f.statement}”",
                            "", self._choices(s.confidence), self.record.confidence)
            current = self.record.explanation or self.draft()
            return Step("overall.explanation", title, "Explanation of the overall assessment "
                        "(drafted from the levels: edit it, then Enter)", "", [], current)
        comp = s.component(part)
        j = self.record.components.get(part) or Judgement()
        help_ = "\n".join(self.evidence.lines(part))
        if what == "concern":
            skip = " (optional: Enter to skip)" if comp.optional else ""
            return Step(f"{part}.concern", title, f"{comp.name}: concerns{skip}", help_,
                        self._choices(s.concerns), j.concern)
        if what == "explanation":
            return Step(f"{part}.explanation", title, f"{comp.name}: explanation", help_, [],
                        j.explanation)
        if what.startswith("study:"):
            study = what[6:]
            cite = self.evidence.studies[f.studies.index(study)]
            facts = "; ".join(f"{k} {v}" for k, v in cite.facts.items() if v)
            return Step(f"{part}.{study}", title, f"Relevance of {cite.cite} to the review "
                        "question", facts, [f"{i} {m}" for i, m in enumerate(s.relevance, 1)],
                        j.studies.get(study, ""))
        return Step(f"{part}.notes", title, f"{comp.name}: private notes (Enter to skip)", "",
                    [], j.notes)

    def draft(self) -> str:
        w = self.record
        if not w.confidence:
            return ""
        return draft_explanation(w.confidence, {k: j.concern for k, j in w.components.items()})

    def submit(self, text: str) -> None:
        """Record the typed answer (a number, a value or a label), save, and move on. The
        file is read again first if it changed since (another sitting, a hand edit): only
        this one answer is written over it."""
        if yamlfile.stamp(self._path()) != self._stamp:
            self.record = open_worksheet(self.project, self.findings, self.finding.id,
                                         self.record.assessor)
        s = spec()
        part, what = self._steps[self.pos]
        text = text.strip()
        w = self.record
        comp = s.component(part)
        if part == "overall":
            if what == "confidence":
                w.confidence = self._pick(text, list(s.confidence), s.confidence)
            else:
                if not text:
                    raise ReviewkitError("the overall assessment needs an explanation",
                                         field="overall.explanation")
                w.explanation = text
        else:
            j = w.components.setdefault(part, Judgement())
            if what == "concern":
                if not text and comp.optional:
                    if not j.concern:
                        del w.components[part]
                    self.pos += 3  # skip its explanation and notes
                    self._save()
                    return
                j.concern = self._pick(text, list(s.concerns), s.concerns)
            elif what == "explanation":
                if not text:
                    raise ReviewkitError(f"{comp.name}: an explanation is required",
                                         field=f"{part}.explanation")
                j.explanation = text
            elif what.startswith("study:"):
                j.studies[what[6:]] = self._pick(text, list(s.relevance),
                                                 {m: {"label": m} for m in s.relevance})
            else:
                j.notes = text
        self._save()
        self.pos += 1

    def _save(self) -> None:
        """Each answer under the project lock, held only while writing (a form may stay
        open for an hour; another assessor's form in the same folder must not wait)."""
        w = self.record
        w.status = "final" if not w.missing() else "draft"
        with lock(self.project):
            save_worksheet(self.project, w, self.finding)
            self._stamp = yamlfile.stamp(self._path())

    def _path(self) -> Path:
        return sheet_path(self.project, self.record)

    def back(self) -> None:
        self.pos = max(0, self.pos - 1)

    @staticmethod
    def _choices(options: dict[str, dict]) -> list[str]:
        return [f"{i} {o['label']}" for i, o in enumerate(options.values(), 1)]

    @staticmethod
    def _pick(text: str, values: list[str], options: dict[str, dict]) -> str:
        if text.isdigit() and 1 <= int(text) <= len(values):
            return values[int(text) - 1]
        value = match(text, options) if text else None
        if value is None:
            shown = ", ".join(f"{i} ({v})" for i, v in enumerate(values, 1))
            raise ReviewkitError(f"type one of {shown}")
        return value
