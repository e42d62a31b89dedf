"""The screening as the server shows it to this connection: conflicts and agreement computed
from exactly the rows the server returned (blinding applied by its policies), not from the
folder's logs. The rows are written to a private temporary folder and read by the same
readers as a project's logs; nothing lands in the project."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from reviewkit.project.config import Project
from reviewkit.team.folder import inside, log_match

SERVER = "server:"  # how a problem in a server row names its log


@contextmanager
def server_screening(project: Project, store: Any, con: Any) -> Iterator[Any]:
    """A Screening over the server's screening events visible to ``con``, with the
    project's records (store) and configuration."""
    from reviewkit.screening import Screening
    from reviewkit.screening.config import screening_config

    conf = screening_config(project)
    with tempfile.TemporaryDirectory(prefix="reviewkit-team-") as tmp:
        view = Project(Path(tmp), project.config)
        logs: dict[str, list[str]] = {}
        for log, line in con.execute("SELECT log, line FROM events "
                                     "WHERE log LIKE 'screening/%%' ORDER BY seq"):
            if log_match(log):
                logs.setdefault(log, []).append(line)
        for log, lines in logs.items():
            path = inside(view, log)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text("".join(f"{line}\n" for line in lines), "utf-8")
        yield Screening(view, store, conf)


def named_for_server(problems: list, view_root: Path) -> list[str]:
    """Problems of the view's logs, naming each log as server:<path> rather than the
    temporary folder."""
    root = str(view_root) + "/"
    return [str(p).replace(root, SERVER) for p in problems]
