"""Small modal screens for the screener: a text prompt, a reason picker, help."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from reviewkit.ranking.stopping_defaults import DEFAULT_CONFIDENCE, percent
from reviewkit.screening.reasons import SEPARATOR
from reviewkit.tui.typeahead import AtOnceInput, passed_on, typed_into

KEYS = [
    ("i", "include"), ("x", "exclude (asks a reason where one is required)"),
    ("X", "exclude with a reason"), ("m", "maybe"),
    ("n", "note on this record (empty the box to remove it)"),
    ("u", "undo the last decision"), ("s", "skip (comes back at the end)"),
    ("/", "find a record by id or title words and jump to it"),
    ("d", "mark as duplicate of another record (dedup log)"),
    ("D", "this cluster holds a record of another study: split it off (dedup log)"),
    ("c", "show / hide the eligibility criteria"),
    ("o", "open the record's full text in the viewer ($REVIEWKIT_VIEWER)"),
    ("?", "this help"), ("q", "quit"),
]

_CSS = """
ModalScreen { align: center middle; }
#box { width: 76; max-width: 100%; height: auto; max-height: 90%; border: round $accent;
       padding: 0 1; background: $surface; }
"""


class PromptScreen(ModalScreen[str | None]):
    """One line of text; Enter gives it back, Escape gives None."""

    DEFAULT_CSS = _CSS
    BINDINGS = [Binding("escape", "cancel", "cancel")]

    def __init__(self, title: str, placeholder: str = "", value: str = "") -> None:
        super().__init__()
        self.title_text, self.placeholder, self.value = title, placeholder, value

    def compose(self) -> ComposeResult:
        with Vertical(id="box"):
            yield Static(Text(self.title_text))
            yield AtOnceInput(value=self.value, placeholder=self.placeholder, id="answer")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value)

    def on_key(self, event) -> None:
        typed_into(self, self.query_one("#answer", AtOnceInput), event)

    def action_cancel(self) -> None:
        self.dismiss(None)


class ReasonScreen(ModalScreen[str | None]):
    """Pick an exclusion reason with its key; Space first to pick several (Enter ends),
    o for "other" typed out; Escape cancels. Several come back as "a; b"."""
    BINDINGS = [Binding("escape", "cancel", "cancel")]

    def __init__(self, reasons: list[str], required: bool) -> None:
        super().__init__()
        self.reasons = reasons[:len(_LETTERS) + 9]  # keys 1-9 then letters (o is other)
        self.required = required
        self.several = False
        self.marked: list[str] = []

    def _lines(self) -> str:
        head = "Exclude: why?" + ("" if self.required else " (0 = no reason)")
        mark = (lambda r: "[x] " if r in self.marked else "[ ] ") if self.several else (
            lambda r: "")
        lines = [head] + [f"  {_label(i)}  {mark(r)}{r}" for i, r in enumerate(self.reasons)]
        lines.append("  o  other: type it")
        lines.append("Enter: done · Escape: cancel" if self.several
                     else "Space: pick several · Escape: cancel")
        return "\n".join(lines)

    DEFAULT_CSS = _CSS + "#box { overflow-y: auto; }"

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="box"):  # a short terminal shows part: the arrows scroll
            yield Static(Text(self._lines()), id="reasons")

    def _redraw(self) -> None:
        self.query_one("#reasons", Static).update(Text(self._lines()))

    def _done(self, extra: str = "") -> None:
        chosen = self.marked + ([extra] if extra else [])
        if chosen or not self.required:
            self.dismiss(SEPARATOR.join(chosen))

    def on_key(self, event) -> None:
        if passed_on(self, event):  # typed after o, before "other" had its box
            return
        key = event.character or ""
        if scrolled(self, event):
            return
        if event.key == "escape":  # at once: a key typed after it goes to the record
            event.stop()
            self.dismiss(None)
        elif key == "0" and not self.required and not self.several:
            event.stop()
            self.dismiss("")
        elif key == " ":
            event.stop()
            self.several = not self.several
            self._redraw()
        elif event.key == "enter" and self.several:
            event.stop()
            self._done()
        elif key == "o":
            event.stop()

            def typed(text: str | None) -> None:
                if text and text.strip():  # ';' separates reasons in the log: a comma here
                    self._done(f"other: {text.strip().replace(';', ',')}")

            self.app.push_screen(PromptScreen("Other reason (Enter saves; a ';' is kept "
                                              "as ','):"), typed)
        else:
            for i, reason in enumerate(self.reasons):
                if key == _label(i):
                    event.stop()
                    if not self.several:
                        self.dismiss(reason)
                    elif reason in self.marked:
                        self.marked.remove(reason)
                    else:
                        self.marked.append(reason)
                    self._redraw()
                    return

    def action_cancel(self) -> None:
        self.dismiss(None)


class TextScreen(ModalScreen[None]):
    """Help or criteria text (scrolls with the arrow keys); any other key closes it."""

    DEFAULT_CSS = _CSS + "#box { overflow-y: auto; }"

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="box"):
            yield Static(Text(self.text))

    def on_key(self, event) -> None:
        event.stop()
        if not scrolled(self, event):
            self.dismiss(None)


def scrolled(screen: ModalScreen, event) -> bool:
    """An arrow or page key scrolls the pop-up's #box (a short terminal shows part)."""
    step = {"up": -1, "down": 1, "pageup": -2, "pagedown": 2}.get(event.key)
    if step is None:
        return False
    event.stop()
    box = screen.query_one("#box", VerticalScroll)
    if abs(step) == 2:
        step = step // 2 * max(1, box.scrollable_content_region.height - 1)
    # at once, from where the last key left it: deferred, keys typed fast all start
    # at one place and move it one step together
    box.scroll_to(y=box.scroll_target_y + step, animate=False, immediate=True)
    return True


def stopping_help(status: Any, version: str, n_decisions: int) -> list[str]:
    """What the top line's "stop?" means, with the figures behind it."""
    target, conf = (0.95, DEFAULT_CONFIDENCE) if status is None else \
        (status.target, status.confidence)
    lines = ["Stopping (top line, \"stop?\")",
             "  The hypergeometric test (Callaghan & Müller-Hansen 2020) on your",
             "  own decisions in the order you made them; a maybe counts as",
             f"  relevant. \"yes\": it rejects, at {percent(conf)} per check, that recall is",
             f"  below {percent(target)}: screening may stop. Each check is strict because",
             "  the test is checked after every decision (docs/stopping.md).",
             "  \"recall ~\": point estimate, found / (found + recent relevant rate",
             "  x unscreened). It runs in the background after each decision,",
             "  never on a key.",
             "  \"left without abstract\": records left that the ranker had",
             "  almost nothing to go on for. The test assumes what is left is no",
             "  richer than what you screened last, which it cannot vouch for",
             "  there: screen them (or a random sample of them) before stopping."]
    if status is not None:
        lines.append(f"  Last test: {status.screened} decisions, {status.relevant_found} "
                     f"relevant, p = {status.p_value:.3g}, recall >= "
                     f"{status.recall_lower_bound:.0%} shown.")
    else:
        lines.append(f"  Last test: none finished yet ({n_decisions} decisions).")
    if version:
        lines.append(f"  Order: {version}")
    return lines + [""]


def help_text(stopping: list[str] = ()) -> str:
    lines = list(stopping) + ["Keys"] + [f"  {k:<3} {what}" for k, what in KEYS]
    lines += ["", "Every decision is saved (fsync) before the next record shows.",
              "Press any key to close."]
    return "\n".join(lines)


_LETTERS = "abcdefghijklmnpqrstuvwxyz"  # no o: o is "other"


def _label(i: int) -> str:
    """1-9, then letters for long reason lists."""
    return str(i + 1) if i < 9 else _LETTERS[i - 9]
