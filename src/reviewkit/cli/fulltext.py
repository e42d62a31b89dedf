"""`reviewkit fulltext ...`: attach, track and open the full texts of the reports sought."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from reviewkit.cli.common import FormatOpt, emit, project_dir, user_errors, warn, warn_all

app = typer.Typer(help="Full texts: attach, detach, mark requested or not retrieved, list, open.",
                  no_args_is_help=True)

STATUS_COLS = ["record_id", "state", "file", "requested", "reason", "check", "title"]


@app.command("attach")
@user_errors
def attach(ctx: typer.Context, record_id: str = typer.Argument(..., metavar="ID"),
           file: Path = typer.Argument(..., help="The PDF (or other file) to copy in"),
           replace: bool = typer.Option(False, "--replace", help="Replace an attached file"),
           ) -> None:
    """Copy FILE into fulltext/ as <record id, '/' and ':' as '_'>.<ext>, sha256 in
    fulltext/index.toml (a FILE inside fulltext/ already is moved there, not copied)."""
    from reviewkit.fulltext.attach import attach_fulltext
    from reviewkit.project.session import session

    with session(project_dir(ctx)) as (project, store):
        done = attach_fulltext(project, store, record_id, file, replace)
        said = done.summary(project)
    typer.echo(said)
    for message in done.warnings:
        warn(message)


@app.command("detach")
@user_errors
def detach(ctx: typer.Context, record_id: str = typer.Argument(..., metavar="ID")) -> None:
    """Take the full text off a record: the file goes to fulltext/detached/, kept."""
    from reviewkit.fulltext.detach import detach_fulltext
    from reviewkit.project.session import session

    with session(project_dir(ctx)) as (project, store):
        done = detach_fulltext(project, store, record_id)
        said = done.summary(project)
    typer.echo(said)


@app.command("mark")
@user_errors
def mark(ctx: typer.Context, record_id: str = typer.Argument(..., metavar="ID"),
         requested: bool = typer.Option(False, "--requested", help="Asked for (e.g. by ILL)"),
         not_retrieved: bool = typer.Option(False, "--not-retrieved",
                                            help="Could not be obtained (give --reason)"),
         reason: str = typer.Option("", "--reason", help="Why it was not retrieved"),
         clear: bool = typer.Option(False, "--clear", help="Remove both marks")) -> None:
    """Mark a report's retrieval: requested, or not retrieved with a reason."""
    from reviewkit.fulltext.attach import mark_fulltext
    from reviewkit.project.session import session

    with session(project_dir(ctx)) as (project, store):
        done = mark_fulltext(project, store, record_id, requested, not_retrieved, reason, clear)
    said = "requested" if requested else "not retrieved" if not_retrieved else "cleared"
    typer.echo(f"{done.record_id}: {said}")
    for message in done.warnings:
        warn(message)


@app.command("status")
@user_errors
def status(ctx: typer.Context, fmt: str = FormatOpt) -> None:
    """Each report sought at full text (title/abstract includes): obtained, not retrieved,
    requested or sought; then the counts PRISMA reports."""
    from reviewkit.fulltext.retrieval import counts_of, retrieval_problems, retrieval_rows
    from reviewkit.project.session import session
    from reviewkit.screening import Screening

    with session(project_dir(ctx)) as (project, store):
        screening = Screening(project, store)
        rows = retrieval_rows(screening)
        warn_all(retrieval_problems(screening))
    counts = counts_of(rows).as_dict()
    if fmt == "json":
        emit([{"counts": counts, "reports": rows}], "json")
        return
    emit(rows, fmt, "Full texts", STATUS_COLS)
    if fmt == "table":
        typer.echo(", ".join(f"{k.replace('_', ' ')}: {v}" for k, v in counts.items()))


@app.command("list")
@user_errors
def list_(ctx: typer.Context,
          missing: bool = typer.Option(False, "--missing", help="Only reports still to obtain"),
          output: Path = typer.Option(None, "--output", "-o", help="New CSV file "
                                      "(default: stdout)")) -> None:
    """The retrieval list as CSV (ids, titles, authors, DOIs, URLs) for a librarian."""
    from reviewkit.fulltext.retrieval import retrieval_list, retrieval_problems, save_list
    from reviewkit.project.session import session
    from reviewkit.screening import Screening

    with session(project_dir(ctx)) as (project, store):
        screening = Screening(project, store)
        text, n = retrieval_list(screening, missing)
        warn_all(retrieval_problems(screening))
        if output is None:
            sys.stdout.write(text)
            return
        save_list(output, text)
    typer.echo(f"wrote {n} reports to {output}", err=True)


@app.command("open")
@user_errors
def open_(ctx: typer.Context, record_id: str = typer.Argument(..., metavar="ID")) -> None:
    """Open the record's full text in the system viewer (or $REVIEWKIT_VIEWER)."""
    from reviewkit.fulltext.viewer import open_fulltext
    from reviewkit.project.session import session
    from reviewkit.screening import Screening

    with session(project_dir(ctx)) as (project, store):
        screening = Screening(project, store)
        unit = screening.unit_of(store.resolve(record_id) or record_id)
        path = open_fulltext(project, store, record_id, screening.members.get(unit))
        where = project.relative(path)
    typer.echo(f"opened {where}")

