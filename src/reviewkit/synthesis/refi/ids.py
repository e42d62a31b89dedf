"""Stable REFI guids: uuid5 of what a thing is in the project, so exports repeat byte for byte."""

from __future__ import annotations

import uuid

_NS = uuid.uuid5(uuid.NAMESPACE_URL, "https://reviewkit.invalid/refi-qda")


def guid(kind: str, key: str) -> str:
    return str(uuid.uuid5(_NS, f"{kind}:{key}"))
