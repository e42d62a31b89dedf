"""Builders shared by the screening tests (no tests here): real exports, real store."""

from __future__ import annotations

import asyncio
import html
import re
import subprocess
import sys
from pathlib import Path

from helpers import new_project
from reviewkit.io.importer import import_files
from reviewkit.project import Project
from reviewkit.screening import ScreenSession, add_reviewer
from reviewkit.store import open_store
from reviewkit.store.sqlite import SQLiteStore
from reviewkit.tui.screener import ScreenerApp, screener

from conftest import REPO, export_file

WOS = "ris/wos_asysd.ris"  # 50 real Web of Science records


def screening_project(tmp_path: Path, reviewers: tuple[str, ...] = ("ana", "ben"),
                      export: str = WOS) -> tuple[Project, SQLiteStore]:
    """A project with one real export imported and reviewers named."""
    project, store = new_project(tmp_path, ("wos", None))
    import_files(project, store, [export_file(export)], "wos")
    for name in reviewers:
        add_reviewer(project, name)
    return project, store


def app_for(project: Project, reviewer: str, stage: str | None = None,
            blind: bool = True, highlight: bool = False) -> ScreenerApp:
    store = open_store(project.store_path)
    return screener(ScreenSession(project, store, reviewer, stage, blind=blind), highlight)


def run_keys(app: ScreenerApp, keys: list[str], size: tuple[int, int] = (80, 24)) -> list[str]:
    """Press ``keys`` in the real app, headless; returns the record shown before each key."""
    shown: list[str] = []

    async def drive() -> None:
        async with app.run_test(size=size) as pilot:
            for key in keys:
                shown.append(app.shown)
                await pilot.press(key)
            await pilot.pause()
    asyncio.run(drive())
    app.session.close()
    return shown


def body_text(app: ScreenerApp) -> str:
    return app.query_one("#body").content.plain


def svg_text(svg: str) -> str:
    """The characters of a Textual screenshot, without markup."""
    return html.unescape(re.sub(r"<[^>]+>", "", svg)).replace("\xa0", " ")


def first_screen(app: ScreenerApp) -> str:
    """The record text the app shows when it opens."""
    out = []

    async def drive() -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            out.append(body_text(app))
    asyncio.run(drive())
    app.session.close()
    return out[0]


# A screening process as a person runs it, driven headless so a test can kill it.
DRIVER = r'''
import asyncio, sys
from pathlib import Path
from reviewkit.project.session import session
from reviewkit.screening import ScreenSession
from reviewkit.store import open_store
from reviewkit.tui.screener import screener

root, reviewer, keys = Path(sys.argv[1]), sys.argv[2], sys.argv[3]
with session(root) as (project, _):
    pass
app = screener(ScreenSession(project, open_store(project.store_path), reviewer))

async def main():
    async with app.run_test(size=(80, 24)) as pilot:
        print("ready", flush=True)
        for n, key in enumerate(keys, 1):
            shown = app.shown
            await pilot.press(key)
            print(n, key, shown, flush=True)   # acknowledged: the screen moved on
        print("done", flush=True)
        await asyncio.sleep(600)               # killed, never closed cleanly

asyncio.run(main())
'''


def start_driver(tmp_path: Path, root: Path, reviewer: str, keys: str) -> subprocess.Popen:
    script = tmp_path / "drive_screener.py"
    script.write_text(DRIVER, "utf-8")
    return subprocess.Popen([sys.executable, str(script), str(root), reviewer, keys],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            cwd=REPO)
