"""What `reviewkit status` prints, as text: the same text is printed and kept for the next
identical `status` (reviewkit.project.statuscache)."""

from __future__ import annotations

from reviewkit.errors import ReviewkitError
from reviewkit.project.config import Project
from reviewkit.project.status import project_status
from reviewkit.reporting.tables import FORMATS, render
from reviewkit.store.base import Store

# shown as tables of their own, not as items
TABLES = ("databases_searched", "sources", "warnings", "screening")


def status_text(project: Project, store: Store, fmt: str = "table") -> tuple[str, list[str]]:
    """(what goes to stdout, the warnings for stderr)."""
    if fmt not in FORMATS:
        raise ReviewkitError(f"unknown --format {fmt!r}; expected table, csv, json or md")
    info = project_status(project, store)
    if fmt == "json":
        return render([info], "json") + "\n", []
    rows = [{"item": k, "value": v} for k, v in info.items() if k not in TABLES]
    out = render(rows, fmt, "Project")
    if info["databases_searched"]:
        out += render(info["databases_searched"], fmt, "Databases searched")
    if info["sources"]:
        out += render(info["sources"], fmt, "Imported files")
    if info["screening"]:
        out += render(info["screening"], fmt, "Screening")
    return out, list(info["warnings"])
