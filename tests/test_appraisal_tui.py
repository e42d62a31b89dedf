"""The keyboard form: walks the checklist, saves each answer at once, survives SIGKILL."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import textwrap

import pytest

from appraisal_support import mini_project
from helpers import copy_example
from reviewkit.appraisal.checklist import get_checklist
from reviewkit.appraisal.records import open_appraisal
from reviewkit.errors import ReviewkitError
from reviewkit.project import find_project
from reviewkit.tui.appraise import appraise_app

from conftest import REPO


def test_keyboard_walk_saves_every_answer_and_rejects_bad_ones(tmp_path):
    project = mini_project(tmp_path)
    checklist = get_checklist(project, None)
    saved: list[str] = []

    async def drive() -> str:
        app = appraise_app(project, "s1", "ann", checklist, saved.append)
        async with app.run_test() as pilot:
            await pilot.press("1", "enter", "o", "k", "enter")  # q1 yes, comment "ok"
            before = (project.root / "casp/s1/ann.yaml").read_bytes()
            await pilot.press("9", "enter")  # no option 9
            status = str(app.query_one("#status").render())
            assert (project.root / "casp/s1/ann.yaml").read_bytes() == before
            await pilot.press("backspace", "3", "enter", "enter")  # q2 can't tell
            await pilot.press("escape", "escape")  # back to q2's answer
            await pilot.press("backspace", "backspace", "backspace", "backspace", "backspace",
                              "backspace", "backspace", "backspace", "backspace", "2", "enter",
                              "enter")
            for _ in range(3, 11):
                await pilot.press("1", "enter", "enter")
            return status

    status = asyncio.run(drive())
    assert "'9' is not an answer option" in status
    assert saved[:4] == ["q1", "q1.comment", "q2", "q2.comment"] and saved[-1] == "q10.comment"
    record = open_appraisal(project, "s1", "ann", checklist)
    assert record.status == "final"
    assert record.value("q1") == "yes" and record.answers["q1"].comment == "ok"
    assert record.value("q2") == "no" and record.value("q10") == "yes"


DRIVER = textwrap.dedent("""
    import asyncio, sys
    from pathlib import Path
    from reviewkit.appraisal.checklist import get_checklist
    from reviewkit.project import find_project
    from reviewkit.tui.appraise import appraise_app

    project = find_project(Path(sys.argv[1]))
    checklist = get_checklist(project, None)

    def saved(key):
        print("saved", key, flush=True)

    async def main():
        app = appraise_app(project, "s1", "ann", checklist, saved)
        async with app.run_test() as pilot:
            for key in ["1", "2", "3", "1", "2", "3", "1", "2", "3", "1"]:
                await pilot.press(key, "enter", "enter")
                await asyncio.sleep(0.05)
            await asyncio.sleep(600)  # never finishes by itself: it is killed

    asyncio.run(main())
""")


def test_sigkill_mid_form_keeps_every_answer_given_before(tmp_path):
    project = mini_project(tmp_path)
    script = tmp_path / "driver.py"
    script.write_text(DRIVER, "utf-8")
    proc = subprocess.Popen([sys.executable, str(script), str(project.root)],
                            stdout=subprocess.PIPE, text=True, cwd=tmp_path,
                            env={**os.environ, "TERM": "dumb"})
    reported = []
    try:
        for line in proc.stdout:
            reported.append(line.split()[1])
            if line.strip() == "saved q4":  # kill mid-way: six questions still to come
                os.kill(proc.pid, signal.SIGKILL)
                break
    finally:
        proc.kill()
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    answers = [k for k in reported if "." not in k]
    assert answers == ["q1", "q2", "q3", "q4"]
    record = open_appraisal(find_project(project.root), "s1", "ann", get_checklist(project, None))
    expected = {"q1": "yes", "q2": "no", "q3": "cant_tell", "q4": "yes"}
    assert {q: record.value(q) for q in expected} == expected
    assert record.status == "draft"
    leftovers = [p.name for p in (project.root / "casp/s1").iterdir() if p.name != "ann.yaml"]
    assert leftovers == []  # no half-written temp file


def test_example_project_walk_resumes_at_first_unanswered(tmp_path):
    root = copy_example(REPO, tmp_path / "example")
    project = find_project(root)
    from reviewkit.appraisal.walk import ChecklistWalk

    walk = ChecklistWalk(project, "croft-2016", "consensus", get_checklist(project, None))
    assert walk.done and walk.step() is None
    with pytest.raises(ReviewkitError, match="'newbie' is not a reviewer"):
        ChecklistWalk(project, "croft-2016", "newbie", get_checklist(project, None))
    walk = ChecklistWalk(project, "croft-2016", "parkman", get_checklist(project, None))
    assert walk.step().key == "q1" and walk.step().choices == ["1 Yes", "2 No", "3 Can't tell"]


def test_checklist_text_with_brackets_is_shown_as_written(tmp_path):
    """A '[/]' or '[b]' in a team's checklist is text, not Rich markup (it crashed the form)."""
    project = mini_project(tmp_path)
    path = project.root / "casp" / "casp-qualitative-2018.yaml"
    text = path.read_text("utf-8")
    odd = "Were the aims [b]clear[/b] and [/] stated [see protocol]?"
    path.write_text(text.replace("Was there a clear statement of the aims of the research?",
                                 odd), "utf-8")
    checklist = get_checklist(project, None)

    async def drive() -> str:
        app = appraise_app(project, "s1", "ann", checklist, lambda _step: None)
        async with app.run_test() as pilot:
            await pilot.pause()
            shown = str(app.query_one("#prompt").render())
            await pilot.press("9", "enter")  # an error message shown beside it
            return shown + str(app.query_one("#status").render())

    shown = asyncio.run(drive())
    assert odd in shown and "'9' is not an answer option" in shown


def test_two_sittings_and_a_hand_edit_each_keep_what_the_others_saved(tmp_path):
    """Each answer is written over the file as it is now, not over the form's old copy."""
    from reviewkit.appraisal.walk import ChecklistWalk

    project = mini_project(tmp_path)
    checklist = get_checklist(project, None)
    a = ChecklistWalk(project, "s1", "ann", checklist)
    b = ChecklistWalk(project, "s1", "ann", checklist)  # a second window on the same study
    a.submit("1")                      # q1 yes
    a.submit("from A")                 # its comment
    a.submit("3")                      # q2 can't tell
    b.submit("2")                      # q1 no: B's word on q1 wins, A's q2 stays
    b.submit("B comment")
    record = open_appraisal(project, "s1", "ann", checklist)
    assert record.value("q1") == "no" and record.answers["q1"].comment == "B comment"
    assert record.value("q2") == "cant_tell"
    path = project.root / "casp" / "s1" / "ann.yaml"
    path.write_text(path.read_text("utf-8") + "  q10: {answer: 'yes', comment: by hand}\n",
                    "utf-8")
    assert open_appraisal(project, "s1", "ann", checklist).value("q10") == "yes"
    a.submit("")                       # q2's comment, skipped
    a.submit("1")                      # q3 yes
    record = open_appraisal(project, "s1", "ann", checklist)
    assert record.value("q10") == "yes" and record.answers["q10"].comment == "by hand"
    assert record.value("q1") == "no" and record.value("q3") == "yes"  # nothing reverted
    path.write_text(path.read_text("utf-8").replace("answers:", "answers: [", 1), "utf-8")
    before = path.read_bytes()
    with pytest.raises(ReviewkitError):  # the file broken by hand: said, not overwritten
        a.submit("1")
    assert path.read_bytes() == before
