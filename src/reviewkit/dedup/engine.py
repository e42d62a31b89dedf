"""find_duplicates: the whole method on plain record dicts (no store needed).

The method in three steps that incremental runs (dedup/incremental.py) reuse:
``features`` per record, ``verdicts`` per candidate pair, then ``settle`` (people's
judgements, exact copies, certain pairs, the queue) over every record at once."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from reviewkit.dedup.block import candidate_codes
from reviewkit.dedup.cluster import Clusters
from reviewkit.dedup.features import Features, features
from reviewkit.dedup.score import CERTAIN, POSSIBLE, Verdict, compare
from reviewkit.dedup.version import METHOD_VERSION  # noqa: F401 (bumped there)
from reviewkit.gcpause import no_gc

COMPLETENESS = ("title", "authors", "year", "journal", "volume", "issue", "pages", "doi",
                "abstract", "issn")


@dataclass
class Pair:
    a: int
    b: int
    verdict: Verdict
    outcome: str  # merged | queued | blocked: <why> | judged same | judged different


@dataclass
class DedupResult:
    clusters: list[list[int]]  # indices, representative first; singletons included
    pairs: list[Pair]          # every certain or possible pair, with what became of it

    @property
    def queued(self) -> list[Pair]:
        return [p for p in self.pairs if p.outcome == "queued"]


def completeness(rec: dict) -> tuple[int, int]:
    filled = sum(1 for k in COMPLETENESS if str(rec.get(k) or "").strip())
    return (filled, len(rec.get("abstract") or ""))


def find_duplicates(records: Iterable[dict],
                    judgements: dict[tuple[int, int], bool] | None = None,
                    ids: list[str] | None = None) -> DedupResult:
    """Cluster ``records`` (dicts with title, authors, year, journal, volume, issue,
    pages, doi, abstract, issn). ``judgements`` maps index pairs to a person's
    same/different; they override the method. ``ids`` break ties between equally
    complete representatives (default: index order). ``records`` may be an iterator:
    each is read once and not kept (a million records fit in memory as features)."""
    with no_gc():  # many small objects, no cycles: collections only cost time here
        feats: list[Features] = []
        comp: list[tuple[int, int]] = []
        for i, rec in enumerate(records):
            feats.append(features(i, rec))
            comp.append(completeness(rec))
        judged = judgements or {}
        copies = exact_copies(feats, judged)
        found = pair_verdicts(feats, uncopied(feats, copies), judged)
        return settle(feats, comp, judged, copies, found, ids)


def uncopied(feats: list[Features], copies: dict[int, list[int]]) -> list[Features]:
    """The records that take part in blocking: all but the later exact copies."""
    copied = {m for members in copies.values() for m in members}
    return [f for f in feats if f.index not in copied]


def pair_verdicts(feats: list[Features], blocking: list[Features],
                  judged: dict[tuple[int, int], bool]) -> list[tuple[int, int, Verdict]]:
    """The certain and possible verdicts among the candidate pairs of ``blocking``, in
    pair order: verdicts() over block.candidate_pairs, with the pairs the first test
    turns away skipped in bulk (prefilter.py)."""
    from reviewkit.dedup.prefilter import needs_compare

    codes, n = candidate_codes(blocking)
    keep = needs_compare(blocking, codes, n)
    return verdicts(feats, (divmod(c, n) for c in codes[keep].tolist()), judged)


def verdicts(feats: list[Features], pairs: Iterable[tuple[int, int]],
             judged: dict[tuple[int, int], bool]) -> list[tuple[int, int, Verdict]]:
    """The certain and possible verdicts among ``pairs`` (people's pairs skipped)."""
    out = []
    for a, b in pairs:
        if (a, b) in judged:
            continue
        v = compare(feats[a], feats[b])
        if v.label in (CERTAIN, POSSIBLE):
            out.append((a, b, v))
    return out


def settle(feats: list[Features], comp: list[tuple[int, int]],
           judged: dict[tuple[int, int], bool], copies: dict[int, list[int]],
           found: list[tuple[int, int, Verdict]], ids: list[str] | None) -> DedupResult:
    """Clusters from people's judgements, exact copies and the pair verdicts ``found``.

    Depends on indices only through their order, so records indexed in id order give
    one result whatever order they were imported in."""
    clusters = Clusters(feats)
    pairs: list[Pair] = []
    for (a, b), same in judged.items():
        if same:
            clusters.union(a, b, force=True)
    for (a, b), same in judged.items():
        if not same:
            clusters.forbid(a, b)
    for rep, members in copies.items():
        for m in members:
            clusters.union(rep, m, force=True)  # identical in every compared field
            pairs.append(Pair(rep, m, Verdict(CERTAIN, 100.0, {"exact copy": "every field"}),
                              "merged"))
    found = sorted(found, key=lambda t: (t[2].label != CERTAIN, -t[2].score, t[0], t[1]))
    for a, b, v in found:
        if v.label == CERTAIN:
            why = clusters.blocked(a, b)
            outcome = f"blocked: {why}" if why else "merged"
            if not why:
                clusters.union(a, b)
            pairs.append(Pair(a, b, v, outcome))
    shown: set[tuple[int, int]] = set()
    for a, b, v in found:
        if v.label == POSSIBLE:
            ra, rb = sorted((clusters.find(a), clusters.find(b)))
            why = clusters.blocked(a, b, pages=False)
            if ra == rb:
                outcome = "merged"
            elif why:
                outcome = f"blocked: {why}"
            elif (ra, rb) in shown:
                outcome = "covered"  # a person sees one pair per pair of clusters
            else:
                outcome = "queued"
                shown.add((ra, rb))
            pairs.append(Pair(a, b, v, outcome))
    for (a, b), same in sorted(judged.items()):
        pairs.append(Pair(a, b, Verdict("judged", 100.0 if same else 0.0),
                          "judged same" if same else "judged different"))
    order = ids or [str(i) for i in range(len(feats))]
    out = []
    for members in clusters.components():
        if len(members) == 1:
            out.append(members)
            continue
        rep = max(members, key=lambda i: (comp[i], _neg(order[i])))
        out.append([rep] + [m for m in members if m != rep])
    out.sort(key=lambda m: m[0])
    return DedupResult(out, pairs)


def exact_copies(feats: list[Features],
                 judged: dict[tuple[int, int], bool]) -> dict[int, list[int]]:
    """first index -> the later records identical to it in every field the method compares.

    They are certain duplicates; comparing them pair by pair made a file exported twice
    (or 35 copies of each record) cost time and memory quadratic in the copies. Records
    a person judged, and generic titles ("Editorial"), go through the full method."""
    people = {i for pair in judged for i in pair}
    groups: dict[tuple, list[int]] = {}
    for f in feats:
        if f.generic or not f.key or f.index in people:
            continue
        groups.setdefault(signature(f), []).append(f.index)
    return {g[0]: g[1:] for g in groups.values() if len(g) > 1}


def signature(f: Features) -> tuple:
    """The fields two exact copies share."""
    return (f.key, f.authors, f.year, f.journal, f.volume, f.issue, f.pages, f.doi,
            f.abstract, f.issn)


def _neg(text: str) -> tuple:
    # max() picks the most complete; among equals the smallest id
    return tuple(-ord(c) for c in text)
