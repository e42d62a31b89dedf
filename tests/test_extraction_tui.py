"""The keyboard extraction form: typed fields, repeatable groups, survives SIGKILL."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import textwrap

from appraisal_support import mini_project
from reviewkit.extraction.compare import study_extractions
from reviewkit.extraction.form import get_form
from reviewkit.tui.extract import extract_app


async def _type(pilot, text: str) -> None:
    names = {" ": "space", ";": "semicolon", "-": "minus", ",": "comma", "/": "slash"}
    await pilot.press(*(names.get(c, c) for c in text), "enter")


def test_keyboard_walk_through_every_field_type_and_a_repeatable_group(tmp_path):
    project = mini_project(tmp_path)
    form = get_form(project, None)

    async def drive() -> list[str]:
        app = extract_app(project, "s2", "ann", form)
        errors = []
        async with app.run_test() as pilot:
            await _type(pilot, "twenty")  # year: integer
            errors.append(str(app.query_one("#status").render()))
            app.query_one("#answer").value = ""
            for text in ["2017", "2", "n", "1", "GBP 5 per week", "to explore",
                         "Wales", "qualitative", "1;3", "12", "none",
                         "1", "12", "service users",  # participant group 1
                         "y", "2", "3", "", "n",  # group 2, then no more
                         "2024-13", "2024-01-31", "less use; more contact"]:
                await _type(pilot, text)
                if text == "2024-13":
                    errors.append(str(app.query_one("#status").render()))
                    app.query_one("#answer").value = ""
            errors.append(str(app.query_one("#prompt").render()))
        return errors

    errors = asyncio.run(drive())
    assert "expected a whole number, got 'twenty'" in errors[0]
    assert "expected a date as YYYY-MM-DD" in errors[1]
    assert errors[2] == "All done: every answer is saved."
    record = study_extractions(project, "s2", form)[0]
    assert record.status == "final"
    assert record.values == {
        "year": 2017, "publication": "grey", "peer_reviewed": False,
        "budget_type": "personal budget", "budget_amount": "GBP 5 per week",
        "aim": "to explore", "location": "Wales", "design": "qualitative",
        "methods": ["face-to-face interviews", "focus groups"], "service_users": "12",
        "staff": "none",
        "participant_groups": [{"group": "service users", "n": 12,
                                "description": "service users"},
                               {"group": "staff", "n": 3}],
        "date_extracted": "2024-01-31", "outcomes": ["less use", "more contact"]}


DRIVER = textwrap.dedent("""
    import asyncio, sys
    from pathlib import Path
    from reviewkit.extraction.form import get_form
    from reviewkit.project import find_project
    from reviewkit.tui.extract import extract_app

    project = find_project(Path(sys.argv[1]))

    def saved(key):
        print("saved", key, flush=True)

    async def main():
        app = extract_app(project, "s1", "ann", get_form(project, None), saved)
        async with app.run_test() as pilot:
            for text in ["2015", "1", "y", "2", "GBP", "aim", "Leeds", "mixed"]:
                await pilot.press(*[c if c != " " else "space" for c in text], "enter")
                await asyncio.sleep(0.05)
            await asyncio.sleep(600)

    asyncio.run(main())
""")


def test_sigkill_mid_extraction_keeps_every_value_given_before(tmp_path):
    project = mini_project(tmp_path)
    script = tmp_path / "driver.py"
    script.write_text(DRIVER, "utf-8")
    proc = subprocess.Popen([sys.executable, str(script), str(project.root)],
                            stdout=subprocess.PIPE, text=True, cwd=tmp_path)
    reported = []
    try:
        for line in proc.stdout:
            reported.append(line.split()[1])
            if line.strip() == "saved budget_type":
                os.kill(proc.pid, signal.SIGKILL)
                break
    finally:
        proc.kill()
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    assert reported == ["year", "publication", "peer_reviewed", "budget_type"]
    record = study_extractions(project, "s1", get_form(project, None))[0]
    assert record.status == "draft"
    assert record.values == {"year": 2015, "publication": "journal", "peer_reviewed": True,
                             "budget_type": "personal health budget"}
