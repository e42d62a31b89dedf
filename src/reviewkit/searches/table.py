"""The PRISMA-S search table, as rows any renderer can print."""

from __future__ import annotations

from reviewkit.searches.log import Search
from reviewkit.searches.reconcile import Reconciliation

COLUMNS = ["id", "kind", "database", "platform", "date_run", "coverage", "limits", "hits",
           "imported", "check", "run_by", "files", "search_string", "notes"]
SHORT = ["id", "database", "platform", "date_run", "coverage", "hits", "imported", "check"]
TEXT = ("platform", "date_run", "coverage", "limits", "run_by", "search_string", "notes")
NOT_REPORTED = "not reported"


def search_rows(searches: list[Search], checks: list[Reconciliation]) -> list[dict]:
    """One row per search, each field one type: what a search did not log is None (hits,
    dates and texts alike), ``imported`` is None without an export file, ``files`` a list."""
    by_id = {c.search_id: c for c in checks}
    rows = []
    for s in searches:
        c = by_id.get(s.id)
        rows.append({
            "id": s.id, "kind": s.kind, "database": s.database,
            **{name: getattr(s, name) or None for name in TEXT},
            "hits": s.hits, "imported": c.found if c and s.files else None,
            "check": c.status if c else None, "files": s.files,
        })
    return [{k: row[k] for k in COLUMNS} for row in rows]


def search_listing(searches: list[Search], checks: list[Reconciliation], fmt: str,
                   full: bool = False) -> tuple[list[dict], list[str]]:
    """`search list`'s rows and columns: every column for CSV and JSON (data), the short
    ones for a person unless ``full``; a person reads hits not logged as 'not reported'."""
    rows = search_rows(searches, checks)
    if fmt in ("csv", "json"):
        return rows, COLUMNS
    for row in rows:
        if row["hits"] is None:
            row["hits"] = NOT_REPORTED
    return rows, COLUMNS if full else SHORT
