"""The list view's filter and bulk decisions, as a library and from the command line."""

from __future__ import annotations

import csv
import io

import pytest

from helpers import run_cli, snapshot
from reviewkit.errors import ReviewkitError
from reviewkit.screening import ScreenSession
from reviewkit.screening.listing import bulk_decide, list_rows, parse_filter, undo_bulk
from reviewkit.screening.log import log_path, read_events
from test_screening_support import screening_project

TA = "title-abstract"


def _word_counts(store) -> tuple[str, int]:
    """A word in some but not most titles/abstracts, and how many records have it."""
    texts = [(sr.record.title + " " + sr.record.abstract + " " +
              " ".join(sr.record.keywords)).lower() for sr in store.iter_records()]
    for word in ("insulin", "children", "cohort", "risk", "trial", "patients"):
        n = sum(word in t for t in texts)
        if 3 <= n <= len(texts) - 3:
            return word, n
    raise AssertionError("no usable word in the export")


def test_filter_by_words_fields_and_my_decision(tmp_path):
    project, store = screening_project(tmp_path)
    word, n = _word_counts(store)
    s = ScreenSession(project, store, "ana")
    assert len(list_rows(s)) == 50
    hits = list_rows(s, word)
    assert len(hits) == n and len(list_rows(s, f"-{word}")) == 50 - n
    years = sorted({int(r.year) for r in list_rows(s) if r.year})
    low = years[len(years) // 2]
    assert len(list_rows(s, f"year:{low}-")) == sum(
        1 for sr in store.iter_records() if sr.record.year and sr.record.year >= low)
    s.decide("include")
    assert len(list_rows(s, "decision:include")) == 1
    assert len(list_rows(s, "decision:none")) == 49
    with pytest.raises(ReviewkitError, match="unknown filter field 'colour'"):
        parse_filter("colour:red")
    with pytest.raises(ReviewkitError, match="not a year"):
        parse_filter("year:recent")
    s.close()


def test_bulk_exclude_is_one_event_each_and_one_undo(tmp_path):
    project, store = screening_project(tmp_path)
    word, n = _word_counts(store)
    s = ScreenSession(project, store, "ana")
    units = [r.unit for r in list_rows(s, word)]
    events = bulk_decide(s, units, "exclude", "not empirical", word)
    assert len(events) == n == len({e["batch"] for e in events}) * n
    assert all(e["note"] == f"bulk exclude, filter: {word}" for e in events)
    assert bulk_decide(s, units, "exclude", "not empirical", word) == []  # re-run: nothing new
    assert s.done == n and s.current() not in units
    undos = undo_bulk(s)
    assert sorted(u["target"] for u in undos) == sorted(e["id"] for e in events)
    assert s.done == 0 and len(list_rows(s, "decision:none")) == 50
    s.close()
    written = read_events(log_path(project, TA, "ana"))
    assert len(written) == 2 * n  # the decisions stay in the log, each undone by its own event


def test_cli_counts_first_then_writes_and_blind_hides_others(tmp_path):
    project, store = screening_project(tmp_path)
    word, n = _word_counts(store)
    before = snapshot(project.root)
    r = run_cli("screen", "bulk", "--filter", word, "--decision", "exclude", "-r", "ana",
                cwd=project.root)
    assert r.returncode == 0 and f"{n} records match" in r.stdout
    assert snapshot(project.root) == before  # without --yes nothing is written
    r = run_cli("screen", "bulk", "--filter", word, "--decision", "exclude", "-r", "ana",
                "--yes", cwd=project.root)
    assert r.returncode == 0 and f"{n} decisions written" in r.stdout, r.stderr
    # ben sees none of ana's decisions, and cannot filter on them while blind
    r = run_cli("screen", "list", "--filter", "ana:exclude", "-r", "ben", cwd=project.root)
    assert r.returncode == 2 and "unknown filter field 'ana'" in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1
    r = run_cli("screen", "list", "--filter", "ana:exclude", "-r", "ben", "--no-blind",
                "-f", "csv", cwd=project.root)
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    assert len(rows) == n and all(row["others"].startswith("ana: exclude") for row in rows)
    r = run_cli("screen", "list", "-r", "ben", "-f", "csv", cwd=project.root)
    assert "others" not in r.stdout.splitlines()[0] and "exclude" not in r.stdout
    r = run_cli("screen", "bulk-undo", "-r", "ana", cwd=project.root)
    assert r.returncode == 0 and f"{n} decisions taken back" in r.stdout


def test_a_filter_that_does_not_parse_leaves_the_rows_and_their_filter(tmp_path):
    """In the list view: said, and a bulk action then names the filter of what it shows."""
    import asyncio

    from textual.widgets import Input

    from reviewkit.tui.screen_list import ListApp

    project, store = screening_project(tmp_path)
    word, n = _word_counts(store)
    app = ListApp(ScreenSession(project, store, "ana"))
    seen = {}

    async def drive() -> None:
        async with app.run_test(size=(100, 30)) as pilot:
            box = app.query_one("#filter", Input)
            for text in (word, "year:abc"):
                box.value = text
                box.focus()
                await pilot.press("enter")
                await pilot.pause()
            seen["message"] = str(app.query_one("#message").content)
            seen["rows"], seen["query"] = len(app.rows), app.query_text
            seen["focus"] = app.focused is box
            app.query_one("#table").focus()
            await pilot.press("I")
            await pilot.pause()
            seen["question"] = str(app.screen.query_one("Static").content)
            await pilot.press("n")
    asyncio.run(drive())
    app.session.close()
    assert "not a year" in seen["message"] and f"still shown: filter {word}" in seen["message"]
    assert (seen["rows"], seen["query"], seen["focus"]) == (n, word, True)
    assert seen["question"].startswith(f"Include {n} records, filter: {word}?\n")
    assert not log_path(project, TA, "ana").exists()  # nothing written
