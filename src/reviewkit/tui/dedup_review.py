"""`reviewkit dedup review`: possible duplicate pairs side by side, one per screen.

A skin over reviewkit.dedup.review.ReviewQueue: every decision, skip and undo is
the library's; this file only draws the pair and maps keys to those calls.
"""

from __future__ import annotations

from pathlib import Path

from rich import box
from rich.table import Table
from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Footer, Static

from reviewkit.dedup.review import DIFFERENT, EMPTY, MISSING, PairView, ReviewQueue, open_review
from reviewkit.errors import ReviewkitError
from reviewkit.tui.run import run_app
from reviewkit.tui.screen_widgets import TextScreen

HELP = """\
Is this one record exported twice (same study, same publication)?

  s  same: link the two records into one cluster (nothing is deleted)
  d  different: keep them apart on every rebuild, whatever the method
     says
  k  skip: decide later; the pair stays queued, nothing is written
  u  undo this sitting's last step (a judgement is withdrawn by a
     new line in the log; a skip is simply forgotten)
  ↑ ↓ PgUp PgDn  scroll long fields (abstracts)
  ?  this help     q  quit (every judgement is already saved)

≠  the field differs even after normalising (DOI case, page styles,
   journal abbreviations); words on one side only are highlighted
–  one record lacks the field; fields both lack are not shown

Judgements go to dedup/judgements.jsonl, and a person's judgement
always overrides the method. ↑ ↓ PgUp PgDn scroll this help;
any other key closes it."""

_MARK = {DIFFERENT: "≠", MISSING: "–"}
_ONLY_HERE = "bold black on yellow"


def _highlight(text: str, other: str) -> Text:
    """Words of ``text`` the other record lacks (case and punctuation ignored)."""
    theirs = {w.strip(".,;:()[]\"'").lower() for w in other.split()}
    out = Text()
    for i, word in enumerate(text.split()):
        if i:
            out.append(" ")
        bare = word.strip(".,;:()[]\"'").lower()
        out.append(word, _ONLY_HERE if bare and bare not in theirs else "")
    return out


def pair_table(pair: PairView) -> Table:
    table = Table(box=box.MINIMAL, expand=True, padding=(0, 1), show_edge=False)
    table.add_column("", width=10, no_wrap=True)
    table.add_column("Record A", ratio=1, overflow="fold")
    table.add_column("Record B", ratio=1, overflow="fold")
    table.add_row(Text("  Id", "bold"), Text(pair.a, "dim"), Text(pair.b, "dim"))
    for row in pair.rows:
        if row.status == EMPTY:
            continue
        label = Text(f"{_MARK.get(row.status, ' ')} {row.label}",
                     style="bold red" if row.status == DIFFERENT else "bold")
        if row.status == DIFFERENT:
            a, b = _highlight(row.a, row.b), _highlight(row.b, row.a)
        else:
            a, b = Text(row.a or "–", "dim" if not row.a else ""), Text(row.b or "–",
                                                                        "dim" if not row.b else "")
        table.add_row(label, a, b)
    return table


class HelpScreen(TextScreen):
    """The keys, in the screener's scrolling box: it fits a 40x12 terminal."""

    def __init__(self) -> None:
        super().__init__(HELP)


class DedupReviewApp(App[str]):
    """One possible pair per screen; returns a one-line summary when it exits."""

    TITLE = "reviewkit dedup review"
    ENABLE_COMMAND_PALETTE = False  # every action has its own key; keep the footer short
    CSS = """
    #progress { height: 1; background: $primary; color: $text; padding: 0 1; }
    #evidence { height: auto; max-height: 3; padding: 0 1; color: $text-muted; }
    #body { height: 1fr; }
    #message { height: 1; padding: 0 1; color: $warning; }
    """
    BINDINGS = [
        Binding("s", "same", "Same"), Binding("d", "different", "Different"),
        Binding("k", "skip", "Skip"), Binding("u", "undo", "Undo"),
        Binding("question_mark", "help", "Help", key_display="?"),
        Binding("q", "quit_review", "Quit"),
    ]

    def __init__(self, queue: ReviewQueue) -> None:
        super().__init__()
        self.queue = queue

    def compose(self) -> ComposeResult:
        yield Static(id="progress")
        yield Static(id="evidence")
        with VerticalScroll(id="body"):
            yield Static(id="fields")
        yield Static(id="message")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#body").focus()  # arrows and PgUp/PgDn scroll long abstracts
        self.show_pair()

    def show_pair(self, message: str = "") -> None:
        pair = self.queue.current
        if pair is None:
            self.show_done(message)
            return
        n, total = self.queue.progress()
        self.query_one("#progress", Static).update(
            f"Pair {n} of {total}  ·  {pair.label} duplicate, score {pair.score:g}  ·  "
            f"reviewer {self.queue.by}")
        self.query_one("#evidence", Static).update(Text(pair.summary()))
        self.query_one("#fields", Static).update(pair_table(pair))
        self.query_one("#message", Static).update(Text(message))
        self.query_one("#body", VerticalScroll).scroll_home(animate=False)

    def show_done(self, message: str = "") -> None:
        """After the last pair: stay open, so undo still reaches it."""
        q = self.queue
        skipped = f" ({len(q.skipped)} skipped stay queued)" if q.skipped else ""
        self.query_one("#progress", Static).update(
            f"All pairs judged{skipped}  ·  reviewer {q.by}")
        self.query_one("#evidence", Static).update("")
        self.query_one("#fields", Static).update(
            Text(f"All pairs judged{skipped} — u undo, q quit.\n\nThis sitting: {q.judged} "
                 f"judged, {len(q.skipped)} skipped; every judgement is already saved.",
                 style="bold"))
        self.query_one("#message", Static).update(Text(message))

    def summary(self) -> str:
        q = self.queue
        q.apply()  # the judgements of this sitting, applied once on the way out
        left = len(q.store.dedup_pairs("queued"))
        head = ("No possible duplicate pairs are waiting for a person." if not left else
                f"{left} possible pair(s) still queued (skipped or not reached).")
        return f"{head} This sitting: {q.judged} judged, {len(q.skipped)} skipped."

    def _decide(self, same: bool) -> None:
        try:
            self.queue.decide(same)  # logged and fsynced before the next pair shows
        except ReviewkitError as exc:
            self.show_pair(f"error: {exc}")
            return
        self.show_pair(f"Saved: previous pair judged {'the same record' if same else 'different'}"
                       " (u undoes it).")

    def action_same(self) -> None:
        self._decide(True)

    def action_different(self) -> None:
        self._decide(False)

    def action_skip(self) -> None:
        if self.queue.current is None:
            self.show_pair("No pair to skip.")
            return
        self.queue.skip()
        self.show_pair("Skipped: the pair stays queued for later.")

    def action_undo(self) -> None:
        try:
            kind, _ = self.queue.undo()
        except ReviewkitError as exc:
            self.show_pair(str(exc))
            return
        self.show_pair("Undone: the judgement was withdrawn." if kind == "judged"
                       else "Undone: skip forgotten.")

    def action_help(self) -> None:
        self.push_screen(HelpScreen())

    def action_quit_review(self) -> None:
        self.exit(self.summary())


def run_review(where: Path | None, reviewer: str | None) -> str:
    """Open the project's queue and run the app; returns the line to print afterwards."""
    queue = open_review(where, reviewer)
    try:
        if queue.current is None:
            return "No possible duplicate pairs are waiting for a person."
        return run_app(DedupReviewApp(queue)) or ""
    finally:
        queue.close()
