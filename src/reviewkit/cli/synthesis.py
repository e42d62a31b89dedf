"""`reviewkit synthesis ...`: sources, codebook, scripted coding, memos, matrix, quotes."""

from __future__ import annotations

from pathlib import Path

import typer

from reviewkit.cli.common import (
    emit,
    names,
    project_here,
    reviewer_option,
    user_errors,
    warn_all,
)
from reviewkit.errors import ReviewkitError
from reviewkit.tui.run import run_app

app = typer.Typer(help="Qualitative evidence synthesis: code texts, build themes.",
                  no_args_is_help=True)
source_app = typer.Typer(help="The texts to code (synthesis/sources.toml).",
                         no_args_is_help=True)
codebook_app = typer.Typer(help="The codes (synthesis/codebook.yaml).", no_args_is_help=True)
app.add_typer(source_app, name="source")
app.add_typer(codebook_app, name="codebook")

CoderOpt = reviewer_option("coding")
FmtOpt = typer.Option("table", "--format", "-f", help="table, csv, json or md")


def _coder(project, name: str | None) -> str:
    from reviewkit.screening.reviewers import resolve_reviewer

    return resolve_reviewer(project, name, "coding")


@source_app.command("add")
@user_errors
def source_add(ctx: typer.Context, file: Path,
               study: str = typer.Option(..., "--study", help="Study id in studies.toml"),
               id: str = typer.Option(None, "--id", help="Source id (default: from the name)"),
               report: str = typer.Option("", "--report", help="Record id of the report"),
               title: str = typer.Option("", "--title"),
               pages: str = typer.Option("", "--pages", help="A PDF's pages to take: N or "
                                         "N-M (default: all)")) -> None:
    """Copy a .txt, .md, .docx or a PDF's text layer into synthesis/sources/ and record it."""
    from reviewkit.project.session import lock
    from reviewkit.synthesis.sources import add_source

    project = project_here(ctx)
    with lock(project):
        source = add_source(project, file, study, id, report, title, pages)
    typer.echo(f"added source {source.id} ({source.file}) for study {source.study}")


@source_app.command("list")
@user_errors
def source_list(ctx: typer.Context, fmt: str = FmtOpt) -> None:
    """The sources, with their study and file."""
    from reviewkit.synthesis.listing import SOURCE_COLUMNS, source_rows

    emit(source_rows(project_here(ctx)), fmt, "Sources", SOURCE_COLUMNS)


@source_app.command("check")
@user_errors
def source_check(ctx: typer.Context) -> None:
    """Report sources whose file is missing or changed since added (exit 1 if any)."""
    from reviewkit.synthesis.sources import check_sources, load_sources

    project = project_here(ctx)
    problems = check_sources(project)
    for p in problems:
        typer.echo(str(p))
    if problems:
        raise typer.Exit(1)
    typer.echo(f"ok: {len(load_sources(project))} sources unchanged")


@app.command("code")
@user_errors
def code(ctx: typer.Context, source: str,
         text: str = typer.Option(None, "--text", help="The exact words (must occur once); "
                                  "without it the terminal coder opens"),
         code_id: str = typer.Option(None, "--code", help="With --text: the code to apply"),
         coder: str = CoderOpt,
         role: str = typer.Option("", "--role", help="participant quote, author "
                                  "interpretation or field observation"),
         page: str = typer.Option("", "--page")) -> None:
    """Code a source: with --text and --code, those words; without, from the keyboard."""
    from reviewkit.project.session import lock
    from reviewkit.synthesis.edit import code_text

    project = project_here(ctx)
    if text is None:
        if code_id is not None or role or page:
            raise ReviewkitError("--code, --role and --page go with --text (without "
                                 "--text the terminal coder opens)", field="text")
        _run_coder(project, coder, source)
        return
    if code_id is None:
        raise ReviewkitError("--text needs --code: the code to apply", field="code")
    with lock(project):
        seg = code_text(project, source, text, code_id, _coder(project, coder), role, page)
    said = "already coded" if seg.get("already") else "coded"
    typer.echo(f"segment {seg['segment']} ({seg['start']}..{seg['end']}) {said} {code_id}")


def _run_coder(project, coder: str | None, source: str) -> None:
    from reviewkit.tui.coder import coder_app  # Textual loads for the terminal coder only

    app_ = coder_app(project, _coder(project, coder), source)
    typer.echo(run_app(app_) or "")


@app.command("uncode")
@user_errors
def uncode_(ctx: typer.Context, segment: str, code_id: str = typer.Option(..., "--code"),
            coder: str = CoderOpt, others: bool = typer.Option(
                False, "--others", help="Also a coding another coder made")) -> None:
    """Take a code off a segment (your own coding; another coder's with --others)."""
    from reviewkit.project.session import lock
    from reviewkit.synthesis.edit import uncode

    project = project_here(ctx)
    with lock(project):
        problems = uncode(project, segment, code_id, _coder(project, coder), others)
    typer.echo(f"segment {segment}: {code_id} removed")
    warn_all(problems)


@app.command("memo")
@user_errors
def memo(ctx: typer.Context, target: str, text: str,
         on: str = typer.Option(..., "--on", help="code, source or segment"),
         coder: str = CoderOpt) -> None:
    """Write a memo on a code, a source or a segment."""
    from reviewkit.project.session import lock
    from reviewkit.synthesis.edit import add_memo

    project = project_here(ctx)
    with lock(project):
        memo = add_memo(project, on, target, text, _coder(project, coder))
    typer.echo(f"memo on {on} {target} {'already saved' if memo.get('already') else 'saved'}")


@app.command("status")
@user_errors
def status(ctx: typer.Context, fmt: str = FmtOpt) -> None:
    """Counts: codes, sources, segments, memos, moved or lost segments."""
    from reviewkit.synthesis.state import synthesis_status

    info = synthesis_status(project_here(ctx))
    warnings = info.pop("warnings")
    if fmt == "json":
        emit([{**info, "warnings": warnings}], "json")
    else:
        emit([{"item": k, "value": v} for k, v in info.items()], fmt, "Synthesis")
    warn_all(warnings)


@app.command("export")
@user_errors
def refi_export(ctx: typer.Context, file: Path = typer.Argument(..., metavar="FILE.qdc|FILE.qdpx")
                ) -> None:
    """Write the codebook (.qdc) or the coded project (.qdpx) in REFI-QDA format."""
    from reviewkit.project.session import lock
    from reviewkit.synthesis.refi.write import export_refi

    project = project_here(ctx)
    with lock(project):
        warnings = export_refi(project, file)
    typer.echo(f"wrote {file}")
    warn_all(warnings)


@app.command("import")
@user_errors
def import_(ctx: typer.Context,
            file: Path = typer.Argument(..., metavar="FILE.qdpx|FILE.qdc|FILE.csv"),
            coder: str = CoderOpt,
            method: str = typer.Option("thematic", "--method",
                                       help="For a new codebook only")) -> None:
    """Read a REFI-QDA project (.qdpx, .qde) or codebook (.qdc), a Taguette highlights
    CSV (id, document, tag, content: its documents added as sources first) or a codebook
    CSV (name, description, parent); codings without a user are logged as the coder."""
    from reviewkit.project.session import lock
    from reviewkit.synthesis.importing import import_file

    project = project_here(ctx)
    with lock(project):
        report = import_file(project, file, coder, method)
    typer.echo(report.summary())
    warn_all(report.warnings)


@app.command("code-tui")
@user_errors
def code_tui(ctx: typer.Context, source: str, coder: str = CoderOpt) -> None:
    """Code one source from the keyboard (as `code SOURCE`; blind: only your own codings)."""
    _run_coder(project_here(ctx), coder, source)


@app.command("agreement")
@user_errors
def agreement_(ctx: typer.Context, code_id: str = typer.Option(None, "--code",
                                                                help="Only this code"),
               coders: str = typer.Option(None, "--coders", help="A,B[,C]: pairs among "
                                          "these (default: every pair with a common source)"),
               rollup: bool = typer.Option(False, "--rollup", help="A sub-code counts for "
                                           "every code above it (agreement on themes)"),
               fmt: str = FmtOpt) -> None:
    """Agreement of blind coders per code: Cohen's kappa, Krippendorff's alpha, % agreed."""
    from reviewkit.synthesis.agreement import COLUMNS, agreement

    result = agreement(project_here(ctx), code_id, names(coders), rollup)
    warn_all(result.problems)
    emit(result.rows(), fmt, "Agreement between coders",
         None if fmt in ("json", "csv") else COLUMNS)
    if fmt in ("table", "md"):
        typer.echo(result.note)
# the other synthesis commands register themselves on `app` (one module each)
from reviewkit.cli import (  # noqa: E402,F401
    synthesis_codebook,
    synthesis_confidence,
    synthesis_outputs,
    synthesis_reconcile,
)
