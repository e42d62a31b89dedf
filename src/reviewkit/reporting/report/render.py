"""The report as Markdown, HTML and LaTeX through Jinja2 templates.

Templates are looked up in the project's ``templates/`` first, then in the package:
``report/report.{md,html,tex}.j2`` for the page, ``report/methods.txt.j2`` for the
methods wording (shared by every format), ``report/style.css`` for the HTML page and,
for each table, ``tables/<name>.<ext>.j2``, ``report/table.<ext>.j2`` or
``tables/table.<ext>.j2``. HTML templates autoescape; the others escape with filters.
Every template runs sandboxed (reporting/outputs.py): a project's templates are data.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from jinja2 import Environment
from markupsafe import Markup

from reviewkit.reporting.outputs import Table, cell, environment, render
from reviewkit.reporting.report.model import Report
from reviewkit.reporting.tables import md_escape

EXT = {"md": "md", "html": "html", "latex": "tex"}
WIDE_EM = 35  # footnotesize ems of unbreakable words beyond which a table goes landscape


def report_environment(project_root: Path | None) -> Environment:
    env = environment(project_root)
    env.filters["n"] = lambda n: "not reported" if n is None else f"{n:,}"
    env.filters["fence"] = fence
    env.filters["oneline"] = lambda text: " ".join(str(text).split())
    env.filters["md_text"] = md_text
    return env


def methods_paragraphs(report: Report, env: Environment) -> list[str]:
    """The methods wording as plain paragraphs; each format escapes them itself."""
    text = render(env, "report/methods.txt.j2", f=report.facts, r=report)
    return [" ".join(p.split()) for p in re.split(r"\n\s*\n", text) if p.strip()]


def table_text(table: Table, fmt: str, env: Environment) -> str:
    ext = EXT[fmt]
    keys = [k for k, _ in table.columns]
    body = [[cell(r.get(k)) for k in keys] for r in table.rows]
    colspec, wide = latex_colspec(body, table.columns)
    return render(env, [f"tables/{table.name}.{ext}.j2", f"report/table.{ext}.j2",
                        f"tables/table.{ext}.j2"],
                  table=table, header=[label for _, label in table.columns],
                  body=body, colspec=colspec, wide=wide)


def render_report(report: Report, fmt: str, project_root: Path | None = None) -> str:
    """``fmt``: md, html or latex."""
    env = report_environment(project_root)

    def table(t: Table) -> str:
        text = table_text(t, fmt, env)
        return Markup(text) if fmt == "html" else text  # already escaped by its template

    context: dict[str, Any] = {
        "r": report, "methods": methods_paragraphs(report, env), "table": table,
        "diagram_svg": Markup(report.diagram.inline_svg) if fmt == "html" else "",
        "figure_svg": lambda f: Markup(f.inline_svg),
    }
    return render(env, f"report/report.{EXT[fmt]}.j2", **context)


def is_wide(table: Table) -> bool:
    """Too wide for a portrait page (the same test for LaTeX and Word)."""
    keys = [k for k, _ in table.columns]
    return latex_colspec([[cell(r.get(k)) for k in keys] for r in table.rows],
                         table.columns)[1]


def fence(text: str) -> str:
    """A Markdown code fence longer than any run of backticks in ``text``."""
    runs = [len(m) for m in re.findall(r"`+", text)]
    return "`" * max(3, max(runs, default=0) + 1)


def md_text(text: Any) -> str:
    """Prose for Markdown: markup characters shown as written, never interpreted."""
    return md_escape(text)


def latex_colspec(body: list[list[str]], columns: list[tuple[str, str]]) -> tuple[str, bool]:
    """Paragraph columns: each at least as wide as its longest word (bold in the header;
    about 0.5 em a letter), the rest of the line shared by how much text each holds.
    ``wide``: the longest words alone would fill most of a portrait line."""
    least, share = [], []
    for i, (_, label) in enumerate(columns):
        texts = [row[i] for row in body]
        words = [len(w) * 0.5 for t in texts for w in t.split()] + \
            [len(w) * 0.58 for w in label.split()]
        least.append(round(max(words, default=1.0) + 0.3, 2))
        share.append(min(max([len(label), *(len(t) for t in texts)]), 50))
    rest = rf"\dimexpr\linewidth-{2 * len(columns)}\tabcolsep-{sum(least):.2f}em\relax"
    spec = "".join(
        rf">{{\raggedright\arraybackslash}}p{{\dimexpr {m}em+{w / sum(share):.3f}{rest}\relax}}"
        for m, w in zip(least, share, strict=True))
    return spec, sum(least) > WIDE_EM
