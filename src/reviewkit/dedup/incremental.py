"""Incremental dedup: an import compares only its new records, and the result is a full run's.

The method's result is a function of the records (by id) and people's judgements:
records are indexed in id order, so the order files arrived in changes nothing. The
store keeps, per record, its features, blocking keys and sort strings, and the verdict
of every compared pair that was certain or possible (store/dedupindex.py).

When records were only added (no file removed or re-read, the same judgements):
  - every candidate pair of two old records was a candidate before, so it was compared
    then: its verdict is kept, or it was distinct. Pairs that may have stopped being
    candidates (a block grown past its limit, new records between two in the window)
    all touch an old record next to a new one, and only those are checked again;
  - a new record exactly equal to an old one blocks in its place when its id is
    smaller (block.sort_strings), and the old one's pairs go;
  - the clusters change only in the connected parts of the pair graph that hold a new
    record or a dropped pair, and only those are settled again (engine.settle is
    blind to everything outside a component).
Anything else runs the method over every pair, reusing the stored features.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, fields
from functools import cache
from importlib import resources

from reviewkit.dedup import state as packed
from reviewkit.dedup.block import digest, keys, sort_strings
from reviewkit.dedup.engine import (
    completeness,
    exact_copies,
    pair_verdicts,
    settle,
    uncopied,
)
from reviewkit.dedup.features import Features, features, rules
from reviewkit.dedup.neighbours import Blocks, components, key_text, still
from reviewkit.dedup.score import CERTAIN, POSSIBLE, Verdict, compare
from reviewkit.dedup.version import METHOD_VERSION
from reviewkit.store.base import Store

INDEX_FORMAT = "2"  # bump when what the index keeps changes shape
FEATURE_FIELDS = tuple(f.name for f in fields(Features))[1:]  # all but index


@cache
def state_version() -> str:
    """The method version and the rules as shipped: either changing makes the index stale."""
    text = resources.files("reviewkit.dedup").joinpath("rules.yaml").read_bytes()
    return f"{INDEX_FORMAT}:{METHOD_VERSION}:{hashlib.sha256(text).hexdigest()[:16]}"


@dataclass
class RunStats:
    mode: str        # "incremental" or "full"
    why: str         # why a full run, or "" for incremental
    fresh: int       # records whose features were computed in this run
    compared: int    # pairs compared in this run
    reused: int      # kept verdicts checked again and still candidates
    settled: int     # records whose clusters were settled again
    dropped: int = 0  # kept verdicts of pairs that stopped being candidates


class Stale(Exception):
    """The index cannot answer this run: fall back to the whole method."""


def _feature_blob(f: Features, comp: tuple[int, int]) -> bytes:
    return packed.pack((tuple(getattr(f, n) for n in FEATURE_FIELDS), comp))


def _from_blob(blob: bytes) -> tuple[Features, tuple[int, int]]:
    got = packed.unpack(blob)
    if got is None:
        raise Stale("the index is damaged")
    row, comp = got
    return Features(-1, *row), tuple(comp)


def _file_features(store: Store, path: str) -> list[tuple[str, Features, tuple[int, int]]]:
    out = []
    from reviewkit.dedup.run import as_fields  # run.py imports this module lazily

    for sr in store.iter_file_records(path):
        rec = as_fields(sr)
        out.append((sr.id, features(-1, rec), completeness(rec)))
    return out


def recompute(store: Store, judgements: dict[tuple[str, str], bool], fingerprint: str,
              force: bool = False) -> RunStats:
    """Bring the store's clusters up to date; ``judgements`` are by current id."""
    idx = store.dedup_index()
    current = {r.path: r.records_sha for r in store.files()}
    indexed = {} if force else idx.files()
    last = None if force else packed.unpack(idx.state())
    judged = {(a, b) if a < b else (b, a): same for (a, b), same in judgements.items()}
    if force:
        why = "forced"
    elif not isinstance(last, tuple) or len(last) != 2:
        why = "no earlier run kept"
    elif last[0] != state_version():
        why = "the method or its rules changed"
    elif any(current.get(p) != sha for p, sha in indexed.items()):
        why = "records were removed or re-read"
    elif {(a, b): s for a, b, s in last[1]} != judged:
        why = "judgements changed"
    else:
        try:
            with idx.transaction():
                stats = _incremental(store, idx, current, indexed, judged)
                idx.set_fingerprint(fingerprint)
            return stats
        except Stale as exc:  # rolled back
            why = str(exc)
    # features are kept only from an index of this method and these rules
    usable = isinstance(last, tuple) and len(last) == 2 and last[0] == state_version()
    with idx.transaction():
        stats = _full(store, idx, current, indexed if usable else {}, judged, why)
        idx.set_fingerprint(fingerprint)
    return stats


# ------------------------------------------------------------------ the whole method

def _full(store: Store, idx, current: dict[str, str], indexed: dict[str, str],
          judged_ids: dict[tuple[str, str], bool], why: str) -> RunStats:
    entries, fresh = [], 0
    for path, sha in current.items():
        if indexed.get(path) == sha:
            try:
                entries += [(rid, *_from_blob(blob), path) for rid, blob in
                            idx.file_records(path)]
                continue
            except Stale:
                pass  # this file's features are recomputed
        got = _file_features(store, path)
        entries += [(*e, path) for e in got]
        fresh += len(got)
    entries.sort(key=lambda e: e[0])  # id order: the result does not depend on import order
    ids = [e[0] for e in entries]
    feats = [e[1] for e in entries]
    for i, f in enumerate(feats):
        f.index = i
    comp = [e[2] for e in entries]
    file_of = [e[3] for e in entries]
    del entries
    at = {rid: i for i, rid in enumerate(ids)}
    judged = {(at[a], at[b]): s for (a, b), s in judged_ids.items() if a in at and b in at}
    copies = exact_copies(feats, judged)
    blocking = uncopied(feats, copies)
    found = pair_verdicts(feats, blocking, judged)
    result = settle(feats, comp, judged, copies, found, ids)
    idx.replace_all_clusters(*_rows(result, ids))
    # the index, for the next import
    head = {m: ids[h] for h, members in copies.items() for m in members}
    blocks = {f.index for f in blocking}
    people = {i for pair in judged for i in pair}
    rows, key_rows = [], []
    for f in feats:
        rid = ids[f.index]
        sig = digest(f) if f.key and not f.generic and f.index not in people else None
        s1 = s2 = None
        if f.index in blocks:
            s1, s2 = sort_strings(f, rid)
            key_rows += [(key_text(k), rid) for k in keys(f)]
        rows.append((rid, file_of[f.index], sig, head.get(f.index), s1, s2,
                     _feature_blob(f, comp[f.index])))
    with idx.refilling():
        idx.add_records(rows)
        idx.add_keys(key_rows)
        idx.add_found((ids[a], ids[b], packed.pack((v.label, v.score, v.evidence)))
                      for a, b, v in found)
    idx.set_files(current)
    idx.set_state(packed.pack((state_version(), sorted((a, b, s) for (a, b), s in
                                                      judged_ids.items()))))
    return RunStats("full", why, fresh, len(found), 0, len(ids))


def _rows(result, ids: list[str]) -> tuple[list[tuple], list[tuple]]:
    rows = []
    for members in result.clusters:
        if len(members) < 2:
            continue
        rep = ids[members[0]]
        rows += [(ids[m], rep, "representative" if m == members[0] else "duplicate")
                 for m in members]
    pairs = [(ids[p.a], ids[p.b], p.verdict.label, round(p.verdict.score, 2), p.outcome,
              json.dumps(p.verdict.evidence, sort_keys=True)) for p in result.pairs]
    return rows, pairs


# ------------------------------------------------------------------ only the new records

class _Old:
    """Old records' features and index rows, read once each."""

    def __init__(self, idx) -> None:
        self.idx = idx
        self.rows: dict[str, tuple] = {}
        self.feats: dict[str, tuple[Features, tuple[int, int]]] = {}

    def load(self, ids) -> None:
        need = [i for i in ids if i not in self.rows]
        if need:
            self.rows.update(self.idx.records(need))

    def row(self, rid: str) -> tuple:
        self.load([rid])
        return self.rows[rid]  # (sig, head, s1, s2, data)

    def feature(self, rid: str) -> tuple[Features, tuple[int, int]]:
        got = self.feats.get(rid)
        if got is None:
            got = self.feats[rid] = _from_blob(self.row(rid)[4])
        return got


def _incremental(store: Store, idx, current: dict[str, str], indexed: dict[str, str],
                 judged: dict[tuple[str, str], bool]) -> RunStats:
    t = rules()["thresholds"]
    limit, window = t["max_block"], t["neighbourhood"]
    new_files = [p for p in current if p not in indexed]
    fresh: dict[str, tuple[Features, tuple[int, int], str]] = {}
    for path in new_files:
        for rid, f, comp in _file_features(store, path):
            fresh[rid] = (f, comp, path)
    old = _Old(idx)
    people = {i for pair in judged for i in pair}
    if set(fresh) & people:
        raise Stale("a judged record is new")  # not possible with equal judgements; be safe
    # exact copies: a fresh record joins its group; the smallest id blocks
    sig_of = {rid: digest(f) for rid, (f, _, _) in fresh.items()
              if f.key and not f.generic and rid not in people}
    head: dict[str, str | None] = {rid: None for rid in fresh}
    became: list[str] = []
    moved: set[str] = set()  # digests whose group got a new head
    heads_now: dict[str, str] = {}  # old head -> the new record that heads its group
    by_sig: dict[str, list[str]] = {}
    for rid, sig in sig_of.items():
        by_sig.setdefault(sig, []).append(rid)
    for sig, members in by_sig.items():
        olds = idx.sig_members(sig)
        old_head = next((rid for rid, h in olds if h is None), None)
        first = min(members + [rid for rid, _ in olds])
        for rid in members:
            head[rid] = None if rid == first else first
        if old_head is not None and first != old_head:
            became.append(old_head)
            moved.add(sig)
            heads_now[old_head] = first
    # their keys, from rows read apart from ``old``: it must not keep the rows as they
    # were before new_heads rewrites them
    moved_rows = idx.records(heads_now)
    idx.new_heads(heads_now, {h: [key_text(k) for k in keys(_from_blob(row[4])[0])]
                              for h, row in moved_rows.items()})
    # a judged record identical to them keeps its own place among them, by id
    for rid in people if moved else ():
        f = old.feature(rid)[0]
        if f.key and digest(f) in moved:
            raise Stale("an earlier record is now a later exact copy of a judged one")
    # the new records into the index (the queries below then see them)
    rows, key_rows, sorts = [], [], {}
    for rid, (f, comp, path) in fresh.items():
        s1 = s2 = None
        if head[rid] is None:
            s1, s2 = sort_strings(f, rid)
            sorts[rid] = (s1, s2)
            key_rows += [(key_text(k), rid) for k in keys(f)]
        rows.append((rid, path, sig_of.get(rid), head[rid], s1, s2, _feature_blob(f, comp)))
    idx.add_records(rows)
    idx.add_keys(key_rows)

    def feature(rid: str) -> Features:
        return fresh[rid][0] if rid in fresh else old.feature(rid)[0]

    def sort_of(rid: str) -> tuple[str | None, str | None]:
        return sorts[rid] if rid in sorts else old.row(rid)[2:4]

    # candidate pairs of the new records, and the old records next to them
    pairs: set[tuple[str, str]] = set()
    near: set[str] = set(became)
    blocks = Blocks(idx)
    for rid in sorts:
        f = feature(rid)
        for k in keys(f):
            members = list(blocks.members(key_text(k)))
            if len(members) <= limit:
                pairs.update((m, rid) if m < rid else (rid, m) for m, _ in members if m != rid)
                continue
            if len(members) - sum(m in fresh for m, _ in members) <= limit:
                near.update(m for m, _ in members if m not in fresh)  # it just grew past
            members.sort(key=lambda m: m[1])
            at = next(i for i, (m, _) in enumerate(members) if m == rid)
            for m, _ in members[max(0, at - 1): at + 2]:
                if m != rid:
                    pairs.add((m, rid) if m < rid else (rid, m))
                    near.add(m)
        for col, s in zip(("s1", "s2"), sorts[rid], strict=True):
            for m, ms in idx.neighbours(col, s, window):
                near.add(m)
                if f.key and not ms.startswith("\x01"):
                    pairs.add((m, rid) if m < rid else (rid, m))
    near -= set(fresh)
    # kept verdicts that may have stopped being candidates
    kept = idx.found_of(near)
    old.load({x for p in kept for x in p} | {x for p in pairs for x in p} - set(fresh))
    dropped = [p for p in kept if not still(idx, blocks, p, feature, sort_of, limit, window)]
    idx.drop_found(dropped)
    new_pairs = [p for p in pairs if p not in judged]
    found_new = []
    for a, b in new_pairs:
        v = compare(feature(a), feature(b))
        if v.label in (CERTAIN, POSSIBLE):
            found_new.append((a, b, packed.pack((v.label, v.score, v.evidence))))
    idx.add_found(found_new)
    # settle again the components that changed
    seeds = set(fresh) | set(became) | {x for p in dropped for x in p}
    touched = components(idx, judged, seeds)
    settled = _settle_part(idx, fresh, touched, judged)
    idx.set_files({p: current[p] for p in new_files})
    return RunStats("incremental", "", len(fresh), len(new_pairs), len(kept) - len(dropped),
                    settled, len(dropped))


def _settle_part(idx, fresh: dict, touched: set[str],
                 judged: dict[tuple[str, str], bool]) -> int:
    ids = sorted(touched)
    at = {rid: i for i, rid in enumerate(ids)}
    rows = idx.records(ids)
    feats, comp, heads = [], [], {}
    for rid in ids:
        f, c = fresh[rid][:2] if rid in fresh else _from_blob(rows[rid][4])
        f.index = at[rid]
        feats.append(f)
        comp.append(c)
        h = rows[rid][1]
        if h is not None:  # a later exact copy of h (in this component: a copy is an edge)
            heads.setdefault(at[h], []).append(at[rid])
    copies = {h: sorted(ms) for h, ms in sorted(heads.items())}
    part_judged = {(at[a], at[b]): s for (a, b), s in judged.items() if a in at and b in at}
    found = []
    for (a, b), blob in idx.found_of(ids).items():
        got = packed.unpack(blob)
        if got is None:
            raise Stale("the index is damaged")
        found.append((at[a], at[b], Verdict(*got)))
    result = settle(feats, comp, part_judged, copies, found, ids)
    idx.replace_clusters_of(ids, *_rows(result, ids))
    return len(ids)
