"""`reviewkit extraction enter`: fill in an extraction form for one study from the keyboard."""

from __future__ import annotations

from collections.abc import Callable

from reviewkit.extraction.form import Form
from reviewkit.extraction.walk import FormWalk
from reviewkit.project.config import Project
from reviewkit.tui.stepform import StepFormApp


def extract_app(project: Project, study: str, reviewer: str, form: Form,
                on_saved: Callable[[str], None] | None = None) -> StepFormApp:
    app = StepFormApp(FormWalk(project, study, reviewer, form), on_saved)
    app.title = form.title
    app.sub_title = f"{study} · {reviewer}"
    return app
