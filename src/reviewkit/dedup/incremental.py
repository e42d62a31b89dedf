"""Incremental dedup: a run that knows the last run compares only the new records.

The method's result is a function of the records (by id) and people's judgements:
records are indexed in id order, so the order files arrived in changes nothing. What
is costly and per record (features) or per pair (a verdict) is kept from the last run
(``DedupState``); what is global and cheap (which pairs are candidates, exact copies,
the clusters) is worked out again over every record, so the result equals a full run.

When records were only added (no record removed or re-read, the same judgements, no
old record turned into a later exact copy), every candidate pair of two old records
was one before, and was compared then: its verdict is reused, or it was distinct. Only
pairs with a new record are compared. Anything else runs the method over every pair,
still reusing the features.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, fields
from functools import cache
from importlib import resources

from reviewkit.dedup.block import CandidateIndex, candidate_pairs
from reviewkit.dedup.engine import (
    DedupResult,
    exact_copies,
    settle,
    signature,
    uncopied,
    verdicts,
)
from reviewkit.dedup.features import Features
from reviewkit.dedup.score import Verdict
from reviewkit.dedup.version import METHOD_VERSION

INDEX_FORMAT = "1"  # bump when what DedupState keeps changes shape
FEATURE_FIELDS = tuple(f.name for f in fields(Features))[1:]  # all but index


@cache
def state_version() -> str:
    """The method version and the rules as shipped: either changing makes the state stale."""
    rules = resources.files("reviewkit.dedup").joinpath("rules.yaml").read_bytes()
    return f"{INDEX_FORMAT}:{METHOD_VERSION}:{hashlib.sha256(rules).hexdigest()[:16]}"


def feature_row(f: Features) -> tuple:
    return tuple(getattr(f, name) for name in FEATURE_FIELDS)


def from_row(index: int, row: tuple) -> Features:
    return Features(index, *row)


@dataclass
class DedupState:
    """What a run keeps for the next, by record id (indices move as records arrive)."""

    version: str
    ids: frozenset[str]
    judged: dict[tuple[str, str], bool]
    copied: frozenset[str]  # later exact copies: outside blocking
    found: dict[tuple[str, str], Verdict]  # certain/possible verdicts of the compared pairs


@dataclass
class RunStats:
    mode: str              # "incremental" or "full"
    why: str               # why a full run, or "" for incremental
    fresh: int             # records whose features were computed in this run
    compared: int          # pairs compared in this run
    reused: int            # verdicts taken from the last run


def update(old: DedupState | None, ids: list[str], feats: list[Features],
           comp: list[tuple[int, int]], judged: dict[tuple[int, int], bool],
           fresh: set[int]) -> tuple[DedupResult, DedupState, RunStats]:
    """Dedup ``feats`` (indexed by position in ``ids``, which are sorted) reusing ``old``.

    ``fresh``: indices whose features were just computed (new or re-read records)."""
    assert all(a < b for a, b in zip(ids, ids[1:], strict=False)), "ids must be sorted"
    copies = exact_copies(feats, judged)
    copied = frozenset(ids[m] for members in copies.values() for m in members)
    judged_ids = {(ids[a], ids[b]): same for (a, b), same in judged.items()}
    why = _full_because(old, ids, fresh, judged_ids, copied, feats, judged)
    blocking = uncopied(feats, copies)
    if why:
        found = verdicts(feats, candidate_pairs(blocking), judged)
        stats = RunStats("full", why, len(fresh), len(found), 0)
    else:
        index = {rid: i for i, rid in enumerate(ids)}
        candidates = CandidateIndex(blocking)
        kept = []
        for (a, b), v in old.found.items():
            ia, ib = index[a], index[b]
            if ia in candidates.feats and ib in candidates.feats and candidates.holds(ia, ib):
                kept.append((ia, ib, v))
        new_pairs: set[tuple[int, int]] = set()
        for f in blocking:
            if f.index in fresh:
                new_pairs |= candidates.pairs_of(f)
        found = kept + verdicts(feats, new_pairs, judged)
        stats = RunStats("incremental", "", len(fresh), len(new_pairs), len(kept))
    result = settle(feats, comp, judged, copies, found, ids)
    state = DedupState(state_version(), frozenset(ids), judged_ids,
                       copied, {(ids[a], ids[b]): v for a, b, v in found})
    return result, state, stats


def _full_because(old: DedupState | None, ids: list[str], fresh: set[int],
                  judged: dict[tuple[str, str], bool], copied: frozenset[str],
                  feats: list[Features], judged_idx: dict[tuple[int, int], bool]) -> str:
    """Why the last run's verdicts cannot be reused, or '' when they can."""
    if old is None:
        return "no earlier run kept"
    if old.version != state_version():
        return "the method or its rules changed"
    now = set(ids)
    if not old.ids <= now:
        return "records were removed"
    if any(ids[i] in old.ids for i in fresh):
        return "records were re-read"
    if judged != old.judged:
        return "judgements changed"
    if not old.copied <= copied:
        return "an exact copy is no longer one"
    became = {i for i, rid in enumerate(ids) if rid in copied and rid in old.ids
              and rid not in old.copied}
    if became:
        # a new copy with a smaller id blocks in place of an old one (block._tiebreak);
        # a judged record identical to them keeps its own place among them by index
        sigs = {signature(feats[i]) for i in became}
        if any(signature(feats[i]) in sigs for pair in judged_idx for i in pair):
            return "an earlier record is now a later exact copy of a judged one"
    return ""
