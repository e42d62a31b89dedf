"""Worksheets that were assessed on other evidence, for `reviewkit status`."""

from __future__ import annotations

from reviewkit.errors import ReviewkitError
from reviewkit.project.config import Project
from reviewkit.synthesis.confidence.counted import counted
from reviewkit.synthesis.confidence.findings import FINDINGS, load_findings
from reviewkit.synthesis.confidence.worksheet import load_worksheets, stale_warning


def stale_assessments(project: Project) -> list[str]:
    """The stale-worksheet warnings soqf and the report give, for the worksheets that
    count; [] without findings. A broken findings or worksheet file is one warning here
    (status still shows the rest), where soqf refuses it."""
    if not (project.root / FINDINGS).is_file():
        return []
    try:
        findings = load_findings(project)
        sheets = load_worksheets(project, findings)
    except ReviewkitError as e:
        return [f"{e} (the CERQual tables cannot be made until it is mended)"]
    out = []
    for finding in findings.findings.values():
        sheet, _ = counted(sheets, finding.id)
        warning = stale_warning(project, sheet, finding) if sheet else ""
        if warning:
            out.append(warning)
    return out
