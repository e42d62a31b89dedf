"""Hits the database reported vs records found in the export files."""

from __future__ import annotations

from dataclasses import dataclass

from reviewkit.searches.log import Search
from reviewkit.store.base import FileRow


@dataclass
class Reconciliation:
    search_id: str
    database: str
    hits: int | None
    found: int
    files: int
    status: str  # ok | mismatch | no-files | no-hits
    message: str


def reconcile(searches: list[Search], entries: dict[str, int]) -> list[Reconciliation]:
    """One row per search; ``entries`` is records read per source (store.count_entries())."""
    out = []
    for s in searches:
        found = entries.get(s.id, 0)
        if not s.files:
            status = "no-files"
            msg = ("no export file logged yet" if s.hits else "no export file and no hit count")
            if s.other_method and not s.hits:
                msg = "other method: no export file"
        elif s.hits is None:
            status, msg = "no-hits", f"{found} records imported; the hit count was not logged"
        elif found == s.hits:
            status, msg = "ok", f"{found} of {s.hits} records imported"
        else:
            status = "mismatch"
            gap = s.hits - found
            msg = (f"the database reported {s.hits} hits but the export files hold {found} "
                   + (f"({gap} missing: truncated export, or a batch not imported?)" if gap > 0
                      else f"({-gap} more than reported: wrong file or a repeated batch?)"))
        out.append(Reconciliation(s.id, s.database, s.hits, found, len(s.files), status, msg))
    return out


def list_warnings(searches: list[Search], checks: list[Reconciliation],
                  files: list[FileRow]) -> list[str]:
    """What `search list` must say beside its table: hits the files do not match,
    imported files no search logs (their records are counted, but in no listed row),
    and the PRISMA-S items left blank."""
    from reviewkit.searches.gaps import prisma_s_gaps

    out = [f"{c.search_id}: {c.message}" for c in checks if c.status == "mismatch"]
    for row in files:
        if row.search_id is None:
            out.append(f"{row.path}: {row.entries} records imported without a search; log "
                       "it (reviewkit import --search ID FILE) so its row shows here")
    return out + prisma_s_gaps(searches)
