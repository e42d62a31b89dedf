"""The dedup pair reviewer and the synthesis coder in small terminals (60x20, 40x12):
every pop-up lies inside the screen, and what does not fit scrolls into view."""

from __future__ import annotations

import asyncio

import pytest
from rich.cells import cell_len

import test_dedup_review
from reviewkit.dedup.review import ReviewQueue
from reviewkit.screening import ScreenSession
from reviewkit.screening.log import log_path
from reviewkit.store import open_store
from reviewkit.tui.coder import coder_app
from reviewkit.tui.dedup_review import DedupReviewApp
from reviewkit.tui.screen_list import ListApp
from synthesis_support import synth_project
from test_screening_support import app_for, screening_project

project = test_dedup_review.project  # the fixture: real records, two queued pairs
SIZES = [(60, 20), (40, 12)]


def inside(app, selector: str) -> None:
    """The pop-up's box (``selector`` on the screen on top) lies wholly on the screen."""
    box = app.screen.query_one(selector)
    width, height = app.size
    r = box.region
    assert r.width > 0 and r.height > 0, selector
    assert r.x >= 0 and r.y >= 0 and r.right <= width and r.bottom <= height, \
        f"{selector} at {r} on a {width}x{height} screen"


def last_line_reached(app, selector: str, last: str) -> None:
    """PageDown to the end shows the help's last line, ``last``, inside the box."""
    box = app.screen.query_one(selector)
    assert box.scroll_y == box.max_scroll_y, "not scrolled to the end"
    assert str(box.query_one("Static").render()).endswith(last)


async def help_paged_through(app, pilot) -> None:
    """? opens the help inside the screen; PageDown reaches its last line."""
    await pilot.press("question_mark")
    await pilot.pause()
    inside(app, "#box")
    for _ in range(6):
        await pilot.press("pagedown")
    await pilot.pause()
    last_line_reached(app, "#box", "any other key closes it.")


@pytest.mark.parametrize("size", SIZES)
def test_the_dedup_help_fits_and_scrolls_to_its_end(project, size):
    proj, store = project
    app = DedupReviewApp(ReviewQueue(proj, store, "alice"))
    seen = {}

    async def go() -> None:
        async with app.run_test(size=size) as pilot:
            await help_paged_through(app, pilot)
            seen["still"] = app.screen is not app.screen_stack[0]
            await pilot.press("escape")
            await pilot.pause()
            seen["closed"] = len(app.screen_stack) == 1

    asyncio.run(go())
    assert seen == {"still": True, "closed": True}  # paging is not closing


@pytest.mark.parametrize("size", SIZES)
def test_the_coders_pop_ups_fit(tmp_path, size):
    project = synth_project(tmp_path)
    app = coder_app(project, "ann", "callanan-2012-findings")
    seen = []

    async def go() -> None:
        async with app.run_test(size=size) as pilot:
            await help_paged_through(app, pilot)
            await pilot.press("escape")
            await pilot.press("w", "a")  # the code picker
            await pilot.pause()
            inside(app, "#pick")
            await pilot.press("escape", "g")  # the page box
            await pilot.pause()
            inside(app, "#box")
            await pilot.press(*"12", "enter")
            await pilot.pause()
            seen.append(len(app.screen_stack))

    asyncio.run(go())
    assert seen == [1]


def key_lines(make, size) -> list[tuple[str, str]]:
    """The key line (and the screener's bar) of an app ``make()`` gives, opened at
    ``size``, and opened at 80x24 then resized to it."""
    out = []

    async def go(start) -> None:
        app = make()
        async with app.run_test(size=start) as pilot:
            if start != size:
                await pilot.resize_terminal(*size)
            await pilot.pause()
            bar = app.query("#bar")
            out.append((str(app.query_one("#keys").render()),
                        str(bar.first().render()) if bar else ""))
        if isinstance(getattr(app, "session", None), ScreenSession):
            app.session.close()

    for start in (size, (80, 24)):
        asyncio.run(go(start))
    return out


@pytest.mark.parametrize("size", SIZES)
def test_the_screeners_key_line_keeps_help_and_quit_and_the_bar_fits(tmp_path, size):

    project, _ = screening_project(tmp_path)
    for keys, bar in key_lines(lambda: app_for(project, "ana"), size):
        assert keys.endswith("?/q") and "i incl" in keys, keys
        assert cell_len(keys) <= size[0] - 2, keys
        assert cell_len(bar) == size[0] - 2 and bar.endswith("0%"), bar


@pytest.mark.parametrize("size", SIZES)
def test_the_coders_and_the_lists_key_lines_keep_help_and_quit(tmp_path, size):

    coding = synth_project(tmp_path / "c")
    for keys, _ in key_lines(lambda: coder_app(coding, "ann", "callanan-2012-findings"),
                             size):
        assert keys.endswith("? help  q quit") and keys.startswith("a apply"), keys
        assert cell_len(keys) <= size[0] - 2, keys
    project, _ = screening_project(tmp_path / "s")
    make = lambda: ListApp(ScreenSession(project, open_store(project.store_path), "ana"))  # noqa: E731
    for keys, _ in key_lines(make, size):
        assert keys.endswith("q quit") and keys.startswith("i x m this"), keys
        assert cell_len(keys) <= size[0] - 2, keys



def test_ctrl_q_with_a_note_typed_but_not_saved_says_what_was_not_saved(tmp_path):
    """Quitting mid pop-up writes nothing half-done, and the words typed are not lost:
    they are given back on the terminal, with the record they were for."""
    project, _ = screening_project(tmp_path)
    app = app_for(project, "ana")
    seen = {}

    async def go() -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            seen["unit"] = app.shown
            await pilot.press("n", *"half a thought", "ctrl+q")
            await pilot.pause()

    asyncio.run(go())
    app.session.close()
    log = log_path(project, "title-abstract", "ana")
    assert not log.exists() or "half a thought" not in log.read_text("utf-8")
    assert "half a thought" in app.unsaved and seen["unit"] in app.unsaved
    assert "not saved" in app.unsaved
