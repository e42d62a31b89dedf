"""The terminal screener (`reviewkit screen`): one record per screen, keyboard only.

A skin over screening.session.ScreenSession: keys call its actions, which
write the decision durably before this screen moves on. Works in 80x24.
"""

from __future__ import annotations

import gc
import sys
from collections import OrderedDict
from pathlib import Path
from typing import Any

from rich.cells import cell_len
from rich.text import Text
from textual import events
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Static

from reviewkit.errors import ReviewkitError, path_error
from reviewkit.screening.highlight import Highlighter, project_terms
from reviewkit.screening.order import OrderSource
from reviewkit.screening.session import ScreenSession
from reviewkit.tui.run import run_app
from reviewkit.tui.screen_render import (
    NOTICE_TAIL,
    fit_keys,
    fit_line,
    opening_notice,
    progress_bar,
    record_core,
    record_text,
    top_line,
)
from reviewkit.tui.screen_widgets import (
    PromptScreen,
    ReasonScreen,
    TextScreen,
    help_text,
    stopping_help,
)
from reviewkit.tui.typeahead import AtOnceInput, at_once, own_key_allowed

CRITERIA_ROWS = 7  # what the #criteria panel shows (max-height 8, less its border)
KEY_ITEMS = ["i incl", "x/X excl", "m maybe", "n note", "u undo", "s skip", "/ find", "d/D dup",
             "c crit", "o text", "?/q"]
KEYLINE = " ".join(KEY_ITEMS)


class ScreenerApp(App[None]):
    CSS = """
    #top { height: 1; background: $primary; color: $text; padding: 0 1; }
    #bar { height: 1; padding: 0 1; color: $success; }
    #record { height: 1fr; padding: 0 1; }
    #criteria { height: auto; max-height: 8; border-top: solid $accent; padding: 0 1;
                display: none; }
    #message { height: 1; padding: 0 1; color: $warning; }
    #keys { height: 1; background: $panel; padding: 0 1; }
    """
    BINDINGS = at_once([  # run as read: a key typed fast after X or n reaches the pop-up
        Binding("i", "decide('include')", "include"),
        Binding("x", "exclude(False)", "exclude"),
        Binding("X", "exclude(True)", "exclude with reason"),
        Binding("m", "decide('maybe')", "maybe"),
        Binding("n", "note", "note"),
        Binding("u", "undo", "undo"),
        Binding("s", "skip", "skip"),
        Binding("slash", "find", "find"),
        Binding("d", "duplicate", "duplicate"),
        Binding("D", "not_duplicate", "not a duplicate"),
        Binding("c", "criteria", "criteria"),
        Binding("o", "open_fulltext", "open full text"),
        Binding("question_mark", "help", "help"),
        Binding("q", "leave", "quit"),  # not "quit": Ctrl+Q's stays on in a box
    ])
    OWN = {b.action.split("(")[0] for b in BINDINGS}

    def __init__(self, session: ScreenSession, highlighter: Highlighter | None = None,
                 criteria: str = "", notice: str = "", team: Any = None) -> None:
        super().__init__()
        self.session = session
        self.team = team  # team/screener_hooks.TeamScreening in team mode, else None
        self.notice = notice  # shown once on opening (e.g. log lines skipped)
        self.highlighter = highlighter
        self.criteria = criteria.strip() or "No criteria written yet: add [screening] " \
            "criteria to reviewkit.toml or write screening/criteria.md."
        self._cores: OrderedDict[str, Text] = OrderedDict()
        self.shown: str | None = None
        self.unsaved = ""  # words in a box open at Ctrl+Q: said on the terminal after

    def compose(self) -> ComposeResult:
        yield Static(id="top")
        yield Static(id="bar")
        with VerticalScroll(id="record"):
            yield Static(id="body")
        yield Static(Text(self.criteria), id="criteria")
        yield Static(id="message")
        yield Static(id="keys")

    def action_leave(self) -> None:
        self.exit()

    async def action_quit(self) -> None:
        """Ctrl+Q, even with a box open: what was typed there is not written (Enter was
        not pressed) but kept to be shown on the terminal, not lost."""
        top = self.screen
        if isinstance(top, PromptScreen):
            typed = top.query_one("#answer", AtOnceInput).value
            if typed.strip() and typed != top.value:
                what = top.title_text.split(" (")[0]  # without its "(Enter saves, ...)"
                self.unsaved = f"not saved (Ctrl+Q with the box open), {what} on " \
                    f"{self.shown}: {typed}"
        self.exit()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return own_key_allowed(self, action, self.OWN)  # a pop-up's box gets the letters

    def on_mount(self) -> None:
        self.title = "reviewkit screen"
        # 100k records' worth of queue and state never becomes garbage: keep the
        # collector from walking it mid-keystroke (measured: 250-350 ms pauses)
        gc.collect()
        gc.freeze()
        if self.team is not None:
            self.lease()
            self.set_interval(2.0, self.team_tick)  # what waits is sent when the server is back
        self.show()
        self.on_resize()
        if self.notice:  # cut to the screen, keeping what to do next
            self.query_one("#message", Static).update(
                fit_line(self.notice, self.size.width - 2, NOTICE_TAIL), layout=False)
        if self.session.go_live() is not None:
            # a timer, not a call from the worker thread: taking a result costs the UI
            # thread a few ms, and a tick that finds nothing new costs nothing
            self.set_interval(0.2, self.take_background)

    def on_resize(self, event: events.Resize | None = None) -> None:
        """The lines drawn to the width: the key line (help and quit kept) and the bar."""
        width = (event.size if event else self.size).width - 2  # self.size lags a resize
        self.query_one("#keys", Static).update(fit_keys(KEY_ITEMS, width), layout=False)
        s = self.session
        self.query_one("#bar", Static).update(progress_bar(s.done, s.total, width),
                                              layout=False)

    def on_unmount(self) -> None:
        gc.unfreeze()

    def take_background(self) -> None:
        """Newest ranking and stopping result: the record on screen stays, the top line
        and what follows change."""
        if self.session.refresh():
            s = self.session
            self.query_one("#top", Static).update(top_line(s, self.shown), layout=False)

    def lease(self) -> None:
        """Team mode: the record the server leased this reviewer comes next."""
        from reviewkit.team.screener_hooks import lease_into

        lease_into(self.session)

    def team_tick(self) -> None:
        self.team.retry()
        said = self.team.status_line()
        if said != "team: online":
            self.query_one("#message", Static).update(Text(said), layout=False)

    # drawing -------------------------------------------------------------
    def core(self, unit: str) -> Text:
        if unit not in self._cores:
            sr = self.session.record(unit)
            self._cores[unit] = record_core(sr, self.highlighter) if sr else Text(unit)
            if len(self._cores) > 32:
                self._cores.popitem(last=False)
        return self._cores[unit]

    def show(self, message: str = "") -> None:
        s = self.session
        unit = s.current()
        self.shown = unit
        # one-line widgets keep their size: no layout pass for them
        self.query_one("#top", Static).update(top_line(s, unit), layout=False)
        self.query_one("#bar", Static).update(
            progress_bar(s.done, s.total, self.size.width - 2), layout=False)
        body = self.query_one("#body", Static)
        if unit is None and not s.total and s.stage == s.conf.stages[0]:  # nothing imported
            body.update(Text(f"No records to screen at {s.stage} yet: import a search's "
                             "export first (reviewkit import FILE, or reviewkit search add "
                             "--file FILE). Press q to quit.", style="bold"))
        elif unit is None and not s.total:  # a later stage before anything was included
            body.update(Text(f"No records at {s.stage} yet: a record comes here once it is "
                             "included at the stage before. Press q to quit.", style="bold"))
        elif unit is None:
            body.update(Text(f"All {s.total} records at {s.stage} are screened. "
                             "Press q to quit (u undoes the last decision).", style="bold"))
        else:
            body.update(record_text(s, unit, self.core(unit)))
            scroll = self.query_one("#record", VerticalScroll)
            if scroll.scroll_y:
                scroll.scroll_home(animate=False)
        self.query_one("#message", Static).update(Text(message), layout=False)
        nxt = s.upcoming()
        if nxt is not None and nxt not in self._cores:
            self.call_after_refresh(self.core, nxt)  # prepared while the reviewer reads

    # actions -------------------------------------------------------------
    def act(self, fn, *args) -> None:
        restored = self.session.writer.restored
        try:
            done = fn(*args)
        except ReviewkitError as exc:
            self.show(str(exc))
            return
        except OSError as exc:  # the log cannot be written: nothing was applied
            self.show(f"NOT saved: {path_error(exc) if exc.filename else exc}")
            return
        if self.team is not None:
            self.lease()
        done = done if isinstance(done, str) else ""
        again = self.session.writer.restored - restored
        if again:  # the log was replaced or deleted while open
            done = (f"{done} · the log file was replaced: {again} line(s) of this sitting "
                    "written back").lstrip(" ·")
        self.show(done)

    def action_decide(self, decision: str, reason: str = "") -> None:
        if self.session.current() is None:
            return
        self.act(lambda: self._said(self.session.decide(decision, reason)))

    def action_exclude(self, ask: bool) -> None:
        s = self.session
        if s.current() is None:
            return
        required = s.conf.reason_needed(s.stage)
        if not (ask or required):
            self.action_decide("exclude")
            return

        unit = s.current()

        def chosen(reason: str | None) -> None:
            if reason is not None and self.still_on(unit):
                self.action_decide("exclude", reason)

        self.push_screen(ReasonScreen(s.conf.reasons, required), chosen)

    def still_on(self, unit: str | None) -> bool:
        """A pop-up's answer is for the record it was opened on: keys typed faster than
        the screen can follow may have moved on; then nothing is written, and it is said."""
        if self.session.current() == unit:
            return True
        self.show(f"NOT saved: that answer was for {unit}; another record came first")
        return False

    def action_undo(self) -> None:
        def undo() -> str:
            event = self.session.undo()
            return f"undone: {event['record']}" if event else "nothing to undo"
        self.act(undo)

    def action_skip(self) -> None:
        self.act(self.session.skip)

    def action_note(self) -> None:
        unit = self.session.current()
        if unit is None:
            return

        def noted(text: str | None) -> None:
            # Escape: None; an emptied box takes the note away
            if text is not None and self.still_on(unit):
                self.act(lambda: ("note removed" if not text.strip() else "note saved")
                         if self.session.add_note(text) else "")

        self.push_screen(PromptScreen("Note on this record (Enter saves, Escape cancels)",
                                      value=self.session.note(unit)), noted)

    def action_find(self) -> None:
        def found(query: str | None) -> None:
            if query:
                units = self.session.jump(query)
                if units:
                    self.show(f"{len(units)} match(es); showing the first")
                elif self.session.screening.knows(query.strip()):  # not a typing mistake
                    self.show(f"{query.strip()} is not at {self.session.stage}: a record "
                              "comes here once included at the stage before")
                else:
                    self.show(f"no record matches {query!r}")

        self.push_screen(PromptScreen("Find: record id or title words", "e.g. budget"), found)

    def action_duplicate(self) -> None:
        if self.session.current() is None:
            return

        def other(rid: str | None) -> None:
            if rid:
                self.act(lambda: f"marked as duplicate of {self.session.mark_duplicate(rid)['b']}")

        self.push_screen(PromptScreen("Duplicate of which record id?"), other)

    def action_not_duplicate(self) -> None:
        if self.session.current() is None:
            return
        others = self.session.cluster_others()
        if not others:
            self.show("this record has no duplicates to split off")
            return

        def member(rid: str | None) -> None:
            if rid:
                self.act(lambda: f"{self.session.mark_not_duplicate(rid)['b']} is not a "
                         "duplicate: it is split off when dedup next runs")

        only = others[0] if len(others) == 1 else ""
        self.push_screen(PromptScreen("Which record is another study? "
                                      f"({', '.join(others)})", others[0], only), member)

    def action_open_fulltext(self) -> None:
        from reviewkit.fulltext.viewer import open_fulltext

        s, unit = self.session, self.session.current()
        if unit is not None:
            self.act(lambda: "opened " + s.project.relative(open_fulltext(
                s.project, s.store, unit, s.screening.members.get(unit))))

    def action_criteria(self) -> None:
        panel = self.query_one("#criteria", Static)
        width = max(10, self.size.width - 4)
        # screen cells, not characters: a CJK character takes two
        rows = sum(max(1, -(-cell_len(line) // width)) for line in self.criteria.splitlines())
        if rows > CRITERIA_ROWS and not panel.display:  # more than the panel holds: all of
            self.push_screen(TextScreen(self.criteria))  # it, scrolling, in a box of its own
            return
        panel.display = not panel.display

    def action_help(self) -> None:
        s = self.session
        stop = stopping_help(s.stop_status, s.ranked_by, s.done) if s.live else []
        self.push_screen(TextScreen(help_text(stop)))

    def _said(self, event: dict) -> str:
        reason = f" ({event['reason']})" if event.get("reason") else ""
        return f"saved: {event['decision']}{reason}"


def criteria_text(session: ScreenSession) -> str:
    path = session.project.root / "screening" / "criteria.md"
    return path.read_text("utf-8") if path.is_file() else session.conf.criteria


def screener(session: ScreenSession, highlight: bool = True, team: Any = None) -> ScreenerApp:
    """The app for a session, with the project's highlight terms and criteria."""
    highlighter = None
    if highlight:
        include, exclude = project_terms(session.project, session.conf)
        if include or exclude:
            highlighter = Highlighter(include, exclude)
    return ScreenerApp(session, highlighter, criteria_text(session), opening_notice(session),
                       team)


def run_screener(where: Path | None, reviewer: str | None, stage: str | None,
                 blind: bool = True, order: OrderSource | None = None) -> None:
    """Refresh the store (under the project lock), then screen without holding the lock,
    so two reviewers can screen the same folder at once."""
    from reviewkit.project.session import session as project_session
    from reviewkit.screening.reviewers import resolve_reviewer
    from reviewkit.store import open_store

    with project_session(where) as (project, _):
        name = resolve_reviewer(project, reviewer)
    store = open_store(project.store_path)
    sess = ScreenSession(project, store, name, stage, blind=blind, order=order)
    team = None
    try:
        from reviewkit.team.config import team_mode

        if team_mode(project):
            from reviewkit.team.screener_hooks import team_for

            team = team_for(sess)
        app = screener(sess, team=team)
        run_app(app)
        if app.unsaved:
            print(app.unsaved, file=sys.stderr)
    finally:
        if team is not None:
            team.close()
        sess.close()
        store.close()
    for problem in sess.screening.problems():  # after the app, so the terminal keeps them
        print(f"warning: {problem}", file=sys.stderr)
