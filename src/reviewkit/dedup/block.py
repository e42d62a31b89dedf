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
from collections import defaultdict
from collections.abc import Iterator

from reviewkit.dedup.features import Features, rules


def keys(f: Features) -> Iterator[tuple]:
    if f.doi:
        yield ("d", f.doi)
    if len(f.key) >= 12:
        yield ("t", f.key[:40])
        yield ("u", f.key[-40:])
    if f.spage and f.first_author:
        yield ("a", f.first_author, f.spage)
    if f.spage and f.volume:
        yield ("v", f.volume, f.spage, f.key[:2])
    if f.first_author and f.year and f.key:
        yield ("y", f.first_author, f.year, f.key[:6])


def _blocks(feats: list[Features]) -> dict[tuple, list[int]]:
    blocks: dict[tuple, list[int]] = defaultdict(list)
    for f in feats:
        for k in keys(f):
            blocks[k].append(f.index)
    return blocks


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


def candidate_pairs(feats: list[Features]) -> set[tuple[int, int]]:
    """Index pairs (i < j) worth comparing."""
    limit = rules()["thresholds"]["max_block"]
    pairs: set[tuple[int, int]] = set()
    key_of = {f.index: f for f in feats}  # feats may be a subset: index is not position
    for members in _blocks(feats).values():
        n = len(members)
        if n < 2:
            continue
        if n > limit:
            # a generic key (a DOI shared by a whole supplement): neighbours only
            members = sorted(members, key=lambda i: sort_strings(key_of[i], f"{i:012d}")[0])
            for a, b in zip(members, members[1:], strict=False):
                pairs.add((a, b) if a < b else (b, a))
            continue
        for x in range(n):
            for y in range(x + 1, n):
                a, b = members[x], members[y]
                pairs.add((a, b) if a < b else (b, a))
    window = rules()["thresholds"]["neighbourhood"]
    for order in _orders(feats):
        for x in range(len(order)):
            for y in range(x + 1, min(x + 1 + window, len(order))):
                a, b = order[x].index, order[y].index
                if order[x].key and order[y].key:
                    pairs.add((a, b) if a < b else (b, a))
    return pairs
