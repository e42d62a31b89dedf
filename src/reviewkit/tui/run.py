"""Running a terminal app so that a crash is not an exit code of 0."""

from __future__ import annotations

from typing import Any


def run_app(app: Any, **options: Any) -> Any:
    """``app.run(**options)``; an app that ended on an error (Textual has shown its
    traceback) exits with Textual's non-zero return code, so a shell sees the failure."""
    result = app.run(**options)
    if app.return_code:
        raise SystemExit(app.return_code)
    return result
