"""The terminal UIs as a fast reviewer drives them: keys typed in one burst (tmux sends
them in one write, as a touch typist or a paste does), tiny terminals, odd records."""

from __future__ import annotations

import asyncio
import os
import shlex
import shutil
import sys
import time
import uuid

import pytest

from appraisal_support import mini_project
from helpers import new_project
from reviewkit.appraisal.checklist import get_checklist
from reviewkit.appraisal.records import open_appraisal
from reviewkit.io.importer import import_files
from reviewkit.screening import Screening, ScreenSession, add_reviewer
from reviewkit.screening.listing import bulk_decide, list_rows
from reviewkit.screening.log import log_path, read_events
from reviewkit.store import open_store
from reviewkit.synthesis.codebook import load_codebook
from reviewkit.tui.screen_list import ListApp
from synthesis_support import synth_project
from test_screening_list_tmux import Tmux
from test_screening_support import app_for, body_text, screening_project, svg_text
from test_synthesis_tmux import SOURCE as CODER_SOURCE
from test_synthesis_tmux import Pane
from test_synthesis_tmux import log as coder_log

tmux_needed = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")
STAGE = "title-abstract"


class SmallPane(Pane):
    """The coder tests' tmux (a server of its own, no user config), 40x10 from the start."""

    def __init__(self, cwd, *args: str) -> None:
        self.socket = f"rk-{uuid.uuid4().hex[:8]}"
        env = {"PYTHONPATH": os.environ.get("PYTHONPATH", ""), "TERM": "xterm-256color"}
        # without COLUMNS and LINES (pytest's run has them at 80 and 24), which Textual
        # would take over the terminal's own size
        command = "exec env -u COLUMNS -u LINES " + " ".join(
            f"{k}={shlex.quote(v)}" for k, v in env.items()) + " " + shlex.join(
            [sys.executable, "-m", "reviewkit", *args])
        self.tmux("new-session", "-d", "-x", "40", "-y", "10", "-c", str(cwd), command)


def _queue(project, reviewer: str = "ana", n: int = 3) -> list[str]:
    session = ScreenSession(project, open_store(project.store_path), reviewer)
    try:
        return list(session.order[:n])
    finally:
        session.close()


def _events(project, reviewer: str = "ana") -> list[dict]:
    path = log_path(project, STAGE, reviewer)
    return read_events(path) if path.exists() else []


@tmux_needed
def test_keys_typed_ahead_of_the_reason_box_and_the_note_box_are_not_lost(tmp_path):
    """"X1" in one go excludes with the first reason; "n", a note and Enter in one go
    save that whole note; "x" typed right after the note's Enter judges the record."""
    project, store = screening_project(tmp_path)
    first, second, third = _queue(project)
    reason = Screening(project, store).conf.reasons[0]  # what key 1 stands for
    store.close()
    tmux = Tmux(project.root, [sys.executable, "-m", "reviewkit", "screen", "-r", "ana"])
    try:
        tmux.wait(first)
        tmux.keys("X1")
        tmux.wait(second)
        tmux.keys("nfast note here", "Enter", "x")
        tmux.wait(third)
        tmux.keys("q")
    finally:
        tmux.close()
    events = _events(project)
    got = [(e["type"], e["record"], e.get("reason"), e.get("note")) for e in events]
    assert got[0] == ("decision", first, reason, ""), got
    assert got[1:] == [("note", second, None, "fast note here"),
                       ("decision", second, "", "")], got


@tmux_needed
def test_a_filter_typed_fast_after_slash_goes_into_the_box_and_undoes_nothing(tmp_path):
    """In the list view "/" then "ussr" in one go: before, "u" (undo bulk) took back the
    last bulk exclusion and the filter box stayed empty."""
    project, store = screening_project(tmp_path)
    session = ScreenSession(project, store, "ana")
    units = [row.unit for row in list_rows(session, "year:1980-2005")]
    bulk_decide(session, units, "exclude", "", "year:1980-2005")
    session.close()
    store.close()
    before = _events(project)
    tmux = Tmux(project.root, [sys.executable, "-m", "reviewkit", "screen", "--list",
                               "-r", "ana"])
    try:
        tmux.wait(f"{len(units)}/50 decided")
        tmux.keys("/ussr")
        shown = tmux.wait("▊  ussr")  # typed into the filter box
        tmux.keys("Enter")
        shown = tmux.wait("filter: ussr")
        assert f"{len(units)}/50 decided" in shown and "taken back" not in shown
        tmux.keys("q")
    finally:
        tmux.close()
    assert _events(project) == before  # nothing undone, nothing written


@tmux_needed
def test_a_bulk_exclusion_typed_in_one_go_still_waits_for_a_y_to_the_count(tmp_path):
    """"X1y" at once: the reason is taken (it was lost before), but the "y" came before
    the question with the count showed, so it answers nothing; a "y" to it writes."""
    project, store = screening_project(tmp_path)
    reason = Screening(project, store).conf.reasons[0]
    store.close()
    tmux = Tmux(project.root, [sys.executable, "-m", "reviewkit", "screen", "--list",
                               "-r", "ana"])
    try:
        tmux.wait("0/50 decided")
        tmux.keys("X1y")
        tmux.wait(f"Exclude 50 records ({reason})")
        time.sleep(0.5)
        assert _events(project) == []
        tmux.keys("y")
        tmux.wait("50 records: exclude (saved)")
        tmux.keys("q")
    finally:
        tmux.close()
    assert [e["reason"] for e in _events(project)] == [reason] * 50


WIDE = ("中文标题：社区护理干预对老年糖尿病患者的影响研究，"
        "一项多中心随机对照试验的系统评价与荟萃分析及其对社区卫生服务的启示")
ODD_RIS = (f"TY  - JOUR\nTI  - {WIDE}\nAU  - 王, 伟\nPY  - 2020\nAB  - 摘要。\nER  - \n\n"
           "TY  - JOUR\nAU  - Notitle, N.\nPY  - 2017\nAB  - A record without a title, "
           "about budgets.\nER  - \n\n"
           "TY  - JOUR\nTI  - Plain record about care budgets\nPY  - 2016\nER  - \n")


def _odd_project(tmp_path):
    """Three records: a CJK title two screens wide, one with no title, a plain one."""
    project, store = new_project(tmp_path, ("db", None))
    ris = tmp_path / "odd.ris"
    ris.write_text(ODD_RIS, "utf-8")
    import_files(project, store, [ris], "db")
    add_reviewer(project, "ana")
    return project, store


def test_the_list_shows_my_decision_beside_a_wide_title_and_names_a_missing_one(tmp_path):
    """At 80 columns a CJK title (two cells a character) was cut by characters, not
    cells: the table grew past the screen and "yours" (the decision) was off it. A
    record with no title showed a blank row."""
    project, store = _odd_project(tmp_path)
    session = ScreenSession(project, store, "ana")
    wide = next(r.unit for r in list_rows(session) if r.title == WIDE)
    untitled = next(r.unit for r in list_rows(session) if not r.title)
    for unit in (wide, untitled):
        session.visiting = unit  # decide these two, as a jump there would
        session.decide("include")
    app = ListApp(session)
    screens = {}

    async def drive() -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            screens["svg"] = svg_text(app.export_screenshot())
            table = app.query_one("#table")
            screens["rows"] = {k: table.get_row(k) for k in (wide, untitled)}
    asyncio.run(drive())
    session.close()
    rows = screens["rows"]
    assert "yours" in screens["svg"]  # the column's heading is on the screen
    assert screens["svg"].count("include") >= 2
    assert WIDE[:8] in screens["svg"]
    assert rows[untitled][0].plain == "(no title)"


@tmux_needed
def test_a_code_typed_fast_after_a_is_the_code_applied(tmp_path):
    """"s", then "atime" and Enter in one go: the letters reached the text screen
    before the picker was up and were dropped, so Enter applied the first code of the
    unfiltered list (Autonomy) instead of Time pressure."""
    project = synth_project(tmp_path)
    pane = Pane(project.root, "synthesis", "code", CODER_SOURCE, "-r", "ann")
    try:
        pane.wait("no selection", "a apply")
        pane.keys("s")
        pane.wait("selected")
        pane.keys(literal="atime\r")  # one write: a, the query, Enter
        pane.wait("applied")
        pane.keys("q")
    finally:
        pane.close()
    applied = [e["code"] for e in coder_log(project) if e["type"] == "apply"]
    wanted = [c.id for c in load_codebook(project).codes.values() if c.name == "Time pressure"]
    assert applied == wanted


@tmux_needed
def test_checklist_answers_and_comments_typed_in_one_go_are_kept_apart(tmp_path):
    """"1", Enter, a comment, Enter, "2", Enter in one write: Enter ran after the keys
    behind it, so the comment was saved as "good sampling2" and q2 got an error."""
    project = mini_project(tmp_path)
    checklist = get_checklist(project, None)
    options = checklist.options(checklist.questions[0])
    pane = Pane(project.root, "appraisal", "enter", "s1", "-r", "ann")
    try:
        pane.wait("question 1 of")
        pane.keys(literal="1\rgood sampling\r2\r")
        pane.wait(f"Comment on {checklist.questions[1].id.upper()}")  # q2 answered
        pane.keys("C-q")
    finally:
        pane.close()
    record = open_appraisal(project, "s1", "ann", checklist)
    q1, q2 = (record.answers[q.id] for q in checklist.questions[:2])
    assert (q1.value, q1.comment) == (options[0].value, "good sampling")
    assert (q2.value, q2.comment) == (checklist.options(checklist.questions[1])[1].value, "")


@tmux_needed
def test_a_filter_its_enter_and_a_bulk_key_typed_in_one_go(tmp_path):
    """"/year:1980-2005", Enter, "X1" in one write: Enter ran after the keys behind it,
    so "X1" went into the filter ("year:1980-2005X1") instead of asking a bulk exclusion
    of the records shown."""
    project, store = screening_project(tmp_path)
    session = ScreenSession(project, store, "ana")
    shown = [row.unit for row in list_rows(session, "year:1980-2005")]
    reason = session.conf.reasons[0]
    session.close()
    store.close()
    tmux = Tmux(project.root, [sys.executable, "-m", "reviewkit", "screen", "--list",
                               "-r", "ana"])
    try:
        tmux.wait("0/50 decided")
        tmux.keys("-l", "/year:1980-2005\rX1")
        tmux.wait(f"Exclude {len(shown)} records ({reason}), filter: year:1980-2005?")
        tmux.keys("y")
        tmux.wait("(saved)")
        tmux.keys("q")
    finally:
        tmux.close()
    events = _events(project)
    assert sorted(e["record"] for e in events) == sorted(shown)
    assert {e["reason"] for e in events} == {reason}


@tmux_needed
def test_the_reason_box_fits_a_40x10_terminal_and_scrolls_to_other(tmp_path):
    """At 40x10 the reason box (76 wide, up to 22 high) ran off the right and the
    bottom: "o  other" and the last reasons could not be seen, nor scrolled to."""
    project, store = screening_project(tmp_path)
    store.close()
    pane = SmallPane(project.root, "screen", "-r", "ana")
    try:
        pane.wait("i incl")
        pane.keys("X")
        shown = pane.wait("Exclude: why?")
        top = shown.splitlines()[0]
        assert top.startswith("╭") and top.endswith("╮")  # both corners on the screen
        assert "other: type it" not in shown  # 10 rows hold less than the list
        pane.keys(*["Down"] * 8)  # one burst: each one scrolls
        pane.wait("other: type it")
        pane.keys("Escape")
        pane.keys("q")
    finally:
        pane.close()
    assert _events(project) == []  # scrolling decided nothing


def test_wide_criteria_that_overflow_the_panel_open_in_their_own_box(tmp_path):
    """Criteria lines were measured in characters: five lines of Chinese (two cells a
    character, two screen rows a line at 80 columns) were taken to fit the 7-row panel,
    which then showed the first three and a half and hid the rest."""
    project, _ = screening_project(tmp_path)
    line = "纳入标准：以社区为基础的护理干预研究，研究对象为六十五岁以上的老年糖尿病患者，" \
        "结局为血糖控制"
    text = "\n".join(f"{i}. {line}" for i in range(1, 6))
    (project.root / "screening" / "criteria.md").write_text(text, "utf-8")
    app = app_for(project, "ana")
    seen = {}

    async def drive() -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("c")
            await pilot.pause()
            seen["screen"] = type(app.screen).__name__
    asyncio.run(drive())
    app.session.close()
    assert seen["screen"] == "TextScreen"


def test_find_names_a_known_record_that_is_not_at_this_stage(tmp_path):
    """"/" and the id of a record excluded at title-abstract, in the full-text
    screener, said "no record matches": as if the id were mistyped."""
    project, store = screening_project(tmp_path)
    session = ScreenSession(project, store, "ana")
    out = session.current()
    session.decide("exclude")
    kept = session.current()
    session.decide("include")
    session.close()
    ben = ScreenSession(project, store, "ben")  # both include it: it goes on to full text
    ben.visiting = kept
    ben.decide("include")
    ben.close()
    app = app_for(project, "ana", stage="full-text")
    seen = {}

    async def drive() -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("slash")
            await pilot.pause()
            for ch in out:
                await pilot.press(ch)
            await pilot.press("enter")
            await pilot.pause()
            seen["message"] = str(app.query_one("#message").content)
            seen["shown"] = app.shown
    asyncio.run(drive())
    app.session.close()
    assert seen["shown"] == kept  # the full-text queue's one record stays on screen
    assert "no record matches" not in seen["message"]
    assert out in seen["message"] and "full-text" in seen["message"], seen


def test_an_empty_first_stage_says_to_import_not_to_wait_for_a_stage_before(tmp_path):
    """With nothing imported the title-abstract screener said a record "comes here once
    it is included at the stage before" (there is none) beside a bar full at 100%."""
    project, store = new_project(tmp_path)
    add_reviewer(project, "ana")
    app = app_for(project, "ana")
    seen = {}

    async def drive() -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            seen["body"] = body_text(app)
            seen["bar"] = str(app.query_one("#bar").content)
    asyncio.run(drive())
    app.session.close()
    store.close()
    assert "stage before" not in seen["body"] and "import" in seen["body"], seen
    assert "100%" not in seen["bar"] and "█" not in seen["bar"], seen


def test_ctrl_q_still_quits_from_the_filter_box_and_from_a_pop_up(tmp_path):
    """The keys run as read are off while a box has the letters; Ctrl+Q (Textual's quit)
    must not be: it leaves the list from its filter box and the screener from a note."""
    project, store = screening_project(tmp_path)
    seen = {}

    async def drive(app, keys, name) -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            for key in keys:
                await pilot.press(key)
            await pilot.pause()
            seen[name] = app.is_running

    asyncio.run(drive(ListApp(ScreenSession(project, store, "ana")), ["slash", "w",
                                                                     "ctrl+q"], "list"))
    screener_app = app_for(project, "ana")
    asyncio.run(drive(screener_app, ["n", "w", "ctrl+q"], "screener"))
    screener_app.session.close()
    assert seen == {"list": False, "screener": False}
    assert _events(project) == []  # and nothing was written on the way out
