"""Clusters from pair verdicts: people's judgements first, then certain pairs.

A union never joins two clusters that hold different DOIs, members whose
pages disagree or that are two issues of one volume (issues_conflict), or that
a person said are different: chaining A~B~C must not merge A and C when they
are visibly two records.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from reviewkit.dedup.features import Features
from reviewkit.dedup.score import issues_conflict, pages_agree


@dataclass
class _Group:
    members: list[int]
    dois: set[str] = field(default_factory=set)
    cannot: set[int] = field(default_factory=set)  # roots this group must not join


class _Lazy(dict):
    """root -> _Group, made the first time a root is asked for: most records never
    join anything, and a million empty groups cost more memory than the features."""

    def __init__(self, feats: list[Features]) -> None:
        super().__init__()
        self.feats = feats

    def __missing__(self, root: int) -> _Group:
        group = self[root] = _Group([root], {self.feats[root].doi} - {""})
        return group


class Clusters:
    def __init__(self, feats: list[Features]) -> None:
        self.feats = feats
        self.parent = list(range(len(feats)))
        self.groups = _Lazy(feats)

    def find(self, x: int) -> int:
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def forbid(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        self.groups[ra].cannot.add(rb)
        self.groups[rb].cannot.add(ra)

    def blocked(self, a: int, b: int, pages: bool = True) -> str | None:
        """Why the clusters of a and b may not merge, or None.

        ``pages=False`` is for pairs shown to a person, who may know that the pages
        of one copy are simply wrong.
        """
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return None
        ga, gb = self.groups[ra], self.groups[rb]
        if rb in ga.cannot or ra in gb.cannot:
            return "judged different"
        if ga.dois and gb.dois and not ga.dois & gb.dois:
            return "different DOIs in the clusters"
        for x in ga.members if pages else ():
            fx = self.feats[x]
            for y in gb.members:
                fy = self.feats[y]
                if pages_agree(fx, fy) is False:
                    return "pages disagree within the clusters"
                if fx.issue != fy.issue and issues_conflict(fx, fy):
                    return "issues disagree within the clusters"  # a recurring column
        return None

    def union(self, a: int, b: int, force: bool = False) -> bool:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return True
        if not force and self.blocked(a, b):
            return False
        if ra > rb:
            ra, rb = rb, ra
        ga, gb = self.groups[ra], self.groups[rb]
        del self.groups[rb]
        self.parent[rb] = ra
        ga.members += gb.members
        ga.dois |= gb.dois
        # cannot-links point at roots: re-point those that named rb
        for other in gb.cannot:
            if dict.__contains__(self.groups, other):
                self.groups[other].cannot.discard(rb)
                self.groups[other].cannot.add(ra)
        ga.cannot |= {self.find(c) for c in gb.cannot}
        ga.cannot.discard(ra)
        return True

    def components(self) -> list[list[int]]:
        """Every cluster, singletons included."""
        out = [sorted(g.members) for root, g in self.groups.items() if self.parent[root] == root]
        out += [[i] for i, p in enumerate(self.parent) if p == i and i not in self.groups]
        return out
