"""`reviewkit search ...`: the librarian's search log."""

from __future__ import annotations

from pathlib import Path

import typer

from reviewkit.cli.common import emit, project_dir, user_errors, warn

app = typer.Typer(help="Log database and other searches (PRISMA-S) and list them.",
                  no_args_is_help=True)


@app.command("add")
@user_errors
def add(
    ctx: typer.Context,
    search_id: str = typer.Option(..., "--id", help="Short id, e.g. medline-ovid"),
    database: str = typer.Option(..., help="Database or source name, e.g. 'Medline'"),
    platform: str = typer.Option("", help="Interface, e.g. Ovid, EBSCOhost"),
    kind: str = typer.Option("database", help="database, register, website, organisation, "
                             "citation, handsearch, contact, other"),
    date_run: str = typer.Option("", help="YYYY-MM-DD"),
    coverage: str = typer.Option("", help="Date coverage, e.g. '1946 - April 2017 week 2'"),
    search_string: str = typer.Option("", help="The full strategy (or use --strategy-file)"),
    strategy_file: Path = typer.Option(None, help="File holding the strategy; '-' for stdin"),
    limits: str = typer.Option("", help="Limits and filters applied"),
    hits: int = typer.Option(None, help="Hits the database reported"),
    run_by: str = typer.Option("", help="Who ran it"),
    notes: str = typer.Option("", help="Anything a reader of the methods needs"),
    file: list[Path] = typer.Option(None, "--file", help="Export file(s) to import now"),
) -> None:
    """Record one search; with --file, import its export at once."""
    from reviewkit.project.session import session
    from reviewkit.searches.add import log_search
    from reviewkit.searches.log import make_search
    from reviewkit.searches.strategy import read_strategy

    if strategy_file is not None:
        search_string = read_strategy(strategy_file, search_string)
    with session(project_dir(ctx)) as (project, store):
        search = make_search(id=search_id, kind=kind, database=database, platform=platform,
                             date_run=date_run, coverage=coverage, search_string=search_string,
                             limits=limits, hits=hits, run_by=run_by, notes=notes)
        path, report, created = log_search(project, store, search, list(file or []))
    typer.echo(f"logged search '{search_id}' in {project.relative(path)}" if created else
               f"search '{search_id}' is already logged in {project.relative(path)} "
               "with these details")
    if report is not None:
        typer.echo(f"imported {report.added} new records")
        for w in report.warnings:
            warn(w)


@app.command("list")
@user_errors
def list_(
    ctx: typer.Context,
    fmt: str = typer.Option("table", "--format", "-f", help="table, csv, json or md"),
    full: bool = typer.Option(False, help="All PRISMA-S columns, search strings included"),
) -> None:
    """The search table (PRISMA-S), with hits reconciled against imported records."""
    from reviewkit.project.session import session
    from reviewkit.searches.log import load_searches
    from reviewkit.searches.reconcile import list_warnings, reconcile
    from reviewkit.searches.table import search_listing

    with session(project_dir(ctx)) as (project, store):
        searches = load_searches(project)
        checks = reconcile(searches, store.count_entries())
        warnings = list_warnings(searches, checks, store.files())
    rows, cols = search_listing(searches, checks, fmt, full)
    emit(rows, fmt, "Searches", cols)
    for w in warnings:
        warn(w)

