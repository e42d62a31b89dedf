"""The coder's pop-ups: help, a line of text (memo, page), the fuzzy picker (codes, types)."""

from __future__ import annotations

from rapidfuzz import fuzz, process
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from reviewkit.tui.screen_widgets import TextScreen
from reviewkit.tui.typeahead import AtOnceInput, typed_into

HELP = """\
Move    ← →  word       ↑ ↓  paragraph
        n / N  next / previous uncoded paragraph
Select  w s p  grow by word / sentence / paragraph
        shift+→ ↓  grow    shift+←  take a word off
        Esc  drop the selection
Code    a  apply a code (type to filter, Enter; a name no code
           matches becomes a new code)
        x  remove a code here
        m  memo on the segment here
        u  undo your last action on this source
        t  type: participant quote / author interpretation /
           field observation / none
        g  page reference
           (t and g with no segment here: for the next segment
           you make)
        ?  this help    q  quit (all is already saved)

Only your own codings are shown (blind coding). Each action is
written to synthesis/coding/<you>.jsonl before the screen moves on.
↑ ↓ PgUp PgDn scroll this help; any other key closes it."""


class HelpScreen(TextScreen):
    """The keys, in the screener's scrolling box: it fits a 40x12 terminal."""

    def __init__(self) -> None:
        super().__init__(HELP)


class AskScreen(ModalScreen[str | None]):
    """One line of text (a memo); Enter gives it, Esc gives None."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]
    DEFAULT_CSS = "AskScreen { align: center middle; } #box { width: 76; max-width: 100%; " \
                  "height: auto; border: round $accent; background: $surface; }"

    def __init__(self, title: str, value: str = "") -> None:
        super().__init__()
        self.title_text, self.value = title, value

    def compose(self) -> ComposeResult:
        yield Static(Text(self.title_text), id="title")
        yield AtOnceInput(self.value, id="box")

    def on_input_submitted(self, message: Input.Submitted) -> None:
        self.dismiss(message.value)

    def on_key(self, event) -> None:
        typed_into(self, self.query_one("#box", AtOnceInput), event)

    def action_cancel(self) -> None:
        self.dismiss(None)


def match_codes(query: str, choices: dict[str, str], limit: int = 8) -> list[str]:
    """Code ids best matching ``query`` (fuzzy, on 'name id'); all in order when empty."""
    if not query.strip():
        return list(choices)[:limit]
    hits = process.extract(query, choices, scorer=fuzz.WRatio, limit=limit, score_cutoff=60,
                           processor=str.lower)
    return [key for _, _, key in hits]


class PickScreen(ModalScreen[tuple[str, str] | None]):
    """Type to filter codes; Enter gives ("code", id), or ("new", name) when none match."""

    BINDINGS = [Binding("escape", "cancel", "Cancel"),
                Binding("down", "step(1)", show=False, priority=True),
                Binding("up", "step(-1)", show=False, priority=True)]
    DEFAULT_CSS = "PickScreen { align: center middle; } #pick { width: 76; height: 14; " \
                  "max-width: 100%; max-height: 100%; border: round $accent; " \
                  "background: $surface; } #matches { height: 1fr; }"

    def __init__(self, title: str, choices: dict[str, str], allow_new: bool) -> None:
        super().__init__()
        self.title_text, self.choices, self.allow_new = title, choices, allow_new
        self.matches: list[str] = list(choices)
        self.typed = ""  # the query self.matches are for
        self.at = 0

    def compose(self) -> ComposeResult:
        with Vertical(id="pick"):
            yield Static(Text(self.title_text, "bold"))
            yield AtOnceInput(id="query", enter=self.pick)
            yield Static(id="matches")

    def on_mount(self) -> None:
        self.show()

    def show(self) -> None:
        out = Text()
        for i, key in enumerate(self.matches):
            out.append(("› " if i == self.at else "  ") + self.choices[key] + "\n",
                       "bold reverse" if i == self.at else "")
        if not self.matches:
            query = self.query_one("#query", Input).value.strip()
            out.append(f"Enter: new code {query!r}" if self.allow_new and query
                       else "no code matches", "italic")
        self.query_one("#matches", Static).update(out)

    def on_input_changed(self, message: Input.Changed) -> None:
        if message.value != self.typed:
            self.typed, self.matches, self.at = message.value, match_codes(
                message.value, self.choices), 0
        self.show()

    def on_key(self, event) -> None:
        typed_into(self, self.query_one("#query", AtOnceInput), event)

    def pick(self, query: str) -> None:
        """Enter: the match shown as chosen, or the first match of what is typed when
        the letters came faster than the list (Enter is taken as it is read)."""
        if query != self.typed:
            self.typed, self.matches, self.at = query, match_codes(query, self.choices), 0
        if self.matches:
            self.dismiss(("code", self.matches[self.at]))
        elif self.allow_new and query.strip():
            self.dismiss(("new", query.strip()))

    def action_step(self, by: int) -> None:
        if self.matches:
            self.at = (self.at + by) % len(self.matches)
            self.show()

    def on_input_submitted(self, message: Input.Submitted) -> None:
        self.pick(message.value)

    def action_cancel(self) -> None:
        self.dismiss(None)
