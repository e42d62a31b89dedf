"""What every command shares: error handling, output, the project option."""

from __future__ import annotations

import functools
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import typer

from reviewkit.errors import ReviewkitError, as_user_error
from reviewkit.reporting.tables import render, terminal_safe

FormatOpt = typer.Option("table", "--format", "-f", help="table, csv, json or md")


def reviewer_option(doing: str) -> Any:
    """-r/--reviewer, or REVIEWKIT_REVIEWER: who is ``doing`` (screening, coding, ...)."""
    return typer.Option(None, "--reviewer", "-r", envvar="REVIEWKIT_REVIEWER",
                        help=f"Who is {doing} (or set REVIEWKIT_REVIEWER)")


def pairs(items: list[str] | None, shape: str, flag: str = "--set",
          empty_ok: bool = True) -> dict[str, str]:
    """Repeated ``--set KEY=VALUE`` options as a dict; ``shape`` says what is expected
    (QUESTION=ANSWER, NEW=Name) in the one-line error."""
    out = {}
    for item in items or []:
        key, sep, value = item.partition("=")
        if not sep or not key.strip() or not (empty_ok or value.strip()):
            raise ReviewkitError(f"expected {shape}, got {item!r}", field=flag)
        out[key.strip()] = value.strip()
    return out


def names(text: str | None) -> list[str] | None:
    """'a, b' -> ['a', 'b']; None when not given (meaning: everyone)."""
    return [n.strip() for n in text.split(",") if n.strip()] if text else None


def user_errors(fn: Callable) -> Callable:
    """A user mistake prints one line and exits 2; bugs still show tracebacks."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            try:
                return fn(*args, **kwargs)
            except sqlite3.DatabaseError as exc:
                from reviewkit.store.sqlite import heal_store

                # damage the open-time checks could not see: move the cache aside, run again
                if "locked" in str(exc) or not heal_store(str(exc)):
                    raise
                return fn(*args, **kwargs)
        except Exception as exc:
            mistake = as_user_error(exc)
            if mistake is None:
                raise
            typer.echo(f"error: {mistake}", err=True)
            raise typer.Exit(2) from None

    return wrapper


def project_here(ctx: typer.Context) -> Any:
    """The project named by -C, or found upwards from here (its config read once)."""
    from reviewkit.project.config import find_project  # pydantic: not at start-up

    return find_project(project_dir(ctx))


def project_dir(ctx: typer.Context) -> Path | None:
    return (ctx.obj or {}).get("project")


def emit(rows: list[dict], fmt: str, title: str = "", columns: list[str] | None = None) -> None:
    if fmt not in ("table", "csv", "json", "md"):
        raise ReviewkitError(f"unknown --format {fmt!r}; expected table, csv, json or md")
    typer.echo(render(rows, fmt, title, columns), nl=fmt in ("json",))


def show(text: str | None, warnings: list) -> None:
    """A rendered table (None when it went to a file), then its warnings on stderr."""
    if text is not None:
        typer.echo(text, nl=not text.endswith("\n"))
    warn_all(warnings)


def warn_all(problems: list, prefix: str = "") -> None:
    """One warning line per problem (skipped log lines and the like), each naming its file."""
    for p in problems:
        warn(f"{prefix}{p}")


def warn(message: str) -> None:
    typer.echo(f"warning: {terminal_safe(message)}", err=True)


@contextmanager
def progress(quiet: bool) -> Iterator[Callable[[str], None] | None]:
    """A Rich spinner naming the file being read; nothing when --quiet."""
    if quiet:
        yield None
        return
    from rich.progress import Progress, SpinnerColumn, TextColumn

    # markup off: a file name such as "x[/]y.ris" is shown as written, not parsed
    with Progress(SpinnerColumn(), TextColumn("{task.description}", markup=False),
                  transient=True) as bar:
        task = bar.add_task("importing", total=None)
        yield lambda name: bar.update(task, description=f"reading {name}")
