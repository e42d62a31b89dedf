"""The PRISMA-S search table, as rows any renderer can print."""

from __future__ import annotations

from reviewkit.searches.log import Search
from reviewkit.searches.reconcile import Reconciliation

COLUMNS = ["id", "kind", "database", "platform", "date_run", "coverage", "limits", "hits",
           "imported", "check", "run_by", "files", "search_string", "notes"]
SHORT = ["id", "database", "platform", "date_run", "coverage", "hits", "imported", "check"]


def search_rows(searches: list[Search], checks: list[Reconciliation]) -> list[dict]:
    by_id = {c.search_id: c for c in checks}
    rows = []
    for s in searches:
        c = by_id.get(s.id)
        rows.append({
            "id": s.id, "kind": s.kind, "database": s.database, "platform": s.platform,
            "date_run": s.date_run, "coverage": s.coverage, "limits": s.limits,
            "hits": s.hits if s.hits is not None else "not reported",
            "imported": c.found if c and s.files else "",
            "check": c.status if c else "", "run_by": s.run_by, "files": s.files,
            "search_string": s.search_string, "notes": s.notes,
        })
    return rows
