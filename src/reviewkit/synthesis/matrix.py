"""The theme x study matrix: how many coded segments each study gives each code."""

from __future__ import annotations

from reviewkit.errors import ReviewkitError
from reviewkit.synthesis.codebook import presets
from reviewkit.synthesis.state import Synthesis


def theme_matrix(syn: Synthesis, level: str | None = None) -> list[dict]:
    """One row per code (at ``level``, or all): segments per study, and how many studies.

    A segment counts for a code when it is coded with the code or any code below it.
    Each row also has "depth" (0 for a top-level code), to indent a tree view.
    """
    book = syn.codebook
    levels = presets()[book.method]["levels"]
    if level is not None and level not in levels:
        raise ReviewkitError(f"level {level!r} is not a level of {book.method} (expected "
                             f"{', '.join(levels)})", field="level")
    studies = sorted({s.study for s in syn.sources})
    tree = [(depth, code) for depth, code in book.tree()
            if level is None or code.level == level]
    # which rows each code counts for (itself and every code above it), so each
    # segment is looked at once, not once per row
    rows_of: dict[str, list[str]] = {}
    for _, code in tree:
        for below in book.descendants(code.id) | {code.id}:
            rows_of.setdefault(below, []).append(code.id)
    study_of: dict[str, str] = {}
    for s in syn.sources:
        study_of.setdefault(s.id, s.study)
    cells = {code.id: dict.fromkeys(studies, 0) for _, code in tree}
    for seg in syn.coding.segments.values():
        hit = {row for c in seg.codes for row in rows_of.get(c, ())}
        if hit:
            study = study_of.get(seg.source, "")
            for row in hit:
                cells[row][study] += 1
    rows = []
    for depth, code in tree:
        row = {"code": code.id, "theme": code.name, "level": code.level, "depth": depth}
        row.update(cells[code.id])
        row["studies"] = sum(1 for n in cells[code.id].values() if n)
        rows.append(row)
    return rows
