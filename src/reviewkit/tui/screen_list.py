"""The screener's list view: records in a table, a filter, bulk include/exclude, undo.

Every bulk action says how many records it will touch and waits for y; each record's
decision is its own event in the log (reviewkit.screening.listing), saved before the
table redraws.
"""

from __future__ import annotations

import sys
from pathlib import Path

from rich.text import Text
from textual import events
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Input, Static

from reviewkit.errors import ReviewkitError
from reviewkit.screening.listing import (
    SORTS,
    Row,
    bulk_decide,
    decide_one,
    list_rows,
    next_undecided,
    sort_rows,
    undo_latest,
)
from reviewkit.screening.session import ScreenSession
from reviewkit.tui.run import run_app
from reviewkit.tui.screen_render import fit_keys
from reviewkit.tui.screen_widgets import _CSS, ReasonScreen
from reviewkit.tui.typeahead import AtOnceInput, at_once, now, own_key_allowed

KEYS = "i x m this · I X all shown · / filter · s sort · n undecided · u undo · q quit"


def cut(text: str, cells: int) -> Text:
    out = Text(text)
    out.truncate(cells)
    return out


class ConfirmScreen(ModalScreen[bool]):
    """y writes, anything else cancels."""

    DEFAULT_CSS = _CSS

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical(id="box"):
            yield Static(Text(f"{self.question}\ny: yes · any other key: no"))

    def on_mount(self) -> None:
        self.asked_at = now()

    def on_key(self, event) -> None:
        event.stop()
        if event.time < self.asked_at:  # typed before the question showed: no answer
            return
        self.dismiss(event.character == "y")


class ListApp(App[None]):
    CSS = """
    #top { height: 1; background: $primary; color: $text; padding: 0 1; }
    #filter { height: 3; }
    #table { height: 1fr; }
    #message { height: 1; padding: 0 1; color: $warning; }
    #keys { height: 1; background: $panel; padding: 0 1; }
    """
    BINDINGS = at_once([  # run as read: "/" and a filter typed fast go into the box
        Binding("slash", "focus_filter", "filter"),
        Binding("X", "bulk('exclude')", "exclude shown"),
        Binding("I", "bulk('include')", "include shown"),
        Binding("i", "one('include')", "include this"),
        Binding("x", "one('exclude')", "exclude this"),
        Binding("m", "one('maybe')", "maybe this"),
        Binding("s", "sort", "sort"),
        Binding("n", "next_undecided", "next undecided"),
        Binding("u", "undo", "undo"),
        Binding("q", "leave", "quit"),  # not "quit": Ctrl+Q's stays on in a box
    ])
    OWN = {b.action.split("(")[0] for b in BINDINGS}

    def __init__(self, session: ScreenSession) -> None:
        super().__init__()
        self.session = session
        self.query_text = ""
        self.sort = SORTS[0]
        self.rows: list[Row] = []

    def compose(self) -> ComposeResult:
        yield Static(id="top")
        yield AtOnceInput(placeholder="words, -word, year:2015-2020, source:..., "
                          "decision:none", id="filter", enter=self.filter_given)
        yield DataTable(id="table", cursor_type="row", zebra_stripes=True)
        yield Static(id="message")
        yield Static(id="keys")

    def action_leave(self) -> None:
        self.exit()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The list's keys are letters the filter box takes while it has the focus."""
        return own_key_allowed(self, action, self.OWN) and (
            action not in self.OWN or not isinstance(self.focused, Input))

    def on_resize(self, event: events.Resize | None = None) -> None:
        """The key line to the width, quit kept (self.size lags a resize)."""
        width = (event.size if event else self.size).width - 2
        self.query_one("#keys", Static).update(fit_keys(KEYS.split(" · "), width, " · "))

    def on_mount(self) -> None:
        self.on_resize()
        table = self.query_one("#table", DataTable)
        table.add_columns("title", "year", "source", "yours")
        self.refill()
        table.focus()

    def refill(self, query: str | None = None) -> bool:
        """Show the rows of ``query`` (default: the current filter). A filter that does not
        parse is said and changes nothing: the rows shown stay those of the filter named
        with them, which a bulk action then names too."""
        text = self.query_text if query is None else query
        try:
            rows = list_rows(self.session, text)
        except ReviewkitError as err:
            self.say(f"{err.message} (still shown: filter {self.query_text or '(none)'})")
            return False
        self.query_text, self.rows = text, sort_rows(rows, self.sort)
        table = self.query_one("#table", DataTable)
        at = table.cursor_row  # kept: after a decision the next row is under the cursor
        table.clear()
        width = max(20, self.size.width - 36)
        for row in self.rows:
            # cut to screen cells, not characters: a CJK character takes two, and a
            # title cut by characters pushed "yours" off the screen
            title = Text(row.title or "(no title)", style="" if row.title else "dim")
            title.truncate(width)
            table.add_row(title, row.year, cut(row.source, 10), cut(row.mine, 16),
                          key=row.unit)
        if self.rows:
            table.move_cursor(row=min(max(at, 0), len(self.rows) - 1))
        s = self.session
        order = "" if self.sort == SORTS[0] else f" · by {self.sort}"
        self.query_one("#top", Static).update(Text(
            f"{s.stage} · {s.reviewer} · {len(self.rows)} shown{order} · "
            f"{s.done}/{s.total} decided"))
        return True

    def _row(self) -> Row | None:
        table = self.query_one("#table", DataTable)
        return self.rows[table.cursor_row] if self.rows else None

    def action_one(self, decision: str) -> None:
        """The row under the cursor only (x asks for the reason first)."""
        row = self._row()
        if row is None:
            self.say("nothing shown")
            return

        def write(reason: str | None) -> None:
            if reason is None:
                return
            try:
                decide_one(self.session, row.unit, decision, reason)
            except ReviewkitError as err:
                self.say(err.message)
                return
            self.refill()
            self.say(f"{row.unit}: {decision}{' (' + reason + ')' if reason else ''} (saved)")

        if decision == "exclude":
            s = self.session
            self.push_screen(ReasonScreen(s.conf.reasons, s.conf.reason_needed(s.stage)),
                             write)
        else:
            write("")

    def action_sort(self) -> None:
        self.sort = SORTS[(SORTS.index(self.sort) + 1) % len(SORTS)]
        self.refill()
        self.say(f"sorted by {self.sort} (s: {' → '.join(SORTS)})")

    def action_next_undecided(self) -> None:
        table = self.query_one("#table", DataTable)
        found = next_undecided(self.rows, table.cursor_row) if self.rows else None
        if found is None:
            self.say("every row shown has your decision")
        else:
            table.move_cursor(row=found)

    def say(self, message: str) -> None:
        self.query_one("#message", Static).update(Text(message))

    def action_focus_filter(self) -> None:
        # now, not after the next refresh (focus()): the keys typed next go into the box
        self.screen.set_focus(self.query_one("#filter", Input))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.filter_given(event.value)

    def filter_given(self, text: str) -> None:
        """Enter in the filter box (taken as read: a key typed next is the table's)."""
        if self.refill(text.strip()):  # else the box keeps the text to correct
            self.say(f"filter: {self.query_text or '(none)'}")
            self.screen.set_focus(self.query_one("#table", DataTable))

    def action_bulk(self, decision: str) -> None:
        if not self.rows:
            self.say("nothing shown")
            return
        units = [r.unit for r in self.rows]

        def confirm(reason: str) -> None:
            question = (f"{decision.capitalize()} {len(units)} records"
                        f"{' (' + reason + ')' if reason else ''}, filter: "
                        f"{self.query_text or '(none)'}?")

            def answered(yes: bool) -> None:
                if not yes:
                    self.say("nothing written")
                    return
                try:
                    events = bulk_decide(self.session, units, decision, reason,
                                         self.query_text)
                except ReviewkitError as err:
                    self.say(err.message)
                    return
                self.refill()
                self.say(f"{len(events)} records: {decision} (saved)")

            self.push_screen(ConfirmScreen(question), answered)

        if decision == "exclude":
            s = self.session

            def picked(reason: str | None) -> None:
                if reason is not None:
                    confirm(reason)

            self.push_screen(ReasonScreen(s.conf.reasons, s.conf.reason_needed(s.stage)),
                             picked)
        else:
            confirm("")

    def action_undo(self) -> None:
        undos = undo_latest(self.session)
        self.refill()
        self.say(f"{len(undos)} decision{'s' if len(undos) != 1 else ''} taken back (saved)"
                 if undos else "no decision of yours to undo")


def run_list(where: Path | None, reviewer: str | None, stage: str | None,
             blind: bool = True) -> None:
    """As run_screener: refresh under the lock, then work without holding it."""
    from reviewkit.project.session import session as project_session
    from reviewkit.screening.reviewers import resolve_reviewer
    from reviewkit.store import open_store

    with project_session(where) as (project, _):
        name = resolve_reviewer(project, reviewer)
    store = open_store(project.store_path)
    sess = ScreenSession(project, store, name, stage, blind=blind)
    try:
        run_app(ListApp(sess))
    finally:
        sess.close()
        store.close()
    for problem in sess.screening.problems():
        print(f"warning: {problem}", file=sys.stderr)
