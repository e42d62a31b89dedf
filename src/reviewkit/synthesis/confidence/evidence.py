"""What the project knows for each CERQual component of a finding: the assessor decides.

Methodological limitations: each contributing study's appraisal answers, the studies
carrying most of the finding's segments first. Adequacy: studies, segments, words and
participants. Relevance: each study's country, setting and population from extraction.
Coherence: segments flagged as contradicting the finding.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from reviewkit.appraisal.checklist import Checklist, load_checklists
from reviewkit.appraisal.records import Appraisal
from reviewkit.appraisal.summary import final_appraisals
from reviewkit.extraction.form import load_forms
from reviewkit.extraction.table import final_extractions
from reviewkit.project.config import Project
from reviewkit.synthesis.confidence.cerqual import spec
from reviewkit.synthesis.confidence.findings import Finding


@dataclass
class StudyEvidence:
    study: str
    cite: str
    segments: int
    appraisal: str = ""  # "CASP Qualitative Studies Checklist: Q1 Yes; ..."
    facts: dict[str, str] = field(default_factory=dict)  # participants, country, ...


@dataclass
class Evidence:
    finding: Finding
    studies: list[StudyEvidence]

    @property
    def participants(self) -> int | None:
        ns = [int(s.facts["participants"]) for s in self.studies
              if str(s.facts.get("participants", "")).isdigit()]
        return sum(ns) if ns else None

    def lines(self, component: str) -> list[str]:
        """What the form shows under ``component``."""
        f = self.finding
        if component == "limitations":
            return [f"{s.cite} ({_n(s.segments, 'segment')}): "
                    f"{s.appraisal or 'no final appraisal'}" for s in self.studies]
        if component == "adequacy":
            people = self.participants
            return [f"{len(f.studies)} studies, {len(f.segments)} segments, {f.words} words, "
                    f"participants: {people if people is not None else 'not extracted'}"]
        if component == "relevance":
            return [f"{s.cite}: " + "; ".join(f"{k} {v}" for k, v in s.facts.items()
                                              if k != "participants" and v)
                    for s in self.studies]
        if component == "coherence":
            if not f.contradicting:
                return ["no code marks segments contradicting this finding (findings.yaml "
                        "`contradicting:`)"]
            return [f"contradicting: {s.text}" for s in f.against] or \
                ["no segment is coded as contradicting"]
        return []


def _n(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def chosen_appraisals(project: Project) -> dict[str, tuple[Checklist, Appraisal]]:
    """Study -> its counted appraisal (consensus first), over every checklist."""
    out: dict[str, tuple[Checklist, Appraisal]] = {}
    for checklist in load_checklists(project).values():
        for a in final_appraisals(project, checklist)[0]:
            out.setdefault(a.study, (checklist, a))
    return out


def answers_text(checklist: Checklist, a: Appraisal) -> str:
    return "; ".join(f"{q.id.upper()} {checklist.label(a.value(q.id) or '')}"
                     for q in checklist.questions if a.value(q.id))


def study_facts(project: Project) -> dict[str, dict[str, str]]:
    """Study -> participants, country, setting, population from final extractions (the
    field names cerqual.yaml lists, first found)."""
    wanted = spec().extraction
    out: dict[str, dict[str, str]] = {}
    for form in load_forms(project).values():
        for e in final_extractions(project, form)[0]:
            facts = out.setdefault(e.study, {})
            for key, names in wanted.items():
                if facts.get(key):
                    continue
                found = [(name, _value(e.values, name)) for name in names]
                found = [(n, v) for n, v in found if v not in (None, "", [])]
                if key == "population" and len(found) > 1:
                    facts[key] = "; ".join(f"{n.replace('_', ' ')}: {v}" for n, v in found)
                elif found:
                    facts[key] = str(found[0][1])
    return out


def _value(values: dict[str, Any], name: str) -> Any:
    head, _, sub = name.partition(".")
    value = values.get(head)
    if not sub:
        return value
    if isinstance(value, list):  # a group: the sum of its members' numbers
        ns = [v.get(sub) for v in value if isinstance(v, dict)]
        ns = [n for n in ns if isinstance(n, int)]
        return sum(ns) if ns else None
    return None


def gather(project: Project, finding: Finding, cites: dict[str, str]) -> Evidence:
    appraisals = chosen_appraisals(project)
    facts = study_facts(project)
    rows = []
    for study in finding.studies:
        text = ""
        if study in appraisals:
            checklist, a = appraisals[study]
            text = f"{checklist.title}: {answers_text(checklist, a)}"
        rows.append(StudyEvidence(study, cites.get(study, study), finding.per_study[study],
                                  text, facts.get(study, {})))
    return Evidence(finding, rows)
