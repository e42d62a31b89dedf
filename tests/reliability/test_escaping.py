"""Record data reaches the terminal and CSV files as written: Rich never reads a title
or a database name as markup, and no spreadsheet runs a cell as a formula.

One small real project (an RIS export imported, de-duplicated against a second one,
two reviewers who disagree), checked through the real commands."""

from __future__ import annotations

import csv
import io

import pytest

from helpers import run_cli
from reviewkit.dedup.run import run_dedup
from reviewkit.io.importer import import_files
from reviewkit.project import init_project
from reviewkit.reporting.outputs import Table, render_text
from reviewkit.reporting.tables import csv_safe, render
from reviewkit.screening import Screening
from reviewkit.screening.events import decision_event
from reviewkit.screening.log import append_events, log_path
from reviewkit.searches.log import Search, add_search
from reviewkit.store import open_store

MARKUP = ["[/]", "[b]", "[letter]", "[/i]", "[bold red]"]
FORMULA = '=HYPERLINK("http://x","y")'
TITLES = [f"Personal budgets for drug users, study {i}: {m} here" for i, m in enumerate(MARKUP)]
TITLES += [FORMULA, "-0.5", "@SUM(A1:A9)"]
# the readers drop control characters; a search file can still hold them ("\u001b")
ESC_DB = "Window \x1b]0;owned\x07 title in \x1b[31mred"
MEDLINE, EMBASE = "Med[/]line [b]", "Em[/]base [letter]"


def ris(extra: str) -> str:
    return "".join(
        f"TY  - JOUR\nTI  - {t}\nAU  - Smith, J\nPY  - 2020\nT2  - Journal [i]of things\n"
        f"VL  - 3\nSP  - {10 + i}\nEP  - {20 + i}\nDO  - 10.1234/esc{i}\nN1  - {extra}\n"
        "ER  - \n\n" for i, t in enumerate(TITLES))


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("escaping")
    project = init_project(tmp / "review", "Escaping [/] review")
    config = project.root / "reviewkit.toml"
    config.write_text(config.read_text("utf-8").replace(
        "reviewers = []", 'reviewers = ["ann", "bob"]'), "utf-8")
    store = open_store(project.store_path)
    for sid, name in (("medline", MEDLINE), ("embase", EMBASE)):
        add_search(project, Search(id=sid, database=name, hits=len(TITLES)))
        export = tmp / f"{sid}.ris"
        export.write_text(ris(sid), "utf-8")
        import_files(project, store, [export], sid)
    add_search(project, Search(id="other", database=ESC_DB, kind="other"))
    run_dedup(project, store)
    units = Screening(project, store).eligible("title-abstract")
    for who, said in (("ann", "include"), ("bob", "exclude")):  # every record a conflict
        append_events(log_path(project, "title-abstract", who),
                      [decision_event("title-abstract", who, u, said) for u in units])
    store.close()
    return project.root


@pytest.fixture(scope="module")
def search_list(project):
    """``search list`` as the terminal gets it (run once for the tests below)."""
    return run_cli("search", "list", cwd=project)


def test_search_list_shows_database_names_as_written(search_list):
    out = search_list
    assert out.returncode == 0, out.stderr
    assert MEDLINE in out.stdout and EMBASE in out.stdout
    assert "Traceback" not in out.stderr


def test_screen_conflicts_shows_titles_as_written(project):
    out = run_cli("screen", "conflicts", cwd=project)
    assert out.returncode == 0, out.stderr
    for mark in MARKUP:  # "[/]" used to crash; "[b]" and "[letter]" to vanish
        assert mark in out.stdout, mark
    assert "Traceback" not in out.stderr


def test_terminal_never_receives_control_characters_from_data(search_list):
    out = search_list
    assert out.returncode == 0, out.stderr
    assert "\x1b" not in out.stdout and "\x07" not in out.stdout
    shown = "".join(line.strip("│ ") for line in out.stdout.splitlines())
    assert "\\x1b]0;owned\\x07" in shown.replace(" ", "")  # shown, not sent


def test_dedup_merges_show_titles_as_written(project):
    out = run_cli("dedup", "report", "--merges", cwd=project)
    assert out.returncode == 0, out.stderr
    assert out.stdout.count("│ method ") == len(TITLES)  # every pair is listed
    for mark in MARKUP:
        assert mark in out.stdout, mark


def test_screener_shows_titles_and_notes_as_written(project, tmp_path):
    import asyncio
    import shutil

    from reviewkit.project.config import Project, load_config
    from reviewkit.screening.reviewers import add_reviewer
    from test_screening_support import app_for, svg_text

    root = tmp_path / "copy"  # the screener writes a log: keep the shared project as it is
    shutil.copytree(project, root)
    copy = Project(root, load_config(root))
    add_reviewer(copy, "cleo")
    store = open_store(copy.store_path)
    units = Screening(copy, store).eligible("title-abstract")
    store.close()
    append_events(log_path(copy, "title-abstract", "bob"), [  # bob's notes hold markup
        decision_event("title-abstract", "bob", u, "exclude", note="see [/] and [b]this[/b]")
        for u in units])
    app = app_for(copy, "cleo", blind=False)
    seen = {}

    async def drive() -> None:
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            seen["body"] = app.query_one("#body").content.plain
            seen["screen"] = svg_text(app.export_screenshot())
    asyncio.run(drive())
    title = app.session.record(app.shown).record.title
    app.session.close()
    assert title in TITLES and title in seen["body"]  # exactly as written, brackets and all
    assert "bob: exclude — see [/] and [b]this[/b]" in seen["body"]
    assert "Journal [i]of things" in seen["body"]
    assert "title-abstract · cleo · unblinded" in seen["screen"]


def test_terminal_table_keeps_brackets_in_title_header_and_cells():
    text = render([{"[b]name": "[/]", "n": "[red]x"}], "table", title="T [/] [i]")
    assert "T [/] [i]" in text and "[b]name" in text and "[/]" in text and "[red]x" in text


def test_csv_export_neutralises_formulas_and_keeps_numbers(project, tmp_path):
    target = tmp_path / "all.csv"
    out = run_cli("export", "-f", "csv", "-o", str(target), cwd=project)
    assert out.returncode == 0, out.stderr
    rows = list(csv.DictReader(target.open(encoding="utf-8", newline="")))
    titles = {r["title"] for r in rows}
    assert "'" + FORMULA in titles and FORMULA not in titles
    assert "'@SUM(A1:A9)" in titles
    assert "-0.5" in titles  # a number is not a formula
    assert {r["year"] for r in rows} == {"2020"} and {r["volume"] for r in rows} == {"3"}


def test_csv_listings_neutralise_formulas(project):
    out = run_cli("screen", "conflicts", "--format", "csv", cwd=project)
    assert out.returncode == 0, out.stderr
    titles = [r["title"] for r in csv.DictReader(io.StringIO(out.stdout))]
    assert "'" + FORMULA in titles and FORMULA not in titles and "-0.5" in titles


def test_report_table_csv_neutralises_formulas():
    table = Table("t", "T", [("text", "Text"), ("n", "N")], [
        {"text": "=1+1", "n": -3}, {"text": "+cmd", "n": "-0.5"}, {"text": "-x", "n": "1e-3"},
        {"text": "@x", "n": "+2"}, {"text": "\tx", "n": ""}, {"text": "\rx", "n": "-"},
        {"text": "a=b", "n": "--1"}])
    rows = list(csv.reader(io.StringIO(render_text(table, "csv"))))
    assert rows[1:] == [["'=1+1", "-3"], ["'+cmd", "-0.5"], ["'-x", "1e-3"], ["'@x", "+2"],
                        ["'\tx", ""], ["'\nx", "'-"], ["a=b", "'--1"]]


@pytest.mark.parametrize("value", ["-0.5", "-3", "+7", "12", "-1.5e3", ".5"])
def test_plain_numbers_are_not_quoted(value):
    assert csv_safe(value) == value


@pytest.mark.parametrize("value", ["=A1", "+A1", "-A1", "@A1", "\tA1", "-", "- 3"])
def test_formula_starts_are_quoted(value):
    assert csv_safe(value) == "'" + value


def test_a_carriage_return_cannot_end_a_csv_row():
    assert csv_safe("\rA1") == "'\nA1" and csv_safe("a\r\nb\rc") == "a\nb\nc"
    table = Table("t", "T", [("a", "A"), ("b", "B")], [{"a": "x\ry", "b": "z"}])
    assert list(csv.reader(io.StringIO(render_text(table, "csv")))) == [
        ["a", "b"], ["x\ny", "z"]]
