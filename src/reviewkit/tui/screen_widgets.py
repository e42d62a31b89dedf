"""Small modal screens for the screener: a text prompt, a reason picker, help."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

KEYS = [
    ("i", "include"), ("x", "exclude (asks a reason where one is required)"),
    ("X", "exclude with a reason"), ("m", "maybe"), ("n", "note on this record"),
    ("u", "undo the last decision"), ("s", "skip (comes back at the end)"),
    ("/", "find a record by id or title words and jump to it"),
    ("d", "mark as duplicate of another record (dedup log)"),
    ("D", "this cluster holds a record of another study: split it off (dedup log)"),
    ("c", "show / hide the eligibility criteria"), ("?", "this help"), ("q", "quit"),
]

_CSS = """
ModalScreen { align: center middle; }
#box { width: 76; height: auto; max-height: 22; border: round $accent; padding: 0 1;
       background: $surface; }
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
            yield Input(value=self.value, placeholder=self.placeholder, id="answer")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)


class ReasonScreen(ModalScreen[str | None]):
    """Pick an exclusion reason with its number key; Escape cancels."""

    DEFAULT_CSS = _CSS
    BINDINGS = [Binding("escape", "cancel", "cancel")]

    def __init__(self, reasons: list[str], required: bool) -> None:
        super().__init__()
        self.reasons = reasons[:35]  # keys 1-9 then a-z
        self.required = required

    def compose(self) -> ComposeResult:
        head = "Exclude: why?" + ("" if self.required else " (0 = no reason)")
        lines = [head] + [f"  {_label(i)}  {r}" for i, r in enumerate(self.reasons)]
        lines.append("Escape: cancel")
        with Vertical(id="box"):
            yield Static(Text("\n".join(lines)))

    def on_key(self, event) -> None:
        key = event.character or ""
        if key == "0" and not self.required:
            event.stop()
            self.dismiss("")
            return
        for i, _ in enumerate(self.reasons):
            if key == _label(i):
                event.stop()
                self.dismiss(self.reasons[i])
                return

    def action_cancel(self) -> None:
        self.dismiss(None)


class TextScreen(ModalScreen[None]):
    """Help or criteria text; any key closes it."""

    DEFAULT_CSS = _CSS

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text

    def compose(self) -> ComposeResult:
        with Vertical(id="box"):
            yield Static(Text(self.text))

    def on_key(self, event) -> None:
        event.stop()
        self.dismiss(None)


def help_text() -> str:
    lines = ["Keys"] + [f"  {k:<3} {what}" for k, what in KEYS]
    lines += ["", "Every decision is saved (fsync) before the next record shows.",
              "Press any key to close."]
    return "\n".join(lines)


def _label(i: int) -> str:
    """1-9, then a-z for long reason lists."""
    return str(i + 1) if i < 9 else chr(ord("a") + i - 9)
