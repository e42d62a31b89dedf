"""`reviewkit studies ...`: included studies and the reports (records) each is built from."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from reviewkit.cli.common import FormatOpt, emit, project_dir, user_errors, warn, warn_all

if TYPE_CHECKING:
    from reviewkit.project.config import Project
    from reviewkit.screening import Screening

app = typer.Typer(help="Included studies (studies.toml): add, link or unlink reports, list, check.",
                  no_args_is_help=True)


def _warn_problems(project: Project, screening: Screening, unlinked: bool = False) -> int:
    from reviewkit.records.studies import check_studies

    problems = check_studies(project, screening.store, screening, strict=True,
                             unlinked=unlinked)
    for p in problems:
        warn(str(p))
    return len(problems)


@app.command("add")
@user_errors
def add(ctx: typer.Context, study: str = typer.Argument(..., metavar="ID",
        help="New study id, e.g. smith-2019"),
        report: str = typer.Option(..., "--report", help="Record id of a full-text include"),
        citation: str = typer.Option("", help="Citation (default: from the record)")) -> None:
    """Create a study from a full-text include."""
    from reviewkit.project.session import session
    from reviewkit.records.studies import add_study_line
    from reviewkit.screening import Screening

    with session(project_dir(ctx)) as (project, store):
        screening = Screening(project, store)
        typer.echo(add_study_line(project, screening, study, report, citation))
        _warn_problems(project, screening)


@app.command("link")
@user_errors
def link(ctx: typer.Context, study: str = typer.Argument(..., metavar="ID"),
         report: str = typer.Argument(..., metavar="RECORD")) -> None:
    """Link another report (a full-text include) to a study."""
    from reviewkit.project.session import session
    from reviewkit.records.studies import link_report_line
    from reviewkit.screening import Screening

    with session(project_dir(ctx)) as (project, store):
        screening = Screening(project, store)
        typer.echo(link_report_line(project, screening, study, report))
        _warn_problems(project, screening)


@app.command("unlink")
@user_errors
def unlink(ctx: typer.Context, study: str = typer.Argument(..., metavar="ID"),
           report: str = typer.Argument(..., metavar="RECORD")) -> None:
    """Remove a report from a study (e.g. one excluded at full text after it was linked)."""
    from reviewkit.project.session import session
    from reviewkit.records.studies import unlink_report
    from reviewkit.screening import Screening

    with session(project_dir(ctx)) as (project, store):
        rid = unlink_report(project, Screening(project, store), study, report)
    typer.echo(f"unlinked {rid} from study {study}")


@app.command("list")
@user_errors
def list_(ctx: typer.Context, fmt: str = FormatOpt) -> None:
    """The studies, their reports, and any report that is not a full-text include."""
    from reviewkit.project.session import session
    from reviewkit.records.studies import study_rows
    from reviewkit.screening import Screening

    with session(project_dir(ctx)) as (project, store):
        screening = Screening(project, store)
        rows = study_rows(project, screening)
        warn_all(screening.problems())
    emit(rows, fmt, "Studies", None if rows else ["study", "reports", "citation"])


@app.command("check")
@user_errors
def check(ctx: typer.Context) -> None:
    """Each linked report exists and was included at full text; exit 1 naming each that
    does not (studies.toml and line)."""
    from reviewkit.project.session import session
    from reviewkit.records.studies import load_studies
    from reviewkit.screening import Screening

    with session(project_dir(ctx)) as (project, store):
        screening = Screening(project, store)
        bad = _warn_problems(project, screening, unlinked=True)
        studies = load_studies(project)
    reports = sum(len(s.reports) for s in studies)
    typer.echo(f"{len(studies)} studies, {reports} reports"
               + (f", {bad} with problems" if bad else ": every report is a full-text include"))
    if bad:
        raise typer.Exit(1)
