"""`reviewkit prisma`: the PRISMA 2020 flow diagram from a counts CSV or from the project."""

from __future__ import annotations

from pathlib import Path

import typer

from reviewkit.cli.common import project_dir, user_errors, warn, warn_all
from reviewkit.errors import ReviewkitError
from reviewkit.project.problems import log_problems
from reviewkit.project.session import session
from reviewkit.reporting.prisma import (
    check_invariants,
    output_format,
    project_counts,
    read_counts_csv,
    write_counts_csv,
)
from reviewkit.reporting.prisma.files import check_output_file, write_file
from reviewkit.reporting.prisma.project import project_invariants
from reviewkit.reporting.prisma.render import diagram_bytes

app = typer.Typer(help="PRISMA 2020 flow diagram (SVG, PNG, PDF, DOT) and its counts CSV.",
                  invoke_without_command=True)


@app.callback()
@user_errors
def prisma(ctx: typer.Context,
           counts: Path = typer.Option(
               None, "--counts", "-c", help="Counts CSV in the PRISMA2020 R package's schema "
               "(default: compute them from the project)"),
           output: Path = typer.Option(
               None, "--output", "-o", help="Diagram file: .svg, .png, .pdf or .dot"),
           export_counts: Path = typer.Option(
               None, "--export-counts",
               help="Write the counts (the project's, or --counts) as a PRISMA2020 CSV"),
           ) -> None:
    """Draw the PRISMA 2020 flow diagram; export the counts for the PRISMA2020 Shiny app."""
    if ctx.invoked_subcommand:
        return
    if output is None and export_counts is None:
        raise ReviewkitError("nothing to do: give --output OUT.svg (or .png/.pdf/.dot) and/or "
                             "--export-counts FILE.csv")
    if output is not None:
        output_format(output)  # a wrong extension fails before anything is written
        check_output_file(output)
    if export_counts is not None:
        check_output_file(export_counts, "--export-counts")
    if counts is not None:
        data = read_counts_csv(counts)
        broken, skipped = check_invariants(data), []
    else:
        with session(project_dir(ctx)) as (project, store):
            data = project_counts(project, store)
            broken = project_invariants(project, store, data)  # naming the open records
            skipped = log_problems(project)
    warn_all(skipped, "skipped: ")
    for b in broken:
        warn(f"counts do not add up: {b.detail}")
    if data.in_progress:
        warn(data.in_progress)
    # drawn first: no Graphviz fails the command before the counts file is written
    picture = diagram_bytes(data, output) if output is not None else None
    if export_counts is not None:
        for note in write_counts_csv(data, export_counts):
            warn(note)
        typer.echo(f"wrote {export_counts}", err=True)
    if output is not None and picture is not None:
        write_file(output, picture)
        typer.echo(f"wrote {output}", err=True)
