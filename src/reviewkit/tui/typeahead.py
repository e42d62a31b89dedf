"""Keys typed ahead of a pop-up go into the pop-up, not into the void.

Textual reads keys faster than it runs ordinary bindings: a key goes down to the
screen on top, comes back up unhandled, and only then does the app run its binding.
A reviewer who types "X1", or "n" and a note, in one go has "1" and the note's first
letters read while the record screen is still on top; when they come back up the
pop-up is open, its modal turns the app's bindings off, and they are dropped: the
reason box stays open, the note is saved short or not at all.

So the apps' keys are priority bindings, run the moment the key is read (the pop-up
is open before the next key is read), and off while a pop-up is on top (its text box
gets the letters); a pop-up takes keys that reach it before its box has the focus.
"""

from __future__ import annotations

from collections.abc import Callable

from textual import events
from textual.app import App
from textual.binding import Binding
from textual.message import Message
from textual.screen import ModalScreen, Screen
from textual.widgets import Input


def at_once(bindings: list[Binding]) -> list[Binding]:
    """``bindings`` run as the key is read (see the module's docstring)."""
    return [Binding(b.key, b.action, b.description, show=b.show, key_display=b.key_display,
                    priority=True) for b in bindings]


def own_key_allowed(app: App, action: str, own: set[str]) -> bool:
    """For an app's check_action: its own keys act only while no pop-up is open."""
    return action not in own or len(app.screen_stack) == 1


def passed_on(screen: Screen, event: events.Key, here: bool = True) -> bool:
    """True when ``screen`` is no longer on top (or the widget the key came to is no
    longer ``here``, having lost the focus): ``event`` is sent again, to what is."""
    if screen.app.screen is screen and here:
        return False
    event.stop()
    event.prevent_default()
    # after the answers of pop-ups just closed (their callbacks wait in call_next too)
    again = events.Key(event.key, event.character)
    again.time = event.time  # when it was typed (a question asked later ignores it)
    screen.app.call_next(screen.app.post_message, again)
    return True


def now() -> float:
    """The clock of a key's ``time``."""
    return Message().time


class AtOnceInput(Input):
    """A text box whose Enter and Escape act as the key is read: as ordinary bindings
    they would run after the keys typed behind them, which would go into the text
    ("1", Enter, "ok" saved "1ok"). Enter gives the text to ``enter``, Escape calls
    ``escape``; in a pop-up they default to its dismiss with the text, and with None.
    Keys read after the pop-up closed go to what is then on top."""

    def __init__(self, *args, enter: Callable[[str], object] | None = None,
                 escape: Callable[[], object] | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.enter, self.escape = enter, escape

    def submit_now(self) -> None:
        (self.enter or self.screen.dismiss)(self.value)

    def cancel_now(self) -> None:
        if self.escape is not None:
            self.escape()
        elif isinstance(self.screen, ModalScreen):
            self.screen.dismiss(None)

    def on_key(self, event: events.Key) -> None:
        # a key sent here before Enter moved the focus on is for what has it now
        if passed_on(self.screen, event, self.screen.focused is self):
            return
        if event.key in ("enter", "escape"):
            event.stop()
            event.prevent_default()
            self.submit_now() if event.key == "enter" else self.cancel_now()


def typed_into(screen: Screen, box: AtOnceInput, event: events.Key) -> None:
    """A key that reached a pop-up, not its text box (it came before the box had the
    focus): a letter goes into the box; Enter and Escape do what they do there."""
    if passed_on(screen, event):
        return
    if event.is_printable and event.character:
        box.insert_text_at_cursor(event.character)
    elif event.key == "enter":
        box.submit_now()
    elif event.key == "escape":
        box.cancel_now()
    else:
        return
    event.stop()
    event.prevent_default()
