"""Take a full text off a record (attached to the wrong one): the file is moved aside
to ``fulltext/detached/``, never deleted, and the index forgets it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import tomlkit

from reviewkit.fulltext.attach import resolve_record
from reviewkit.fulltext.index import (
    by_unit,
    fulltext_dir,
    index_path,
    load_index,
    read_document,
    set_entry,
    unit_files,
)
from reviewkit.project.atomic import write_text_atomic
from reviewkit.project.config import Project
from reviewkit.store.base import Store

DETACHED = "detached"  # a sub-folder: status lists only the folder's own files


@dataclass(frozen=True)
class Detached:
    record_id: str
    moved: list[tuple[Path, Path]]  # (file, where it went)
    forgot: bool  # the index named a file for it (perhaps one already gone)

    def summary(self, project: Project) -> str:
        if not self.forgot and not self.moved:
            return f"{self.record_id}: no full text attached (nothing to do)"
        said = [f"{project.relative(a)} -> {project.relative(b)}" for a, b in self.moved]
        return f"detached {self.record_id}: " + ("; ".join(said) or "its file was gone already")


def detach_fulltext(project: Project, store: Store, record_id: str) -> Detached:
    """Take the report's full text (any of its records') off it; retrieval marks stay.
    Nothing attached: nothing done (a re-run is safe)."""
    from reviewkit.screening import Screening  # reads the store: only when detaching

    rid = resolve_record(store, record_id)
    screening = Screening(project, store)
    unit = screening.unit_of(rid)
    index = load_index(project)
    keyed = by_unit(index, screening.unit_of).get(unit, [])
    held = unit_files(project, keyed, screening.members.get(unit, (rid,)))
    forgot = any(e.file for _, e in keyed)
    if not held and not forgot:
        return Detached(rid, [], False)
    doc = read_document(project)
    for key, entry in keyed:
        if entry.file:
            set_entry(doc, key, dict.fromkeys(("file", "sha256", "original", "attached"), ""))
    write_text_atomic(index_path(project), tomlkit.dumps(doc))  # first: a kill leaves a
    aside = fulltext_dir(project) / DETACHED                     # file a re-run moves
    aside.mkdir(exist_ok=True)
    moved = []
    for _, path in held:
        target = _free(aside / path.name)
        path.rename(target)
        moved.append((path, target))
    return Detached(rid, moved, forgot)


def _free(path: Path) -> Path:
    """``path``, or ``name-2.ext``, ``name-3.ext``... when taken (nothing is overwritten)."""
    n = 1
    out = path
    while out.exists():
        n += 1
        out = path.with_name(f"{path.stem}-{n}{path.suffix}")
    return out
