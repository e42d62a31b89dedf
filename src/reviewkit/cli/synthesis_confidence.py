"""`reviewkit synthesis findings / assess / compare / consensus / soqf / profile / conqual /
judgements`: confidence in the review findings (GRADE-CERQual, ConQual)."""

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
from reviewkit.cli.synthesis import app
from reviewkit.tui.run import run_app

AssessorOpt = reviewer_option("assessing")
TableFmt = typer.Option("table", "--format", "-f",
                        help="table, md, html, latex, csv, json or docx (with -o)")
OutOpt = typer.Option(None, "--output", "-o", help="Write to this file")
AssessorsOpt = typer.Option(None, "--assessors", help="a,b (default: all)")


@app.command("findings")
@user_errors
def findings_(ctx: typer.Context, fmt: str = typer.Option("table", "--format", "-f")) -> None:
    """The review findings, with the studies and segments computed from their themes."""
    from reviewkit.synthesis.confidence.commands import FINDING_COLUMNS, finding_rows

    emit(finding_rows(project_here(ctx)), fmt, "Review findings",
         FINDING_COLUMNS)


@app.command("assess")
@user_errors
def assess(ctx: typer.Context, finding: str, assessor: str = AssessorOpt) -> None:
    """Fill a finding's GRADE-CERQual worksheet from the keyboard; each answer is saved."""
    from reviewkit.screening.reviewers import resolve_reviewer
    from reviewkit.tui.assess import assess_app

    project = project_here(ctx)
    name = resolve_reviewer(project, assessor, "assessing")
    app_ = assess_app(project, finding, name)  # saves each answer under the lock
    run_app(app_)
    typer.echo(f"saved to {project.relative(app_.walk.record.path)}"
               if app_.walk.record.path and app_.walk.record.path.exists() else "nothing saved")


@app.command("compare")
@user_errors
def compare_(ctx: typer.Context, finding: str = typer.Argument(None, help="A finding id "
                                                                "(default: every finding)"),
             assessors: str = AssessorsOpt,
             fmt: str = typer.Option("table", "--format", "-f")) -> None:
    """Two assessors' CERQual levels side by side: agreement per component."""
    from reviewkit.synthesis.confidence.commands import compare_rows

    rows, note = compare_rows(project_here(ctx), finding, names(assessors))
    if rows:
        emit(rows, fmt, f"CERQual: {finding}" if finding else "CERQual agreement")
    if note and fmt in ("table", "md") or not rows:
        typer.echo(note)


@app.command("consensus")
@user_errors
def consensus_(ctx: typer.Context, finding: str,
               set_: list[str] = typer.Option(None, "--set",
                                              help="coherence=minor or coherence=@assessor"),
               explain: list[str] = typer.Option(None, "--explain",
                                                 help="COMPONENT=agreed explanation"),
               assessors: str = AssessorsOpt,
               replace: bool = typer.Option(False, help="Overwrite a consensus that differs")
               ) -> None:
    """Record the agreed worksheet (synthesis/cerqual/<finding>/consensus.yaml)."""
    from reviewkit.project.session import lock
    from reviewkit.synthesis.confidence.commands import consensus

    project = project_here(ctx)
    with lock(project):
        said = consensus(project, finding, pairs(set_, "COMPONENT=VALUE"),
                         pairs(explain, "COMPONENT=VALUE", "--explain"), names(assessors),
                         replace)
    typer.echo(said)


def _table(ctx: typer.Context, builder: str, fmt: str, output: Path | None) -> None:
    from reviewkit.reporting.outputs import deliver
    from reviewkit.synthesis.confidence import tables

    project = project_here(ctx)
    table, warnings = getattr(tables, builder)(project)
    show(deliver(table, fmt, output, project.root), warnings)


@app.command("soqf")
@user_errors
def soqf(ctx: typer.Context, fmt: str = TableFmt, output: Path = OutOpt) -> None:
    """The Summary of Qualitative Findings (GRADE-CERQual)."""
    _table(ctx, "soqf_table", fmt, output)


@app.command("profile")
@user_errors
def profile(ctx: typer.Context, fmt: str = TableFmt, output: Path = OutOpt) -> None:
    """The GRADE-CERQual Evidence Profile (each component, with the studies' appraisals)."""
    _table(ctx, "evidence_profile_table", fmt, output)


@app.command("conqual")
@user_errors
def conqual(ctx: typer.Context, fmt: str = TableFmt, output: Path = OutOpt) -> None:
    """The ConQual Summary of Findings (meta-aggregation), computed with its reasons."""
    _table(ctx, "conqual_table", fmt, output)


@app.command("judgements")
@user_errors
def judgements(ctx: typer.Context, fmt: str = typer.Option("json", "--format", "-f"),
               output: Path = OutOpt) -> None:
    """Every CERQual judgement of every worksheet (JSON by default)."""
    _table(ctx, "judgements_table", fmt, output)


@app.command("jbi-checklist")
@user_errors
def jbi_checklist(ctx: typer.Context) -> None:
    """Copy the JBI Critical Appraisal Checklist for Qualitative Research into casp/."""
    from reviewkit.project.session import lock
    from reviewkit.synthesis.confidence.conqual import install_jbi

    project = project_here(ctx)
    with lock(project):
        path = install_jbi(project)
    typer.echo(f"wrote {project.relative(path)} (JBI's text: see the notice on top)")
