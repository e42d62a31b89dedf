"""Read a search strategy from a file or stdin, as UTF-8, naming the line that is not."""

from __future__ import annotations

import sys
from pathlib import Path

from reviewkit.errors import ReviewkitError

_HOW = ("save the strategy as UTF-8 text (Word and Notepad: Save As, encoding UTF-8) "
        "and log it again")


def read_strategy(path: Path, given: str = "") -> str:
    """The strategy in ``path`` ('-' for stdin), line ends as Python reads text;
    ``given`` is a --search-string also typed, which would be silently replaced."""
    name = "stdin" if str(path) == "-" else str(path)
    if given:
        raise ReviewkitError("give the strategy once: --strategy-file or --search-string, "
                             "not both", file=name)
    try:
        data = sys.stdin.buffer.read() if str(path) == "-" else path.read_bytes()
    except OSError as exc:
        raise ReviewkitError(f"cannot read the strategy ({exc.strerror})", file=name) from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise ReviewkitError(f"byte 0x{data[exc.start]:02x} is not UTF-8 text; {_HOW}",
                             file=name, line=line) from None
    if not text.strip():  # a truncated save or the wrong file: logging nothing hides it
        raise ReviewkitError("the strategy is empty; give the file that holds it",
                             file=name)
    # what open() in text mode gives: one kind of line end
    return text.replace("\r\n", "\n").replace("\r", "\n")
