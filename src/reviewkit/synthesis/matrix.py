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
    rows = []
    for depth, code in book.tree():
        if level is not None and code.level != level:
            continue
        under = book.descendants(code.id) | {code.id}
        cells = dict.fromkeys(studies, 0)
        for seg in syn.coding.segments.values():
            if seg.codes & under:
                cells[syn.study_of(seg.source)] += 1
        row = {"code": code.id, "theme": code.name, "level": code.level, "depth": depth}
        row.update(cells)
        row["studies"] = sum(1 for n in cells.values() if n)
        rows.append(row)
    return rows
