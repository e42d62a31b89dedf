"""`reviewkit report`: the review report folder (diagram, tables, MD/HTML/DOCX/LaTeX)."""

from __future__ import annotations

from pathlib import Path

import typer

from reviewkit.cli.common import project_dir, user_errors, warn, warn_all


@user_errors
def report(ctx: typer.Context,
           output: Path = typer.Option(None, "--output", "-o",
                                       help="Folder to write (default: report/ in the project)"),
           counts: Path = typer.Option(
               None, "--counts", "-c", help="PRISMA2020 counts CSV whose numbers override the "
               "computed ones (default: [report] counts in reviewkit.toml)"),
           ) -> None:
    """Write the review report: PRISMA diagram, searches, dedup, screening, appraisal and
    extraction tables, as report.md, report.html, report.docx and report.tex."""
    from reviewkit.project.problems import log_problems
    from reviewkit.project.session import session
    from reviewkit.reporting.prisma.files import check_output_folder
    from reviewkit.reporting.report import DEFAULT_FOLDER, write_report

    with session(project_dir(ctx)) as (project, store):
        check_output_folder(output if output is not None else project.root / DEFAULT_FOLDER)
        result, paths = write_report(project, store, output, counts)
        skipped = log_problems(project)
    show_written(result, paths, skipped)


def show_written(result, paths: list[Path], skipped: list[str], where: str = "") -> None:
    """What the report could not add up or draw, then where it was written."""
    warn_all(skipped, "skipped: ")
    for problem in result.problems:
        warn(f"counts do not add up: {problem.message}"
             + (f"; records still open: {problem.ids_text}" if problem.record_ids else ""))
    if result.diagram.missing:
        warn(result.diagram.missing)
    for note in result.notes:
        warn(note)
    typer.echo(f"wrote {len(paths)} files to {paths[0].parent}{where}", err=True)
