"""Stable REFI guids: uuid5 of what a thing is in the project, so exports repeat byte for byte."""

from __future__ import annotations

import re
import uuid
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from reviewkit.synthesis.codebook import Codebook

_NS = uuid.uuid5(uuid.NAMESPACE_URL, "https://reviewkit.invalid/refi-qda")


def guid(kind: str, key: str) -> str:
    return str(uuid.uuid5(_NS, f"{kind}:{key}"))


# a code's guid as another program wrote it (kept, so an export gives that program its
# own code back): the schema's GUIDType, braces optional
GUID = re.compile(r"^(\{)?[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}(?(1)\})$")


def guid_problem(given: str, cid: str, book: Codebook) -> str:
    """What is wrong with ``given`` as code ``cid``'s kept guid ('' when nothing): not a
    GUID, or another code's already (case and braces aside)."""
    if given and not GUID.match(given):
        return f"guid {given!r} of {cid!r} is not a GUID (8-4-4-4-12 hex digits)"
    key = given.strip("{}").lower()
    other = next((c.id for c in book.codes.values()
                  if key and c.guid.strip("{}").lower() == key), None)
    return f"guid {given!r} of {cid!r} is also the guid of {other!r}" if other else ""


def keyed(item: dict) -> dict:
    """A code to be made from a file: its guid kept only when it is not the one its id
    gives anyway (a file reviewkit wrote), so the codebook says only what it must."""
    given = str(item.get("guid") or "")
    if given and given.strip("{}").lower() == guid("code", item["id"]):
        return {k: v for k, v in item.items() if k != "guid"}
    return item


def code_guids(book: Codebook) -> dict[str, str]:
    """code id -> its REFI guid: the one it was imported with, else the one its id gives."""
    return {c.id: c.guid or guid("code", c.id) for c in book.codes.values()}
