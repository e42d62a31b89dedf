"""The themes table: each theme with its definition, supporting studies, segment count
and one or two illustrative quotes, participant quotes first, each with (role, study)."""

from __future__ import annotations

from reviewkit.reporting.outputs import Table
from reviewkit.synthesis.matrix import theme_matrix
from reviewkit.synthesis.outputs import study_ids
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
    """One row per theme at ``level`` (default: the top of the tree, codes with no parent)."""
    book = syn.codebook
    studies = study_ids(syn)
    rows = []
    for m in theme_matrix(syn, level):
        code = book.codes[m["code"]]
        if level is None and code.parent is not None:
            continue
        rows.append({"code": code.id, "theme": code.name, "level": code.level,
                     "definition": code.description,
                     "studies": [s for s in studies if m[s]],
                     "segments": sum(m[s] for s in studies),
                     "quotes": illustrative_quotes(syn, code.id)})
    return rows


def illustrative_quotes(syn: Synthesis, code: str, n: int = QUOTES) -> list[str]:
    """Up to ``n`` segments of ``code`` (or below it), best role first and, among equals,
    from studies not yet quoted; each as “text” (role, study)."""
    under = syn.codebook.descendants(code) | {code}
    order = {s.id: i for i, s in enumerate(syn.sources)}
    pool, seen = [], set()
    for seg in sorted(syn.coding.segments.values(), key=lambda s: (
            syn.study_of(s.source), order.get(s.source, 0), s.start, s.id)):
        if seg.codes & under and (seg.source, seg.start, seg.end) not in seen:
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
    return Table("synthesis-themes", f"Themes ({what}, {syn.codebook.method})", COLUMNS,
                 theme_rows(syn, level),
                 ["Segments: coded with the theme or a code below it, all coders. Quotes: "
                  "participant quotes first, attributed (role, study)."])


def _rank(role: str) -> int:
    return ROLE_ORDER.index(role) if role in ROLE_ORDER else len(ROLE_ORDER)


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= QUOTE_CHARS else text[: QUOTE_CHARS - 1].rstrip() + "…"
