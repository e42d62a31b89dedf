"""`reviewkit screen stop`: may this reviewer stop screening? The stopping test's verdict."""

from __future__ import annotations

import json

import typer

from reviewkit.cli.common import emit, project_dir, user_errors, warn_all
from reviewkit.cli.screening import StageOpt, app
from reviewkit.errors import ReviewkitError
from reviewkit.ranking.stopping_defaults import DEFAULT_CONFIDENCE

COLUMNS = ["stage", "reviewer", "screened", "total", "relevant_found", "p_value",
           "criterion_met", "recall_lower_bound", "estimated_recall", "unscreened",
           "consecutive_irrelevant", "bias", "left_without_abstract"]


@app.command("stop")
@user_errors
def stop(ctx: typer.Context,
         reviewer: str = typer.Option(None, "--reviewer", "-r", help="One reviewer "
                                      "(default: everyone who screened)"),
         stage: str = StageOpt,
         target: float = typer.Option(None, help="Recall target (default: [stopping] or 0.95)"),
         confidence: float = typer.Option(None, help="Level of each check (default: "
                                          f"[stopping] or {DEFAULT_CONFIDENCE:g})"),
         fmt: str = typer.Option("text", "--format", "-f", help="text, json, table, csv or md"),
         ) -> None:
    """The stopping test per reviewer and stage: verdict, p, recall estimate, records left."""
    from reviewkit.project.session import session
    from reviewkit.screening.data import Screening
    from reviewkit.screening.ranked import stop_lines, stopping_report

    for name, value in (("--target", target), ("--confidence", confidence)):
        if value is not None and not 0 < value < 1:
            raise ReviewkitError(f"{name} must be between 0 and 1, got {value}", field=name)
    with session(project_dir(ctx)) as (project, store):
        screening = Screening(project, store)
        rows = stopping_report(screening, stage, reviewer, target, confidence)
        warn_all(screening.problems())
    if fmt == "json":
        typer.echo(json.dumps(rows, indent=2, ensure_ascii=False))
    elif fmt == "text":
        typer.echo("\n".join(stop_lines(rows, reviewer)))
    else:
        emit(rows, fmt, "Stopping test", COLUMNS)
