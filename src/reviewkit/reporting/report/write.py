"""Write the report folder: every file rendered in memory first, then written whole."""

from __future__ import annotations

from pathlib import Path

from reviewkit.appraisal.checklist import load_checklists
from reviewkit.errors import ReviewkitError
from reviewkit.project.config import Project
from reviewkit.project.owned import refuse_owned
from reviewkit.reporting.prisma.files import write_file
from reviewkit.reporting.report.build import appraisal_stems, build_report
from reviewkit.reporting.report.diagram import FORMATS
from reviewkit.reporting.report.docx import render_docx
from reviewkit.reporting.report.folder import refuse_project_folder
from reviewkit.reporting.report.model import Report
from reviewkit.reporting.report.render import render_report
from reviewkit.reporting.report.synthesis import FLOWCHART, HEATMAP
from reviewkit.store.base import Store

DEFAULT_FOLDER = "report"


def report_files(report: Report, project_root: Path | None = None) -> dict[str, bytes]:
    """File name -> content: the four documents, the diagram's and the plots' files."""
    files = {
        "report.md": render_report(report, "md", project_root).encode("utf-8"),
        "report.html": render_report(report, "html", project_root).encode("utf-8"),
        "report.tex": render_report(report, "latex", project_root).encode("utf-8"),
        "report.docx": render_docx(report, project_root),
    }
    return {**files, **report.files()}


def write_report(project: Project, store: Store, output: Path | None = None,
                 counts_file: Path | None = None) -> tuple[Report, list[Path]]:
    """Build and write the report (default folder: ``report/`` in the project).

    A user error (a bad counts file, an invalid checklist…) raises before any file is
    written; each file is replaced whole, never left half-written.
    """
    folder = output if output is not None else project.root / DEFAULT_FOLDER
    _check_folder(folder)
    refuse_project_folder(folder, project)
    report = build_report(project, store, counts_file)
    files = report_files(report, project.root)
    for name in files:  # every name checked before the first file is written
        refuse_owned(folder / name)
    written = []
    for name, data in files.items():
        try:
            write_file(folder / name, data)
        except OSError as exc:
            raise ReviewkitError(f"cannot write the report: {exc.strerror or exc}",
                                 file=str(folder / name)) from None
        written.append(folder / name)
    # an earlier run's picture must not pass for this run's; only names the report
    # gives its pictures, never another file in a folder the team shares
    old = [folder / f"prisma.{fmt}" for fmt in FORMATS]
    old += [folder / f"{stem}.{fmt}" for stem in _plot_stems(project) for fmt in ("svg", "png")]
    for path in old:
        if path.name not in files:
            path.unlink(missing_ok=True)
    return report, written


def _plot_stems(project: Project) -> list[str]:
    """Every name the report can give a plot in this project (build.appraisal_figures,
    synthesis.HEATMAP / FLOWCHART): a shared folder's other files are never touched."""
    stems = [HEATMAP, FLOWCHART]
    for checklist in load_checklists(project):
        stems += appraisal_stems(checklist)
    return stems


def _check_folder(folder: Path) -> None:
    """The report is a folder of files: refuse a path that is a file, or under one."""
    for path in (folder, *folder.parents):
        if path.exists():
            if not path.is_dir():
                raise ReviewkitError("the report is a folder of files, and this is a file: "
                                     "give a folder with -o", file=str(path))
            return
