"""The `reviewkit` console entry point.

`status` with nothing changed is answered from its last output before Typer loads
(reviewkit.project.statuscache); help is plain text (Click's), since Rich's help renderer
costs more than the whole `import typer, rich` baseline (bench/startup.py)."""

from __future__ import annotations

import os
import sys


def main() -> None:
    from reviewkit.project import statuscache

    if statuscache.begin(sys.argv[1:]):
        sys.exit(0)
    os.environ.setdefault("TYPER_USE_RICH", "0")
    from reviewkit.cli.main import app

    app(prog_name="reviewkit")
