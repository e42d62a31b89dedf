"""The real Textual screener, driven headless with its run_test pilot on real records."""

from __future__ import annotations

import asyncio
import json

import pytest
from textual.widgets import Input

from reviewkit.errors import ReviewkitError
from reviewkit.screening import Screening, ScreenSession
from reviewkit.screening.log import log_path, read_events
from reviewkit.screening.reviewers import add_reviewer
from reviewkit.store import open_store
from test_screening_support import (
    app_for,
    body_text,
    first_screen,
    run_keys,
    screening_project,
    svg_text,
)


def _decisions(project, reviewer, stage="title-abstract"):
    return [e for e in read_events(log_path(project, stage, reviewer))
            if e["type"] == "decision"]


def test_keys_write_decisions_to_the_reviewers_log(tmp_path):
    project, _ = screening_project(tmp_path)
    app = app_for(project, "ana")
    shown = run_keys(app, ["i", "x", "m"])
    events = _decisions(project, "ana")
    assert [(e["record"], e["decision"]) for e in events] == list(
        zip(shown, ["include", "exclude", "maybe"], strict=True))
    assert all(e["reviewer"] == "ana" and e["stage"] == "title-abstract" for e in events)
    assert len(set(shown)) == 3 and app.session.done == 3 and app.session.includes == 1
    assert not log_path(project, "title-abstract", "ben").exists()


def test_undo_is_an_event_and_shows_the_record_again(tmp_path):
    project, _ = screening_project(tmp_path)
    app = app_for(project, "ana")
    shown = run_keys(app, ["i", "i", "u", "x"])
    # after undo the second record is back on screen; x then judges it again
    assert shown[2] != shown[1] and shown[3] == shown[1]
    events = read_events(log_path(project, "title-abstract", "ana"))
    assert [e["type"] for e in events] == ["decision", "decision", "undo", "decision"]
    assert events[2]["target"] == events[1]["id"]          # history kept, nothing overwritten
    session = ScreenSession(project, open_store(project.store_path), "ana")
    assert session.mine(shown[0])["decision"] == "include"
    assert session.mine(shown[1])["decision"] == "exclude"
    assert session.done == 2 and session.includes == 1


def test_undo_back_past_several_decisions(tmp_path):
    project, _ = screening_project(tmp_path)
    shown = run_keys(app_for(project, "ana"), ["i", "x", "m", "u", "u", "u", "u"])
    session = ScreenSession(project, open_store(project.store_path), "ana")
    assert session.done == 0 and session.current() == shown[0]


def test_blind_mode_hides_the_other_reviewers_decision_and_note(tmp_path):
    project, _ = screening_project(tmp_path)
    ben = ScreenSession(project, open_store(project.store_path), "ben")
    first = ben.current()
    ben.decide("exclude", note="BEN-SECRET-NOTE about the population")
    ben.close()

    def screen_of(blind: bool) -> tuple[str, str]:
        app = app_for(project, "ana", blind=blind)
        texts = {}

        async def drive() -> None:
            async with app.run_test(size=(80, 24)) as pilot:
                await pilot.pause()
                texts["body"] = body_text(app)
                texts["svg"] = app.export_screenshot()
        asyncio.run(drive())
        assert app.shown == first               # same seeded order for both reviewers
        return texts["body"], texts["svg"]

    body, svg = screen_of(blind=True)
    for hidden in ("ben", "BEN-SECRET-NOTE", "exclude"):
        assert hidden not in body
    svg = svg_text(svg)
    assert "BEN-SECRET" not in svg and "ben:" not in svg and "ana · blind" in svg
    body, _ = screen_of(blind=False)
    assert "ben: exclude" in body and "BEN-SECRET-NOTE" in body


def test_quit_and_restart_resumes_at_the_next_unscreened_record(tmp_path):
    project, _ = screening_project(tmp_path)
    app = app_for(project, "ana")
    first = run_keys(app, ["i", "x", "s", "q"])
    order = app.session.order
    assert first[:3] == order[:3]
    again = app_for(project, "ana")
    run_keys(again, [])
    # the skipped record was never judged: it is the next unscreened one
    assert again.shown == order[2] and again.session.done == 2
    third = app_for(project, "ana")
    shown = run_keys(third, ["m", "q"])
    assert shown[0] == order[2]
    assert app_for(project, "ana").session.current() == order[3]


def test_full_text_exclusion_asks_for_a_reason(tmp_path):
    project, store = screening_project(tmp_path)
    for name in ("ana", "ben"):                 # both include three records at title/abstract
        s = ScreenSession(project, store, name)
        for _ in range(3):
            s.decide("include")
        s.close()
    app = app_for(project, "ana", stage="full-text")
    assert app.session.total == 3
    run_keys(app, ["x", "escape", "x", "2"])    # escape: nothing written; 2: second reason
    events = _decisions(project, "ana", "full-text")
    reasons = app.session.conf.reasons
    assert [(e["decision"], e["reason"]) for e in events] == [("exclude", reasons[1])]
    assert "Full text:" in first_screen(app_for(project, "ana", stage="full-text"))


def test_several_reasons_and_other_from_the_keyboard(tmp_path):
    project, store = screening_project(tmp_path)
    for name in ("ana", "ben"):
        s = ScreenSession(project, store, name)
        for _ in range(4):
            s.decide("include")
        s.close()
    app = app_for(project, "ana", stage="full-text")
    reasons = app.session.conf.reasons
    # Space: several; 5 then 1 marked, 5 unmarked again, 3; Enter saves
    run_keys(app, ["x", "space", "5", "1", "5", "3", "enter",
                   "x", "o", *"protocol only", "enter",
                   "x", "space", "2", "o", *"abstract", "enter",
                   "x", "o", *"small sample; no control", "enter"])
    events = _decisions(project, "ana", "full-text")
    assert [e["reason"] for e in events] == [
        f"{reasons[0]}; {reasons[2]}", "other: protocol only", f"{reasons[1]}; other: abstract",
        "other: small sample, no control"]  # a ';' would split it into an unknown reason


def test_title_abstract_exclusion_reason_is_optional(tmp_path):
    project, _ = screening_project(tmp_path)
    run_keys(app_for(project, "ana"), ["X", "5", "X", "0"])
    events = _decisions(project, "ana")
    assert [e["reason"] for e in events] == ["not empirical", ""]


def test_note_find_duplicate_help_and_criteria(tmp_path):
    project, store = screening_project(tmp_path)
    app = app_for(project, "ana")
    target = next(sr for sr in store.iter_records() if "Cocker" in sr.record.title)
    other = next(sr.id for sr in store.iter_records() if sr.id != target.id)
    seen = {}

    async def drive() -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("slash")
            app.screen.query_one(Input).value = target.id
            await pilot.press("enter")
            seen["jumped"] = app.shown
            await pilot.press("n")
            app.screen.query_one(Input).value = "check the breed"
            await pilot.press("enter")
            await pilot.press("d")
            app.screen.query_one(Input).value = other
            await pilot.press("enter")
            await pilot.press("question_mark")
            seen["help"] = type(app.screen).__name__
            await pilot.press("space")
            await pilot.press("c")
            seen["criteria"] = app.query_one("#criteria").display
            await pilot.press("i")
    asyncio.run(drive())
    assert seen == {"jumped": target.id, "help": "TextScreen", "criteria": True}
    events = read_events(log_path(project, "title-abstract", "ana"))
    assert [(e["type"], e["record"]) for e in events] == [("note", target.id),
                                                         ("decision", target.id)]
    line = json.loads((project.root / "dedup" / "judgements.jsonl").read_text().splitlines()[0])
    assert (line["a"], line["b"], line["same"], line["by"]) == (target.id, other, True, "ana")


def test_fits_80x24_and_highlights_search_terms(tmp_path):
    project, _ = screening_project(tmp_path)
    conf = project.root / "reviewkit.toml"
    conf.write_text(conf.read_text() + '\n[screening]\nhighlight = { include = ["cocker*"], '
                    'exclude = ["dog*"] }\n', "utf-8")
    add_reviewer(project, "cy")  # reloads the config
    app = app_for(project, "cy", highlight=True)
    out = {}

    async def drive() -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            out["svg"] = svg_text(app.export_screenshot())
            out["spans"] = app.highlighter.spans("Cocker spaniels and other dogs")
    asyncio.run(drive())
    assert out["spans"] == [(0, 6, "include"), (26, 30, "exclude")]
    assert "i incl" in out["svg"] and "o text ?/q" in out["svg"]  # key line, whole, on screen
    assert "0/50 screened" in out["svg"]


def test_shift_d_splits_a_record_of_another_study_off_its_cluster(tmp_path):
    from reviewkit.dedup.run import run_dedup
    from reviewkit.screening import Screening
    from reviewkit.screening.duplicates import mark_duplicate

    project, store = screening_project(tmp_path)
    order = ScreenSession(project, store, "ana").order
    mark_duplicate(project, order[0], order[1], "ana")
    run_dedup(project, store)
    unit = Screening(project, store).unit_of(order[0])
    other = next(m for m in order[:2] if m != unit)
    app = app_for(project, "ben")
    said = {}

    async def drive() -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("slash")
            app.screen.query_one(Input).value = unit
            await pilot.press("enter")
            await pilot.press("D")
            said["offered"] = app.screen.query_one(Input).value  # the only other record
            await pilot.press("enter")
    asyncio.run(drive())
    assert said["offered"] == other
    last = json.loads((project.root / "dedup" / "judgements.jsonl").read_text().splitlines()[-1])
    assert (last["a"], last["b"], last["same"], last["by"]) == (unit, other, False, "ben")
    run_dedup(project, store)  # the next command's refresh
    assert Screening(project, store).unit_of(other) == other
    # naming a record outside the cluster is refused with the cluster's records
    session = ScreenSession(project, store, "ben")
    session.jump(unit)
    with pytest.raises(ReviewkitError, match=r"not another record of this cluster "
                       r"\(its other records: none\)"):
        session.mark_not_duplicate(other)


def test_skipped_log_lines_are_named_when_the_screener_opens(tmp_path):
    project, _ = screening_project(tmp_path)
    run_keys(app_for(project, "ana"), ["i"])
    path = log_path(project, "title-abstract", "ana")
    with path.open("a", encoding="utf-8") as fh:
        fh.write('{"type": "decision", "record": "x", "decision": "yes"}\n{"type": "dec')
    app = app_for(project, "ana")
    said = _opening_message(app)
    assert said.startswith("2 log line(s) skipped, title-abstract/ana.jsonl:2: unknown")
    # cut to the 78 cells there are, still saying where the rest is
    assert len(said) <= 78 and said.endswith("… (all on quit)")
    assert app.session.done == 1                  # the good line still counts


def _opening_message(app) -> str:
    seen = []

    async def drive() -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            seen.append(str(app.query_one("#message").content))
    asyncio.run(drive())
    app.session.close()
    return seen[0]


def test_my_studies_decided_two_ways_are_named_when_the_screener_opens(tmp_path):
    from reviewkit.dedup.run import run_dedup
    from reviewkit.screening.duplicates import mark_duplicate
    from reviewkit.screening.events import decision_event
    from reviewkit.screening.log import append_events

    project, store = screening_project(tmp_path)
    a, b = ScreenSession(project, store, "ana").order[:2]
    append_events(log_path(project, "title-abstract", "ana"),
                  [decision_event("title-abstract", "ana", a, "include", via="test"),
                   decision_event("title-abstract", "ana", b, "exclude", via="test")])
    mark_duplicate(project, a, b, "ben")
    run_dedup(project, store)
    said = {r: _opening_message(app_for(project, r)) for r in ("ana", "ben")}
    unit = Screening(project, store).unit_of(a)
    assert said["ana"] == f"{unit}: you decided two ways (all on quit)"
    assert len(said["ana"]) <= 78
    assert said["ben"] == ""  # not ben's: nothing shown to him


def _press_around(app, before: list[str], between, after: list[str]) -> str:
    """Press ``before``, call ``between()`` (a change behind the screener's back), press
    ``after``; returns the message line at the end."""
    said = []

    async def drive() -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            for key in before:
                await pilot.press(key)
            between()
            for key in after:
                await pilot.press(key)
            await pilot.pause()
            said.append(str(app.query_one("#message").content))
    asyncio.run(drive())
    app.session.close()
    return said[0]


@pytest.mark.parametrize("how", ["replaced", "deleted"])
def test_a_log_replaced_or_deleted_while_screening_loses_nothing(tmp_path, how):
    """An editor's save, a checkout or a sync tool replaces the file; the screener's
    writes must not go on into the old, unlinked one."""
    project, _ = screening_project(tmp_path)
    log = log_path(project, "title-abstract", "ana")

    def behind_its_back():
        if how == "replaced":
            copy = log.with_suffix(".tmp")
            copy.write_bytes(log.read_bytes())
            copy.replace(log)
        else:
            log.unlink()

    app = app_for(project, "ana")
    said = _press_around(app, ["i"], behind_its_back, ["x", "m"])
    kinds = [e["decision"] for e in _decisions(project, "ana")]
    if how == "replaced":
        assert kinds == ["include", "exclude", "maybe"]
        assert "replaced" not in said  # the new file held the line already
    else:
        assert sorted(kinds) == ["exclude", "include", "maybe"]  # the sitting written back
        assert app.session.writer.restored == 1
    reopened = ScreenSession(project, open_store(project.store_path), "ana")
    assert reopened.done == 3
    reopened.close()


def test_a_log_replaced_by_an_older_copy_gets_the_sittings_lines_back(tmp_path):
    project, _ = screening_project(tmp_path)
    log = log_path(project, "title-abstract", "ana")
    saved = {}

    def restore_old():
        copy = log.with_suffix(".tmp")
        copy.write_bytes(saved["old"])
        copy.replace(log)  # as a sync tool bringing back yesterday's file

    app = app_for(project, "ana")

    async def drive() -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("i")
            saved["old"] = log.read_bytes()
            await pilot.press("x")
            await pilot.press("x")
            restore_old()
            await pilot.press("m")
            await pilot.pause()
            saved["said"] = str(app.query_one("#message").content)
    asyncio.run(drive())
    app.session.close()
    assert [e["decision"] for e in _decisions(project, "ana")] == [
        "include", "exclude", "exclude", "maybe"]
    assert "the log file was replaced: 2 line(s) of this sitting written back" in saved["said"]


def test_a_log_that_cannot_be_written_says_not_saved_and_keeps_running(tmp_path):
    project, _ = screening_project(tmp_path)
    log = log_path(project, "title-abstract", "ana")
    log.parent.mkdir(parents=True, exist_ok=True)
    log.mkdir()  # a folder where the log belongs
    app = app_for(project, "ana")
    said = _press_around(app, [], lambda: None, ["i"])
    assert said.startswith("NOT saved: ") and "is a folder" in said, said
    assert app.session.done == 0  # nothing applied that was not written


def test_a_note_emptied_in_its_box_is_removed(tmp_path):
    project, _ = screening_project(tmp_path)
    app = app_for(project, "ana")
    said = {}

    async def drive() -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("n", *"check the dose", "enter")
            await pilot.pause()
            said["saved"] = str(app.query_one("#message").content)
            await pilot.press("n")
            await pilot.pause()
            app.screen.query_one(Input).value = ""
            await pilot.press("enter")
            await pilot.pause()
            said["removed"] = str(app.query_one("#message").content)
            said["note"] = app.session.note(app.shown)
    asyncio.run(drive())
    app.session.close()
    assert (said["saved"], said["removed"], said["note"]) == ("note saved", "note removed", "")
    notes = [e for e in read_events(log_path(project, "title-abstract", "ana"))
             if e["type"] == "note"]
    assert [e["note"] for e in notes] == ["check the dose", ""]
    reopened = ScreenSession(project, open_store(project.store_path), "ana")
    assert reopened.note(notes[0]["record"]) == ""  # removed for good, not only on screen
    assert reopened.add_note("") is None            # nothing to remove: nothing written
    reopened.close()


def test_every_key_of_the_screener_is_in_its_help_and_key_line():
    from reviewkit.tui.screen_widgets import KEYS
    from reviewkit.tui.screener import KEYLINE, ScreenerApp

    names = {"slash": "/", "question_mark": "?"}
    bound = {names.get(b.key, b.key) for b in ScreenerApp.BINDINGS}
    helped = {k for k, _ in KEYS}
    assert bound - helped == set()                      # ? lists every key
    words = KEYLINE.split()[::2]                        # "key what key what ..."
    shown = {part for word in words for part in word.split("/") if part}
    shown |= {"/"} if "/" in words else set()
    assert bound - shown == set(), bound - shown       # the bottom line names each one
    assert len(KEYLINE) <= 80


def test_a_later_stage_with_nothing_included_yet_says_so(tmp_path):
    project, _ = screening_project(tmp_path)
    shown = first_screen(app_for(project, "ana", stage="full-text"))
    assert "No records at full-text yet" in shown and "All 0 records" not in shown


def test_undo_at_full_text_does_not_bring_back_a_record_no_longer_there(tmp_path):
    project, store = screening_project(tmp_path)
    for name in ("ana", "ben"):
        s = ScreenSession(project, store, name)
        first = s.current()
        for _ in range(2):
            s.decide("include")
        s.close()
    full = ScreenSession(project, store, "ana", "full-text")
    assert first in full.eligible and full.total == 2
    full.visiting = first
    full.decide("exclude", reason=full.conf.reasons[0])
    full.close()
    for name in ("ana", "ben"):  # both change their minds at title/abstract
        s = ScreenSession(project, store, name)
        s.visiting = first
        s.decide("exclude")
        s.close()
    again = ScreenSession(project, store, "ana", "full-text")
    assert first not in again.eligible and again.total == 1
    assert again.undo() is not None           # her full-text decision is withdrawn...
    assert again.current() != first          # ...but the record is not shown to screen
    assert again.done == 0 and again.remaining == 1
    again.close()


def test_criteria_longer_than_the_panel_open_whole_and_scroll(tmp_path):
    project, _ = screening_project(tmp_path)
    text = "# Criteria\n" + "\n".join(f"line {i}" for i in range(1, 33))
    (project.root / "screening" / "criteria.md").write_text(text, "utf-8")
    app = app_for(project, "ana")
    seen = {}

    async def drive() -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("c")
            await pilot.pause()
            seen["screen"] = type(app.screen).__name__
            seen["text"] = str(app.screen.query_one("Static").content)
            await pilot.press("pagedown")
            seen["scrolled"] = app.screen.query_one("#box").scroll_y > 0
            await pilot.press("q")  # any other key closes it, and does not quit
            await pilot.pause()
            seen["back"] = type(app.screen).__name__
            await pilot.press("i")
    asyncio.run(drive())
    assert seen["screen"] == "TextScreen" and "line 32" in seen["text"] and seen["scrolled"]
    assert seen["back"] != "TextScreen"
    assert [e["decision"] for e in _decisions(project, "ana")] == ["include"]
