"""`reviewkit synthesis matrix|quotes|themes|heatmap|flowchart`: the synthesis outputs."""

from __future__ import annotations

from pathlib import Path

import typer

from reviewkit.cli.common import project_here, show, user_errors, warn_all
from reviewkit.cli.synthesis import app

FmtOpt = typer.Option("table", "--format", "-f",
                      help="table, csv, json, md, html, latex or docx (docx needs -o)")
OutOpt = typer.Option(None, "--output", "-o", help="Write to this file")
LevelOpt = typer.Option(None, "--level", help="Only codes of this level")
CoderOpt = typer.Option(None, "--coder", help="Only these coders' segments (A,B); default: "
                        "[synthesis] coders in reviewkit.toml, else everyone's")


def _load(project, coder: str | None):
    from reviewkit.synthesis.coders import for_outputs
    from reviewkit.synthesis.state import load_synthesis

    return for_outputs(project, load_synthesis(project), coder)




@app.command("matrix")
@user_errors
def matrix(ctx: typer.Context, level: str = LevelOpt, fmt: str = FmtOpt,
           output: Path = OutOpt, coder: str = CoderOpt) -> None:
    """Theme x study: coded segments per study for each code (and its sub-codes)."""
    from reviewkit.reporting.outputs import deliver
    from reviewkit.synthesis.outputs import matrix_table

    project = project_here(ctx)
    syn = _load(project, coder)
    table = matrix_table(syn, level, indent=fmt == "table" and output is None)
    show(deliver(table, fmt, output, project.root), syn.problems)


@app.command("quotes")
@user_errors
def quotes(ctx: typer.Context, role: str = typer.Option(None, "--role"), fmt: str = FmtOpt,
           output: Path = OutOpt, coder: str = CoderOpt) -> None:
    """The quote table: each coded segment with study, role, page and code path."""
    from reviewkit.reporting.outputs import deliver
    from reviewkit.synthesis.outputs import quotes_table

    project = project_here(ctx)
    syn = _load(project, coder)
    show(deliver(quotes_table(syn, role), fmt, output, project.root), syn.problems)


@app.command("themes")
@user_errors
def themes(ctx: typer.Context, level: str = typer.Option(None, "--level", help="Default: "
                                                         "the top-level themes"),
           fmt: str = FmtOpt, output: Path = OutOpt, coder: str = CoderOpt) -> None:
    """Each theme: definition, supporting studies, segments, illustrative quotes."""
    from reviewkit.reporting.outputs import deliver
    from reviewkit.synthesis.themes import themes_table

    project = project_here(ctx)
    syn = _load(project, coder)
    show(deliver(themes_table(syn, level), fmt, output, project.root), syn.problems)


@app.command("heatmap")
@user_errors
def heatmap(ctx: typer.Context, output: Path = typer.Option(..., "--output", "-o",
                                                            help="FILE.svg or FILE.png"),
            level: str = LevelOpt, coder: str = CoderOpt) -> None:
    """The theme x study matrix as a heatmap, counts written in the cells."""
    from reviewkit.synthesis.plots import write_heatmap  # matplotlib: only when asked

    syn = _load(project_here(ctx), coder)
    write_heatmap(syn, output, level)
    warn_all(syn.problems)
    typer.echo(f"wrote {output}")


@app.command("flowchart")
@user_errors
def flowchart(ctx: typer.Context, output: Path = typer.Option(..., "--output", "-o",
                                                              help="FILE.svg, .png or .dot")
              ) -> None:
    """Findings -> categories -> synthesised findings (or codes -> themes), by Graphviz."""
    from reviewkit.synthesis.codebook import load_codebook
    from reviewkit.synthesis.flowchart import left_out, write_flowchart

    book = load_codebook(project_here(ctx))
    write_flowchart(book, output)
    typer.echo(f"wrote {output}")
    gone = left_out(book)
    if gone:
        typer.echo(f"left out (unsupported): {', '.join(gone)}")
