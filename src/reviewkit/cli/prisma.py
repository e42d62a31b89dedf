"""`reviewkit prisma`: the PRISMA 2020 flow diagram from a counts CSV or from the project."""

from __future__ import annotations

from pathlib import Path

import typer

from reviewkit.cli.common import project_dir, user_errors, warn_all

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
           schema: str = typer.Option(
               "1.1.4", "--schema", help="PRISMA2020 package release whose CSV "
               "--export-counts writes: 1.1.4 (with the meta-analysis rows) or 1.1.3"),
           ) -> None:
    """Draw the PRISMA 2020 flow diagram; export the counts for the PRISMA2020 Shiny app."""
    from reviewkit.reporting.prisma.command import run_prisma

    if ctx.invoked_subcommand:
        return
    run = run_prisma(project_dir(ctx), counts, output, export_counts, schema)
    warn_all(run.warnings)
    for path in run.wrote:
        typer.echo(f"wrote {path}", err=True)
