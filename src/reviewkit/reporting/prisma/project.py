"""PRISMA counts computed from a project: the search log, imports, dedup, screening
logs and the studies list. What the project does not know stays None ("not reported").
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from reviewkit.errors import ReviewkitError
from reviewkit.project.config import CONFIG, Project
from reviewkit.project.session import session
from reviewkit.records.orphans import refuse_orphans
from reviewkit.records.studies import check_studies, refuse_study_problems
from reviewkit.reporting.prisma.csvio import read_counts_csv
from reviewkit.reporting.prisma.invariants import BrokenInvariant, check_invariants
from reviewkit.reporting.prisma.model import Count, PrismaCounts, Sources
from reviewkit.reporting.prisma.screened import add_screening, add_studies
from reviewkit.reporting.prisma.settings import (
    previous_included,
    previous_path,
    prisma_settings,
    refuse_contradictory_previous,
)
from reviewkit.screening import Screening
from reviewkit.searches.log import load_searches
from reviewkit.store.base import Store

# search-log kind -> PrismaCounts route
ROUTE = {"database": "databases", "register": "registers", "website": "websites",
         "organisation": "organisations", "citation": "citations",
         "handsearch": "other_methods", "contact": "other_methods", "other": "other_methods"}


def project_counts(project: Project, store: Store) -> PrismaCounts:
    """Records identified per logged search, duplicates removed by dedup, screening and
    studies; then the ``[prisma]`` settings (a meta-analysis, the previous version)."""
    return _counts(project, store, frozenset())


def review_counts(project: Project, store: Store) -> tuple[PrismaCounts, list[BrokenInvariant]]:
    """The review's counts as its report gives them: the project's, with the numbers of
    its ``[report] counts`` file put over them; and the invariants they break."""
    from reviewkit.reporting.report.counts import merge_counts  # report imports prisma
    from reviewkit.reporting.report.settings import counts_path
    computed = project_counts(project, store)
    broken = project_invariants(project, store, computed)
    file = counts_path(project, None)
    if file is None:
        return computed, broken
    merged = merge_counts(computed, file, broken)
    return merged.counts, merged.problems


def _counts(project: Project, store: Store, seen: frozenset[Path]) -> PrismaCounts:
    counts = _computed(project, store)
    settings = prisma_settings(project)
    if settings.meta_analysis is not None:
        counts.ma_studies = settings.meta_analysis.studies
        counts.ma_reports = settings.meta_analysis.reports
    previous = previous_path(project)
    if previous is not None:
        before = _previous(project, previous, seen | {project.root.resolve()})
        refuse_contradictory_previous(project, previous, before)
        add_previous(counts, before)
    return counts


def add_previous(counts: PrismaCounts, previous: PrismaCounts) -> None:
    """Make ``counts`` an updated review of ``previous``: its studies and reports are the
    previous version's (its totals, when it was an update itself), and the totals add
    the new ones. Unknown stays unknown."""
    for unit, (prev, _) in previous_included(previous).items():
        setattr(counts, f"previous_{unit}", prev)
        new = getattr(counts, f"included_{unit}")
        setattr(counts, f"total_{unit}", None if prev is None or new is None else prev + new)


def _previous(project: Project, path: Path, seen: frozenset[Path]) -> PrismaCounts:
    if path.is_file():
        return read_counts_csv(path)
    if path in seen:
        raise ReviewkitError("[prisma] previous leads back to this review (a loop of "
                             "previous versions)", file=str(project.root / CONFIG),
                             field="prisma.previous")
    with session(path) as (other, store):
        counts = _counts(other, store, seen)
        from reviewkit.reporting.report.counts import merge_counts
        from reviewkit.reporting.report.settings import counts_path
        file = counts_path(other, None)
        return counts if file is None else merge_counts(counts, file).counts


def _computed(project: Project, store: Store) -> PrismaCounts:
    refuse_orphans(project, store, "the PRISMA counts")
    entries = store.count_entries()  # records read per source (= search id when logged)
    routes: dict[str, list[Count]] = {r: [] for r in set(ROUTE.values())}
    merged: set[str] = set()
    searches = load_searches(project)
    for s in searches:
        imported = s.id in entries
        # What was imported is what flows on to dedup and screening; without files,
        # the hit count the librarian logged is the best figure there is.
        routes[ROUTE[s.kind]].append(Count(s.database, entries[s.id] if imported else s.hits))
        if imported and ROUTE[s.kind] not in ("databases", "registers"):
            merged.add(ROUTE[s.kind])  # imported records are de-duplicated and screened
    logged = {s.id for s in searches}
    for source, n in sorted(entries.items()):  # files imported without --search
        if source not in logged:
            routes["databases"].append(Count(source, n))
    counts = PrismaCounts(**{r: Sources(None if items else 0, items)
                             for r, items in routes.items()})
    counts.duplicates = _duplicates(store, entries)
    counts.merged_other = tuple(g for g in ("websites", "organisations", "citations",
                                            "other_methods") if g in merged)
    screening = Screening(project, store)
    # included studies are counted from their reports: a missing or excluded one is refused
    refuse_study_problems(check_studies(project, store, screening))
    add_screening(counts, screening, _stop(project))
    add_studies(counts, screening)
    return counts


def _stop(project: Project) -> dict | None:
    data = (project.config.model_extra or {}).get("stopping")
    return data if isinstance(data, dict) else None


def project_invariants(project: Project, store: Store,
                       counts: PrismaCounts | None = None) -> list[BrokenInvariant]:
    """Broken PRISMA invariants, each naming the records that make its gap (only those:
    an unscreened record explains "records screened", not "reports assessed")."""
    if counts is None:
        counts = project_counts(project, store)
    pending = add_screening(PrismaCounts(), Screening(project, store), _stop(project))
    out = []
    for b in check_invariants(counts):
        if b.check in pending.gaps:
            ids, why = pending.gaps[b.check]
            b = replace(b, record_ids=ids, why=why)
        out.append(b)
    return out


def _duplicates(store: Store, entries: dict[str, int]) -> int | None:
    if store.get_meta("dedup") is None:
        return None  # dedup never ran: unknown, not zero
    repeats = sum(entries.values()) - store.count_records()  # one record exported twice
    linked = sum(len(m) - 1 for m in store.clusters().values())
    return repeats + linked
