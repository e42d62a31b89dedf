"""The theme x study matrix and the quote table as report tables (any --format).

The rows are those of matrix.py and quotes.py, unchanged; this adds the column
labels and titles the terminal, the files and the report show.
"""

from __future__ import annotations

from reviewkit.reporting.outputs import Table
from reviewkit.synthesis.listing import matrix_rows
from reviewkit.synthesis.quotes import quote_table
from reviewkit.synthesis.state import Synthesis

QUOTE_COLUMNS = [("index", "#"), ("study", "Study"), ("source", "Source"), ("role", "Role"),
                 ("page", "Page"), ("text", "Text"), ("code", "Code path")]
SEGMENT = ("segment", "Segment")  # for scripts (uncode, memo --on segment), not the report


def study_ids(syn: Synthesis) -> list[str]:
    """The matrix's columns: every study with a source, in the order theme_matrix uses."""
    return sorted({s.study for s in syn.sources})


def matrix_table(syn: Synthesis, level: str | None = None, indent: bool = False,
                 with_ids: bool = True) -> Table:
    """Theme x study: coded segments per study for each code (sub-codes included);
    ``with_ids``: a column of code ids (for scripts; the report shows names only)."""
    rows = matrix_rows(syn, level, indent)
    columns = [("code", "Code")] if with_ids else []
    columns += [("theme", "Theme"), ("level", "Level")]
    columns += [(s, s) for s in study_ids(syn)] + [("studies", "Studies")]
    title = "Theme x study: coded segments per study" + (f" ({level})" if level else "")
    whose = f"coded by {', '.join(syn.coders)}" if syn.coders else "any coder's"
    notes = [f"A segment ({whose}) counts for a theme when it is coded with the theme or "
             "any code below it; Studies: how many studies give the theme at least one "
             "segment."]
    if any(c.credibility == "unsupported" for c in syn.codebook.codes.values()):
        notes.append("Segments of unsupported findings are counted here too; the themes "
                     "table leaves them out.")
    return Table("synthesis-matrix", title, columns, rows, notes)


def quotes_table(syn: Synthesis, role: str | None = None, with_ids: bool = True) -> Table:
    """Every coded segment with its study, source, role, page and code path; ``with_ids``:
    and the segment's id."""
    title = "Quotes" + (f" ({role})" if role else "")
    columns = QUOTE_COLUMNS + [SEGMENT] if with_ids else QUOTE_COLUMNS
    rows = quote_table(syn, role)
    if with_ids:
        return Table("synthesis-quotes", title, columns, rows)
    # without ids, two coders' segments of one passage under one code are one row twice
    seen: set[tuple] = set()
    kept = []
    for row in rows:
        key = tuple(row[k] for k, _ in QUOTE_COLUMNS if k != "index")
        if key not in seen:
            seen.add(key)
            kept.append({**row, "index": len(kept) + 1})
    notes = ["A passage that several coders coded alike is shown once."] \
        if len(kept) < len(rows) else []
    return Table("synthesis-quotes", title, columns, kept, notes)
