"""The quote table: every coded segment with its study, role, page and code path."""

from __future__ import annotations

from reviewkit.errors import ReviewkitError
from reviewkit.synthesis.coding import ROLES
from reviewkit.synthesis.state import Synthesis


def quote_table(syn: Synthesis, role: str | None = None) -> list[dict]:
    """One row per (segment, code), by study, source and position; ``role`` keeps one role."""
    if role is not None and role not in ROLES:
        raise ReviewkitError(f"unknown role {role!r}; expected "
                             f"{', '.join(repr(r) for r in ROLES)}", field="role")
    order = {s.id: i for i, s in enumerate(syn.sources)}
    study_of: dict[str, str] = {}
    for s in syn.sources:
        study_of.setdefault(s.id, s.study)
    segments = sorted(syn.coding.segments.values(),
                      key=lambda s: (study_of.get(s.source, ""), order.get(s.source, 0),
                                     s.start))
    rank = {c: i for i, c in enumerate(syn.codebook.codes)}
    paths: dict[str, str] = {}
    rows = []
    for seg in segments:
        if role is not None and seg.role != role:
            continue
        for code in sorted(seg.codes, key=lambda c: rank[c]):
            if code not in paths:
                paths[code] = syn.codebook.path(code)
            rows.append({"index": len(rows) + 1, "study": study_of.get(seg.source, ""),
                         "source": seg.source, "role": seg.role, "page": seg.page,
                         "text": seg.text, "code": paths[code], "segment": seg.id})
    return rows
