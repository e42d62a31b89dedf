"""Blobs of the dedup index: marshal (plain tuples, strings, numbers, sets) behind a
checksum, so a damaged or foreign blob reads as None and the run recomputes it."""

from __future__ import annotations

import hashlib
import marshal

_DIGEST = 16


def pack(obj: object) -> bytes:
    data = marshal.dumps(obj)
    return hashlib.blake2b(data, digest_size=_DIGEST).digest() + data


def unpack(blob: bytes | None) -> object | None:
    if not blob or len(blob) < _DIGEST:
        return None
    digest, data = blob[:_DIGEST], blob[_DIGEST:]
    if hashlib.blake2b(data, digest_size=_DIGEST).digest() != digest:
        return None
    try:
        return marshal.loads(data)
    except (ValueError, EOFError, TypeError):
        return None
