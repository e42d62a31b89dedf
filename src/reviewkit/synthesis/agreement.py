"""Agreement between coders who coded the same sources blind, code by code.

Two units, two statistics:
- sentences, for Cohen's kappa: a coder codes a sentence with C when any of their
  segments with C overlaps it by at least one character;
- characters, for Krippendorff's alpha (nominal, two coders, no missing data): a
  coder codes a character with C when one of their segments with C covers it.
Only the sources both coders coded (each made at least one segment there) count.
Segments sit where their words are now (see anchor.py); a lost segment is left out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import combinations

from reviewkit.errors import ReviewkitError
from reviewkit.project.config import Project
from reviewkit.screening.log import Problem
from reviewkit.synthesis.anchor import anchor_segments
from reviewkit.synthesis.coding import coding_log
from reviewkit.synthesis.sources import source_text
from reviewkit.synthesis.state import load_synthesis

UNITS_NOTE = ("units: kappa on sentences (a sentence ends at a line break, or after . ! or ? "
              "and any closing quotes or brackets followed by white space; a sentence is "
              "coded when a segment overlaps it); alpha on characters; only sources both "
              "coders coded; 'all (pooled)' sums the tables of every code, 'all (mean)' "
              "averages the codes whose statistic is defined")
# the end of a sentence: . ! or ? with closing quotes/brackets, before white space
_END = re.compile(r"[.!?]+[\"'\u201d\u2019)\]]*(?=\s)")

Span = tuple[int, int]


def sentences(text: str) -> list[Span]:
    """(start, end) of each sentence of ``text``, white space trimmed, empty ones dropped.

    Deterministic and simple: a line break always ends a sentence, and so does
    . ! or ? (with any closing quotes or brackets) followed by white space. So
    "Dr. Smith" splits in two; that costs both coders alike."""
    cuts = sorted({0, len(text)} | {m.end() for m in _END.finditer(text)}
                  | {m.end() for m in re.finditer("\n", text)})
    out = []
    for a, b in zip(cuts, cuts[1:], strict=False):
        piece = text[a:b]
        if piece.strip():
            lead = len(piece) - len(piece.lstrip())
            out.append((a + lead, a + len(piece.rstrip())))
    return out


@dataclass(frozen=True)
class Table2:
    """The 2x2 table of two coders over units: both coded, first only, second only, neither."""
    both: int
    first: int
    second: int
    neither: int

    @property
    def units(self) -> int:
        return self.both + self.first + self.second + self.neither

    def __add__(self, other: Table2) -> Table2:
        return Table2(self.both + other.both, self.first + other.first,
                      self.second + other.second, self.neither + other.neither)


def percent_agreement(t: Table2) -> float | None:
    return None if t.units == 0 else 100.0 * (t.both + t.neither) / t.units


def cohen_kappa(t: Table2) -> tuple[float | None, str]:
    """(kappa, '') or (None, why it is undefined): (po - pe) / (1 - pe)."""
    n = t.units
    if n == 0:
        return None, "no units"
    po = (t.both + t.neither) / n
    yes1, yes2 = (t.both + t.first) / n, (t.both + t.second) / n
    pe = yes1 * yes2 + (1 - yes1) * (1 - yes2)
    if pe == 1:  # both coders gave every unit the same one value: no variation
        return None, "no variation (every unit " + ("coded" if t.both else "uncoded") + \
            " by both)"
    return (po - pe) / (1 - pe), ""


def krippendorff_alpha(t: Table2) -> tuple[float | None, str]:
    """(alpha, '') or (None, why): nominal, two coders, every unit coded by both.

    With n = 2 x units values, n1 / n0 the values 'coded' / 'not coded' and d the
    units the coders disagree on: alpha = 1 - (n - 1) * d / (n0 * n1)."""
    if t.units == 0:
        return None, "no units"
    n = 2 * t.units
    n1 = 2 * t.both + t.first + t.second
    n0 = n - n1
    if n0 == 0 or n1 == 0:
        return None, "no variation (every unit " + ("coded" if n0 == 0 else "uncoded") + \
            " by both)"
    return 1 - (n - 1) * (t.first + t.second) / (n0 * n1), ""


def sentence_table(units: list[Span], first: list[Span], second: list[Span]) -> Table2:
    """The 2x2 table over sentence ``units`` of two coders' segment spans."""
    def hit(spans: list[Span], u: Span) -> bool:
        return any(s < u[1] and u[0] < e for s, e in spans)
    cells = [0, 0, 0, 0]
    for u in units:
        a, b = hit(first, u), hit(second, u)
        cells[0 if a and b else 1 if a else 2 if b else 3] += 1
    return Table2(*cells)


def _union(spans: list[Span]) -> list[Span]:
    out: list[list[int]] = []
    for s, e in sorted(spans):
        if out and s <= out[-1][1]:
            out[-1][1] = max(out[-1][1], e)
        else:
            out.append([s, e])
    return [(s, e) for s, e in out]


def _length(spans: list[Span]) -> int:
    return sum(e - s for s, e in spans)


def char_table(size: int, first: list[Span], second: list[Span]) -> Table2:
    """The 2x2 table over the ``size`` characters of a text, from interval lengths."""
    a, b = _union(first), _union(second)
    both = _length(_union([(max(s1, s2), min(e1, e2)) for s1, e1 in a for s2, e2 in b
                           if max(s1, s2) < min(e1, e2)]))
    either = _length(_union(a + b))
    return Table2(both, _length(a) - both, _length(b) - both, size - either)


@dataclass
class PairCode:
    """One code (or 'all') for one pair of coders: the tables and the statistics."""
    code: str
    coders: tuple[str, str]
    sources: int
    sentences: Table2
    chars: Table2
    kappa: float | None = None
    alpha: float | None = None
    note: str = ""

    def row(self) -> dict:
        t, c = self.sentences, self.chars
        agree = percent_agreement(t)
        # "first" is the first of the coders, as named in "coders"
        return {"code": self.code, "coders": " & ".join(self.coders), "sources": self.sources,
                "units": t.units, "both": t.both, "one only": t.first + t.second,
                "first only": t.first, "second only": t.second,
                "neither": t.neither,
                "agree %": None if agree is None else round(agree, 1),
                "kappa": None if self.kappa is None else round(self.kappa, 3),
                "chars": c.units, "chars both": c.both, "chars one only": c.first + c.second,
                "chars neither": c.neither,
                "alpha": None if self.alpha is None else round(self.alpha, 3),
                "note": self.note}


def _scored(code: str, coders: tuple[str, str], sources: int, t: Table2, c: Table2
            ) -> PairCode:
    kappa, why_k = cohen_kappa(t)
    alpha, why_a = krippendorff_alpha(c)
    notes = ([f"kappa undefined: {why_k}"] if why_k else []) + \
        ([f"alpha undefined: {why_a}"] if why_a else [])
    return PairCode(code, coders, sources, t, c, kappa, alpha, "; ".join(notes))


@dataclass
class Agreement:
    results: list[PairCode]
    problems: list[Problem]
    note: str = UNITS_NOTE

    def rows(self) -> list[dict]:
        return [r.row() for r in self.results]


COLUMNS = ["code", "coders", "units", "both", "one only", "neither", "agree %", "kappa",
           "chars", "alpha", "note"]


def _with_ancestors(book, codes: set[str]) -> set[str]:
    out = set(codes)
    for c in codes:
        at = book.codes[c].parent if c in book.codes else None
        while at is not None and at not in out and at in book.codes:
            out.add(at)
            at = book.codes[at].parent
    return out


def agreement(project: Project, code: str | None = None,
              coders: list[str] | None = None, rollup: bool = False) -> Agreement:
    """Kappa, alpha and % agreement per code and overall for each pair of coders.

    ``code``: only that code (exactly; codings of its sub-codes do not count, unless
    ``rollup``: then a segment coded with a sub-code counts for every code above it, so
    two coders who chose different sub-codes of one theme agree on the theme).
    ``coders``: only pairs among them (two or more, each with a coding log);
    by default every pair of coders who coded a common source."""
    syn = load_synthesis(project)
    if code is not None and code not in syn.codebook.codes:
        raise ReviewkitError(f"unknown code {code!r}; the codebook has "
                             f"{', '.join(sorted(syn.codebook.codes)) or 'no codes'}",
                             field="code")
    if coders is not None:
        coders = list(dict.fromkeys(c.strip() for c in coders if c.strip()))
        if len(coders) < 2:
            raise ReviewkitError("agreement needs two or more coders (--coders A,B)",
                                 field="coders")
        for name in coders:
            if not coding_log(project, name).is_file():
                raise ReviewkitError(f"coder {name!r} has no coding log "
                                     f"(synthesis/coding/{name}.jsonl)", field="coders")
    segments = list(syn.coding.segments.values())
    problems = list(syn.problems)
    spans: dict[tuple[str, str], list[tuple[Span, set[str]]]] = {}  # (coder, source)
    anchors = anchor_segments(project, segments, syn.sources)
    for seg, a in zip(segments, anchors, strict=True):
        if a.start is None or a.end is None:
            problems.append(Problem(seg.file, seg.line, f"segment {seg.id} lost: its text "
                                    "is no longer in its source; left out of agreement"))
            continue
        codes = _with_ancestors(syn.codebook, seg.codes) if rollup else seg.codes
        spans.setdefault((seg.coder, seg.source), []).append(((a.start, a.end), codes))
    who = sorted(coders) if coders is not None else sorted({c for c, _ in spans})
    if len(who) < 2:
        raise ReviewkitError(f"agreement needs two or more coders with segments; found "
                             f"{', '.join(who) or 'none'}", field="coders")
    by_id = {s.id: s for s in syn.sources}
    texts: dict[str, tuple[str, list[Span]]] = {}
    results = []
    for pair in combinations(who, 2):
        common = sorted({s for c, s in spans if c == pair[0]}
                        & {s for c, s in spans if c == pair[1]})
        if not common and coders is None:
            continue
        for src in common:
            if src not in texts:
                text = source_text(project, by_id[src])
                texts[src] = (text, sentences(text))
        used = {k for c in pair for s in common for _, codes in spans[(c, s)] for k in codes}
        codes = [code] if code is not None else sorted(used)
        total_t, total_c = Table2(0, 0, 0, 0), Table2(0, 0, 0, 0)
        kappas, alphas = [], []
        for k in codes:
            t, c = Table2(0, 0, 0, 0), Table2(0, 0, 0, 0)
            for src in common:
                text, units = texts[src]
                first = [sp for sp, cs in spans[(pair[0], src)] if k in cs]
                second = [sp for sp, cs in spans[(pair[1], src)] if k in cs]
                t += sentence_table(units, first, second)
                c += char_table(len(text), first, second)
            one = _scored(k, pair, len(common), t, c)
            results.append(one)
            total_t, total_c = total_t + t, total_c + c
            kappas += [one.kappa] if one.kappa is not None else []
            alphas += [one.alpha] if one.alpha is not None else []
        if code is None:
            if not codes:
                why = "no code applied on them" if common else "no source coded by both"
                results.append(PairCode("all (pooled)", pair, len(common), total_t, total_c,
                                        note=why))
                continue
            results.append(_scored("all (pooled)", pair, len(common), total_t, total_c))
            mean = PairCode("all (mean)", pair, len(common), total_t, total_c,
                            sum(kappas) / len(kappas) if kappas else None,
                            sum(alphas) / len(alphas) if alphas else None,
                            f"kappa over {len(kappas)} of {len(codes)} codes, alpha over "
                            f"{len(alphas)} of {len(codes)}")
            results.append(mean)
        if not common:
            results[-1].note = "no source coded by both; " + results[-1].note
    if not results:
        raise ReviewkitError(f"no two of the coders ({', '.join(who)}) coded a common source",
                             field="coders")
    return Agreement(results, problems)
