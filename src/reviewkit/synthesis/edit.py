"""Coding from a script: find exact words in a source, code them; uncode; memos."""

from __future__ import annotations

from reviewkit.errors import ReviewkitError
from reviewkit.project.config import Project
from reviewkit.screening.log import Problem
from reviewkit.synthesis.codebook import load_codebook, not_in_codebook
from reviewkit.synthesis.coding import MEMO_ON, append_coding, event, fold, segment_event
from reviewkit.synthesis.sources import get_source, load_sources, page_at, source_text


def code_text(project: Project, source: str, words: str, code: str, coder: str,
              role: str = "", page: str = "") -> dict:
    """Make a segment of ``words`` (which must occur exactly once) and apply ``code``.

    Both events go in one fsynced write: the segment never exists uncoded.
    Returns the segment event."""
    book = load_codebook(project)
    if code not in book.codes:
        raise not_in_codebook(project, code)
    src = get_source(project, source)
    text = source_text(project, src)
    if not words:
        raise ReviewkitError("no words to code (--text)", field="text")
    hits = occurrences(text, words)
    n = len(hits)
    if n != 1:
        where = "does not occur" if n == 0 else f"occurs {n} times"
        raise ReviewkitError(f"the text {where} in source {source!r}; give words that occur "
                             "exactly once", file=src.file, field="text")
    start = hits[0]
    coding = fold(project)
    same = next((s for s in coding.segments.values() if s.source == src.id
                 and s.coder == coder and (s.start, s.end) == (start, start + len(words))), None)
    if same is not None:  # re-running: the coder's segment of these words, not a second one
        for name, given, had in (("role", role, same.role), ("page", page, same.page)):
            if given and given != had:  # a silent keep would look like a correction made
                raise ReviewkitError(f"segment {same.id} on these words already has {name} "
                                     f"{had!r}, not {given!r}; a segment's {name} is not "
                                     "changed by coding it again", file=same.file,
                                     line=same.line, field=name)
        old = {"segment": same.id, "start": same.start, "end": same.end, "already": True}
        if code in {coding.resolve(c) for c in same.codes}:
            return old
        append_coding(project, coder, [event("apply", coder, segment=same.id, code=code)])
        return {**old, "already": False}
    page = page or page_at(src, start)  # a PDF source knows its pages
    seg = segment_event(coder, src.id, start, start + len(words), words, role, page)
    append_coding(project, coder, [seg, event("apply", coder, segment=seg["segment"],
                                              code=code)])
    return seg


def occurrences(text: str, words: str) -> list[int]:
    """Every start of ``words`` in ``text``, overlapping ones too ('aa' twice in 'aaa')."""
    out = []
    at = text.find(words)
    while at != -1:
        out.append(at)
        at = text.find(words, at + 1)
    return out


def uncode(project: Project, segment: str, code: str, coder: str,
           others: bool = False) -> list[Problem]:
    """Take ``code`` off ``segment`` (a remove event in ``coder``'s log: one writer per
    log); the log lines skipped on the way. A coding another coder made (alone or
    besides ``coder``) is taken off only with ``others``."""
    coding = fold(project)
    seg = coding.segments.get(segment)
    if seg is None:
        raise ReviewkitError(f"no segment {segment!r} in the coding logs", field="segment")
    now = coding.resolve(code)
    if now not in seg.codes:
        raise ReviewkitError(f"segment {segment} is not coded with {code!r}", field="code")
    made = seg.by.get(now, set())
    if made != {coder} and not others:
        with_me = f", not {coder} alone" if coder in made else ""
        raise ReviewkitError(f"segment {segment}: the coding with {code!r} was made by "
                             f"{' and '.join(sorted(made))}{with_me}: pass --others to take "
                             "another coder's coding off (recorded in your log)", field="coder")
    append_coding(project, coder, [event("remove", coder, segment=segment, code=code)])
    return coding.problems


def add_memo(project: Project, on: str, target: str, text: str, coder: str) -> dict:
    """A memo on a code, a source or a segment that exists."""
    if on not in MEMO_ON:
        raise ReviewkitError(f"a memo is on {', '.join(MEMO_ON)}, not {on!r}", field="on")
    if not text.strip():
        raise ReviewkitError("the memo is empty", field="text")
    if on == "code" and target not in load_codebook(project).codes:
        raise not_in_codebook(project, target, field="target")
    if on == "source" and target not in {s.id for s in load_sources(project)}:
        raise ReviewkitError(f"source {target!r} is not in sources.toml", field="target")
    coding = fold(project)
    if on == "segment" and target not in coding.segments:
        raise ReviewkitError(f"no segment {target!r} in the coding logs", field="target")
    for m in coding.memos:  # the same memo again (a re-run) is not a second memo
        if (m.on, m.target, m.text, m.coder) == (on, target, text, coder):
            return {"type": "memo", "coder": coder, "on": on, "target": target, "text": text,
                    "at": m.at, "already": True}
    memo = event("memo", coder, on=on, target=target, text=text)
    append_coding(project, coder, [memo])
    return memo
