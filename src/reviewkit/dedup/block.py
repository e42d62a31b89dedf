"""Candidate pairs from cheap keys OR-ed together, never all pairs.

Each record emits a few keys; records sharing a key become candidates. A
sorted neighbourhood on the title catches typos no key shares. Work grows
with the number of records times the (bounded) block size.

``CandidateIndex`` answers the same question one record or one pair at a time, so an
import compares only its new records (dedup/incremental.py).
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


def _blocks(feats: list[Features]) -> dict[tuple, list[int]]:
    blocks: dict[tuple, list[int]] = defaultdict(list)
    for f in feats:
        for k in _keys(f):
            blocks[k].append(f.index)
    return blocks


def _tiebreak(f: Features) -> tuple:
    """Equal title keys ordered by the other compared fields, then (stable sort) by index.

    Two records equal here are exact copies (engine.exact_copies): whichever of them
    blocks, every other record keeps its place, so a new copy with a smaller id takes an
    old one's place without moving any pair in or out of the window."""
    pages = f.pages
    return (f.abstract, f.authors, -1 if f.year is None else f.year, f.journal, f.volume,
            f.issue, pages[0], -1 if pages[1] is None else pages[1],
            -1 if pages[2] is None else pages[2], f.doi, tuple(sorted(f.issn)))


def _orders(feats: list[Features]) -> tuple[list[Features], list[Features]]:
    ties = {f.index: _tiebreak(f) for f in feats}
    return (sorted(feats, key=lambda f: (f.key, ties[f.index])),
            sorted(feats, key=lambda f: (f.key[::-1], ties[f.index])))


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
            members = sorted(members, key=lambda i: (key_of[i].key, _tiebreak(key_of[i])))
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


class CandidateIndex:
    """``candidate_pairs`` of ``feats`` without listing them: the pairs one record
    takes part in, and whether one pair is among them."""

    def __init__(self, feats: list[Features]) -> None:
        t = rules()["thresholds"]
        self.limit, self.window = t["max_block"], t["neighbourhood"]
        self.feats = {f.index: f for f in feats}
        self.blocks = _blocks(feats)
        self.orders = _orders(feats)
        self.ranks = [{f.index: r for r, f in enumerate(order)} for order in self.orders]
        self._sorted: dict[tuple, tuple[list[int], dict[int, int]]] = {}

    def _position(self, key: tuple) -> tuple[list[int], dict[int, int]]:
        """An oversized block sorted as candidate_pairs sorts it, and each member's place."""
        found = self._sorted.get(key)
        if found is None:
            members = sorted(self.blocks[key],
                             key=lambda i: (self.feats[i].key, _tiebreak(self.feats[i])))
            found = self._sorted[key] = (members, {i: p for p, i in enumerate(members)})
        return found

    def pairs_of(self, f: Features) -> set[tuple[int, int]]:
        """Every candidate pair that ``f`` (one of the indexed records) is in."""
        me, out = f.index, set()
        for k in _keys(f):
            members = self.blocks[k]
            if len(members) <= self.limit:
                out.update((m, me) if m < me else (me, m) for m in members if m != me)
                continue
            members, pos = self._position(k)
            p = pos[me]
            for m in members[max(0, p - 1): p + 2]:
                if m != me:
                    out.add((m, me) if m < me else (me, m))
        if f.key:
            for order, ranks in zip(self.orders, self.ranks, strict=True):
                r = ranks[me]
                for other in order[max(0, r - self.window): r + self.window + 1]:
                    m = other.index
                    if m != me and other.key:
                        out.add((m, me) if m < me else (me, m))
        return out

    def holds(self, a: int, b: int) -> bool:
        """True when (a, b) is one of ``candidate_pairs``."""
        fa, fb = self.feats[a], self.feats[b]
        for k in set(_keys(fa)) & set(_keys(fb)):
            if len(self.blocks[k]) <= self.limit:
                return True
            pos = self._position(k)[1]
            if abs(pos[a] - pos[b]) == 1:
                return True
        if fa.key and fb.key:
            return any(abs(ranks[a] - ranks[b]) <= self.window for ranks in self.ranks)
        return False
