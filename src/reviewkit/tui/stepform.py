"""A keyboard-only form that walks steps (checklist questions or form fields).

No business logic here: a walk object (ChecklistWalk, FormWalk) checks and
saves each answer durably the moment Enter is pressed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Footer, Input, Static

from reviewkit.errors import ReviewkitError
from reviewkit.tui.typeahead import AtOnceInput


class Walk(Protocol):
    done: bool

    def step(self) -> Any: ...
    def submit(self, text: str) -> None: ...
    def back(self) -> None: ...


class StepFormApp(App[None]):
    """Enter saves and moves on; Escape goes back a step; Page Up/Down scroll a long
    question; Ctrl+Q leaves (answers are saved)."""

    # the options, the answer box and the status keep their rows at the bottom: a long
    # question or hint scrolls above them instead of pushing them off an 80x24 screen
    CSS = """
    #question { height: 1fr; }
    #entry { height: auto; }
    #title { color: $text-muted; padding: 0 1; }
    #prompt { text-style: bold; padding: 1 1 0 1; }
    #help { color: $text-muted; padding: 0 1; }
    #choices { padding: 1 1 0 1; }
    #status { padding: 0 1; }
    """
    BINDINGS = [Binding("escape", "back", "Back"), Binding("ctrl+q", "quit", "Quit"),
                Binding("pagedown", "scroll_question(1)", "More of the hint", show=False),
                Binding("pageup", "scroll_question(-1)", show=False)]

    def __init__(self, walk: Walk, on_saved: Callable[[str], None] | None = None) -> None:
        super().__init__()
        self.walk = walk
        self.on_saved = on_saved

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="question", can_focus=False):
            yield Static(id="title")
            yield Static(id="prompt")
            yield Static(id="help")
        with Vertical(id="entry"):
            yield Static(id="choices")
            # Enter and Escape at once: a key typed right after them is the next step's
            yield AtOnceInput(id="answer", placeholder="type the answer, then Enter",
                              enter=self.submit, escape=self.action_back)
            yield Static(id="status")
        yield Footer()

    def on_mount(self) -> None:
        self._show()

    def _show(self, status: str = "") -> None:
        step = self.walk.step()
        box = self.query_one("#answer", Input)
        if step is None:
            self.query_one("#title", Static).update("")
            self.query_one("#prompt", Static).update("All done: every answer is saved.")
            self.query_one("#help", Static).update("Press Escape to go back or Ctrl+Q to quit.")
            self.query_one("#choices", Static).update("")
            box.value = ""
            box.disabled = True
        else:
            # data, not markup: a '[/]' in a checklist's text must not crash the form
            self.query_one("#title", Static).update(Text(step.title))
            self.query_one("#prompt", Static).update(Text(step.prompt))
            self.query_one("#help", Static).update(Text(step.help))
            self.query_one("#choices", Static).update(Text("   ".join(step.choices)))
            box.disabled = False
            box.value = step.value
            box.cursor_position = len(step.value)  # editing starts at the end
            box.focus()
        self.query_one("#status", Static).update(status)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.submit(event.value)

    def submit(self, text: str) -> None:
        step = self.walk.step()
        if step is None:
            return
        try:
            self.walk.submit(text)
        except ReviewkitError as exc:
            self._show_error(str(exc))
            return
        if self.on_saved:
            self.on_saved(step.key)
        self._show(f"saved {step.key}")

    def _show_error(self, message: str) -> None:
        self.query_one("#status", Static).update(Text(message, style="bold red"))

    def action_scroll_question(self, pages: int) -> None:
        question = self.query_one("#question", VerticalScroll)
        if pages > 0:
            question.scroll_page_down(animate=False)
        else:
            question.scroll_page_up(animate=False)

    def action_back(self) -> None:
        self.walk.back()
        self._show()
