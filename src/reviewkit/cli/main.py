"""The `reviewkit` command: a thin skin over the library."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from reviewkit.cli import ranking as ranking_cli
from reviewkit.cli import report as report_cli
from reviewkit.cli.common import FormatOpt, progress, project_dir, user_errors, warn
from reviewkit.cli.demo import demo as demo_command
from reviewkit.cli.lazy import LazyGroup
from reviewkit.reporting.tables import terminal_safe

app = typer.Typer(help="reviewkit: systematic reviews from search log to PRISMA report.",
                  no_args_is_help=True, pretty_exceptions_enable=False,
                  cls=LazyGroup)  # the command groups (search, screen, ...): cli/lazy.py
app.command("simulate")(ranking_cli.simulate)
app.command("report")(report_cli.report)


app.command("demo")(demo_command)


@app.callback()
def main(ctx: typer.Context,
         project: Path = typer.Option(None, "--project", "-C",
                                      help="Project folder (default: search upwards from here)")
         ) -> None:
    ctx.obj = {"project": project}


@app.command()
@user_errors
def init(directory: Path = typer.Argument(..., help="Folder for the new project"),
         title: str = typer.Option("Untitled review", help="Review title"),
         question: str = typer.Option("", help="Review question")) -> None:
    """Create a review project folder."""
    from reviewkit.appraisal.checklist import shipped_checklists
    from reviewkit.project import init_project

    project = init_project(directory, title, question)
    typer.echo(f"created project '{title}' in {project.root}")
    typer.echo(f"checklists ready to use: {', '.join(shipped_checklists())} (reviewkit "
               "appraisal checklists; a file of the same id in casp/ replaces one)")


@app.command()
@user_errors
def status(ctx: typer.Context, fmt: str = FormatOpt) -> None:
    """Summarise the project: searches, sources, records, warnings."""
    from reviewkit.project import statuscache
    from reviewkit.project.session import session
    from reviewkit.project.statusview import status_text

    with session(project_dir(ctx)) as (project, store):
        out, warnings = status_text(project, store, fmt)
    typer.echo(out, nl=False)
    for w in warnings:
        warn(w)
    statuscache.remember(out, "".join(f"warning: {terminal_safe(w)}\n" for w in warnings))


@app.command()
@user_errors
def doctor(ctx: typer.Context,
           fix: bool = typer.Option(False, "--fix", help="Link orphaned ids that have exactly "
                                    "one likely record (writes aliases to searches/file-ids.tsv)")
           ) -> None:
    """Check that every decision, judgement and study link names something; explain the fix."""
    from reviewkit.project.doctor import diagnose
    from reviewkit.project.session import session

    with session(project_dir(ctx), verify=True) as (project, store):
        result = diagnose(project, store, fix)
    for line in result.lines():
        typer.echo(line)
    if not result.ok:
        raise typer.Exit(1)


@app.command("import")
@user_errors
def import_(ctx: typer.Context,
            files: list[Path] = typer.Argument(
                None, help="Export files; none = what the log names"),
            search: str = typer.Option(None, "--search", "-s", help="Logged search id"),
            fmt: str = typer.Option(None, "--format", help="Force a format (default: detect)"),
            columns: str = typer.Option(None, help="CSV columns: field=Header,field=Header"),
            quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress or summary"),
            ) -> None:
    """Import export files (RIS, MEDLINE, WoS, Ovid, BibTeX, CSV, EndNote XML)."""
    from reviewkit.io.importer import import_files, import_logged, parse_columns
    from reviewkit.project.session import session
    from reviewkit.searches.log import load_searches
    from reviewkit.searches.reconcile import reconcile

    with session(project_dir(ctx), sync=False) as (project, store):
        if not files:
            report = import_logged(project, store, search, fmt, columns)
        else:
            with progress(quiet) as step:
                report = import_files(project, store, files, search, fmt,
                                      parse_columns(columns), step)
        checks = reconcile(load_searches(project), store.count_entries())
    if not quiet:
        for f in report.files:
            note = " (already imported)" if f.already_imported else ""
            typer.echo(f"{f.stored_as}: {f.records} records, {f.format}"
                       f"{'/' + f.dialect if f.dialect else ''}{note}")
        typer.echo(f"{report.added} new records")
    for w in report.warnings:
        warn(w)
    for c in checks:
        if c.status == "mismatch" and (search is None or c.search_id == search):
            warn(f"{c.search_id}: {c.message}")


@app.command()
@user_errors
def export(ctx: typer.Context,
           fmt: str = typer.Option("ris", "--format", "-f", help="ris, csv, bibtex, "
                                  "csl-json, asreview (CSV, 0/1 included), asreview-ris "
                                  "(N1 labels), rayyan (CSV)"),
           output: Path = typer.Option(None, "--output", "-o", help="File (default: stdout)"),
           unique: bool = typer.Option(False, "--unique", help="One record per duplicate "
                                       "cluster (gaps filled from its members; member ids "
                                       "in N1 / the members column)"),
           stage: str = typer.Option(None, "--stage", help="Records by their outcome at "
                                     "this stage (one per cluster): title-abstract, ..."),
           decision: str = typer.Option(None, "--decision", help="With --stage: include, "
                                        "exclude, maybe, conflict, awaiting, unscreened"),
           studies: bool = typer.Option(False, "--studies", help="The reports of the "
                                        "studies in studies.toml"),
           ) -> None:
    """Write imported records with their stable ids and sources: all, or a selection."""
    from reviewkit.io.selection import export_selection, select
    from reviewkit.project.session import session

    with session(project_dir(ctx), verify=True) as (project, store):
        chosen = select(project, store, unique, stage, decision, studies)
        for w in chosen.warnings:
            warn(w)
        if output is None:
            export_selection(project, store, fmt, chosen, out=sys.stdout)
        else:
            n = export_selection(project, store, fmt, chosen, path=str(output))
            typer.echo(f"wrote {n} records to {output}", err=True)
