"""Small builders shared by the project-level tests (real files, real store)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from reviewkit.project import Project, init_project
from reviewkit.searches.log import Search, add_search
from reviewkit.store import open_store
from reviewkit.store.sqlite import SQLiteStore


def new_project(tmp_path: Path, *searches: tuple[str, int | None]) -> tuple[Project, SQLiteStore]:
    """A fresh project with database searches (id, hits) logged and its store open."""
    project = init_project(tmp_path / "review", "Test review", "Does it work?")
    for sid, hits in searches:
        add_search(project, Search(id=sid, database=sid.title(), hits=hits))
    return project, open_store(project.store_path)


def run_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    """The real command in a subprocess: exit codes and stderr as a user sees them."""
    return subprocess.run([sys.executable, "-m", "reviewkit", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=120)


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file under a project except the derived store, for 'nothing written' checks."""
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and ".reviewkit" not in p.parts}
