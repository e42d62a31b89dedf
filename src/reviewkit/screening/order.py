"""The order records are screened in: pluggable; seeded random by default.

Never import order: it groups records by database and date and biases
reviewers. The ranker (issue 5) registers its own source with
``register_order("ranked", fn)`` and a project picks it with
``[screening] order = "ranked"``.
"""

from __future__ import annotations

import random
from collections.abc import Callable

from reviewkit.errors import ReviewkitError
from reviewkit.project.config import Project
from reviewkit.store.base import Store

# (project, store, stage, eligible unit ids) -> those ids in screening order
OrderSource = Callable[[Project, Store, str, list[str]], list[str]]

_SOURCES: dict[str, OrderSource] = {}


def register_order(name: str, source: OrderSource) -> None:
    _SOURCES[name] = source


def seeded_random(project: Project, store: Store, stage: str, units: list[str]) -> list[str]:
    """Reproducible shuffle: the same project, seed and stage give the same order."""
    ids = sorted(units)
    random.Random(f"{project.config.settings.seed}/{stage}").shuffle(ids)
    return ids


register_order("random", seeded_random)


def known_orders() -> list[str]:
    """The names ``[screening] order`` may take (the ranker registers "ranked")."""
    import reviewkit.screening.ranked  # noqa: F401  (registers "ranked")

    return sorted(_SOURCES)


def order_source(name: str) -> OrderSource:
    if name not in _SOURCES:
        raise ReviewkitError(f"unknown screening order {name!r}; known: "
                             f"{', '.join(sorted(_SOURCES))}", field="screening.order")
    return _SOURCES[name]


def screening_order(project: Project, store: Store, stage: str, units: list[str],
                    source: OrderSource | None = None, first: list[str] = ()) -> list[str]:
    """``units`` ordered by ``source``; ``first`` (a calibration sample) leads.

    Units the source leaves out follow in seeded random order, so a partial
    ranking never hides a record.
    """
    ranked = (source or seeded_random)(project, store, stage, list(units))
    wanted = set(units)
    out, seen = [], set()
    for uid in (*first, *ranked, *seeded_random(project, store, stage, units)):
        if uid in wanted and uid not in seen:
            seen.add(uid)
            out.append(uid)
    return out
