"""The terminal coder at 80x24: each key writes exactly its events; brackets show as written."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import textwrap

from helpers import run_cli, snapshot
from reviewkit.synthesis.codebook import load_codebook
from reviewkit.synthesis.coding import fold, read_coding
from reviewkit.synthesis.session import open_session
from reviewkit.synthesis.sources import add_source
from reviewkit.tui.coder import coder_app
from reviewkit.tui.coder_screens import match_codes
from synthesis_support import synth_project

SOURCE = "callanan-2012-findings"


def log(project) -> list[dict]:
    path = project.root / "synthesis/coding/ann.jsonl"
    return [json.loads(x) for x in path.read_text("utf-8").splitlines()] if path.exists() else []


def shown(app, widget: str) -> str:
    return str(app.query_one(widget).render())


def test_keys_select_apply_remove_undo_new_code_memo(tmp_path):
    project = synth_project(tmp_path)
    reported: list[list[dict]] = []
    steps: dict[str, list[str]] = {}

    async def drive() -> None:
        app = coder_app(project, "ann", SOURCE, reported.append)
        async with app.run_test(size=(80, 24)) as pilot:

            async def step(name: str, *keys: str) -> None:
                before = len(log(project))
                await pilot.press(*keys)
                await pilot.pause()
                steps[name] = [e["type"] for e in log(project)[before:]]

            await step("select", "w", "w", "w", "w", "s")
            assert "selected 37 chars" in shown(app, "#top")
            await step("apply", "a", *"time", "enter")
            assert "Time pressure" in shown(app, "#codes")
            await step("remove", "x")
            assert "no code" in shown(app, "#codes")
            await step("undo", "u")
            assert "Time pressure" in shown(app, "#codes")
            await step("new code", "a", *"Xylophone", "enter")
            assert "Xylophone" in shown(app, "#codes")
            await step("memo", "m", *"rushed?", "enter")
            assert "Memo: rushed?" in shown(app, "#codes")
            await step("help", "question_mark", "escape")
            await step("remove one of two", "x", "down", "enter")
            await step("quit", "q")

    asyncio.run(drive())
    assert steps == {"select": [], "apply": ["segment", "apply"], "remove": ["remove"],
                     "undo": ["undo"], "new code": ["apply"], "memo": ["memo"], "help": [],
                     "remove one of two": ["remove"], "quit": []}
    events = log(project)
    assert [e for batch in reported for e in batch] == events  # every write was reported
    assert events[0]["text"] == "Participants said they wanted choice."
    assert events[3]["target"] == events[2]["id"]  # the undo withdrew the remove
    assert events[4]["code"] == "xylophone" and "xylophone" in load_codebook(project).codes
    assert events[5]["text"] == "rushed?"
    # picker order is the codebook's: time, then xylophone; down picked the second
    assert events[6]["code"] == "xylophone"
    seg = fold(project).segments[events[0]["segment"]]
    assert seg.codes == {"time"}


def test_t_and_g_set_type_and_page_here_or_for_the_next_segment(tmp_path):
    project = synth_project(tmp_path)
    seen: dict[str, str] = {}

    async def drive() -> None:
        app = coder_app(project, "ann", SOURCE)
        async with app.run_test(size=(80, 24)) as pilot:
            async def keys(name: str, *press: str, widget: str = "#codes") -> None:
                await pilot.press(*press)
                await pilot.pause()
                seen[name] = str(app.screen.query_one(widget).render())

            await keys("coded", "s", "a", *"time", "enter")
            await keys("typed", "t", *"partic", "enter")
            await keys("paged", "g", *"12", "enter")
            await keys("repaged", "g", *"13", "enter")  # the old page is selected: replaced
            await keys("help", "question_mark", widget="#box > Static")
            await keys("pending", "escape", "n", "s", "t", *"field", "enter", widget="#top")
            await keys("made", "a", *"time", "enter")
            await keys("quit", "q")

    asyncio.run(drive())
    assert "participant quote" in seen["typed"]
    assert "participant quote, p. 12" in seen["paged"]
    assert "p. 13" in seen["repaged"]
    assert "t  type" in seen["help"] and "g  page" in seen["help"]
    assert "next: field observation" in seen["pending"]
    assert "field observation" in seen["made"]
    events = log(project)
    assert [e["type"] for e in events] == ["segment", "apply", "describe", "describe",
                                           "describe", "segment", "apply"]
    assert [(e["role"], e["page"]) for e in events if e["type"] == "describe"] == [
        ("participant quote", ""), ("participant quote", "12"), ("participant quote", "13")]
    assert events[5]["role"] == "field observation"
    segs = fold(project).segments
    assert segs[events[0]["segment"]].page == "13"


def test_coder_keys_do_not_act_under_a_pop_up(tmp_path):
    project = synth_project(tmp_path)

    async def drive() -> list[bool]:
        app = coder_app(project, "ann", SOURCE)
        async with app.run_test(size=(80, 24)) as pilot:
            before = [app.check_action(a, ()) for a in ("role", "undo", "apply")]
            await pilot.press("s", "a")
            await pilot.pause()
            under = [app.check_action(a, ()) for a in ("role", "undo", "apply")]
            return before + under

    assert asyncio.run(drive()) == [True] * 3 + [False] * 3


def test_cli_code_without_text_opens_the_coder_and_refuses_stray_options(tmp_path):
    project = synth_project(tmp_path)
    before = snapshot(project.root)
    r = run_cli("synthesis", "code", SOURCE, "--code", "time", "-r", "ann", cwd=project.root)
    assert r.returncode == 2 and "go with --text" in r.stderr
    r = run_cli("synthesis", "code", SOURCE, "--text", "Staff felt rushed.", "-r", "ann",
                cwd=project.root)
    assert r.returncode == 2 and "--text needs --code" in r.stderr
    r = run_cli("synthesis", "code", "nope", "-r", "ann", cwd=project.root)
    assert r.returncode == 2 and "source 'nope'" in r.stderr  # the coder's own check
    assert snapshot(project.root) == before
    r = run_cli("synthesis", "code", SOURCE, "--text", "Staff felt rushed.", "--code", "time",
                "-r", "ann", cwd=project.root)
    assert r.returncode == 0 and "coded time" in r.stdout  # scripted coding as before


def test_mistakes_show_one_line_and_write_nothing(tmp_path):
    project = synth_project(tmp_path)
    before = snapshot(project.root)

    async def drive() -> list[str]:
        app = coder_app(project, "ann", SOURCE)
        out = []
        async with app.run_test(size=(80, 24)) as pilot:
            for keys in (["x"], ["u"], ["m"], ["a", "enter"], ["a", "escape"]):
                await pilot.press(*keys)
                await pilot.pause()
                out.append(shown(app, "#message"))
        return out

    messages = asyncio.run(drive())
    assert messages[:4] == ["no coded segment here", "nothing to undo",
                            "a memo goes on a segment: move onto one first",
                            "select some text first (w, s, p or shift+arrows)"]
    assert snapshot(project.root) == before


def test_source_text_with_markup_brackets_is_shown_as_written(tmp_path):
    project = synth_project(tmp_path)
    (tmp_path / "m.txt").write_text("She said [/] and [bold]no[/bold] [red].\n", "utf-8")
    add_source(project, tmp_path / "m.txt", "smith-2015", "m")

    async def drive() -> str:
        app = coder_app(project, "ann", "m")
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("p")
            await pilot.pause()
            return shown(app, "#text")

    assert "She said [/] and [bold]no[/bold] [red]." in asyncio.run(drive())


def test_shift_arrows_select_and_n_moves_to_uncoded_paragraphs(tmp_path):
    project = synth_project(tmp_path)

    async def drive() -> list[str]:
        app = coder_app(project, "ann", SOURCE)
        out = []
        async with app.run_test(size=(80, 24)) as pilot:
            for keys in (["shift+right", "shift+right", "shift+right"], ["shift+left"],
                         ["escape", "down", "shift+down"], ["a", *"time", "enter", "up"],
                         ["n"], ["n"], ["N"]):
                await pilot.press(*keys)
                await pilot.pause()
                out.append(shown(app, "#top"))
        return out

    tops = asyncio.run(drive())
    assert "selected 22 chars" in tops[0]  # "Participants said they"
    assert "selected 17 chars" in tops[1]  # a word taken off
    assert "selected 39 chars" in tops[2]  # the second paragraph, coded next
    assert "offset 0/" in tops[3]
    assert "offset 78/" in tops[4]  # n skips the coded second paragraph
    assert "offset 78/" in tops[5]  # none after the last: it stays
    assert "offset 0/" in tops[6]
    assert log(project)[0]["text"] == "One said \"I want control over my life\"."


def test_long_source_draws_the_part_the_cursor_is_in(tmp_path):
    project = synth_project(tmp_path)
    body = "".join(f"Paragraph {i} says something about care.\n" for i in range(200))
    (tmp_path / "long.txt").write_text(body, "utf-8")
    add_source(project, tmp_path / "long.txt", "smith-2015", "long")

    async def drive() -> tuple[str, str]:
        app = coder_app(project, "ann", "long")
        async with app.run_test(size=(80, 24)) as pilot:
            first = shown(app, "#text")
            await pilot.press(*["down"] * 60)
            await pilot.pause()
            return first, shown(app, "#text")

    first, later = asyncio.run(drive())
    assert first.startswith("Paragraph 0 says")
    assert later.startswith("Paragraph 60 says")


def test_fuzzy_match_finds_codes_by_name_or_id():
    choices = {"time": "Time pressure  (time)", "choice": "Wanting choice  (choice)",
               "autonomy": "Autonomy  (autonomy)"}
    assert match_codes("time pres", choices)[0] == "time"
    assert match_codes("autonmy", choices)[0] == "autonomy"  # a typo still finds it
    assert match_codes("", choices) == ["time", "choice", "autonomy"]
    assert match_codes("qqqqzz", choices) == []


def test_cli_refuses_unknown_source_in_one_line(tmp_path):
    project = synth_project(tmp_path)
    before = snapshot(project.root)
    r = run_cli("synthesis", "code-tui", "nope", "-r", "ann", cwd=project.root)
    assert r.returncode == 2
    assert r.stderr.strip().count("\n") == 0 and "source 'nope'" in r.stderr
    assert snapshot(project.root) == before


DRIVER = textwrap.dedent("""
    import asyncio, sys
    from pathlib import Path
    from reviewkit.project import find_project
    from reviewkit.tui.coder import coder_app

    project = find_project(Path(sys.argv[1]))

    def saved(events):
        print("saved", " ".join(e["id"] for e in events), flush=True)

    async def main():
        app = coder_app(project, "ann", sys.argv[2], saved)
        async with app.run_test(size=(80, 24)) as pilot:
            for _ in range(3):  # each paragraph coded, then on to the next uncoded one
                await pilot.press("p", "a", "t", "i", "m", "e", "enter", "n")
                await asyncio.sleep(0.05)
            await asyncio.sleep(600)  # never finishes by itself: it is killed

    asyncio.run(main())
""")


def test_sigkill_mid_session_keeps_every_saved_action(tmp_path):
    project = synth_project(tmp_path)
    script = tmp_path / "driver.py"
    script.write_text(DRIVER, "utf-8")
    proc = subprocess.Popen([sys.executable, str(script), str(project.root), SOURCE],
                            stdout=subprocess.PIPE, text=True, cwd=tmp_path,
                            env={**os.environ, "TERM": "dumb"})
    reported: list[str] = []
    try:
        for line in proc.stdout:
            reported.extend(line.split()[1:])
            if len(reported) == 4:  # two paragraphs coded (segment + apply each): kill
                os.kill(proc.pid, signal.SIGKILL)
                break
    finally:
        proc.kill()
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    ids = [e["id"] for e in log(project)]
    assert ids[:4] == reported  # every action reported saved is in the log, in order
    coded = sorted(s.text for s in fold(project).segments.values())
    assert coded[:2] == ["One said \"I want control over my life\".",
                         "Participants said they wanted choice."]
    # a kill inside a write leaves a torn last line: status reports it and goes on
    with (project.root / "synthesis/coding/ann.jsonl").open("a", encoding="utf-8") as fh:
        fh.write('{"v": 1, "id": "torn", "type": "app')
    r = run_cli("synthesis", "status", "-f", "json", cwd=project.root)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)[0]["segments"] == len(coded)
    assert "synthesis/coding/ann.jsonl" in r.stderr
    # the next sitting goes on after the torn line and its write reads back whole
    again = open_session(project, "ann", "b")
    again.select("paragraph")
    written = again.apply("time")
    events, problems = read_coding(project)
    assert [e["id"] for e, _, _ in events[-2:]] == [e["id"] for e in written]
    assert len(problems) == 1 and problems[0].line == len(ids) + 1  # only the torn line
