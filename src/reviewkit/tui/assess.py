"""`reviewkit synthesis assess`: a finding's CERQual worksheet from the keyboard.

The appraisal form (StepFormApp) over a CERQual walk: each answer is saved as given.
"""

from __future__ import annotations

from collections.abc import Callable

from reviewkit.project.config import Project
from reviewkit.synthesis.confidence.walk import AssessWalk
from reviewkit.tui.stepform import StepFormApp


def assess_app(project: Project, finding: str, assessor: str,
               on_saved: Callable[[str], None] | None = None) -> StepFormApp:
    walk = AssessWalk(project, finding, assessor)
    app = StepFormApp(walk, on_saved)
    app.title = "GRADE-CERQual worksheet"
    app.sub_title = f"{finding} · {assessor}"
    return app
