"""What a project holds: searches, sources, records, and what needs attention."""

from __future__ import annotations

from collections import Counter

from reviewkit.project.config import Project
from reviewkit.project.problems import log_problems, named
from reviewkit.records.orphans import find_orphans
from reviewkit.records.studies import check_studies
from reviewkit.screening import Screening, screening_status
from reviewkit.searches.databases import database_rows
from reviewkit.searches.log import load_searches
from reviewkit.searches.reconcile import Reconciliation, reconcile
from reviewkit.store.base import Store
from reviewkit.synthesis.state import synthesis_status


def project_status(project: Project, store: Store) -> dict:
    """A summary as plain data (rendered by the CLI as table, CSV or JSON)."""
    searches = load_searches(project)
    checks = reconcile(searches, store.count_entries())
    files = store.files()
    per_source = Counter()
    for row in files:
        per_source[row.source] += row.entries
    by_db = Counter(s.kind for s in searches)
    databases = database_rows(searches)
    screening = Screening(project, store)  # built once: its units cost a second at 385k
    from reviewkit.screening.ranked import stopping_report

    stops = [r for r in stopping_report(screening) if r["screened"]]
    return {
        "title": project.config.review.title,
        "question": project.config.review.question,
        "reviewers": project.config.reviewers,
        "searches": len(searches),
        # a database searched again (an update) is one database, as the report counts it
        "databases": len(databases),
        "other_methods": sum(n for k, n in by_db.items() if k not in ("database", "register")),
        "hits_reported": sum(s.hits or 0 for s in searches),
        "files": len(files),
        "records": store.count_records(),
        **_dedup(store),
        "entries_read": sum(per_source.values()),
        "unlogged_files": [r.path for r in files if r.search_id is None],
        "databases_searched": databases,
        "sources": [{"source": r.source, "file": r.path, "format": r.format,
                     "dialect": r.dialect, "records": r.entries} for r in files],
        "screening": _with_stopping(screening_status(project, store, screening), stops),
        "warnings": _warnings(checks) + _trust(project, store, screening)
        + [f"{r['stage']} {r['reviewer']}: stop? {r['caution']}" for r in stops if r["caution"]],
    }


def _with_stopping(rows: list[dict], stops: list[dict]) -> list[dict]:
    """Each reviewer's stopping verdict on their screening row (reviewkit screen stop
    has the numbers); blank for anyone who has not screened at that stage."""
    verdicts = {(r["stage"], r["reviewer"]): r["verdict"] for r in stops}
    return [{**row, "stopping": verdicts.get((row["stage"], row["reviewer"]), "")}
            for row in rows]


def _dedup(store: Store) -> dict:
    _, linked = store.cluster_counts()
    return {"duplicates_linked": linked,
            "unique_records": store.count_records() - linked,
            "pairs_awaiting_review": len(store.dedup_pairs("queued"))}


def _trust(project: Project, store: Store, screening: Screening) -> list[str]:
    """Skipped log lines, one reviewer's differing decisions on one study, orphaned
    references, study links that do not hold, coded
    segments a source edit moved or lost, and CERQual worksheets made on other evidence."""
    orphans = [str(o) for o in find_orphans(project, store) if not o.what.startswith("study ")]
    studies = [str(p) for p in check_studies(project, store, screening)]
    synthesis = []
    if (project.root / "synthesis").is_dir():
        info = synthesis_status(project, check_studies=False)  # orphans name the study
        synthesis = [f"synthesis: {w}" for w in info["warnings"]]
        if (project.root / "synthesis" / "cerqual").is_dir():  # no worksheet: no import
            from reviewkit.synthesis.confidence.stale import stale_assessments

            synthesis += [f"synthesis: {w}" for w in stale_assessments(project)]
    return log_problems(project) + named(project, screening.self_conflicts()) + orphans \
        + studies + synthesis


def _warnings(checks: list[Reconciliation]) -> list[str]:
    out = [f"{c.search_id}: {c.message}" for c in checks if c.status == "mismatch"]
    missing = [c.search_id for c in checks if c.status == "no-files" and c.hits]
    if missing:
        out.append(f"{len(missing)} search(es) report hits but have no export file imported: "
                   f"{', '.join(missing)} (reviewkit import FILE --search ID)")
    return out
