"""`reviewkit dedup ...`: find duplicates, review uncertain pairs, report."""

from __future__ import annotations

import typer

from reviewkit.cli.common import (
    FormatOpt,
    emit,
    project_dir,
    reviewer_option,
    user_errors,
    warn_all,
)

app = typer.Typer(help="Find duplicate records across databases; nothing is ever deleted.",
                  invoke_without_command=True)


@app.callback()
@user_errors
def dedup(ctx: typer.Context, fmt: str = FormatOpt,
          force: bool = typer.Option(False, help="Recompute even if nothing changed")) -> None:
    """Cluster duplicates: certain ones linked, possible ones queued for a person."""
    from reviewkit.dedup.judgements import judgement_warnings
    from reviewkit.dedup.run import run_dedup
    from reviewkit.project.session import session

    if ctx.invoked_subcommand:
        return
    with session(project_dir(ctx), sync=True) as (project, store):
        (project.root / "dedup").mkdir(exist_ok=True)
        summary = run_dedup(project, store, force=force)
        problems = judgement_warnings(project, store)
    emit([summary.__dict__], fmt, "Deduplication")
    warn_all(problems)


@app.command()
@user_errors
def report(ctx: typer.Context, fmt: str = FormatOpt,
           show_merges: bool = typer.Option(False, "--merges", help="List every merge")) -> None:
    """Counts per database (found, duplicates of which database) or the merges."""
    from reviewkit.dedup.judgements import judgement_warnings
    from reviewkit.dedup.report import merges, per_database
    from reviewkit.project.session import session

    with session(project_dir(ctx.parent)) as (project, store):
        rows = merges(store) if show_merges else per_database(store)
        problems = judgement_warnings(project, store)
    emit(rows, fmt, "Merges" if show_merges else "Duplicates per source")
    warn_all(problems)


@app.command()
@user_errors
def judge(ctx: typer.Context, a: str, b: str,
          same: bool = typer.Option(False, "--same", help="The two are one record"),
          different: bool = typer.Option(False, "--different", help="They are not"),
          reviewer: str = reviewer_option("judging duplicates")
          ) -> None:
    """Record a person's judgement of a pair; it overrides the method on every rebuild."""
    from reviewkit.dedup.judgements import judgement_problems, said_same
    from reviewkit.dedup.run import record_judgement
    from reviewkit.project.session import session
    from reviewkit.screening.reviewers import resolve_reviewer

    same = said_same(same, different)  # before the project is opened
    with session(project_dir(ctx.parent)) as (project, store):
        record_judgement(project, store, a, b, same,
                         resolve_reviewer(project, reviewer, "judging duplicates"))
    typer.echo(f"{a} and {b}: {'same record' if same else 'different records'}")
    warn_all(judgement_problems(project))


@app.command()
@user_errors
def review(ctx: typer.Context,
           reviewer: str = reviewer_option("judging duplicates")
           ) -> None:
    """Judge possible duplicate pairs side by side: s same, d different, k skip, u undo."""
    from reviewkit.dedup.judgements import judgement_problems
    from reviewkit.project.config import find_project
    from reviewkit.tui.dedup_review import run_review  # Textual loads for this command only

    typer.echo(run_review(project_dir(ctx.parent), reviewer))
    warn_all(judgement_problems(find_project(project_dir(ctx.parent))))
