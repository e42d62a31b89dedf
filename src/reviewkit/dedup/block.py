"""Candidate pairs from cheap keys OR-ed together, never all pairs.

Each record emits a few keys; records sharing a key become candidates. A
sorted neighbourhood on the title catches typos no key shares. Work grows
with the number of records times the (bounded) block size.

The store keeps the keys and sort strings (store/dedupindex.py), so an import asks the
same questions one new record at a time (dedup/incremental.py).
"""

from __future__ import annotations

import hashlib
import marshal
from collections.abc import Iterator

from reviewkit.dedup.features import Features, rules

# one function per kind of key: None when the record has no such key
_KINDS = {
    "d": lambda f: f.doi or None,
    "t": lambda f: f.key[:40] if len(f.key) >= 12 else None,
    "u": lambda f: f.key[-40:] if len(f.key) >= 12 else None,
    "a": lambda f: (f.first_author, f.spage) if f.spage and f.first_author else None,
    "v": lambda f: (f.volume, f.spage, f.key[:2]) if f.spage and f.volume else None,
    "y": lambda f: ((f.first_author, f.year, f.key[:6])
                    if f.first_author and f.year and f.key else None),
}


def keys(f: Features) -> Iterator[tuple]:
    for kind, key_of in _KINDS.items():
        k = key_of(f)
        if k is not None:
            yield (kind, k)


def digest(f: Features) -> str:
    """A short digest of the fields two exact copies share (engine.signature)."""
    sig = (f.key, f.authors, f.year, f.journal, f.volume, f.issue, f.pages, f.doi,
           f.abstract, tuple(sorted(f.issn)))
    return hashlib.blake2b(marshal.dumps(sig), digest_size=8).hexdigest()


def sort_strings(f: Features, name: str) -> tuple[str, str]:
    """Where ``f`` sorts by title key and by reversed title key: equal keys ordered by
    the digest, then by ``name`` (the id, or the index zero-padded).

    Two records with one digest are exact copies: whichever of them blocks, every
    other record keeps its place, so a new copy with a smaller id takes an old one's
    place without moving any pair in or out of the window. As strings (the key is
    letters and digits, above the \x01 separator) so the store can index them."""
    tail = f"\x01{digest(f)}\x01{name}"
    return f.key + tail, f.key[::-1] + tail


def _orders(feats: list[Features]) -> tuple[list[Features], list[Features]]:
    by = {f.index: sort_strings(f, f"{f.index:012d}") for f in feats}
    return (sorted(feats, key=lambda f: by[f.index][0]),
            sorted(feats, key=lambda f: by[f.index][1]))


def candidate_pairs(feats: list[Features]) -> Iterator[tuple[int, int]]:
    """Index pairs (i < j) worth comparing, each once, in ascending (i, j) order."""
    codes, n = candidate_codes(feats)
    for start in range(0, len(codes), 1 << 20):
        for code in codes[start:start + (1 << 20)].tolist():
            yield divmod(code, n)


def candidate_codes(feats: list[Features]):  # -> tuple[numpy.ndarray, int]
    """The candidate pairs as sorted unique int64 codes i * n + j (i < j), and n.

    Memory, not time, limits a million records: each kind of key is blocked on its own
    (one kind's key ids in memory at a time), and pairs are held as 8-byte codes, made
    unique once at the end. Within-block pairs and the sorted-title window are formed
    with array operations, not pair by pair."""
    import numpy as np

    limit = rules()["thresholds"]["max_block"]
    n = max((f.index for f in feats), default=0) + 1
    index = np.fromiter((f.index for f in feats), dtype=np.int64, count=len(feats))
    parts = []

    def pairs(x, y) -> None:
        if len(x):
            parts.append(np.minimum(x, y) * n + np.maximum(x, y))

    for key_of in _KINDS.values():
        ids: dict[object, int] = {}
        kid = np.fromiter((-1 if (k := key_of(f)) is None else ids.setdefault(k, len(ids))
                           for f in feats), dtype=np.int64, count=len(feats))
        del ids
        size = np.bincount(kid[kid >= 0], minlength=1)
        block = np.where(kid >= 0, size[np.maximum(kid, 0)], 0)
        for big in np.unique(kid[block > limit]).tolist():
            # a generic key (a DOI shared by a whole supplement): neighbours only
            members = sorted(np.flatnonzero(kid == big).tolist(),
                             key=lambda p: sort_strings(feats[p], f"{feats[p].index:012d}")[0])
            at = index[members]
            pairs(at[:-1], at[1:])
        small = np.flatnonzero((block >= 2) & (block <= limit))
        order = small[np.argsort(kid[small], kind="stable")]
        k_sorted, i_sorted = kid[order], index[order]
        live = np.arange(len(order) - 1)  # positions whose block may reach d further
        for d in range(1, limit):
            live = live[live + d < len(order)]
            live = live[k_sorted[live] == k_sorted[live + d]]
            if not len(live):
                break
            pairs(i_sorted[live], i_sorted[live + d])
    window = rules()["thresholds"]["neighbourhood"]
    for order in _orders(feats):
        at = np.fromiter((f.index for f in order), dtype=np.int64, count=len(order))
        has = np.fromiter((bool(f.key) for f in order), dtype=bool, count=len(order))
        for d in range(1, window + 1):
            both = has[:-d] & has[d:]
            pairs(at[:-d][both], at[d:][both])
    if not parts:
        return np.empty(0, dtype=np.int64), n
    return np.unique(np.concatenate(parts)), n
