"""team report: the review report from what the server shows this connection.

The folder's own logs and documents are left out; the server's rows (blinding applied by
its policies) are pulled into a private view of the folder whose other files are links
to the real ones, and the report is built from that view by the usual code. Nothing is
written into the folder except the report itself."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from reviewkit.project.config import Project
from reviewkit.team.folder import DOC_PATH, log_match


def _definition_files(root: Path) -> Iterator[str]:
    """Folder-relative paths of every file but event logs, documents and dot-folders."""
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            rel = (Path(dirpath) / name).relative_to(root).as_posix()
            if not (log_match(rel) or DOC_PATH.match(rel)):
                yield rel


@contextmanager
def server_view(project: Project, con: Any) -> Iterator[Project]:
    """The project as the server shows it to ``con``: its definition, the server's events."""
    from reviewkit.team.pull import pull

    with tempfile.TemporaryDirectory(prefix="reviewkit-team-report-") as tmp:
        view = Project(Path(tmp), project.config)
        for rel in _definition_files(project.root):
            link = view.root / rel
            link.parent.mkdir(parents=True, exist_ok=True)
            link.symlink_to(project.root / rel)
        pull(view, con)  # only into the view: its event paths are not links
        yield view


def server_report(project: Project, store: Any, con: Any, output: Path | None,
                  counts: Path | None) -> tuple[Any, list[Path]]:
    """write_report over the server's view; the report lands in the real folder."""
    from reviewkit.reporting.report import DEFAULT_FOLDER, write_report

    out = output if output is not None else project.root / DEFAULT_FOLDER
    with server_view(project, con) as view:
        return write_report(view, store, out.resolve(), counts)
