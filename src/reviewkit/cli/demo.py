"""`reviewkit demo`: build a complete small review project in one command."""

from __future__ import annotations

from pathlib import Path

import typer

from reviewkit.cli.common import user_errors


@user_errors
def demo(directory: Path = typer.Argument(Path("reviewkit-demo"),
                                          help="Folder for the demo project (new or empty)"),
         seed: int = typer.Option(20190101, help="Seed for every simulated choice")) -> None:
    """Build a demo review from real labelled records: search log, three overlapping
    exports, dedup, ranked dual screening, full texts, appraisal, extraction, report."""
    from reviewkit.demo import build_demo  # loads the ranker: only when asked

    result = build_demo(directory, seed)
    typer.echo(f"demo project: {result.root}")
    typer.echo(f"{result.records} records imported, {result.unique} after deduplication; "
               f"conflicts resolved: {result.conflicts}; {result.included} reports included")
    if result.report:
        typer.echo(f"report: {result.report}")
