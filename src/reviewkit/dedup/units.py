"""Screening units: one per duplicate cluster (a record alone is its own cluster).

Other stages (screening, reporting) ask here which records belong together;
a decision on any member of a unit counts for the whole unit.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

from reviewkit.records.model import Record
from reviewkit.store.base import Store


@dataclass(frozen=True)
class Unit:
    id: str               # the representative record's id
    members: tuple[str, ...]  # every record id in the cluster, representative first


def screening_units(store: Store) -> list[Unit]:
    """Units in a stable order (by representative id)."""
    clusters = store.clusters()
    return [Unit(rep, tuple(members)) for rep, members in sorted(clusters.items())]


# fields a representative borrows from its duplicates when it lacks them
_FILLABLE = ("title", "abstract", "year", "journal", "journal_abbrev", "volume", "issue",
             "pages", "doi", "pmid", "language", "type")
_LISTS = ("authors", "keywords", "issn", "isbn", "urls")


def merged_record(store: Store, unit: Unit) -> Record:
    """The representative with every empty field filled from the other members.

    The source records stay untouched in the store; this view is what a reviewer
    screens, so a copy lacking the abstract never hides the one that has it.
    """
    members = [store.get_record(rid) for rid in unit.members]
    base = copy.deepcopy(members[0].record)
    for other in members[1:]:
        rec = other.record
        for name in _FILLABLE:
            if not getattr(base, name) and getattr(rec, name):
                setattr(base, name, getattr(rec, name))
        for name in _LISTS:
            if not getattr(base, name) and getattr(rec, name):
                setattr(base, name, list(getattr(rec, name)))
        for kind, value in rec.accession.items():
            base.accession.setdefault(kind, value)
    return base
