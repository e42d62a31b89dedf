"""The review report: PRISMA diagram, searches, deduplication, screening, appraisal and
extraction, as Markdown, one self-contained HTML page, DOCX and LaTeX.

    from reviewkit.project.session import session
    from reviewkit.reporting.report import write_report

    with session(".") as (project, store):
        report, paths = write_report(project, store)      # writes report/

``build_report`` gives the data, ``render_report`` / ``render_docx`` one format.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

# name -> submodule; loaded on first use, so that `status` can read [stopping] from
# reporting.report.settings without importing the report (Jinja2, numpy, matplotlib)
_WHERE = {"build_report": "build", "render_docx": "docx", "Problem": "model",
          "Report": "model", "render_report": "render", "DEFAULT_FOLDER": "write",
          "report_files": "write", "write_report": "write"}
__all__ = sorted(_WHERE)


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(import_module(f"reviewkit.reporting.report.{_WHERE[name]}"), name)
    raise AttributeError(name)
