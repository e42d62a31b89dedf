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


# The worked example's own files at the repository root (not the code, the tests, a
# virtualenv or the demo the README builds there): what a test copies to change safely.
EXAMPLE_FILES = ("reviewkit.toml", "studies.toml", "prisma-counts.csv")
EXAMPLE_DIRS = ("searches", "casp", "extraction", "screening", "synthesis", "templates")


def copy_example(repo: Path, dest: Path) -> Path:
    """A copy of the root example project in ``dest``."""
    import shutil

    dest.mkdir(parents=True)
    for name in EXAMPLE_FILES:
        if (repo / name).is_file():
            shutil.copy2(repo / name, dest / name)
    for name in EXAMPLE_DIRS:
        if (repo / name).is_dir():
            shutil.copytree(repo / name, dest / name,
                            ignore=shutil.ignore_patterns(".reviewkit"))
    return dest
