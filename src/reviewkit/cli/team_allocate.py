"""`reviewkit team allocate STAGE`: share a stage's records out on the team's server.

Registered by one import line at the end of cli/team.py (the team group's module)."""

from __future__ import annotations

import typer

from reviewkit.cli.common import project_dir, user_errors
from reviewkit.cli.team import app


@app.command("allocate")
@user_errors
def allocate(ctx: typer.Context,
             stage: str = typer.Argument(..., help="Screening stage"),
             reviewers: int = typer.Option(None, help="How many share the work (default: "
                                           "reviewers in reviewkit.toml)"),
             rank: bool = typer.Option(False, "--rank", help="Order the leases by the shared "
                                       "ranker, trained on settled outcomes")) -> None:
    """Each record to k reviewers ([screening] reviewers_per_record), the calibration sample
    to everyone first, balanced shares, leases of [team] lease_minutes (the lead)."""
    from reviewkit.project.session import session
    from reviewkit.team.allocate import allocate_project, allocation_summary, rank_project
    from reviewkit.team.connect import team_connection

    with session(project_dir(ctx)) as (project, store):
        con = team_connection(project)
        try:
            con.autocommit = True
            added = allocate_project(con, project, store, stage, reviewers)
            if rank:
                rank_project(con, project, store, stage)
            s = allocation_summary(con, stage)
        finally:
            con.close()
    share = f"share {s['share']} each" if s["share"] else "no share cap"
    typer.echo(f"{stage}: {added} records added, {s['records']} in all ({s['calibration']} "
               f"calibration, {s['ranked']} ranked); k = {s['k']}, {share}, leases of "
               f"{s['lease_seconds'] // 60} min")
