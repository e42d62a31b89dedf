"""`reviewkit team ...`: the review's events on a PostgreSQL server (team mode)."""

from __future__ import annotations

import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import typer

from reviewkit.cli.common import FormatOpt, emit, project_dir, user_errors, warn_all

app = typer.Typer(help="Team mode: the review's events on a PostgreSQL server, blinding "
                  "enforced by the database.", no_args_is_help=True)


def _project(ctx: typer.Context, needed: bool) -> Any:
    """The project, or None where the server alone is enough (REVIEWKIT_DATABASE_URL set)."""
    from reviewkit.errors import ReviewkitError
    from reviewkit.project.config import find_project

    try:
        return find_project(project_dir(ctx))
    except ReviewkitError:
        if needed or project_dir(ctx) is not None:
            raise
        return None


@contextmanager
def _connection(project: Any, schema: bool = True):  # noqa: ANN202 (a psycopg connection)
    from reviewkit.team.connect import team_connection

    con = team_connection(project, schema)
    try:
        yield con
    finally:
        con.close()


@app.command("init")
@user_errors
def init(ctx: typer.Context) -> None:
    """Create or upgrade the schema, roles and policies (as the database owner)."""
    from reviewkit.team.migrate import migrate

    with _connection(_project(ctx, needed=False), schema=False) as con:
        done = migrate(con)
    if done:
        typer.echo("applied " + ", ".join(f"{m.version:04d}_{m.name}" for m in done))
    else:
        typer.echo("the schema is up to date")


@app.command("add-reviewer")
@user_errors
def add_reviewer(ctx: typer.Context, name: str = typer.Argument(..., help="Reviewer name "
                 "(names their logs)"),
                 role: str = typer.Option("reviewer", help="reviewer, arbiter, lead or viewer"),
                 login: str = typer.Option(None, help="PostgreSQL login (default: the name)"),
                 password_stdin: bool = typer.Option(False, "--password-stdin",
                                                     help="Read the password from stdin "
                                                     "instead of generating one")) -> None:
    """Give a person a login role on the server; prints the password once."""
    from reviewkit.team.members import add_member, member_login

    password = sys.stdin.readline().rstrip("\r\n") if password_stdin else None
    with _connection(_project(ctx, needed=False)) as con:
        made = add_member(con, name, role, login, password)
        login_used = member_login(con, name)
    typer.echo(f"added {name} as {role} (login {login_used})")
    if not password_stdin:
        typer.echo(f"password (shown once; give it to {name}, the folder never holds it): "
                   f"{made}")


@app.command("remove-reviewer")
@user_errors
def remove_reviewer(ctx: typer.Context, name: str = typer.Argument(..., help="Reviewer name"),
                    restore: bool = typer.Option(False, "--restore",
                                                 help="Let a removed member log in again")
                    ) -> None:
    """Take a person's access away (their decisions stay, under their name), or restore it."""
    from reviewkit.team.members import access_line, set_access

    with _connection(_project(ctx, needed=False)) as con:
        login = set_access(con, name, restore)
    typer.echo(access_line(name, login, restore))


@app.command("members")
@user_errors
def members(ctx: typer.Context, fmt: str = FormatOpt) -> None:
    """Who is on the team, with their login and role."""
    from reviewkit.team.members import list_members

    with _connection(_project(ctx, needed=False)) as con:
        emit(list_members(con), fmt, "members")


@app.command("push")
@user_errors
def push(ctx: typer.Context) -> None:
    """Upload your logs and documents (the lead: everyone's); pushing twice adds nothing."""
    from reviewkit.project.session import lock
    from reviewkit.team.push import push as push_folder

    project = _project(ctx, needed=True)
    with lock(project), _connection(project) as con:
        result = push_folder(project, con)
    warn_all(result.skipped)
    typer.echo(f"sent {result.sent} lines: {result.added} new, "
               f"{result.sent - result.added} on the server already; "
               f"{result.documents} document versions added")
    if result.not_yours:
        typer.echo(f"{result.not_yours} lines of other people's logs not sent (each person "
                   "pushes their own)")


@app.command("pull")
@user_errors
def pull(ctx: typer.Context) -> None:
    """Write what the server lets you see into the folder's logs and documents."""
    from reviewkit.project.session import lock
    from reviewkit.team.pull import pull as pull_folder

    project = _project(ctx, needed=True)
    with lock(project), _connection(project) as con:
        result = pull_folder(project, con)
    warn_all(result.warnings)
    lines = sum(result.appended.values())
    typer.echo(f"wrote {len(result.written)} files, appended {lines} lines to "
               f"{len(result.appended)} logs")


@app.command("status")
@user_errors
def status(ctx: typer.Context, fmt: str = FormatOpt,
           stopping: bool = typer.Option(False, "--stopping", help="Also the stopping test "
                                         "per reviewer you can see (needs the project)")
           ) -> None:
    """Progress per reviewer and stage, and conflicts waiting (arbiter, lead, viewer)."""
    from reviewkit.team.status import team_status

    with _connection(_project(ctx, needed=stopping)) as con:
        info = team_status(con)
        if stopping:
            from reviewkit.project.session import session
            from reviewkit.team.status import team_stopping

            with session(project_dir(ctx)) as (project, store):
                stop = team_stopping(project, store, con)
    if fmt == "json" and stopping:  # one document: progress and the stopping test
        emit([{"progress": info["progress"], "stopping": stop}], fmt)
        return
    if fmt == "table":
        blind = ", ".join(info["unblinded"]) or "none"
        typer.echo(f"you are {info['me']} ({info['role']}); schema version {info['schema']}; "
                   f"stages unblinded: {blind}")
    emit(info["progress"], fmt, "progress",
         ["stage", "reviewer", "decided", "conflicts", "waiting"])
    if stopping:
        emit(stop, fmt, "stopping test", ["stage", "reviewer", "screened", "total",
                                          "relevant_found", "p_value", "criterion_met",
                                          "estimated_recall"])


@app.command("unblind")
@user_errors
def unblind(ctx: typer.Context, stage: str = typer.Argument(..., help="Screening stage")) -> None:
    """The lead lifts blinding for a stage: every member then sees every decision at it."""
    from reviewkit.team.members import unblind as lift

    with _connection(project := _project(ctx, needed=False)) as con:
        lifted = lift(con, stage, project)
    typer.echo(f"blinding lifted for {stage}" if lifted else f"{stage} was unblinded already")


@app.command("conflicts")
@user_errors
def conflicts(ctx: typer.Context, stage: str = typer.Option(None, "--stage",
              help="title-abstract (default) or full-text"), fmt: str = FormatOpt,
              resolved: bool = typer.Option(False, "--all", help="Include resolved ones")
              ) -> None:
    """`screen conflicts` over what the server shows you (an arbiter: the conflicts)."""
    from reviewkit.project.session import session
    from reviewkit.team.view import server_conflicts

    with session(project_dir(ctx)) as (project, store), _connection(project) as con:
        rows, problems = server_conflicts(project, store, con, stage, resolved)
    warn_all(problems)
    emit(rows, fmt, "Conflicts (server)", None if rows else ["record_id", "decisions"])


@app.command("agreement")
@user_errors
def agreement(ctx: typer.Context, stage: str = typer.Option(None, "--stage",
              help="title-abstract or full-text (default: every stage)"),
              fmt: str = FormatOpt) -> None:
    """`screen agreement` over what the server shows you (the lead: everyone's)."""
    from reviewkit.cli.screening import _pairs
    from reviewkit.project.session import session
    from reviewkit.team.view import server_agreement

    with session(project_dir(ctx)) as (project, store), _connection(project) as con:
        rows, problems = server_agreement(project, store, con, stage)
    warn_all(problems)
    _pairs(rows, fmt, "Agreement (server)")


@app.command("report")
@user_errors
def report(ctx: typer.Context,
           output: Path = typer.Option(None, "--output", "-o",
                                       help="Folder to write (default: report/ in the project)"),
           counts: Path = typer.Option(None, "--counts", "-c",
                                       help="PRISMA2020 counts CSV overriding computed numbers"),
           ) -> None:
    """`reviewkit report` over what the server shows you (blinding applied by the server)."""
    from reviewkit.cli.report import show_written
    from reviewkit.project.session import session
    from reviewkit.reporting.prisma.files import check_output_folder
    from reviewkit.reporting.report import DEFAULT_FOLDER
    from reviewkit.team.report import server_report

    with session(project_dir(ctx)) as (project, store), _connection(project) as con:
        check_output_folder(output if output is not None else project.root / DEFAULT_FOLDER)
        result, paths, skipped = server_report(project, store, con, output, counts)
    show_written(result, paths, skipped, " (from the server)")


from reviewkit.cli import team_allocate  # noqa: E402,F401
