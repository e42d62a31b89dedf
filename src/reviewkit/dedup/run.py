"""Run deduplication over a project's store; cached until records or judgements change."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from importlib import resources

from reviewkit.dedup.judgements import append_judgement, log_path, read_judgements, standing
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
    # the rules as shipped (bytes, not parsed: this runs on every command)
    h.update(resources.files("reviewkit.dedup").joinpath("rules.yaml").read_bytes())
    for key in store.sources():
        h.update(f"{key}={store.source_fingerprint(key)}\n".encode())
    for path in (log_path(project), file_ids_path(project)):  # judgements, id aliases
        if path.exists():
            h.update(path.read_bytes())
    return h.hexdigest()


def run_dedup(project: Project, store: Store, force: bool = False) -> DedupSummary:
    """Cluster every stored record; a no-op when nothing changed since the last run.

    The store keeps what the method worked out per record and per pair, so an import
    compares only its new records (dedup/incremental.py); the clusters are those of a
    full run. ``force`` recomputes everything from the records."""
    fingerprint = _fingerprint(project, store)
    if not force and store.get_meta("dedup") == fingerprint:
        # nothing changed: no record is read (385k of them took 15 s on every command)
        return _summary(store, store.count_records(), recomputed=False)
    from reviewkit.dedup.incremental import recompute  # the method loads only to recompute
    from reviewkit.gcpause import no_gc

    judged = {}
    for (a, b), same in read_judgements(project).items():
        # an id from before its file was logged, renamed or moved names its record today
        a, b = (store.resolve(x) for x in (a, b))
        if a is not None and b is not None and a != b:
            judged[(a, b) if a < b else (b, a)] = same
    with no_gc():
        stats = recompute(store, judged, fingerprint, force)
    store.set_meta("dedup_last", json.dumps(stats.__dict__))
    return _summary(store, store.count_records(), recomputed=True,
                    counts=store.dedup_index().cluster_counts())


def last_run(store: Store) -> dict | None:
    """How the last recompute went: mode (incremental/full), why, fresh, compared, reused."""
    text = store.get_meta("dedup_last")
    return json.loads(text) if text else None


def _summary(store: Store, records: int, recomputed: bool,
             counts: tuple[int, int] | None = None) -> DedupSummary:
    groups, linked = counts or store.cluster_counts()
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
    now = standing(project, *current)
    # the same person saying the same again adds nothing, and one undo must undo it
    if now is None or now["same"] != bool(same) or now.get("by") != by:
        append_judgement(project, *current, same, by)
    return run_dedup(project, store)


def dedup_enabled(project: Project) -> bool:
    """Dedup runs on every refresh once a project has used it (its folder exists)."""
    return (project.root / "dedup").is_dir()
