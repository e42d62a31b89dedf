"""`reviewkit appraisal enter`: answer a checklist for one study from the keyboard."""

from __future__ import annotations

from collections.abc import Callable

from reviewkit.appraisal.checklist import Checklist
from reviewkit.appraisal.walk import ChecklistWalk
from reviewkit.project.config import Project
from reviewkit.tui.stepform import StepFormApp


def appraise_app(project: Project, study: str, reviewer: str, checklist: Checklist,
                 on_saved: Callable[[str], None] | None = None) -> StepFormApp:
    app = StepFormApp(ChecklistWalk(project, study, reviewer, checklist), on_saved)
    app.title = f"{checklist.title} ({checklist.version})"
    app.sub_title = f"{study} · {reviewer}"
    return app
