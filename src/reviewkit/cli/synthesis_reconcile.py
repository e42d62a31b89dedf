"""`reviewkit synthesis reconcile`: two blind coders into a third reviewer's log."""

from __future__ import annotations

from pathlib import Path

import typer

from reviewkit.cli.common import emit, project_here, user_errors
from reviewkit.cli.synthesis import FmtOpt, app


@app.command("reconcile")
@user_errors
def reconcile_(ctx: typer.Context,
               coders: str = typer.Option(..., "--coders", help="A,B: the two blind coders"),
               judge: str = typer.Option(..., "--as", help="The reviewer whose log gets the "
                                         "reconciled coding (not A or B)"),
               take: list[str] = typer.Option([], "--take", help="ID=A|B|both|neither for a "
                                              "listed disagreement (repeatable)"),
               decisions: Path = typer.Option(None, "--decisions", help="CSV with columns "
                                              "id, take"),
               fmt: str = FmtOpt) -> None:
    """Copy what A and B agree on to the reviewer's log; list disagreements to decide
    (A's and B's logs are never written)."""
    from reviewkit.project.session import lock
    from reviewkit.synthesis.reconcile import reconcile_coders

    project = project_here(ctx)
    with lock(project):
        result = reconcile_coders(project, coders, judge, take, decisions)
    typer.echo(result.summary())
    if result.disagreements:
        emit(result.rows(), fmt, "Disagreements")
