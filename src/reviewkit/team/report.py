"""team report: the review report from what the server shows this connection, built by
the usual code from the server's view of the folder (team/view.py server_view); only the
report is written into the folder."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from reviewkit.errors import ReviewkitError
from reviewkit.project.config import Project
from reviewkit.team.view import SERVER, server_error_named, server_view


def server_report(project: Project, store: Any, con: Any, output: Path | None,
                  counts: Path | None) -> tuple[Any, list[Path], list[str]]:
    """write_report over the server's view; the report lands in the real folder.
    Returns (result, files written, lines of the server's logs skipped, named
    server:<log>), as `report` reports the folder's skipped lines."""
    from reviewkit.project.problems import log_problems
    from reviewkit.reporting.report import DEFAULT_FOLDER, write_report

    out = output if output is not None else project.root / DEFAULT_FOLDER
    with server_view(project, con) as view:
        try:
            result, paths = write_report(view, store, out.resolve(), counts)
        except ReviewkitError as exc:  # its lines are the server's copy's: say so
            raise server_error_named(exc, view.root) from None
        return result, paths, [SERVER + line for line in log_problems(view)]
