"""`reviewkit extraction ...`: forms, extraction records, dual extraction, the table."""

from __future__ import annotations

from pathlib import Path

import typer

from reviewkit.cli.common import (
    emit,
    names,
    pairs,
    project_here,
    reviewer_option,
    show,
    user_errors,
)
from reviewkit.tui.run import run_app

app = typer.Typer(help="Data extraction forms, records and the characteristics table.",
                  no_args_is_help=True)
ReviewerOpt = reviewer_option("extracting")
FormOpt = typer.Option(None, "--form", help="Form id or YAML file (default: the only one)")


@app.command("forms")
@user_errors
def forms(ctx: typer.Context, fmt: str = typer.Option("table", "--format", "-f")) -> None:
    """List (and validate) the extraction forms in extraction/."""
    from reviewkit.extraction.form import load_forms
    rows = [{"id": f.id, "title": f.title, "version": f.version, "fields": len(f.fields)}
            for f in load_forms(project_here(ctx)).values()]
    emit(rows, fmt, "Extraction forms", ["id", "title", "version", "fields"])


@app.command("check")
@user_errors
def check(ctx: typer.Context) -> None:
    """Validate every form and extraction record; exit 2 naming the first problem."""
    from reviewkit.extraction.form import load_forms
    from reviewkit.extraction.records import load_extractions
    project = project_here(ctx)
    records = load_extractions(project)
    typer.echo(f"ok: {len(load_forms(project))} forms, {len(records)} extraction records")


@app.command("table")
@user_errors
def table(ctx: typer.Context, form: str = FormOpt,
          fmt: str = typer.Option("csv", "--format", "-f",
                                  help="csv, md, json, table, html, latex, docx"),
          output: Path = typer.Option(None, "--output", "-o")) -> None:
    """The characteristics of included studies (the form's table columns)."""
    from reviewkit.extraction.form import get_form
    from reviewkit.reporting.outputs import deliver
    from reviewkit.reporting.review_tables import characteristics

    project = project_here(ctx)
    result, warnings = characteristics(project, get_form(project, form))
    show(deliver(result, fmt, output, project.root), warnings)


@app.command("template")
@user_errors
def template(ctx: typer.Context, form: str = FormOpt,
             groups: int = typer.Option(2, help="Columns for this many entries per group")
             ) -> None:
    """Print a CSV header row to fill in a spreadsheet and import."""
    from reviewkit.extraction.form import get_form
    from reviewkit.extraction.importer import csv_header

    typer.echo(",".join(csv_header(get_form(project_here(ctx), form), groups)))


@app.command("enter")
@user_errors
def enter(ctx: typer.Context, study: str, reviewer: str = ReviewerOpt,
          form: str = FormOpt) -> None:
    """Fill in the form from the keyboard; each value is saved as it is given."""
    from reviewkit.extraction.form import get_form
    from reviewkit.screening.reviewers import resolve_reviewer
    from reviewkit.tui.extract import extract_app

    project = project_here(ctx)
    reviewer = resolve_reviewer(project, reviewer, "extracting")
    app_ = extract_app(project, study, reviewer, get_form(project, form))
    run_app(app_)
    typer.echo(f"saved to {app_.walk.record.path}")


@app.command("import")
@user_errors
def import_(ctx: typer.Context, file: Path, form: str = FormOpt,
            replace: bool = typer.Option(False, help="Overwrite existing records")) -> None:
    """Import extraction records from CSV or YAML (all rows or nothing)."""
    from reviewkit.extraction.form import get_form
    from reviewkit.extraction.importer import import_extractions
    from reviewkit.project.session import lock

    project = project_here(ctx)
    with lock(project):
        paths = import_extractions(project, file, get_form(project, form) if form else None,
                                   replace)
    typer.echo(paths.line("extraction records"))


@app.command("compare")
@user_errors
def compare_(ctx: typer.Context, study: str, form: str = FormOpt,
             reviewers: str = typer.Option(None, help="a,b (default: all)"),
             fmt: str = typer.Option("table", "--format", "-f")) -> None:
    """Compare two reviewers' extractions field by field."""
    from reviewkit.extraction.compare import differences
    from reviewkit.extraction.form import get_form
    project = project_here(ctx)
    records, found = differences(project, study, get_form(project, form), names(reviewers))
    rows = [{"field": d.field, "label": d.label, **d.values} for d in found]
    if not rows:
        typer.echo(f"{study}: {len(records)} extractions agree on every field")
        return
    emit(rows, fmt, f"Differences on {study}")


@app.command("consensus")
@user_errors
def consensus(ctx: typer.Context, study: str, form: str = FormOpt,
              set_: list[str] = typer.Option(None, "--set", help="field=value or field=@reviewer"),
              reviewers: str = typer.Option(None, help="a,b (default: all)"),
              replace: bool = typer.Option(False, help="Overwrite a consensus that differs")
              ) -> None:
    """Record the agreed extraction (extraction/<study>/consensus.yaml)."""
    from reviewkit.extraction.compare import record_consensus
    from reviewkit.extraction.form import get_form
    from reviewkit.project.session import lock

    project = project_here(ctx)
    with lock(project):
        said = record_consensus(project, study, get_form(project, form),
                                pairs(set_, "FIELD=VALUE"), names(reviewers), replace)
    typer.echo(said)
