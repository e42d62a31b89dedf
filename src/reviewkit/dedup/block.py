"""Candidate pairs from cheap keys OR-ed together, never all pairs.

Each record emits a few keys; records sharing a key become candidates. A
sorted neighbourhood on the title catches typos no key shares. Work grows
with the number of records times the (bounded) block size.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from reviewkit.dedup.features import Features, rules


def _keys(f: Features) -> Iterator[tuple]:
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


def candidate_pairs(feats: list[Features]) -> set[tuple[int, int]]:
    """Index pairs (i < j) worth comparing."""
    limit = rules()["thresholds"]["max_block"]
    blocks: dict[tuple, list[int]] = defaultdict(list)
    for f in feats:
        for k in _keys(f):
            blocks[k].append(f.index)
    pairs: set[tuple[int, int]] = set()
    key_of = {f.index: f.key for f in feats}  # feats may be a subset: index is not position
    for members in blocks.values():
        n = len(members)
        if n < 2:
            continue
        if n > limit:
            # a generic key (a DOI shared by a whole supplement): neighbours only
            members = sorted(members, key=lambda i: key_of[i])
            for a, b in zip(members, members[1:], strict=False):
                pairs.add((a, b) if a < b else (b, a))
            continue
        for x in range(n):
            for y in range(x + 1, n):
                a, b = members[x], members[y]
                pairs.add((a, b) if a < b else (b, a))
    window = rules()["thresholds"]["neighbourhood"]
    for order in (sorted(feats, key=lambda f: f.key),
                  sorted(feats, key=lambda f: f.key[::-1])):
        for x in range(len(order)):
            for y in range(x + 1, min(x + 1 + window, len(order))):
                a, b = order[x].index, order[y].index
                if order[x].key and order[y].key:
                    pairs.add((a, b) if a < b else (b, a))
    return pairs
