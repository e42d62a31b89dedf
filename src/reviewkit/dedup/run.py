"""Run deduplication over a project's store; cached until records or judgements change."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from reviewkit.dedup.judgements import append_judgement, log_path, read_judgements
from reviewkit.dedup.version import METHOD_VERSION
from reviewkit.errors import ReviewkitError
from reviewkit.project.config import Project
from reviewkit.store.base import Store, StoredRecord
from reviewkit.store.sync import file_ids_path


@dataclass
class DedupSummary:
    records: int
    clusters: int          # clusters of two or more records
    duplicates: int        # records that are not their cluster's representative
    queued: int            # possible pairs awaiting a person
    recomputed: bool


def as_fields(sr: StoredRecord) -> dict:
    r = sr.record
    return {"title": r.title, "authors": "; ".join(r.authors), "year": r.year,
            "journal": r.journal or r.journal_abbrev, "volume": r.volume, "issue": r.issue,
            "pages": r.pages, "doi": r.doi, "abstract": r.abstract,
            "issn": " ".join(r.issn + r.isbn)}


def _fingerprint(project: Project, store: Store) -> str:
    h = hashlib.sha256(METHOD_VERSION.encode())
    for key in store.sources():
        h.update(f"{key}={store.source_fingerprint(key)}\n".encode())
    for path in (log_path(project), file_ids_path(project)):  # judgements, id aliases
        if path.exists():
            h.update(path.read_bytes())
    return h.hexdigest()


def run_dedup(project: Project, store: Store, force: bool = False) -> DedupSummary:
    """Cluster every stored record; a no-op when nothing changed since the last run."""
    fingerprint = _fingerprint(project, store)
    if not force and store.get_meta("dedup") == fingerprint:
        # nothing changed: no record is read (385k of them took 15 s on every command)
        return _summary(store, store.count_records(), recomputed=False)
    from reviewkit.dedup.engine import find_duplicates  # the method loads only to recompute

    stored = list(store.iter_records())
    ids = [sr.id for sr in stored]
    index = {rid: i for i, rid in enumerate(ids)}
    judged = {}
    for (a, b), same in read_judgements(project).items():
        # an id from before its file was logged, renamed or moved names its record today
        a, b = (x if x in index else store.resolve(x) for x in (a, b))
        if a in index and b in index and a != b:
            judged[(index[a], index[b]) if index[a] < index[b] else (index[b], index[a])] = same
    result = find_duplicates([as_fields(sr) for sr in stored], judged, ids)
    rows = []
    for members in result.clusters:
        if len(members) < 2:
            continue
        rep = ids[members[0]]
        rows += [(ids[m], rep, "representative" if m == members[0] else "duplicate")
                 for m in members]
    pairs = [(ids[p.a], ids[p.b], p.verdict.label, round(p.verdict.score, 2), p.outcome,
              json.dumps(p.verdict.evidence, sort_keys=True)) for p in result.pairs]
    store.replace_clusters(rows, pairs, fingerprint)
    return _summary(store, len(stored), recomputed=True)


def _summary(store: Store, records: int, recomputed: bool) -> DedupSummary:
    groups, linked = store.cluster_counts()
    return DedupSummary(records, groups, linked, len(store.dedup_pairs("queued")), recomputed)


def record_judgement(project: Project, store: Store, a: str, b: str, same: bool,
                     by: str) -> DedupSummary:
    """A person's same/different for two stored records, logged then applied; ``by`` must
    be one of the project's reviewers."""
    from reviewkit.screening.reviewers import require_reviewer  # screening imports dedup

    by = require_reviewer(project, by)
    current = []
    for rid in (a, b):
        found = store.resolve(rid)  # an older form of an id names its record today
        if found is None:
            raise ReviewkitError(f"no record with id {rid!r} (ids: reviewkit export -f csv)")
        current.append(found)
    append_judgement(project, *current, same, by)
    return run_dedup(project, store)


def dedup_enabled(project: Project) -> bool:
    """Dedup runs on every refresh once a project has used it (its folder exists)."""
    return (project.root / "dedup").is_dir()
