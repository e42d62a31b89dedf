"""Open a project with its store refreshed and a lock held while writing."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from reviewkit.dedup.run import dedup_enabled, run_dedup
from reviewkit.project.config import Project, find_project
from reviewkit.store import open_store
from reviewkit.store.sqlite import SQLiteStore
from reviewkit.store.sync import refresh

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no advisory locks, single user
    fcntl = None


@contextmanager
def lock(project: Project) -> Iterator[None]:
    """One writer at a time per project folder (two terminals, one project)."""
    project.cache_dir.mkdir(exist_ok=True)
    with (project.cache_dir / "lock").open("w") as fh:
        if fcntl:
            fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            if fcntl:
                fcntl.flock(fh, fcntl.LOCK_UN)


@contextmanager
def session(where: Path | None = None, sync: bool = True,
            verify: bool = False) -> Iterator[tuple[Project, SQLiteStore]]:
    """The project at ``where`` and its store, brought up to date first.

    ``verify``: check every record row against its checksum too (commands that hand all
    records out, such as export; a mismatch is healed by the CLI like any damage)."""
    project = find_project(where)
    with lock(project):
        store = open_store(project.store_path)
        try:
            if verify:
                store.verify_records()
            if sync:
                refresh(project, store)
                if dedup_enabled(project):
                    run_dedup(project, store)
            yield project, store
        finally:
            store.close()
