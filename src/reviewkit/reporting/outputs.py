"""A table as data, rendered to Markdown, HTML, LaTeX, CSV, JSON or DOCX.

Markdown, HTML and LaTeX go through Jinja2 templates: ``tables/<name>.<fmt>.j2``
or ``tables/table.<fmt>.j2``, looked up first in the project's ``templates/``
folder (a team's override) and then in the package. A project may come from anyone
(through git), so its templates are data, not code: they run in Jinja's immutable
sandbox, and can read only files inside ``templates/``.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jinja2 import (
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    PackageLoader,
    TemplateError,
    TemplateNotFound,
    select_autoescape,
)
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError

from reviewkit.errors import ReviewkitError
from reviewkit.reporting.tables import csv_safe, md_escape

TEXT_FORMATS = ("md", "html", "latex", "csv", "json")
FORMATS = (*TEXT_FORMATS, "docx")
_TEMPLATE_EXT = {"md": "md", "html": "html", "latex": "tex"}


@dataclass
class Table:
    name: str  # picks the template: casp-summary, casp-matrix, characteristics, ...
    title: str
    columns: list[tuple[str, str]]  # (key, label): CSV/JSON use keys, others labels
    rows: list[dict[str, Any]]
    notes: list[str] = field(default_factory=list)


def cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, (list, tuple)):
        return "; ".join(cell(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}: {cell(v)}" for k, v in value.items() if v not in (None, ""))
    return str(value)


class ProjectLoader(FileSystemLoader):
    """The project's ``templates/`` folder and nothing else: names with ``..`` are
    refused by Jinja already (an absolute name is looked up inside the folder); a
    symlink leading out of the folder is refused here, loudly."""

    def __init__(self, folder: Path) -> None:
        super().__init__(str(folder))
        self.folder = folder

    def get_source(self, environment: Environment, template: str) -> tuple[str, str, Any]:
        source, filename, uptodate = super().get_source(environment, template)
        if not inside(Path(filename), self.folder):
            shown = Path(filename).relative_to(self.folder.parent).as_posix()
            raise ReviewkitError("refused: a link to a file outside the templates folder",
                                 file=shown)
        return source, filename, uptodate


def inside(path: Path, folder: Path) -> bool:
    """``path``, with every symlink followed, lies in ``folder`` (itself no symlink)."""
    real = folder.parent.resolve() / folder.name
    return path.resolve().is_relative_to(real) and not folder.is_symlink()


class ReportEnvironment(ImmutableSandboxedEnvironment):
    """No attribute starting with ``_``, no mutating a list or dict, and no string or list
    so big that rendering would eat the machine."""

    intercepted_binops = frozenset(["*", "**"])
    MAX_SIZE = 10_000_000
    project_root: Path | None = None  # whose templates/ errors are the user's

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "**" and isinstance(right, int) and abs(right) > 100:
            raise SecurityError("an exponent over 100 is not allowed in a template")
        if operator == "*":
            for seq, n in ((left, right), (right, left)):
                if isinstance(seq, (str, list, tuple)) and isinstance(n, int) \
                        and len(seq) * n > self.MAX_SIZE:
                    raise SecurityError("a value that large is not allowed in a template")
        return super().call_binop(context, operator, left, right)


def environment(project_root: Path | None = None) -> ReportEnvironment:
    loaders: list[Any] = []
    if project_root is not None:
        loaders.append(ProjectLoader(project_root / "templates"))
    loaders.append(PackageLoader("reviewkit.reporting", "templates"))
    env = ReportEnvironment(loader=ChoiceLoader(loaders), trim_blocks=True, lstrip_blocks=True,
                            keep_trailing_newline=True,
                            autoescape=select_autoescape(enabled_extensions=("html", "html.j2"),
                                                         default_for_string=False))
    env.project_root = project_root
    env.filters["latex"] = latex_escape
    env.filters["md"] = md_escape
    return env


def render(env: Environment, names: str | list[str], **context: Any) -> str:
    """Load the first of ``names`` that exists and render it. Whatever goes wrong inside
    a project's template (bad syntax, a forbidden attribute, a missing include, 1/0) is
    the user's mistake: one line naming its file; inside a package template, a bug."""
    try:
        return env.select_template([names] if isinstance(names, str) else names
                                   ).render(**context)
    except ReviewkitError:
        raise
    except Exception as exc:
        error = template_error(exc, getattr(env, "project_root", None))
        if error is None:
            raise
        raise error from None


def template_error(exc: Exception, project_root: Path | None) -> ReviewkitError | None:
    """The failure as one line naming the project's template file and line, or None
    when it did not happen in a template of the project."""
    if project_root is None:
        return None
    filename, line = getattr(exc, "filename", None), getattr(exc, "lineno", None)
    tb = exc.__traceback__
    while tb is not None:  # Jinja points the frames of template code at the template file
        code = tb.tb_frame.f_code.co_filename
        if not code.endswith(".py") and not code.startswith("<"):
            filename, line = code, tb.tb_lineno
        tb = tb.tb_next
    root = project_root.resolve()
    if not filename or not Path(filename).resolve().is_relative_to(root):
        return None
    if isinstance(exc, TemplateNotFound):
        message = f"no template {exc.name!r} in the templates folder"
    elif isinstance(exc, TemplateError):
        message = (exc.message or type(exc).__name__).splitlines()[0]
    else:
        message = f"{type(exc).__name__}: {exc}".splitlines()[0]
    return ReviewkitError(f"template refused: {message}",
                          file=Path(filename).resolve().relative_to(root).as_posix(), line=line)


def render_text(table: Table, fmt: str, project_root: Path | None = None) -> str:
    """The table as text in ``fmt`` (md, html, latex, csv, json)."""
    keys = [k for k, _ in table.columns]
    if fmt == "json":
        return json.dumps([{k: r.get(k) for k in keys} for r in table.rows],
                          ensure_ascii=False, indent=2, default=str) + "\n"
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(keys)
        writer.writerows([csv_safe(cell(r.get(k))) for k in keys] for r in table.rows)
        return buf.getvalue()
    if fmt not in _TEMPLATE_EXT:
        raise ReviewkitError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
    ext = _TEMPLATE_EXT[fmt]
    body = [[cell(r.get(k)) for k in keys] for r in table.rows]
    return render(environment(project_root),
                  [f"tables/{table.name}.{ext}.j2", f"tables/table.{ext}.j2"],
                  table=table, header=[label for _, label in table.columns],
                  body=body, colspec=_colspec(body, len(keys)))


def write_table(table: Table, fmt: str, path: Path, project_root: Path | None = None) -> Path:
    """Write the table to ``path`` (DOCX as a real Word table): rendered first, then
    written whole, so a failure leaves no file and no half-written one."""

    if fmt == "docx":
        from reviewkit.reporting.docx_table import docx_bytes

        data = docx_bytes(table, project_root)
    else:
        data = render_text(table, fmt, project_root).encode("utf-8")
    return write_output(path, data)


def write_output(path: Path, data: bytes) -> Path:
    """Write a command's ``-o`` file whole (tables, heatmap, flowchart); a folder or an
    unwritable place is one line naming it."""
    from reviewkit.reporting.prisma.files import write_file

    if path.is_dir():
        raise ReviewkitError("this is a folder: give a file name with -o", file=str(path))
    try:
        write_file(path, data)
    except OSError as exc:
        raise ReviewkitError(f"cannot write: {exc.strerror or exc}", file=str(path)) from None
    return path


# Every character TeX could read as anything but itself; brackets in braces, so that a
# cell after ``\\`` or an ``\item`` is never taken for an optional argument.
_LATEX = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#",
          "_": r"\_", "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}",
          "^": r"\textasciicircum{}", "\n": r"\newline{}", "£": r"\pounds{}",
          "<": r"\textless{}", ">": r"\textgreater{}", "|": r"\textbar{}",
          "`": r"\textasciigrave{}", "[": "{[}", "]": "{]}"}
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_LIGATURE = re.compile(r"([-',])(?=\1)")  # "--" would print a dash, "''" a quote mark


def latex_escape(text: Any) -> str:
    """One character at a time, so an escape is never escaped again. Line breaks inside
    are kept; control characters (which TeX refuses) become spaces."""
    text = _CONTROL.sub(" ", str(text).replace("\r\n", "\n").replace("\r", "\n")).strip("\n")
    return _LIGATURE.sub(r"\1{}", "".join(_LATEX.get(c, c) for c in text))


def _colspec(body: list[list[str]], n: int) -> str:
    """Short columns stay 'l'; columns with long text wrap in a paragraph column."""
    spec = []
    for i in range(n):
        longest = max((len(row[i]) for row in body), default=0)
        spec.append("p{4cm}" if longest > 30 else "l")
    return "".join(spec)


def deliver(table: Table, fmt: str, output: Path | None, project_root: Path | None = None
            ) -> str | None:
    """Write to ``output`` (returns a note for the user) or return the text for stdout."""
    if fmt not in (*FORMATS, "table"):
        raise ReviewkitError(f"unknown --format {fmt!r}; expected table, {', '.join(FORMATS)}")
    if output is not None:
        if fmt == "table":
            raise ReviewkitError("--format table is for the terminal; choose md, html, latex, "
                                 "csv, json or docx for a file")
        write_table(table, fmt, output, project_root)
        return None
    if fmt == "docx":
        raise ReviewkitError("a DOCX file needs --output FILE.docx")
    if fmt == "table":
        from reviewkit.reporting.tables import render

        labels = [label for _, label in table.columns]
        rows = [{label: cell(r.get(k)) for k, label in table.columns} for r in table.rows]
        return render(rows, "table", table.title, labels)
    return render_text(table, fmt, project_root)
