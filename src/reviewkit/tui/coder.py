"""`reviewkit synthesis code SOURCE` (alias code-tui): code one source from the keyboard.

A skin over reviewkit.synthesis.session.CodingSession: every selection rule and
every write is the library's; this file draws the text and maps keys to those
calls. An action is on disk before the screen shows it done.
"""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual import events
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.widgets import Static

from reviewkit.errors import ReviewkitError
from reviewkit.project.config import Project
from reviewkit.synthesis import cursor as cur
from reviewkit.synthesis.coding import ROLES
from reviewkit.synthesis.session import CodingSession, open_session
from reviewkit.tui.coder_screens import AskScreen, HelpScreen, PickScreen
from reviewkit.tui.screen_render import fit_keys
from reviewkit.tui.typeahead import at_once

CODED = "on #1f4d32"
SELECTED = "reverse"
CURSOR = "bold black on yellow"
WINDOW = 3000  # characters drawn from the top line on: enough for any 80x24 screen


def render_text(s: CodingSession, start: int, end: int) -> Text:
    """text[start:end] with the coder's segments, the selection and the cursor marked."""
    out = Text(s.text[start:end], no_wrap=False)
    for seg in s.segments:
        a, b = max(seg.start, start), min(seg.end, end)
        if a < b:
            out.stylize(CODED, a - start, b - start)
    sel = s.selected()
    if sel is not None:
        out.stylize(SELECTED, max(sel[0], start) - start, max(min(sel[1], end) - start, 0))
    if start <= s.cursor < end:
        if s.text[s.cursor] == "\n":  # a newline has no cell: mark the place with a space
            out = out[:s.cursor - start] + Text(" ", CURSOR) + out[s.cursor - start:]
        else:
            out.stylize(CURSOR, s.cursor - start, s.cursor - start + 1)
    return out


def window_start(s: CodingSession) -> int:
    """Where the drawn text starts: the cursor's paragraph, or its sentence in a long one."""
    start = next((a for a, b in reversed(cur.paragraphs(s.text)) if a <= s.cursor), 0)
    if s.cursor - start > 800:
        start = cur.prev_start(s.text, s.cursor + 1, "sentence")
    return start


class CoderApp(App[str]):
    """The source's text, the coder's codings marked; returns a summary when it exits."""

    TITLE = "reviewkit synthesis code"
    ENABLE_COMMAND_PALETTE = False
    CSS = """
    #top { height: 1; background: $primary; color: $text; padding: 0 1; }
    #text { height: 1fr; padding: 0 1; overflow: hidden; }
    #codes { height: 2; padding: 0 1; color: $text-muted; }
    #message { height: 1; padding: 0 1; color: $warning; }
    #keys { height: 1; padding: 0 1; background: $panel; }
    """
    # one line of key hints, not a Footer: its widget per key made every pop-up's
    # close restyle a dozen widgets (the apply key's time, mostly)
    KEYS = "a apply  x remove  u undo  m memo  t type  g page  n uncoded  ? help  q quit"
    BINDINGS = at_once([  # run as read: "atime" + Enter typed fast is the picker's
        Binding("a", "apply", "Apply"), Binding("x", "remove", "Remove"),
        Binding("u", "undo", "Undo"), Binding("m", "memo", "Memo"),
        Binding("t", "role", "Type"), Binding("g", "page", "Page"),
        Binding("n", "uncoded(1)", "Next uncoded"),
        Binding("N", "uncoded(0)", "Prev", show=False),
        Binding("w", "grow('word')", show=False), Binding("s", "grow('sentence')", show=False),
        Binding("p", "grow('paragraph')", show=False),
        Binding("shift+right", "grow('word')", show=False),
        Binding("shift+down", "grow('paragraph')", show=False),
        Binding("shift+left", "shrink", show=False),
        Binding("left", "move('word', 0)", show=False),
        Binding("right", "move('word', 1)", show=False),
        Binding("up", "move('paragraph', 0)", show=False),
        Binding("down", "move('paragraph', 1)", show=False),
        Binding("escape", "clear", show=False),
        Binding("question_mark", "help", "Help", key_display="?"),
        Binding("q", "quit_coder", "Quit"),
    ])

    OWN = {b.action.split("(")[0] for b in BINDINGS}

    def __init__(self, session: CodingSession,
                 on_saved: Callable[[list[dict]], None] | None = None) -> None:
        super().__init__()
        self.session = session
        self.on_saved = on_saved
        self.actions = 0

    def compose(self) -> ComposeResult:
        yield Static(id="top")
        yield Static(id="text")
        yield Static(id="codes")
        yield Static(id="message")
        yield Static(id="keys")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The coder's keys act on the text only: a key typed fast after `a` (before
        the picker has its input) is not taken as another command."""
        if action in self.OWN and len(self.screen_stack) > 1:
            return False
        return True

    def on_resize(self, event: events.Resize | None = None) -> None:
        """The key line to the width, help and quit kept (self.size lags a resize)."""
        width = (event.size if event else self.size).width - 2
        self.query_one("#keys", Static).update(fit_keys(self.KEYS.split("  "), width, "  ", keep=2))

    def on_mount(self) -> None:
        self.on_resize()
        bad = self.session.problems  # a torn last line after a crash: say so, go on
        self.show(f"skipped {len(bad)} bad line(s) of your log: {bad[0]}" if bad else "")

    def show(self, message: str = "") -> None:
        s = self.session
        sel = s.selected()
        where = f"selected {sel[1] - sel[0]} chars" if sel else "no selection"
        pending = describe(s.next_role, s.next_page)
        # what changes with each key first: at 80 columns the end may be cut
        self.query_one("#top", Static).update(Text(
            where + (f" · next: {pending}" if pending else "")
            + f" · offset {s.cursor}/{len(s.text)} · {len(s.segments)} segments"
            + (f" · {s.lost} lost to an edit" if s.lost else "")
            + f" · {s.source} · coder {s.coder}", no_wrap=True, overflow="ellipsis"))
        start = window_start(s)
        self.query_one("#text", Static).update(render_text(s, start, start + WINDOW))
        names = [s.book.path(c) for c in s.codes_at()]
        here = Text("Here: " + ("; ".join(names) if names else "no code"))
        seg = s.target()
        about = describe(seg.role, seg.page) if seg is not None else ""
        memos = s.memos_here()
        if memos:
            about += (" · " if about else "") + f"Memo: {memos[-1]}" + (
                f" (+{len(memos) - 1})" if len(memos) > 1 else "")
        if about:
            here.append("\n" + about, "italic")
        here.no_wrap, here.overflow = True, "ellipsis"
        self.query_one("#codes", Static).update(here)
        self.query_one("#message", Static).update(Text(message, no_wrap=True,
                                                       overflow="ellipsis"))

    def saved(self, events: list[dict]) -> None:
        """Called once the events are on disk."""
        self.actions += 1
        if self.on_saved is not None:
            self.on_saved(events)

    def attempt(self, call: Callable[[], str]) -> None:
        """Run one action; a mistake is shown on the message line and nothing is written."""
        try:
            message = call()
        except ReviewkitError as exc:
            self.show(str(exc))
            return
        self.show(message)

    # --- moving and selecting -------------------------------------------------------

    def action_move(self, unit: str, forward: int) -> None:
        s = self.session
        s.move(cur.next_start(s.text, s.cursor, unit) if forward
               else cur.prev_start(s.text, s.cursor, unit))
        self.show()

    def action_grow(self, unit: str) -> None:
        self.session.select(unit)
        self.show()

    def action_shrink(self) -> None:
        self.session.shrink()
        self.show()

    def action_clear(self) -> None:
        self.session.clear()
        self.show()

    def action_uncoded(self, forward: int) -> None:
        found = self.session.next_uncoded(bool(forward))
        self.show("" if found else "no uncoded paragraph that way")

    # --- writing ----------------------------------------------------------------

    def action_apply(self) -> None:
        if self.session.selected() is None and self.session.target() is None:
            self.show("select some text first (w, s, p or shift+arrows)")
            return
        book = self.session.book
        choices = {c.id: f"{'  ' * depth}{c.name}  ({c.id})" for depth, c in book.tree()}

        def picked(choice: tuple[str, str] | None) -> None:
            if choice is None:
                return
            kind, value = choice

            def run() -> str:
                if kind == "new":
                    code, events = self.session.new_code(value)
                    self.saved(events)
                    return f"new code {code.id} added and applied"
                events = self.session.apply(value)
                self.saved(events)
                return f"applied {value}"

            self.attempt(run)

        self.push_screen(PickScreen("Apply code (type to filter)", choices, True), picked)

    def action_remove(self) -> None:
        seg = self.session.target()
        if seg is None or not seg.codes:
            self.show("no coded segment here")
            return

        def run(code: str) -> str:
            events = self.session.remove(code)
            self.saved(events)
            return f"removed {code}"

        if len(seg.codes) == 1:
            self.attempt(lambda: run(next(iter(seg.codes))))
            return
        choices = {c: self.session.book.path(c) for c in sorted(seg.codes)}
        self.push_screen(PickScreen("Remove which code?", choices, False),
                         lambda choice: choice and self.attempt(lambda: run(choice[1])))

    def action_undo(self) -> None:
        def run() -> str:
            events = self.session.undo()
            self.saved(events)
            return f"undone: {self.session.undone}"

        self.attempt(run)

    def action_memo(self) -> None:
        if self.session.target() is None:
            self.show("a memo goes on a segment: move onto one first")
            return

        def given(text: str | None) -> None:
            if text is None:
                return

            def run() -> str:
                events = self.session.memo(text)
                self.saved(events)
                return "memo saved"

            self.attempt(run)

        self.push_screen(AskScreen("Memo on the segment here (Enter saves, Esc cancels)"),
                         given)

    def action_role(self) -> None:
        s = self.session
        if s.target() is None and s.selected() is None:
            self.show("move onto a segment or select some text first")
            return
        choices = {role or "none": role or "none (no type)" for role in ROLES}

        def picked(choice: tuple[str, str] | None) -> None:
            if choice is not None:
                role = "" if choice[1] == "none" else choice[1]
                self.attempt(lambda: self.described(s.describe(role=role)))

        self.push_screen(PickScreen("Type of the segment (type to filter)", choices, False),
                         picked)

    def action_page(self) -> None:
        s = self.session
        seg = s.target()
        if seg is None and s.selected() is None:
            self.show("move onto a segment or select some text first")
            return

        def given(text: str | None) -> None:
            if text is not None:
                self.attempt(lambda: self.described(s.describe(page=text)))

        self.push_screen(AskScreen("Page reference (Enter saves, empty clears, Esc cancels)",
                                   seg.page if seg is not None else s.next_page), given)

    def described(self, events: list[dict]) -> str:
        if events:
            self.saved(events)
            seg = self.session.target()
            return f"saved: {describe(seg.role, seg.page) or 'no type, no page'}"
        s = self.session
        if s.target() is None:
            return f"the next segment made: {describe(s.next_role, s.next_page) or 'no type'}"
        return "unchanged"

    def action_help(self) -> None:
        self.push_screen(HelpScreen())

    def action_quit_coder(self) -> None:
        self.exit(f"{self.actions} actions saved to synthesis/coding/{self.session.coder}.jsonl")


def describe(role: str, page: str) -> str:
    """"participant quote, p. 12": a segment's type and page, as the screen shows them."""
    return ", ".join(x for x in (role, f"p. {page}" if page else "") if x)


def coder_app(project: Project, coder: str, source: str,
              on_saved: Callable[[list[dict]], None] | None = None) -> CoderApp:
    """The app for ``coder`` on ``source``; a wrong coder or source raises before it runs."""
    return CoderApp(open_session(project, coder, source), on_saved)
