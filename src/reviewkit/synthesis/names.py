"""Ids made from names (codes, sources, coders an import brings in)."""

from __future__ import annotations

import re
import unicodedata


def slug(name: str, taken: set[str], pattern: str = r"[^a-z0-9_-]+",
         lower: bool = True, fallback: str = "code") -> str:
    """An ASCII id from ``name``, not in ``taken`` (compared lower-case), added to it."""
    ascii_ = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    base = re.sub(pattern, "-", ascii_.lower() if lower else ascii_).strip("-._")[:48]
    base = base.strip("-._") or fallback
    out, n = base, 1
    while out.lower() in taken:
        n += 1
        out = f"{base}-{n}"
    taken.add(out.lower())
    return out
