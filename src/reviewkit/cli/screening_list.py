"""`reviewkit screen list|bulk|bulk-undo`: the list view's filter and bulk actions, for scripts."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from reviewkit.cli.common import FormatOpt, emit, project_dir, user_errors
from reviewkit.cli.screening import ReviewerOpt, StageOpt, app

if TYPE_CHECKING:
    from reviewkit.screening.session import ScreenSession

FilterOpt = typer.Option("", "--filter", help="Words and field:value terms, all must hold: "
                         "'wildfire -smoke year:2015-2020 source:wos decision:none'")
COLUMNS = ["unit", "title", "year", "journal", "source", "mine", "others"]


def _session(project, store, reviewer, stage, blind=True) -> ScreenSession:
    from reviewkit.screening.reviewers import resolve_reviewer
    from reviewkit.screening.session import ScreenSession

    return ScreenSession(project, store, resolve_reviewer(project, reviewer, "screening"),
                         stage, blind=blind)


@app.command("list")
@user_errors
def list_(ctx: typer.Context, query: str = FilterOpt, reviewer: str = ReviewerOpt,
          stage: str = StageOpt, fmt: str = FormatOpt,
          blind: bool = typer.Option(True, help="Hide other reviewers' decisions")) -> None:
    """The stage's records that match a filter, with your decision."""
    from reviewkit.project.session import session
    from reviewkit.screening.listing import list_rows

    with session(project_dir(ctx)) as (project, store):
        s = _session(project, store, reviewer, stage, blind)
        rows = [vars(r) for r in list_rows(s, query)]
        s.close()
    emit(rows, fmt, f"{len(rows)} records", COLUMNS if not blind else COLUMNS[:-1])


@app.command("bulk")
@user_errors
def bulk(ctx: typer.Context, query: str = FilterOpt,
         decision: str = typer.Option(..., "--decision", help="include, exclude or maybe"),
         reason: str = typer.Option("", "--reason"), reviewer: str = ReviewerOpt,
         stage: str = StageOpt,
         yes: bool = typer.Option(False, "--yes", help="Write (without it: say how many)")
         ) -> None:
    """Give every record the filter matches the same decision (one event each)."""
    from reviewkit.project.session import session
    from reviewkit.screening.listing import bulk_decide, bulk_plan

    with session(project_dir(ctx)) as (project, store):
        s = _session(project, store, reviewer, stage)
        units = bulk_plan(s, query, decision, reason)
        if not yes:
            s.close()
            typer.echo(f"{len(units)} records match; add --yes to {decision} them")
            return
        events = bulk_decide(s, units, decision, reason, query)
        s.close()
    typer.echo(f"{len(events)} decisions written ({len(units) - len(events)} already so)")


@app.command("bulk-undo")
@user_errors
def bulk_undo(ctx: typer.Context, reviewer: str = ReviewerOpt, stage: str = StageOpt) -> None:
    """Take back your latest bulk decision, every record of it."""
    from reviewkit.project.session import session
    from reviewkit.screening.listing import undo_bulk

    with session(project_dir(ctx)) as (project, store):
        s = _session(project, store, reviewer, stage)
        undos = undo_bulk(s)
        s.close()
    typer.echo(f"{len(undos)} decisions taken back" if undos else "no bulk decision to undo")
