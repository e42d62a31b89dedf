"""Run deduplication over a project's store; cached until records or judgements change."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from importlib import resources

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

    The features of each file and the last run's verdicts are kept in the store, so an
    import compares only its new records (dedup/incremental.py); the clusters are those
    of a full run. ``force`` recomputes everything from the records."""
    fingerprint = _fingerprint(project, store)
    if not force and store.get_meta("dedup") == fingerprint:
        # nothing changed: no record is read (385k of them took 15 s on every command)
        return _summary(store, store.count_records(), recomputed=False)
    # the method loads only to recompute
    from reviewkit.dedup import state as kept
    from reviewkit.dedup.incremental import from_row, update
    from reviewkit.gcpause import no_gc

    with no_gc():
        cached, last = ({}, None) if force else store.dedup_index()
        files = store.files()
        write: dict[str, tuple[str, bytes]] = {}
        entries, fresh_ids = [], set()
        for row in files:
            got = cached.get(row.path)
            data = kept.read_file(got[1]) if got and got[0] == row.records_sha else None
            if data is None:
                data = _file_features(store, row.path)
                write[row.path] = (row.records_sha, kept.file_blob(data))
                fresh_ids.update(data[0])
            entries += zip(*data, strict=True)
        entries.sort(key=lambda e: e[0])  # id order: the result does not depend on import order
        ids = [e[0] for e in entries]
        feats = [from_row(i, e[1]) for i, e in enumerate(entries)]
        comp = [tuple(e[2]) for e in entries]
        del entries
        index = {rid: i for i, rid in enumerate(ids)}
        judged = {}
        for (a, b), same in read_judgements(project).items():
            # an id from before its file was logged, renamed or moved names its record today
            a, b = (x if x in index else store.resolve(x) for x in (a, b))
            if a in index and b in index and a != b:
                judged[(index[a], index[b]) if index[a] < index[b] else (index[b], index[a])] = same
        fresh = {index[r] for r in fresh_ids if r in index}
        result, state, stats = update(None if force else kept.read_state(last), ids, feats,
                                      comp, judged, fresh)
        rows = []
        for members in result.clusters:
            if len(members) < 2:
                continue
            rep = ids[members[0]]
            rows += [(ids[m], rep, "representative" if m == members[0] else "duplicate")
                     for m in members]
        pairs = [(ids[p.a], ids[p.b], p.verdict.label, round(p.verdict.score, 2), p.outcome,
                  json.dumps(p.verdict.evidence, sort_keys=True)) for p in result.pairs]
        drop = [p for p in cached if p not in {r.path for r in files}]
        store.replace_clusters(rows, pairs, fingerprint,
                               index=(write, drop, kept.state_blob(state)))
    store.set_meta("dedup_last", json.dumps(stats.__dict__))
    return _summary(store, len(ids), recomputed=True)


def last_run(store: Store) -> dict | None:
    """How the last recompute went: mode (incremental/full), why, fresh, compared, reused."""
    text = store.get_meta("dedup_last")
    return json.loads(text) if text else None


def _file_features(store: Store, path: str) -> tuple[list[str], list[tuple], list[tuple]]:
    from reviewkit.dedup.engine import completeness
    from reviewkit.dedup.features import features
    from reviewkit.dedup.incremental import feature_row

    ids, rows, comp = [], [], []
    for sr in store.iter_file_records(path):
        fields = as_fields(sr)
        ids.append(sr.id)
        rows.append(feature_row(features(0, fields)))
        comp.append(completeness(fields))
    return ids, rows, comp


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
