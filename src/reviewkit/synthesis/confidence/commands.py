"""The rows the `synthesis findings / compare / consensus` commands show, built once here."""

from __future__ import annotations

from reviewkit.project.config import Project
from reviewkit.synthesis.confidence import compare as cmp
from reviewkit.synthesis.confidence.findings import citations, load_findings

FINDING_COLUMNS = ["finding", "statement", "themes", "studies", "segments", "words"]


def finding_rows(project: Project) -> list[dict]:
    """Each finding with its themes and the studies and segments computed from them."""
    findings = load_findings(project)
    cites = citations(project)
    return [{"finding": f.id, "statement": f.statement, "themes": ", ".join(f.themes),
             "studies": "; ".join(cites.get(s, s) for s in f.studies),
             "segments": len(f.segments), "words": f.words}
            for f in findings.findings.values()]


def compare_rows(project: Project, finding: str | None, assessors: list[str] | None = None
                 ) -> tuple[list[dict], str]:
    """(rows, note). With a finding: each component, every assessor's level and whether
    they agree. Without: agreement per component over every finding judged twice."""
    findings = load_findings(project)
    if finding is None:
        rows = cmp.agreement(project, findings)
        return rows, ("" if rows else "no finding has two assessors' worksheets yet")
    sheets = cmp.assessor_sheets(project, findings, finding, assessors)
    if len(sheets) < 2:
        return [], f"{finding}: {len(sheets)} assessor worksheet(s); nothing to compare"
    rows = [{"component": c.part, "name": c.name, **{a: v or "" for a, v in c.levels.items()},
             "agree": "yes" if c.agreed else "no"} for c in cmp.compare(sheets)]
    off = [r["component"] for r in rows if r["agree"] == "no"]
    note = (f"{finding}: {len(rows) - len(off)} of {len(rows)} agree; disagreements: "
            f"{', '.join(off)}" if off else f"{finding}: the assessors agree on every level")
    return rows, note


def consensus(project: Project, finding: str, resolutions: dict[str, str],
              explanations: dict[str, str], assessors: list[str] | None = None,
              replace: bool = False) -> str:
    """The consensus worksheet written (or left: the same again), said in one line."""
    return cmp.record_consensus(project, load_findings(project), finding, resolutions,
                                explanations, assessors, replace)
