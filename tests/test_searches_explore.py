"""Search strings as librarians paste them: kept exactly, never a traceback (found exploring)."""

from __future__ import annotations

import pytest

from helpers import new_project, run_cli, snapshot
from reviewkit.searches.log import Search, add_search, get_search

# Word's manual line break is \v, a page break \f; a bare \r comes from old Mac files
# or a terminal paste; ESC and DEL from a copied terminal session.
PASTED = [
    "1. exp budget/\v2. budget*.mp.",
    "1. exp budget/\f\n2. 1 and 2\n",
    "a\rb",
    "\x1b[1m1. budget*\x1b[0m",
    "x\x7fy",
    "''' and \v together",
]


@pytest.mark.parametrize("text", PASTED)
def test_control_characters_in_a_strategy_round_trip(tmp_path, text):
    project, _ = new_project(tmp_path)
    add_search(project, Search(id="medline", database="Medline", search_string=text,
                               notes=text))
    back = get_search(project, "medline")
    assert back.search_string == text and back.notes == text


@pytest.mark.parametrize("text", ["\n1. exp budget/\n", "\n\n1. exp budget/", "\n"])
def test_a_strategy_starting_with_blank_lines_keeps_their_number(tmp_path, text):
    project, _ = new_project(tmp_path)
    add_search(project, Search(id="medline", database="Medline", search_string=text))
    assert get_search(project, "medline").search_string == text


def test_a_strategy_file_with_a_vertical_tab_is_logged_by_the_cli(tmp_path):
    project, _ = new_project(tmp_path)
    strategy = tmp_path / "strategy.txt"
    strategy.write_bytes(b"1. exp budget/\x0b2. budget*.mp.\n3. 1 and 2\n")
    r = run_cli("search", "add", "--id", "medline", "--database", "Medline",
                "--strategy-file", str(strategy), cwd=project.root)
    assert r.returncode == 0, r.stderr
    assert "Traceback" not in r.stderr
    assert get_search(project, "medline").search_string == strategy.read_text()



def test_hits_beyond_what_toml_holds_are_refused_and_nothing_written(tmp_path):
    project, _ = new_project(tmp_path)
    before = snapshot(project.root)
    r = run_cli("search", "add", "--id", "m", "--database", "X",
                "--hits", str(2**63), cwd=project.root)
    assert r.returncode == 2 and "hits" in r.stderr and "Traceback" not in r.stderr
    assert snapshot(project.root) == before
    ok = run_cli("search", "add", "--id", "m", "--database", "X",
                 "--hits", str(2**63 - 1), cwd=project.root)
    assert ok.returncode == 0, ok.stderr
    assert get_search(project, "m").hits == 2**63 - 1
