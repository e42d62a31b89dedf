"""The themes table: each theme with its definition, supporting studies, segment count
and one or two illustrative quotes, participant quotes first, each with (role, study)."""

from __future__ import annotations

from reviewkit.reporting.outputs import Table
from reviewkit.synthesis.coding import Segment
from reviewkit.synthesis.matrix import theme_matrix
from reviewkit.synthesis.state import Synthesis

# which segments illustrate a theme best: people's own words, then what was seen,
# then the authors' reading of them
ROLE_ORDER = ("participant quote", "field observation", "author interpretation", "")
QUOTES = 2
QUOTE_CHARS = 240
SHORT = 5  # words: a quote shorter than this illustrates little alone
COLUMNS = [("theme", "Theme"), ("level", "Level"), ("definition", "Definition"),
           ("studies", "Supporting studies"), ("segments", "Segments"),
           ("quotes", "Illustrative quotes")]


def theme_rows(syn: Synthesis, level: str | None = None) -> list[dict]:
    """One row per theme at ``level`` (default: the top of the tree, codes with no parent).

    Segments coded only with unsupported findings do not support a theme (JBI leaves
    unsupported findings out of the synthesis), so here they are not counted."""
    book = syn.codebook
    rows = []
    for m in theme_matrix(syn, level):  # checks the level, gives the tree's order
        code = book.codes[m["code"]]
        if level is None and code.parent is not None:
            continue
        segs = supporting(syn, code.id)
        rows.append({"code": code.id, "theme": code.name, "level": code.level,
                     "definition": code.description,
                     "studies": sorted({syn.study_of(s.source) for s in segs}),
                     "segments": len(segs),
                     "quotes": illustrative_quotes(syn, code.id)})
    return rows


def supporting(syn: Synthesis, code: str) -> list[Segment]:
    """The segments coded with ``code`` or a code below it, unsupported findings aside."""
    book = syn.codebook
    under = {c for c in book.descendants(code) | {code}
             if book.codes[c].credibility != "unsupported"}
    return [s for s in syn.coding.segments.values() if s.codes & under]


def illustrative_quotes(syn: Synthesis, code: str, n: int = QUOTES) -> list[str]:
    """Up to ``n`` segments of ``code`` (or below it), best role first and, among equals,
    from studies not yet quoted; each as “text” (role, study)."""
    order = {s.id: i for i, s in enumerate(syn.sources)}
    pool, seen = [], set()
    for seg in sorted(supporting(syn, code), key=lambda s: (
            syn.study_of(s.source), order.get(s.source, 0), s.start, s.id)):
        if (seg.source, seg.start, seg.end) not in seen:
            seen.add((seg.source, seg.start, seg.end))  # two coders, the same words: once
            pool.append(seg)
    chosen: list = []
    while pool and len(chosen) < n:
        used = {syn.study_of(c.source) for c in chosen}
        best = min(pool, key=lambda s: (_rank(s.role), len(s.text.split()) < SHORT,
                                        syn.study_of(s.source) in used))
        chosen.append(best)
        pool.remove(best)
    return [f"“{_short(s.text)}” ({', '.join(x for x in (s.role, syn.study_of(s.source)) if x)})"
            for s in chosen]


def themes_table(syn: Synthesis, level: str | None = None) -> Table:
    what = level or "top-level themes"
    notes = ["Segments: coded with the theme or a code below it, all coders. Quotes: "
             "participant quotes first, attributed (role, study)."]
    if any(c.credibility == "unsupported" for c in syn.codebook.codes.values()):
        notes.append("Unsupported findings are left out: their segments support no theme.")
    return Table("synthesis-themes", f"Themes ({what}, {syn.codebook.method})", COLUMNS,
                 theme_rows(syn, level), notes)


def _rank(role: str) -> int:
    return ROLE_ORDER.index(role) if role in ROLE_ORDER else len(ROLE_ORDER)


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= QUOTE_CHARS else text[: QUOTE_CHARS - 1].rstrip() + "…"
