"""The review report: PRISMA diagram, searches, deduplication, screening, appraisal and
extraction, as Markdown, one self-contained HTML page, DOCX and LaTeX.

    from reviewkit.project.session import session
    from reviewkit.reporting.report import write_report

    with session(".") as (project, store):
        report, paths = write_report(project, store)      # writes report/

``build_report`` gives the data, ``render_report`` / ``render_docx`` one format.
"""

from reviewkit.reporting.report.build import build_report
from reviewkit.reporting.report.docx import render_docx
from reviewkit.reporting.report.model import Problem, Report
from reviewkit.reporting.report.render import render_report
from reviewkit.reporting.report.write import DEFAULT_FOLDER, report_files, write_report

__all__ = ["DEFAULT_FOLDER", "Problem", "Report", "build_report", "render_docx",
           "render_report", "report_files", "write_report"]
