"""`reviewkit screen ...` and `reviewkit reviewer ...`: dual screening from the terminal."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from reviewkit.cli.common import (
    FormatOpt,
    emit,
    project_dir,
    reviewer_option,
    user_errors,
    warn,
    warn_all,
)

app = typer.Typer(help="Screen records (title/abstract, full text) as one of the reviewers.",
                  invoke_without_command=True)
reviewer_app = typer.Typer(help="The project's reviewers.", no_args_is_help=True)

ReviewerOpt = reviewer_option("screening")
StageOpt = typer.Option(None, "--stage", help="title-abstract (default) or full-text")
PAIR_COLS = ["stage", "reviewer_a", "reviewer_b", "both", "agree", "percent", "kappa",
             "ci_low", "ci_high"]


@app.callback()
@user_errors
def screen(ctx: typer.Context, reviewer: str = ReviewerOpt, stage: str = StageOpt,
           blind: bool = typer.Option(True, help="Hide other reviewers' decisions"),
           as_list: bool = typer.Option(False, "--list", help="A table of the stage's records "
                                        "with a filter and bulk include/exclude")) -> None:
    """Open the screener (keys: i include, x exclude, m maybe, u undo, ? help, q quit)."""
    if ctx.invoked_subcommand is None and as_list:
        from reviewkit.tui.screen_list import run_list

        run_list(project_dir(ctx), reviewer, stage, blind)
    elif ctx.invoked_subcommand is None:
        from reviewkit.tui.screener import run_screener

        run_screener(project_dir(ctx), reviewer, stage, blind)


@app.command("export")
@user_errors
def export(ctx: typer.Context, reviewer: str = ReviewerOpt, stage: str = StageOpt,
           fmt: str = typer.Option("csv", "--format", "-f", help="csv (to fill in) or ris"),
           output: Path = typer.Option(None, "--output", "-o", help="File (default: stdout)"),
           everything: bool = typer.Option(False, "--all", help="Also records already judged"),
           ) -> None:
    """Write a reviewer's records still to screen, in the screener's order (--all: every
    record, with the reviewer's own latest decisions filled in)."""
    from reviewkit.project.session import session
    from reviewkit.screening import Screening
    from reviewkit.screening.batch import export_assigned
    from reviewkit.screening.reviewers import resolve_reviewer

    with session(project_dir(ctx)) as (project, store):
        screening = Screening(project, store)
        st, name = screening.conf.check_stage(stage), resolve_reviewer(project, reviewer)
        n = export_assigned(screening, st, name, everything, fmt, sys.stdout, output)
        if output is not None:
            typer.echo(f"wrote {n} records to {output}", err=True)
        warn_all(screening.problems())


@app.command("import-decisions")
@user_errors
def import_(ctx: typer.Context, file: Path = typer.Argument(..., help="reviewkit's CSV "
            "(record_id, decision, reason, note), ASReview's CSV or .asreview, Rayyan's "
            "articles.csv or export zip, a Covidence list as CSV"),
            reviewer: str = ReviewerOpt, stage: str = StageOpt,
            tool: str = typer.Option("auto", "--from", help="auto, reviewkit, asreview, "
                                     "rayyan, covidence"),
            member: str = typer.Option(None, "--member", help="Rayyan: whose decisions "
                                       "(default: the one named like the reviewer)"),
            decision: str = typer.Option(None, "--decision", help="Covidence: what the "
                                         "exported list means (include, exclude)"),
            ) -> None:
    """Import a reviewer's decisions: all rows valid and matched, or nothing is imported.
    Rows of other tools are matched by reviewkit id, DOI, PMID, then title and year."""
    from reviewkit.project.session import session
    from reviewkit.screening import Screening
    from reviewkit.screening.batch import import_decisions
    from reviewkit.screening.reviewers import resolve_reviewer

    with session(project_dir(ctx)) as (project, store):
        screening = Screening(project, store)
        report = import_decisions(screening, file, resolve_reviewer(project, reviewer),
                                  screening.conf.check_stage(stage), tool, member, decision)
        warn_all(screening.problems())
    typer.echo(f"{report.added} decisions imported, {report.unchanged} unchanged, "
               f"{report.blank} rows without a decision")
    if report.tool != "reviewkit":
        how = ", ".join(f"{k} {v}" for k, v in sorted(report.matched.items()))
        typer.echo(f"from {report.tool}; matched by {how or 'nothing'}")


@app.command("conflicts")
@user_errors
def conflicts_(ctx: typer.Context, stage: str = StageOpt, fmt: str = FormatOpt,
               resolved: bool = typer.Option(False, "--all", help="Include resolved ones")
               ) -> None:
    """Records both reviewers judged and disagree on (only those are unblinded)."""
    from reviewkit.project.session import session
    from reviewkit.screening import Screening, conflicts

    with session(project_dir(ctx)) as (project, store):
        screening = Screening(project, store)
        rows = conflicts(screening, screening.conf.check_stage(stage), resolved)
        warn_all(screening.problems())
    emit(rows, fmt, "Conflicts", None if rows else ["record_id", "decisions"])


@app.command("resolve")
@user_errors
def resolve_(ctx: typer.Context, record_id: str = typer.Argument(...),
             decision: str = typer.Argument(..., help="include or exclude"),
             reviewer: str = ReviewerOpt, stage: str = StageOpt,
             reason: str = typer.Option("", help="Exclusion reason from the project's list"),
             note: str = typer.Option("", help="How it was settled")) -> None:
    """Settle a conflict (recorded as a resolution event in the resolver's log)."""
    from reviewkit.project.session import session
    from reviewkit.screening import Screening, resolve
    from reviewkit.screening.review import resolved_line
    from reviewkit.screening.reviewers import resolve_reviewer

    with session(project_dir(ctx)) as (project, store):
        screening = Screening(project, store)
        event = resolve(screening, screening.conf.check_stage(stage), record_id, decision,
                        resolve_reviewer(project, reviewer), reason, note)
        warn_all(screening.problems())
    typer.echo(resolved_line(event))


@app.command("agreement")
@user_errors
def agreement_(ctx: typer.Context, stage: str = StageOpt, fmt: str = FormatOpt) -> None:
    """Per stage and pair: records judged by both, % agreement, kappa (95% CI), table."""
    from reviewkit.project.session import session
    from reviewkit.screening import Screening, agreement

    with session(project_dir(ctx)) as (project, store):
        screening = Screening(project, store)
        rows = agreement(screening, stage)
        warn_all(screening.problems())
    _pairs(rows, fmt, "Agreement")


@app.command("calibrate")
@user_errors
def calibrate(ctx: typer.Context, size: int = typer.Option(None, help="Draw a sample of N"),
              stage: str = StageOpt, fmt: str = FormatOpt) -> None:
    """Calibration round: draw a seeded sample everyone screens first; report its kappa."""
    from reviewkit.project.session import session
    from reviewkit.screening import Screening
    from reviewkit.screening.calibration import calibration_report, draw_calibration

    with session(project_dir(ctx)) as (project, store):
        screening = Screening(project, store)
        st = screening.conf.check_stage(stage)
        if size is not None:
            draw_calibration(screening, st, size)
        progress, pairs = calibration_report(screening, st)
        warn_all(screening.problems())
    if fmt == "json":
        emit([{"progress": progress, "agreement": pairs}], "json")
        return
    emit(progress, fmt, "Calibration sample")
    _pairs(pairs, fmt, "Calibration agreement")


@reviewer_app.command("add")
@user_errors
def reviewer_add(ctx: typer.Context, name: str = typer.Argument(...)) -> None:
    """Add a reviewer to reviewkit.toml (comments and layout kept)."""
    from reviewkit.project.session import session
    from reviewkit.screening import add_reviewer
    from reviewkit.screening.reviewers import name_caution

    with session(project_dir(ctx), sync=False) as (project, _):
        added = add_reviewer(project, name)
    typer.echo(f"added reviewer {name}" if added else f"{name} is already a reviewer")
    if name_caution(name):
        warn(name_caution(name))


@reviewer_app.command("list")
@user_errors
def reviewer_list(ctx: typer.Context, fmt: str = FormatOpt) -> None:
    """The reviewers and what each has done (also people whose names are on work but who
    are no longer on the project)."""
    from reviewkit.project.session import session
    from reviewkit.screening.reviewers import reviewer_rows

    with session(project_dir(ctx), sync=False) as (project, _):
        rows = reviewer_rows(project)
    emit(rows, fmt, "Reviewers", None if rows else ["reviewer", "on_project"])


@reviewer_app.command("remove")
@user_errors
def reviewer_remove(ctx: typer.Context, name: str = typer.Argument(...)) -> None:
    """Take a reviewer off reviewkit.toml; their logs are kept and their decisions count."""
    from reviewkit.project.session import session
    from reviewkit.screening.reviewers import remove_reviewer

    with session(project_dir(ctx), sync=False) as (project, _):
        work = remove_reviewer(project, name)
    typer.echo(f"removed reviewer {name} from reviewkit.toml")
    done = ", ".join(f"{n} {k}" for k, n in work.counts.items() if n)
    if work.files:
        typer.echo(f"kept their work ({done}) in {', '.join(work.files)}: nothing is deleted, "
                   f"and it still counts; add them back with: reviewkit reviewer add {name}")


def _pairs(rows: list[dict], fmt: str, title: str) -> None:
    from reviewkit.screening.agreement import confusion_text

    if fmt == "json":
        emit(rows, "json")
        return
    emit(rows, fmt, title, PAIR_COLS)
    if fmt == "table":
        for row in rows:
            typer.echo(f"\n{row['stage']}\n{confusion_text(row)}")
from reviewkit.cli import screening_list, screening_stop  # noqa: E402,F401
