"""Import Taguette's highlights CSV (`id, document, tag, content`) as one coder's coding.

The CSV holds no full text, so its documents must already be sources (matched by
title, id or file name). Each highlight's content is looked for in its source:
exactly, then with any run of spaces and line ends for each space (Taguette
exports the plain text of an HTML snippet), then fuzzily (anchor.py). Taguette
writes highlights in text order, so of several equal places the first after the
previous highlight is taken. A highlight not found is reported by its CSV line
and not imported. Tags are codes, created when missing (a tag whose code was renamed
or merged since goes to the code it became). Importing the same file again adds
nothing: a segment the coder already has at the same place is reused, a code already
on it is not applied again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from reviewkit.errors import ReviewkitError
from reviewkit.project.atomic import write_text_atomic
from reviewkit.project.config import Project
from reviewkit.screening.reviewers import require_reviewer
from reviewkit.synthesis.anchor import anchor_text
from reviewkit.synthesis.codebook import codebook_path, presets
from reviewkit.synthesis.coding import append_coding, event, fold, segment_event
from reviewkit.synthesis.csvbook import (
    Row,
    current_codebook,
    new_code_defaults,
    read_csv,
    taken_ids,
    with_codes,
)
from reviewkit.synthesis.method import config_method
from reviewkit.synthesis.names import slug
from reviewkit.synthesis.sources import Source, load_sources, page_at, source_text


@dataclass
class HighlightImport:
    file: str
    highlights: int = 0
    segments: int = 0  # new segments
    codings: int = 0  # new codings
    codes: list[str] = field(default_factory=list)  # codes created
    already: int = 0  # highlights whose segment and codes were there already
    fuzzy: int = 0
    warnings: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (f"imported {self.highlights} highlights from {Path(self.file).name}: "
                f"{self.segments} new segments, {self.codings} new codings, "
                f"{len(self.codes)} new codes; {self.already} already there; "
                f"{self.fuzzy} placed by fuzzy match")


@dataclass
class _Highlight:
    line: int
    document: str
    content: str
    tags: list[str]


def _highlights(rows: list[Row]) -> list[_Highlight]:
    """One per Taguette highlight id (its rows carry one tag each), in file order."""
    out: dict[str, _Highlight] = {}
    for line, row in rows:
        key = row["id"].strip() or f"line {line}"
        h = out.setdefault(key, _Highlight(line, row["document"].strip(), row["content"], []))
        tag = row["tag"].strip()
        if tag and tag not in h.tags:
            h.tags.append(tag)
    return list(out.values())


def _source_for(sources: list[Source]) -> dict[str, Source]:
    """Names a Taguette document may go by -> the source: title, id, file name."""
    out: dict[str, Source] = {}
    for s in sources:
        for name in (Path(s.file).stem, s.id, s.title):
            if name:
                out.setdefault(name.strip().lower(), s)
    return out


def locate(text: str, content: str, after: int, used: frozenset | set = frozenset()
           ) -> tuple[str, int, int] | None:
    """(how, start, end) of ``content`` in ``text``, None when it is not there. Of several
    places: the first at or after ``after`` not in ``used`` (spans earlier highlights
    took), else the first at or after ``after``, else the last."""
    words = content.strip()
    if not words:
        return None
    exact = [(m.start(), m.start() + len(words))
             for m in re.finditer(f"(?={re.escape(words)})", text)]
    if exact:
        return ("exact", *_pick(exact, after, used))
    spaced = r"\s+".join(re.escape(w) for w in words.split())
    hits = [(m.start(), m.end()) for m in re.finditer(spaced, text)]
    if hits:
        return ("spaces", *_pick(hits, after, used))
    status, a, b, _ = anchor_text(text, 0, 0, words)
    if status == "fuzzy" and a is not None and b is not None and a < b:
        return ("fuzzy", *_snap(text, words, a, b))
    return None


def _snap(text: str, words: str, a: int, b: int) -> tuple[int, int]:
    """The fuzzy span moved to the word edges nearby that match ``words`` best (the
    alignment may stop a word short: " could choose" for "I culd choose")."""
    from rapidfuzz import fuzz

    def edges(at: int, step: int) -> list[int]:
        out, k = [at], at
        for _ in range(2):  # at most two words out, and trimmed spaces in
            while 0 < k < len(text) and text[k - (step < 0)].isspace():
                k += step
            while 0 < k < len(text) and not text[k - (step < 0)].isspace():
                k += step
            out.append(k)
        return out

    starts = sorted(set(edges(a, -1)) | {a + len(text[a:b]) - len(text[a:b].lstrip())})
    ends = sorted(set(edges(b, 1)) | {b - len(text[a:b]) + len(text[a:b].rstrip())})
    pairs = [(x, y) for x in starts for y in ends if x < y]
    return max(pairs, key=lambda p: (fuzz.ratio(words, text[p[0]:p[1]]), -(p[1] - p[0])))


def _pick(hits: list[tuple[int, int]], after: int, used) -> tuple[int, int]:
    later = [h for h in hits if h[0] >= after]
    return next((h for h in later if h not in used), later[0] if later else hits[-1])


def import_highlights(project: Project, file: Path, coder: str, method: str = "thematic",
                      rows: list[Row] | None = None) -> HighlightImport:
    """Log the highlights of a Taguette CSV as ``coder``'s segments and codings."""
    name = str(file)
    require_reviewer(project, coder)
    if rows is None:
        kind, rows = read_csv(file)
        if kind != "highlights":
            raise ReviewkitError(f"a {kind} CSV, not Taguette highlights", file=name, line=1)
    sources = load_sources(project)
    if not sources:
        raise ReviewkitError("no sources yet: Taguette's CSV holds no full text; add each "
                             "document first with `reviewkit synthesis source add FILE "
                             "--study S --title NAME`", file=name)
    rep = HighlightImport(name)
    text_before, book = current_codebook(project, method)
    code_of = {c.name.strip().lower(): c.id for c in book.codes.values()}
    code_of.update({c: c for c in book.codes})
    taken = taken_ids(project, book)
    new_items: list[dict] = []
    defaults = new_code_defaults(book.method)
    coding = fold(project, set(book.codes))
    have: dict[tuple[str, int, int], tuple[str, set[str]]] = {
        (s.source, s.start, s.end): (s.id, set(s.codes))
        for s in coding.segments.values() if s.coder == coder}
    by_name = _source_for(sources)
    texts: dict[str, str] = {}
    after: dict[str, int] = {}
    placed: dict[str, set[tuple[int, int]]] = {}  # spans taken, per source
    events: list[dict] = []
    unknown_docs: dict[str, list[int]] = {}
    missing: list[int] = []
    for h in _highlights(rows):
        src = by_name.get(h.document.lower())
        if src is None:
            unknown_docs.setdefault(h.document, []).append(h.line)
            continue
        if src.id not in texts:
            texts[src.id] = source_text(project, src)
        text = texts[src.id]
        found = locate(text, h.content, after.get(src.id, 0), placed.get(src.id, set()))
        if found is None:
            missing.append(h.line)
            continue
        how, start, end = found
        after[src.id] = start
        placed.setdefault(src.id, set()).add((start, end))
        rep.highlights += 1
        rep.fuzzy += how == "fuzzy"
        codes = []
        for tag in h.tags:
            cid = code_of.get(tag.lower()) or _followed(coding, tag, book.codes)
            if cid is None:
                cid = slug(tag, taken)
                new_items.append({"id": cid, "name": tag, **defaults})
                code_of[tag.lower()] = cid
            codes.append(cid)
        seg_id, done = have.get((src.id, start, end), ("", set()))
        if not seg_id:
            seg = segment_event(coder, src.id, start, end, text[start:end],
                                page=page_at(src, start))
            events.append(seg)
            seg_id = seg["segment"]
            have[(src.id, start, end)] = (seg_id, done)
            rep.segments += 1
        todo = [c for c in codes if c not in done]
        rep.already += not todo and len(codes) > 0 and seg_id in coding.segments
        for c in todo:
            events.append(event("apply", coder, segment=seg_id, code=c))
            done.add(c)
            rep.codings += 1
    _warn(rep, name, unknown_docs, missing, rows)
    if new_items:
        new_text, _ = with_codes(text_before, new_items, name,
                                 config_method(project, presets()))
        existed = codebook_path(project).is_file()
        write_text_atomic(codebook_path(project), new_text)
        rep.codes = [i["id"] for i in new_items]
    if events:
        try:
            append_coding(project, coder, events)
        except BaseException:
            if new_items:  # no new codes without the codings that brought them
                if existed:
                    write_text_atomic(codebook_path(project), text_before)
                else:
                    codebook_path(project).unlink(missing_ok=True)
            raise
    return rep


def _followed(coding, tag: str, codes) -> str | None:
    """The code a tag's code became when a rename or merge took the id this import gives
    a tag: a tag imported before is not made anew after its code was merged away."""
    old = slug(tag, set())
    if old not in coding.renames:
        return None
    now = coding.resolve(old, set(codes))
    return now if now in codes else None


def _warn(rep: HighlightImport, name: str, unknown: dict[str, list[int]],
          missing: list[int], rows: list[Row]) -> None:
    base = Path(name).name
    for doc, lines in unknown.items():
        rep.warnings.append(f"{base}: document {doc!r} is no source (lines "
                            f"{_lines(lines)}): add it with `reviewkit synthesis source add "
                            f"FILE --title {doc!r}`; its highlights were not imported")
    if missing:
        rep.warnings.append(f"{base}: {len(missing)} highlight(s) not found in their source "
                            f"(lines {_lines(missing)}); not imported")
    untagged = sum(1 for _, r in rows if not r["tag"].strip())
    if untagged:
        rep.warnings.append(f"{base}: {untagged} highlight row(s) carry no tag; imported as "
                            "uncoded segments")


def _lines(lines: list[int]) -> str:
    shown = ", ".join(map(str, lines[:10]))
    return shown + (f" and {len(lines) - 10} more" if len(lines) > 10 else "")
