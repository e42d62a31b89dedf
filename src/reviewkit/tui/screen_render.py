"""What the screener shows for one record, as Rich text (no Textual, no logic)."""

from __future__ import annotations

from pathlib import Path

from rich.cells import cell_len
from rich.text import Text

from reviewkit.screening.highlight import Highlighter
from reviewkit.screening.session import ScreenSession
from reviewkit.store.base import StoredRecord

STYLES = {"include": "bold black on green3", "exclude": "bold white on red3"}
MAX_AUTHORS = 8
NOTICE_TAIL = " (all on quit)"


def marked(text: str, highlighter: Highlighter | None, style: str = "") -> Text:
    out = Text(text, style=style)
    if highlighter is not None:
        for start, end, kind in highlighter.spans(text):
            out.stylize(STYLES[kind], start, end)
    return out


def record_core(sr: StoredRecord, highlighter: Highlighter | None) -> Text:
    """Title, authors, source line, keywords, abstract: the part worth caching."""
    r = sr.record
    out = Text()
    out.append_text(marked(r.title or "(no title)", highlighter, "bold"))
    out.append("\n")
    authors = r.authors[:MAX_AUTHORS]
    more = f" + {len(r.authors) - MAX_AUTHORS} more" if len(r.authors) > MAX_AUTHORS else ""
    out.append("; ".join(authors) + more or "(no authors)", style="italic")
    out.append("\n")
    out.append(" · ".join(x for x in (str(r.year or "n.d."), r.journal,
                                      r.volume and f"vol {r.volume}", r.pages) if x),
               style="cyan")
    out.append(f"\n{sr.id}", style="dim")
    if r.keywords:
        out.append("\nKeywords: ", style="bold")
        out.append_text(marked("; ".join(r.keywords), highlighter))
    out.append("\n\n")
    out.append_text(marked(r.abstract or "(no abstract)", highlighter))
    return out


def record_text(session: ScreenSession, unit: str, core: Text) -> Text:
    """The core plus what changes as people work: links, decisions, notes."""
    out = core.copy()
    if session.stage != session.conf.stages[0]:
        links = session.fulltext(unit)
        out.append("\n\nFull text: ", style="bold")
        out.append("\n  ".join(links) if links else "(no file or link known)")
    mine = session.mine(unit)
    if mine is not None:
        reason = f" ({mine['reason']})" if mine.get("reason") else ""
        out.append(f"\n\nYour decision: {mine['decision']}{reason}", style="bold yellow")
    note = session.note(unit)
    if note:
        out.append(f"\nYour note: {note}", style="yellow")
    notes = session.other_notes(unit)
    for reviewer, event in sorted(session.others(unit).items()):
        reason = f" ({event['reason']})" if event.get("reason") else ""
        out.append(f"\n{reviewer}: {event['decision']}{reason}", style="magenta")
        if reviewer in notes:
            out.append(f" — {notes.pop(reviewer)}", style="magenta")
    for reviewer, text in sorted(notes.items()):
        out.append(f"\n{reviewer} noted: {text}", style="magenta")
    return out


def top_line(session: ScreenSession, unit: str | None) -> Text:
    """A Text, not a str: Textual reads a str as markup, and stage and reviewer are data."""
    mode = "blind" if session.blind else "unblinded"
    calib = " · calibration" if unit in session.calibration else ""
    stop = session.stopping_text()
    if stop:  # ranked: the stopping verdict takes the room of "left" (the bar shows it)
        return Text(f"{session.stage} · {session.reviewer} · {mode}{calib}  "
                    f"{session.done}/{session.total} · {session.includes} incl · {stop}")
    return Text(f"{session.stage} · {session.reviewer} · {mode}{calib}   "
                f"{session.done}/{session.total} screened · {session.remaining} left · "
                f"{session.includes} incl")


def progress_bar(done: int, total: int, width: int) -> str:
    """A one-line bar drawn as text (Textual's animated bar costs frames per key)."""
    share = done / total if total else 0.0  # nothing to screen is not all screened
    label = f" {share:4.0%}" if total else "   –"
    cells = max(width - len(label), 10)
    full = int(share * cells)
    return "█" * full + "░" * (cells - full) + label


def fit_line(text: str, cells: int, keep: str = "") -> Text:
    """``text`` cut to ``cells`` screen cells with an ellipsis, its ending ``keep`` (what to
    do next) still shown: a one-line message must not lose the part a person acts on."""
    if cell_len(text) <= cells:
        return Text(text)
    body = text[:len(text) - len(keep)] if keep and text.endswith(keep) else text
    tail = keep if body is not text else ""
    out = Text(body)
    out.truncate(max(cells - cell_len(tail) - 1, 0))
    out.append("…" + tail)
    return out


def fit_keys(items: list[str], cells: int, sep: str = " ", keep: int = 1) -> Text:
    """A key line of ``items`` in ``cells`` screen cells: items go from the end, but the
    last ``keep`` (help, quit) stay, after a "…" for what went. Cut at the edge, they
    were the first to go, and a small terminal lost the way to the help."""
    head, tail = items[:-keep], items[-keep:]
    if cell_len(sep.join(items)) > cells:
        while head and cell_len(sep.join(head + ["…"] + tail)) > cells:
            head.pop()
        head.append("…")
    return Text(sep.join(head + tail), no_wrap=True, overflow="ellipsis")


def opening_notice(session: ScreenSession) -> str:
    """Log lines skipped and the reviewer's own studies decided two ways, the first of
    each named (all of them are listed on quit)."""
    from reviewkit.screening.log import screening_dir
    from reviewkit.screening.selfconflict import conflicted

    parts = []
    if problems := session.state.problems:
        first = problems[0]
        where = Path(first.file).relative_to(screening_dir(session.project)).as_posix() \
            if first.file else ""  # under screening/: the screen is 80 columns
        parts.append(f"{len(problems)} log line(s) skipped, {where}:{first.line}: "
                     f"{first.message}")
    if mine := conflicted(session.state, session.screening.record_now, session.reviewer):
        more = f" and {len(mine) - 1} more" if len(mine) > 1 else ""
        parts.append(f"{mine[0][1]}{more}: you decided two ways")  # ids are ~40 columns
    return "; ".join(parts) + NOTICE_TAIL if parts else ""
