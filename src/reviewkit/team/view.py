"""The screening as the server shows it to this connection: conflicts and agreement computed
from exactly the rows the server returned (blinding applied by its policies), not from the
folder's logs. The rows are pulled into a private view of the folder (server_view; also what `team
report` builds from) and read by the same readers as a project's logs; nothing lands in
the project."""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from reviewkit.errors import ReviewkitError
from reviewkit.project.config import Project
from reviewkit.team.folder import DOC_PATH, log_match

SERVER = "server:"  # how a problem in a server row names its log


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
    """The project as the server shows it to ``con``: its definition (hard links to the
    real files, copies where the file system has none), its logs and documents the
    server's rows (pulled into the view only)."""
    from reviewkit.team.pull import pull

    with tempfile.TemporaryDirectory(prefix="team-view-", dir=_scratch(project)) as tmp:
        view = Project(Path(tmp), project.config)
        for rel in _definition_files(project.root):
            _place(project.root / rel, view.root / rel)
        pull(view, con)  # its event paths are not links: nothing reaches the folder
        yield view


def _scratch(project: Project) -> Path | None:
    """The project's cache (same file system: hard links work), else the system's temp."""
    try:
        project.cache_dir.mkdir(parents=True, exist_ok=True)
        return project.cache_dir
    except OSError:  # a read-only checkout
        return None


def _place(src: Path, dst: Path) -> None:
    # not a symbolic link: the checks that keep a path inside the project resolve links,
    # and a link into the real folder is outside the view
    dst.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(src, dst)
    except OSError:  # another file system, or none of hard links
        shutil.copy2(src, dst)


@contextmanager
def server_screening(project: Project, store: Any, con: Any) -> Iterator[Any]:
    """A Screening over the server's events visible to ``con``, with the project's
    records (store) and configuration."""
    from reviewkit.screening import Screening
    from reviewkit.screening.config import screening_config

    with server_view(project, con) as view:
        yield Screening(view, store, screening_config(project))


def named_for_server(problems: list, view_root: Path) -> list[str]:
    """Problems of the view's logs, naming each log as server:<path> rather than the
    temporary folder."""
    root = str(view_root) + "/"
    return [str(p).replace(root, SERVER) for p in problems]


# a log named with a line number in a message ("screening/ta/ana.jsonl:12"), not already
# part of a longer path
_LOG_AT = re.compile(r"(?<![\w/:.-])((?:screening/[\w.-]+/[\w.-]+|synthesis/coding/[\w.-]+)"
                     r"\.jsonl|dedup/judgements\.jsonl)(?=:\d)")


def server_error_named(exc: ReviewkitError, view_root: Path) -> ReviewkitError:
    """A refusal raised over the view, naming each log it cites as server:<log>: its line
    numbers are the server's copy's, which need not be the folder's."""
    root = str(view_root) + "/"
    message = _LOG_AT.sub(SERVER + r"\1", exc.message.replace(root, ""))
    file = exc.file
    if file is not None and str(file).startswith(root):
        file = SERVER + str(file)[len(root):]
    return ReviewkitError(message, file=file, line=exc.line, field=exc.field)


def server_conflicts(project: Project, store: Any, con: Any, stage: str | None,
                     resolved: bool = False) -> tuple[list[dict], list[str]]:
    """`screen conflicts` over the server's rows: (rows, problems named server:<log>)."""
    from reviewkit.screening import conflicts

    with server_screening(project, store, con) as screening:
        rows = conflicts(screening, screening.conf.check_stage(stage), resolved)
        return rows, named_for_server(screening.problems(), screening.project.root)


def server_agreement(project: Project, store: Any, con: Any, stage: str | None
                     ) -> tuple[list[dict], list[str]]:
    """`screen agreement` over the server's rows: (rows, problems named server:<log>)."""
    from reviewkit.screening import agreement

    with server_screening(project, store, con) as screening:
        rows = agreement(screening, stage)
        return rows, named_for_server(screening.problems(), screening.project.root)
