"""Screening units: one per duplicate cluster (a record alone is its own cluster).

Other stages (screening, reporting) ask here which records belong together;
a decision on any member of a unit counts for the whole unit.
"""

from __future__ import annotations

from dataclasses import dataclass

from reviewkit.store.base import Store


@dataclass(frozen=True)
class Unit:
    id: str               # the representative record's id
    members: tuple[str, ...]  # every record id in the cluster, representative first


def screening_units(store: Store) -> list[Unit]:
    """Units in a stable order (by representative id)."""
    clusters = store.clusters()
    return [Unit(rep, tuple(members)) for rep, members in sorted(clusters.items())]
