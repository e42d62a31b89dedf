"""What an incremental dedup run asks the index about the records next to the new ones:
each block once, whether an old pair still blocks, and the records connected to them."""

from __future__ import annotations

from reviewkit.dedup.block import keys


def key_text(k: tuple) -> str:
    return "\x1f".join(str(x) for x in k)


class Blocks:
    """Blocks by key text, each asked of the index once a run: the new records are in
    the index before the first question, so the answers do not change during it."""

    def __init__(self, idx) -> None:
        self.idx = idx
        self.got: dict[str, list[tuple[str, str]]] = {}
        self.sizes: dict[str, int] = {}

    def members(self, text: str) -> list[tuple[str, str]]:
        got = self.got.get(text)
        if got is None:
            got = self.got[text] = self.idx.block(text)
        return got

    def size(self, text: str, cap: int) -> int:
        """The block's size, or at least ``cap`` when it has that many or more."""
        if text in self.got:
            return len(self.got[text])
        size = self.sizes.get(text)
        if size is None:
            size = self.sizes[text] = self.idx.block_size(text, cap)
        return size


def still(idx, blocks: Blocks, pair: tuple[str, str], feature, sort_of, limit: int,
           window: int) -> bool:
    """Whether an old pair is still one of candidate_pairs (both records still block)."""
    a, b = pair
    (a1, a2), (b1, b2) = sort_of(a), sort_of(b)
    if a1 is None or b1 is None:
        return False  # one became a later exact copy
    fa, fb = feature(a), feature(b)
    lo, hi = min(a1, b1), max(a1, b1)
    for k in set(keys(fa)) & set(keys(fb)):
        text = key_text(k)
        if blocks.size(text, limit + 1) <= limit:
            return True
        if not idx.block_between(text, lo, hi):
            return True
    if fa.key and fb.key:
        for col, x, y in (("s1", a1, b1), ("s2", a2, b2)):
            if idx.between(col, min(x, y), max(x, y), window) <= window - 1:
                return True
    return False


def components(idx, judged: dict[tuple[str, str], bool], seeds: set[str]) -> set[str]:
    """Every record connected to a seed by a kept verdict, a copy or a judgement: a walk
    out from the seeds, a batch of index queries per step (never the whole graph)."""
    people: dict[str, list[str]] = {}
    for a, b in judged:
        people.setdefault(a, []).append(b)
        people.setdefault(b, []).append(a)
    seen, frontier = set(seeds), list(seeds)
    while frontier:
        step = set(idx.neighbours_in_graph(frontier))
        for rid in frontier:
            step.update(people.get(rid, ()))
        frontier = list(step - seen)
        seen |= step
    return seen
