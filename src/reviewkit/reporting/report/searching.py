"""Report sections about finding records: the PRISMA-S search table, the full search
strings, and what deduplication removed per source."""

from __future__ import annotations

from dataclasses import dataclass

from reviewkit.dedup.report import merges, per_database
from reviewkit.reporting.outputs import Table
from reviewkit.searches.log import Search
from reviewkit.searches.reconcile import reconcile
from reviewkit.searches.table import NOT_REPORTED, search_rows
from reviewkit.store.base import Store

SEARCH_COLUMNS = [("database", "Database or source"), ("kind", "Type"),
                  ("platform", "Platform"), ("date_run", "Date searched"),
                  ("coverage", "Coverage"), ("limits", "Limits"), ("hits", "Hits"),
                  ("imported", "Imported"), ("check", "Reconciled")]
DEDUP_COLUMNS = [("source", "Source"), ("found", "Records"), ("duplicates", "Duplicates removed"),
                 ("kept", "Kept"), ("duplicates_of", "Duplicates of")]


@dataclass
class SearchString:
    id: str
    name: str  # "Medline (Ovid)"
    date_run: str
    text: str


def num(n: object) -> object:
    """Whole numbers with thousands separators (6,693); anything else as it is."""
    return f"{n:,}" if isinstance(n, int) and not isinstance(n, bool) else n


def ordered(searches: list[Search]) -> list[Search]:
    """Databases and registers first, then other methods (PRISMA's two columns)."""
    return sorted(searches, key=lambda s: s.other_method)


def source_name(s: Search) -> str:
    return f"{s.database} ({s.platform})" if s.platform else s.database


def search_table(searches: list[Search], store: Store) -> Table:
    """PRISMA-S items per search; 'Reconciled' compares logged hits with imported records."""
    searches = ordered(searches)
    checks = {c.search_id: c for c in reconcile(searches, store.count_entries())}
    rows = search_rows(searches, list(checks.values()))
    for row, s in zip(rows, searches, strict=True):
        row["hits"] = NOT_REPORTED if row["hits"] is None else num(row["hits"])
        row["imported"] = num(checks[s.id].found) if s.files else "no export file"
        row["check"] = checks[s.id].message if s.files else ""
    # the librarian's notes (e.g. which grey sources, PRISMA-S 4) would be lost otherwise
    notes = [f"{source_name(s)}: {' '.join(s.notes.split())}" for s in searches
             if s.notes.strip()]
    return Table("report-searches", "Searches (PRISMA-S)", SEARCH_COLUMNS, rows,
                 [strings_note(searches), *notes])


def strings_note(searches: list[Search]) -> str:
    """Where the search strings are: the appendix holds only those logged (PRISMA-S 8)."""
    missing = [source_name(s) for s in ordered(searches) if not s.search_string.strip()]
    if len(missing) == len(searches):
        return "No search string is logged."
    if not missing:
        return "The full search strings are given in the appendix."
    return ("The full search strings are given in the appendix; none is logged for "
            f"{'; '.join(missing)}.")


def search_strings(searches: list[Search]) -> list[SearchString]:
    return [SearchString(s.id, source_name(s), s.date_run, s.search_string.strip("\n"))
            for s in ordered(searches) if s.search_string.strip()]


def dedup_table(store: Store, searches: list[Search]) -> Table | None:
    """Per source: records, duplicates removed and of which source; None before any import."""
    if store.count_records() == 0 or store.get_meta("dedup") is None:
        return None
    names = {s.id: source_name(s) for s in searches}
    rows = per_database(store)
    for row in rows:
        row.update({k: num(row[k]) for k in ("found", "duplicates", "kept")})
        row["source"] = names.get(row["source"], row["source"])
        row["duplicates_of"] = "; ".join(
            f"{names.get(k, k)} {n}" for k, _, n in
            (part.rpartition(" ") for part in row["duplicates_of"].split("; ") if part))
    return Table("report-dedup", "Duplicates removed per source", DEDUP_COLUMNS, rows)


def reported_duplicates(given: dict[str, int], searches: list[Search],
                        total: int | None) -> Table | None:
    """Duplicates per source as the team reports them ([report] duplicates)."""
    if not given:
        return None
    names = {s.id: source_name(s) for s in searches}
    rows = [{"source": names.get(k, k), "duplicates": num(n)} for k, n in given.items()]
    rows.append({"source": "total", "duplicates": num(sum(given.values()))})
    notes = []
    if total is not None and total != sum(given.values()):
        notes.append(f"These add up to {sum(given.values()):,}, but the flow diagram's "
                     f"duplicate records removed is {total:,}.")
    return Table("report-dedup-reported", "Duplicates removed, as reported by the review team",
                 [("source", "Source"), ("duplicates", "Duplicates removed")], rows, notes)


def dedup_facts(store: Store) -> dict:
    """How the duplicates were decided: by the method, by a person, still waiting."""
    decided = [m["decided_by"] for m in merges(store)]
    return {"ran": store.get_meta("dedup") is not None and store.count_records() > 0,
            "records": store.count_records(),
            "by_method": decided.count("method"), "by_person": decided.count("person"),
            "queued": len(store.dedup_pairs("queued"))}
