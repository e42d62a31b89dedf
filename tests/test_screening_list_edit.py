"""The list view's single-record keys (i x m on the row under the cursor), sort (s) and
next-undecided (n), and u taking back the latest action whether single or bulk."""

from __future__ import annotations

import asyncio

import pytest

from reviewkit.errors import ReviewkitError
from reviewkit.screening import ScreenSession, listing
from reviewkit.screening.log import log_path, read_events
from test_screening_support import screening_project

TA = "title-abstract"


def test_sorts_by_title_year_and_my_decision_keeping_ties_in_screener_order(tmp_path):
    project, store = screening_project(tmp_path)
    session = ScreenSession(project, store, "ana")
    rows = listing.list_rows(session)
    listing.decide_one(session, rows[3].unit, "include")
    rows = listing.list_rows(session)
    by_title = listing.sort_rows(rows, "title")
    titles = [r.title.casefold() for r in by_title if r.title]
    assert titles == sorted(titles) and len(by_title) == len(rows)
    years = [int(r.year[:4]) for r in listing.sort_rows(rows, "year") if r.year[:4].isdigit()]
    assert years == sorted(years, reverse=True) and len(set(years)) > 1
    mine = listing.sort_rows(rows, "yours")
    assert [r.mine for r in mine][-1] == "include" and not mine[0].mine
    undecided = [r.unit for r in mine if not r.mine]
    assert undecided == [r.unit for r in rows if not r.mine]  # ties: the screener's order
    assert listing.sort_rows(rows, "screener") == rows
    with pytest.raises(ReviewkitError, match="expected screener, title"):
        listing.sort_rows(rows, "colour")
    session.close()


def test_one_record_decided_then_undone_and_the_log_says_so(tmp_path):
    project, store = screening_project(tmp_path)
    session = ScreenSession(project, store, "ana")
    rows = listing.list_rows(session)
    event = listing.decide_one(session, rows[5].unit, "exclude", "wrong population")
    assert event["record"] == rows[5].unit and event["reason"] == "wrong population"
    after = listing.list_rows(session)
    assert [r.unit for r in after if r.mine] == [rows[5].unit]
    assert listing.next_undecided(after, 4) == 6  # row 5 is decided: skipped
    listing.bulk_decide(session, [rows[0].unit, rows[1].unit], "include")
    assert len(listing.undo_latest(session)) == 2  # the bulk action, whole
    assert len(listing.undo_latest(session)) == 1  # then the single one
    assert listing.undo_latest(session) == []
    kinds = [e["type"] for e in read_events(log_path(project, TA, "ana"))]
    assert kinds == ["decision"] * 3 + ["undo"] * 3
    with pytest.raises(ReviewkitError, match="not a record of stage"):
        listing.decide_one(session, "no-such-record", "include")
    session.close()


def test_next_undecided_wraps_and_says_none_when_all_are_decided(tmp_path):
    project, store = screening_project(tmp_path)
    session = ScreenSession(project, store, "ana")
    rows = listing.list_rows(session)
    listing.bulk_decide(session, [r.unit for r in rows[1:]], "include")
    rows = listing.list_rows(session)
    assert listing.next_undecided(rows, 3) == 0  # wrapped round to the one left
    listing.bulk_decide(session, [rows[0].unit], "include")
    assert listing.next_undecided(listing.list_rows(session), 0) is None
    session.close()


def test_keys_in_the_list_view_decide_the_row_under_the_cursor(tmp_path):
    from reviewkit.tui.screen_list import ListApp

    project, store = screening_project(tmp_path)
    app = ListApp(ScreenSession(project, store, "ana"))
    seen = {}

    async def drive() -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("down", "down", "i")  # third row: include
            await pilot.pause()
            seen["third"] = app.rows[2]
            seen["cursor"] = app.query_one("#table").cursor_row
            await pilot.press("s")  # by title
            await pilot.pause()
            seen["sort"] = app.sort
            seen["top"] = str(app.query_one("#top").content)
            await pilot.press("u")
            await pilot.pause()
            seen["message"] = str(app.query_one("#message").content)
            seen["keys"] = str(app.query_one("#keys").content)
    asyncio.run(drive())
    app.session.close()
    assert seen["third"].mine == "include" and seen["cursor"] == 2
    assert seen["sort"] == listing.SORTS[1] and "by title" in seen["top"]
    assert seen["message"] == "1 decision taken back (saved)"
    assert len(seen["keys"]) <= 78  # whole on an 80-column terminal
    events = read_events(log_path(project, TA, "ana"))
    assert [(e["type"], e["record"]) for e in events] == [
        ("decision", seen["third"].unit), ("undo", seen["third"].unit)]
