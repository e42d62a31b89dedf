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
from array import array
from collections import defaultdict
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
    """Index pairs (i < j) worth comparing, each once, in no particular order.

    Memory, not time, limits a million records: each kind of key is blocked on its own
    (one kind's blocks in memory at a time), and pairs are held as int64 codes
    (i * n + j, 8 bytes) until they are unique, not as a set of tuples."""
    import numpy as np

    limit = rules()["thresholds"]["max_block"]
    n = max((f.index for f in feats), default=0) + 1
    by = {f.index: f for f in feats}  # feats may be a subset: index is not position
    unique = np.empty(0, dtype=np.int64)

    def merge(codes: array) -> None:
        nonlocal unique
        if codes:
            unique = np.union1d(unique, np.frombuffer(codes, dtype=np.int64))

    for key_of in _KINDS.values():
        blocks: dict[object, list[int]] = defaultdict(list)
        for f in feats:
            k = key_of(f)
            if k is not None:
                blocks[k].append(f.index)
        codes = array("q")
        for members in blocks.values():
            size = len(members)
            if size < 2:
                continue
            if size > limit:
                # a generic key (a DOI shared by a whole supplement): neighbours only
                members = sorted(members, key=lambda i: sort_strings(by[i], f"{i:012d}")[0])
                for a, b in zip(members, members[1:], strict=False):
                    codes.append(a * n + b if a < b else b * n + a)
                continue
            members.sort()
            for x in range(size):
                a = members[x] * n
                codes.extend(a + members[y] for y in range(x + 1, size))
        del blocks
        merge(codes)
    window = rules()["thresholds"]["neighbourhood"]
    for order in _orders(feats):
        codes = array("q")
        for x in range(len(order)):
            if not order[x].key:
                continue
            for y in range(x + 1, min(x + 1 + window, len(order))):
                a, b = order[x].index, order[y].index
                if order[y].key:
                    codes.append(a * n + b if a < b else b * n + a)
        merge(codes)
    for start in range(0, len(unique), 1 << 20):
        for code in unique[start:start + (1 << 20)].tolist():
            yield divmod(code, n)
