"""`reviewkit synthesis codebook ...` (show, add, rename, move, merge, split, delete, edit,
framework) and `reviewkit synthesis framework-fit`."""

from __future__ import annotations

from pathlib import Path

import typer

from reviewkit.cli.common import (
    emit,
    names,
    pairs,
    project_here,
    user_errors,
    warn_all,
)
from reviewkit.cli.synthesis import CoderOpt, FmtOpt, _coder, app, codebook_app
from reviewkit.errors import ReviewkitError

MethodOpt = typer.Option(None, "--method", help="For a new codebook only: thematic, "
                         "meta-aggregation or framework (written to reviewkit.toml)")


@codebook_app.command("show")
@user_errors
def codebook_show(ctx: typer.Context, fmt: str = FmtOpt) -> None:
    """The code tree, with each code's level, path and origin."""
    from reviewkit.synthesis.codebook import load_codebook
    from reviewkit.synthesis.listing import codebook_rows

    book = load_codebook(project_here(ctx))
    rows, cols = codebook_rows(book, indent=fmt == "table")
    emit(rows, fmt, f"Codebook ({book.method})", cols)


@codebook_app.command("add")
@user_errors
def codebook_add(ctx: typer.Context, code: str = typer.Argument(..., metavar="ID"),
                 name: str = typer.Option(..., "--name"),
                 parent: str = typer.Option(None, "--parent"),
                 level: str = typer.Option(None, "--level", help="Default: the method's "
                                           "level for new codes"),
                 description: str = typer.Option("", "--description"),
                 method: str = MethodOpt) -> None:
    """Add a code to the codebook (creating the codebook if needed)."""
    from reviewkit.project.session import lock
    from reviewkit.synthesis.codebook import add_code

    project = project_here(ctx)
    with lock(project):
        added = add_code(project, code, name, parent, level, description, method)
    typer.echo(f"added code {added.id} ({added.level})")


@codebook_app.command("rename")
@user_errors
def codebook_rename(ctx: typer.Context, old: str, new: str, coder: str = CoderOpt) -> None:
    """Give a code a new id; earlier codings follow it."""
    from reviewkit.project.session import lock
    from reviewkit.synthesis.codebook import rename_code

    project = project_here(ctx)
    with lock(project):
        rename_code(project, old, new, _coder(project, coder))
    typer.echo(f"renamed code {old} -> {new}")


@codebook_app.command("move")
@user_errors
def codebook_move(ctx: typer.Context, code: str = typer.Argument(..., metavar="ID"),
                  parent: str = typer.Option(None, "--parent", help="The new parent"),
                  top: bool = typer.Option(False, "--top", help="Make it a top-level code")
                  ) -> None:
    """Give a code a new parent (the method's rules are checked; a cycle is refused)."""
    from reviewkit.project.session import lock
    from reviewkit.synthesis.codebook_edit import move_code

    if (parent is None) == (not top):
        raise ReviewkitError("give --parent P or --top")
    project = project_here(ctx)
    with lock(project):
        move_code(project, code, None if top else parent)
    typer.echo(f"moved code {code} {'to the top' if top else 'under ' + parent}")


@codebook_app.command("merge")
@user_errors
def codebook_merge(ctx: typer.Context, code: str = typer.Argument(..., metavar="ID"),
                   into: str = typer.Option(..., "--into", help="The code that stays"),
                   coder: str = CoderOpt) -> None:
    """Merge a code into another: its codings, memos and children follow; its id is
    retired."""
    from reviewkit.project.session import lock
    from reviewkit.synthesis.codebook_edit import merge_code

    project = project_here(ctx)
    with lock(project):
        used, children = merge_code(project, code, into, _coder(project, coder))
    moved = f"; children now under {into}: {', '.join(children)}" if children else ""
    typer.echo(f"merged code {code} into {into}: {used.segments} coding(s) and "
               f"{used.memos} memo(s) follow it{moved}")


@codebook_app.command("split")
@user_errors
def codebook_split(ctx: typer.Context, code: str = typer.Argument(..., metavar="ID"),
                   into: str = typer.Option(..., "--into", help="NEW1,NEW2,...: the new ids"),
                   name: list[str] = typer.Option(None, "--name", help="NEW=Name (repeat)"),
                   coder: str = CoderOpt) -> None:
    """Make new codes beside a code; its codings stay on it for you to recode."""
    from reviewkit.project.session import lock
    from reviewkit.synthesis.codebook_edit import split_code

    new_names = pairs(name, "NEW=Name", "--name", empty_ok=False)
    parts = names(into) or []
    project = project_here(ctx)
    with lock(project):
        used = split_code(project, code, parts, _coder(project, coder), new_names)
    typer.echo(f"split code {code}: added {', '.join(parts)}")
    if used.segments:
        typer.echo(f"{used.segments} coding(s) stay on {code}: recode them onto the new "
                   f"codes, then `reviewkit synthesis codebook delete {code}` (or merge it)")


@codebook_app.command("delete")
@user_errors
def codebook_delete(ctx: typer.Context, code: str = typer.Argument(..., metavar="ID"),
                    coder: str = CoderOpt) -> None:
    """Delete an unused code (its id is retired); a used one is merged instead."""
    from reviewkit.project.session import lock
    from reviewkit.synthesis.codebook_edit import delete_code

    project = project_here(ctx)
    with lock(project):
        delete_code(project, code, _coder(project, coder))
    typer.echo(f"deleted code {code}")


@codebook_app.command("edit")
@user_errors
def codebook_edit(ctx: typer.Context, code: str = typer.Argument(..., metavar="ID"),
                  name: str = typer.Option(None, "--name"),
                  description: str = typer.Option(None, "--description"),
                  colour: str = typer.Option(None, "--colour"),
                  level: str = typer.Option(None, "--level"),
                  credibility: str = typer.Option(None, "--credibility"),
                  origin: str = typer.Option(None, "--origin", help="framework or data")
                  ) -> None:
    """Change a code's name, description, colour, level, credibility or origin."""
    from reviewkit.project.session import lock
    from reviewkit.synthesis.codebook_edit import edit_code

    project = project_here(ctx)
    with lock(project):
        edit_code(project, code, name=name, description=description, colour=colour,
                  level=level, credibility=credibility, origin=origin)
    typer.echo(f"edited code {code}")


@codebook_app.command("framework")
@user_errors
def codebook_framework(ctx: typer.Context,
                       file: Path = typer.Argument(..., metavar="FILE.yaml|FILE.csv"),
                       method: str = MethodOpt, coder: str = CoderOpt) -> None:
    """Load a priori framework codes (name, description, parent) with origin framework;
    codes added later record origin data. A code renamed in the file is renamed (as
    `codebook rename`, in the reviewer's log)."""
    from reviewkit.project.session import lock
    from reviewkit.synthesis.framework import load_framework

    project = project_here(ctx)
    with lock(project):
        typer.echo(load_framework(project, file, method, coder).summary())


@app.command("framework-fit")
@user_errors
def framework_fit_(ctx: typer.Context, fmt: str = FmtOpt) -> None:
    """Segments no framework code covers (only emergent codes, or none): for the second
    pass of a best-fit framework synthesis."""
    from reviewkit.synthesis.framework import FIT_COLUMNS, framework_fit
    from reviewkit.synthesis.state import load_synthesis

    syn = load_synthesis(project_here(ctx))
    rows = framework_fit(syn)
    warn_all(syn.problems)
    emit(rows, fmt, "Data the framework does not fit", FIT_COLUMNS)
