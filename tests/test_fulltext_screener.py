"""The screener's 'o' key opens the record's full text (the same call as fulltext open)."""

from __future__ import annotations

import asyncio

from fulltext_support import FT, project_with_decisions
from reviewkit.fulltext import attach_fulltext
from reviewkit.screening import add_reviewer
from test_fulltext import PDF, fake_viewer, wait_for
from test_screening_support import app_for


def test_o_opens_the_shown_records_full_text_or_says_there_is_none(tmp_path, monkeypatch):
    project, store, units = project_with_decisions(tmp_path)
    add_reviewer(project, "carl")  # has not screened full texts yet
    command, seen = fake_viewer(tmp_path)
    monkeypatch.setenv("REVIEWKIT_VIEWER", command)
    app = app_for(project, "carl", FT)
    first = app.session.current()
    pdf = tmp_path / "a.pdf"
    pdf.write_bytes(PDF)
    done = attach_fulltext(project, store, first, pdf)
    messages = []

    async def drive() -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("o")
            await pilot.pause()
            messages.append(str(app.query_one("#message").content))
            await pilot.press("s")  # the next record has no full text
            await pilot.press("o")
            await pilot.pause()
            messages.append(str(app.query_one("#message").content))
    asyncio.run(drive())
    app.session.close()
    assert wait_for(seen) == str(done.path)
    assert messages[0] == f"opened {project.relative(done.path)}"
    assert messages[1].startswith("no full text for ")
