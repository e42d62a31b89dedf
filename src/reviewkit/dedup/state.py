"""The dedup index as bytes in the store: features per file, the last run's state.

marshal (plain tuples, strings, numbers, sets) behind a checksum: a damaged or
foreign blob reads as None, and the run recomputes what it held."""

from __future__ import annotations

import hashlib
import marshal

from reviewkit.dedup.incremental import DedupState, state_version
from reviewkit.dedup.score import Verdict

_DIGEST = 16


def _pack(obj: object) -> bytes:
    data = marshal.dumps(obj)
    return hashlib.blake2b(data, digest_size=_DIGEST).digest() + data


def _unpack(blob: bytes | None) -> object | None:
    if not blob or len(blob) < _DIGEST:
        return None
    digest, data = blob[:_DIGEST], blob[_DIGEST:]
    if hashlib.blake2b(data, digest_size=_DIGEST).digest() != digest:
        return None
    try:
        return marshal.loads(data)
    except (ValueError, EOFError, TypeError):
        return None


# ids, feature rows, completeness
FileFeatures = tuple[list[str], list[tuple], list[tuple[int, int]]]


def file_blob(data: FileFeatures) -> bytes:
    ids, rows, comp = data
    return _pack((state_version(), list(ids), list(rows), list(comp)))


def read_file(blob: bytes | None) -> FileFeatures | None:
    got = _unpack(blob)
    if not isinstance(got, tuple) or len(got) != 4 or got[0] != state_version():
        return None
    return got[1], got[2], got[3]


def state_blob(state: DedupState) -> bytes:
    found = [(a, b, v.label, v.score, v.evidence) for (a, b), v in state.found.items()]
    judged = [(a, b, same) for (a, b), same in state.judged.items()]
    return _pack((state.version, sorted(state.ids), judged, sorted(state.copied), found))


def read_state(blob: bytes | None) -> DedupState | None:
    got = _unpack(blob)
    if not isinstance(got, tuple) or len(got) != 5:
        return None
    version, ids, judged, copied, found = got
    return DedupState(version, frozenset(ids), {(a, b): same for a, b, same in judged},
                      frozenset(copied),
                      {(a, b): Verdict(label, score, evidence)
                       for a, b, label, score, evidence in found})
