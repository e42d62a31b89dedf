"""`reviewkit doctor`: what in the project cannot be trusted, why, and the fix."""

from __future__ import annotations

from dataclasses import dataclass, field

from reviewkit.project.config import Project
from reviewkit.records.orphans import Orphan, find_orphans, link_orphans
from reviewkit.store.sqlite import SQLiteStore

EXPLAIN = (
    "A decision, judgement or study link names a record id that no imported record has. "
    "Usually its export file was edited and renamed at once, or removed; ids never change "
    "when a file is only logged, renamed or moved. Where exactly one record has the same "
    "record key, `reviewkit doctor --fix` writes an alias line to searches/file-ids.tsv so "
    "the old id resolves to it; otherwise restore the export file (git) or re-import it.")


@dataclass
class Diagnosis:
    orphans: list[Orphan] = field(default_factory=list)
    linked: list[Orphan] = field(default_factory=list)
    healed: str | None = None

    @property
    def ok(self) -> bool:
        return not self.orphans


def diagnose(project: Project, store: SQLiteStore, fix: bool = False) -> Diagnosis:
    """Orphans (after linking the unambiguous ones when ``fix``) and whether the cache healed."""
    linked = link_orphans(project, store) if fix else []
    return Diagnosis(find_orphans(project, store), linked, store.healed)
