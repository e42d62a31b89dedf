"""The real screener in team mode (REVIEWKIT_DATABASE_URL set): the records it shows are the
ones the server leased, and each key's decision reaches the server, through the wiring in
tui/screener.py (team_for, lease_into, the retry timer)."""

from __future__ import annotations

import asyncio

import pytest

from reviewkit.screening.session import ScreenSession
from reviewkit.team.allocate import allocate_project
from reviewkit.team.screener_hooks import team_for
from reviewkit.tui.screener import screener
from teamload_support import add_member, team_database
from test_screening_support import screening_project

psycopg = pytest.importorskip("psycopg")
TA = "title-abstract"


def test_the_screener_shows_leased_records_and_sends_each_key(pg_server, tmp_path,
                                                               monkeypatch):
    db = team_database(pg_server, "team_tui")
    project, store = screening_project(tmp_path)
    with psycopg.connect(db, autocommit=True) as conn:
        allocate_project(conn, project, store, TA)
    monkeypatch.setenv("REVIEWKIT_DATABASE_URL", add_member(db, pg_server, "ana"))
    session = ScreenSession(project, store, "ana", TA)
    team = team_for(session)
    assert team is not None
    app = screener(session, highlight=False, team=team)
    shown: list[str | None] = []

    async def drive() -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            for key in ("i", "x", "i"):
                shown.append(app.shown)
                await pilot.press(key)
                if key == "x":  # the exclusion asks for a reason: take the first one
                    await pilot.press("enter")
                await pilot.pause()
            shown.append(app.shown)
    asyncio.run(drive())
    team.close()
    session.close()
    with psycopg.connect(db, autocommit=True) as conn:
        held = {r for (r,) in conn.execute(
            "SELECT record FROM assignments WHERE stage = %s AND reviewer = 'ana'", (TA,))}
        sent = [r for (r,) in conn.execute(
            "SELECT record FROM events WHERE log = %s AND kind = 'decision' ORDER BY seq",
            (f"screening/{TA}/ana.jsonl",))]
    assert None not in shown and len(set(shown)) == 4
    assert set(shown) <= held                  # every record shown was leased to her
    assert sent == shown[:3]                   # each key's decision is on the server
    store.close()


def test_no_team_without_a_server_setting(tmp_path, monkeypatch):
    monkeypatch.delenv("REVIEWKIT_DATABASE_URL", raising=False)
    project, store = screening_project(tmp_path)
    session = ScreenSession(project, store, "ana", TA)
    assert team_for(session) is None
    session.close()
    store.close()
