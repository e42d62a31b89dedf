"""The keyboard forms at 80x24 with a long hint (CASP's own hint prompts, pasted into a
team's checklist): the answer options, the answer box and the status line stay on screen
above the footer; the hint scrolls. Was: the hint pushed them below the screen, so the
person typed blind and never saw why an answer was refused."""

from __future__ import annotations

import asyncio

import yaml

from appraisal_support import mini_project
from reviewkit.appraisal.checklist import get_checklist
from reviewkit.tui.appraise import appraise_app

HINT = "HINT: Consider " + " ".join(f"whether point {i} of the design was justified;"
                                    for i in range(30))


def _own_checklist(project) -> None:
    data = {"id": "own", "title": "Own", "version": "1", "licence": "x", "attribution": "x",
            "answers": [{"value": "yes", "label": "Yes"}, {"value": "no", "label": "No"}],
            "sections": [{"id": "a", "title": "A", "questions": [
                {"id": "q1", "text": "Was the research design appropriate? " * 4,
                 "hint": HINT},
                {"id": "q2", "text": "Short?"}]}]}
    (project.root / "casp" / "own.yaml").write_text(yaml.safe_dump(data), "utf-8")


def test_options_box_and_status_stay_on_an_80x24_screen(tmp_path):
    project = mini_project(tmp_path)
    _own_checklist(project)
    app = appraise_app(project, "s1", "ann", get_checklist(project, "own"))
    seen: dict[str, object] = {}

    async def drive() -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            footer = app.screen.query_one("Footer").region
            for name in ("#choices", "#answer", "#status"):
                seen[name] = app.query_one(name).region
            seen["footer"] = footer
            seen["choices text"] = str(app.query_one("#choices").render())
            await pilot.press("7", "enter")  # not an option: the reason must be visible
            seen["error"] = str(app.query_one("#status").render())
            seen["status after"] = app.query_one("#status").region
            await pilot.press("backspace", "1", "enter", "enter")
            seen["next"] = str(app.query_one("#prompt").render())

    asyncio.run(drive())
    footer = seen["footer"]
    for name in ("#choices", "#answer", "#status", "status after"):
        region = seen[name]
        assert region.height >= 1 and region.y >= 0, (name, region)
        assert region.bottom <= footer.y, (name, region, footer)
    assert "'7' is not an answer option" in seen["error"]
    assert seen["choices text"] == "1 Yes   2 No"
    assert seen["next"] == "Q2. Short?"
    assert app.walk.record.value("q1") == "yes"


def test_page_down_shows_the_rest_of_a_long_hint(tmp_path):
    project = mini_project(tmp_path)
    _own_checklist(project)
    app = appraise_app(project, "s1", "ann", get_checklist(project, "own"))

    async def drive() -> list[float]:
        async with app.run_test(size=(80, 24)) as pilot:
            question = app.query_one("#question")
            at = [question.scroll_y]
            await pilot.press("pagedown")  # the rest of the hint, from the keyboard
            at.append(question.scroll_y)
            await pilot.press("pageup")
            return [*at, question.scroll_y]

    top, down, up = asyncio.run(drive())
    assert top == 0 and down > 0 and up == 0
