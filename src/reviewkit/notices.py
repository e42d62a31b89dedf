"""One-line notes from the library to the person (a cache rebuilt, a file skipped).

The library never prints; it calls ``notify``. The CLI points ``sink`` at stderr;
by default notes go to stderr too, so scripts see them as well.
"""

from __future__ import annotations

import sys
from collections.abc import Callable


def _stderr(message: str) -> None:
    print(f"note: {message}", file=sys.stderr)


sink: Callable[[str], None] = _stderr


def notify(message: str) -> None:
    sink(message)
