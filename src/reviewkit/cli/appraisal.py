"""`reviewkit appraisal ...`: checklists, appraisals, comparison, consensus, tables, plots."""

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

app = typer.Typer(help="Critical appraisal (CASP and other checklists).", no_args_is_help=True)
ChecklistOpt = typer.Option(None, "--checklist", "-c", help="Checklist id or YAML file")
ReviewerOpt = reviewer_option("appraising")
FmtOpt = typer.Option("csv", "--format", "-f", help="csv, md, json, table, html, latex, docx")
OutOpt = typer.Option(None, "--output", "-o", help="Write to this file")


@app.command("checklists")
@user_errors
def checklists(ctx: typer.Context, fmt: str = typer.Option("table", "--format", "-f")) -> None:
    """List (and validate) the checklists: reviewkit's and the project's own (casp/)."""
    from reviewkit.appraisal.checklist import checklist_rows
    rows = checklist_rows(project_here(ctx))
    emit(rows, fmt, "Checklists", ["id", "title", "version", "questions", "from", "licence"])


@app.command("check")
@user_errors
def check(ctx: typer.Context) -> None:
    """Validate every checklist and appraisal file; exit 2 naming the first problem."""
    from reviewkit.appraisal.checklist import load_checklists
    from reviewkit.appraisal.records import load_appraisals
    project = project_here(ctx)
    records = load_appraisals(project)
    typer.echo(f"ok: {len(load_checklists(project))} checklists, {len(records)} appraisals")


@app.command("summary")
@user_errors
def summary(ctx: typer.Context, checklist: str = ChecklistOpt, fmt: str = FmtOpt,
            output: Path = OutOpt) -> None:
    """Per-question answer counts across included studies (CASP Table 3)."""
    from reviewkit.appraisal.checklist import get_checklist
    from reviewkit.reporting.outputs import deliver
    from reviewkit.reporting.review_tables import casp_summary

    project = project_here(ctx)
    table, warnings = casp_summary(project, get_checklist(project, checklist))
    show(deliver(table, fmt, output, project.root), warnings)


@app.command("matrix")
@user_errors
def matrix(ctx: typer.Context, checklist: str = ChecklistOpt, fmt: str = FmtOpt,
           output: Path = OutOpt) -> None:
    """Each study's answers, study by question."""
    from reviewkit.appraisal.checklist import get_checklist
    from reviewkit.reporting.outputs import deliver
    from reviewkit.reporting.review_tables import casp_matrix

    project = project_here(ctx)
    table, warnings = casp_matrix(project, get_checklist(project, checklist))
    show(deliver(table, fmt, output, project.root), warnings)


@app.command("plot")
@user_errors
def plot(ctx: typer.Context, output: Path = typer.Argument(..., help="File stem: writes "
                                                           ".svg and .png"),
         kind: str = typer.Option("traffic-light", help="traffic-light or summary"),
         checklist: str = ChecklistOpt,
         weight: list[str] = typer.Option(None, help="STUDY=WEIGHT for the summary plot")
         ) -> None:
    """robvis-style traffic-light or weighted summary bar plot (SVG and PNG)."""
    from reviewkit.appraisal.checklist import get_checklist
    from reviewkit.reporting.robplots import plot_appraisals

    project = project_here(ctx)
    paths, warnings = plot_appraisals(project, get_checklist(project, checklist), kind, output,
                                      weight)
    show(None, warnings)
    typer.echo("wrote " + ", ".join(str(p) for p in paths))


@app.command("enter")
@user_errors
def enter(ctx: typer.Context, study: str, reviewer: str = ReviewerOpt,
          checklist: str = ChecklistOpt) -> None:
    """Answer a checklist from the keyboard; each answer is saved as it is given."""
    from reviewkit.appraisal.checklist import get_checklist
    from reviewkit.screening.reviewers import resolve_reviewer
    from reviewkit.tui.appraise import appraise_app

    project = project_here(ctx)
    reviewer = resolve_reviewer(project, reviewer, "appraising")
    app_ = appraise_app(project, study, reviewer, get_checklist(project, checklist))
    run_app(app_)
    typer.echo(f"saved to {app_.walk.record.path}")


@app.command("import")
@user_errors
def import_(ctx: typer.Context, file: Path, checklist: str = ChecklistOpt,
            replace: bool = typer.Option(False, help="Overwrite existing records")) -> None:
    """Import appraisals from CSV or YAML (all rows or nothing)."""
    from reviewkit.appraisal.checklist import get_checklist
    from reviewkit.appraisal.importer import import_appraisals
    from reviewkit.project.session import lock

    project = project_here(ctx)
    with lock(project):
        chk = get_checklist(project, checklist) if checklist else None
        paths = import_appraisals(project, file, chk, replace)
    typer.echo(paths.line("appraisals"))


@app.command("compare")
@user_errors
def compare_(ctx: typer.Context, study: str, checklist: str = ChecklistOpt,
             reviewers: str = typer.Option(None, help="a,b (default: all)"),
             fmt: str = typer.Option("table", "--format", "-f")) -> None:
    """List the questions two reviewers answered differently."""
    from reviewkit.appraisal.checklist import get_checklist
    from reviewkit.appraisal.compare import disagreements
    project = project_here(ctx)
    records, found = disagreements(project, study, get_checklist(project, checklist),
                                   names(reviewers))
    rows = [{"question": d.question, "text": d.text, **{r: v or "" for r, v in d.answers.items()}}
            for d in found]
    if not rows:
        typer.echo(f"{study}: {len(records)} appraisals agree on every question")
        return
    emit(rows, fmt, f"Disagreements on {study}")


@app.command("consensus")
@user_errors
def consensus(ctx: typer.Context, study: str, checklist: str = ChecklistOpt,
              set_: list[str] = typer.Option(None, "--set", help="q7=yes or q7=@reviewer"),
              reviewers: str = typer.Option(None, help="a,b (default: all)"),
              replace: bool = typer.Option(False, help="Overwrite a consensus that differs")
              ) -> None:
    """Record the agreed appraisal (casp/<study>/consensus.yaml)."""
    from reviewkit.appraisal.checklist import get_checklist
    from reviewkit.appraisal.compare import record_consensus
    from reviewkit.project.session import lock

    project = project_here(ctx)
    with lock(project):
        said = record_consensus(project, study, get_checklist(project, checklist),
                                pairs(set_, "QUESTION=ANSWER"), names(reviewers), replace)
    typer.echo(said)


