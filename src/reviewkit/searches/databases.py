"""Searches by database: a database searched again (an update search) is one database
searched twice, for every count of databases (the report's methods, `status`)."""

from __future__ import annotations

from reviewkit.searches.log import Search


def by_database(searches: list[Search]) -> list[list[Search]]:
    """The database and register searches, grouped by (database, platform), in the order
    each database first appears; other methods are left out (PRISMA keeps them apart)."""
    groups: dict[tuple[str, str], list[Search]] = {}
    for s in searches:
        if not s.other_method:
            groups.setdefault((s.database, s.platform), []).append(s)
    return list(groups.values())


def database_rows(searches: list[Search]) -> list[dict]:
    """One row per database: its searches' ids (first run first, undated last), how
    many, and their hits summed (None when a search of it did not report its hits: a
    partial sum would pass for the total)."""
    rows = []
    for group in by_database(searches):
        group = sorted(group, key=lambda s: (not s.date_run, s.date_run))
        hits = [s.hits for s in group]
        rows.append({"database": group[0].database, "platform": group[0].platform,
                     "searches": len(group),
                     "hits": None if None in hits else sum(hits),  # type: ignore[arg-type]
                     "ids": [s.id for s in group]})
    return rows
