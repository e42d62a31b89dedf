"""The search log: written and read back exactly; hand edits validated with file and line."""

from __future__ import annotations

import datetime as dt

import pytest

from helpers import new_project
from reviewkit.errors import ReviewkitError
from reviewkit.project import find_project, init_project
from reviewkit.searches.log import (
    Search,
    add_search,
    get_search,
    load_searches,
    make_search,
    search_path,
)
from reviewkit.searches.table import search_rows

STRATEGY = """1. exp substance-related disorders/
2. ((alcohol* or heroin) adj (abus* or misus*)).ti,ab.
3. "personal budget*".mp. or 'direct payment*'.mp.
4. 1 or 2
5. 3 and 4
6. limit 5 to (english language and yr="1990 - 2017")
"""


def test_search_string_kept_exactly(tmp_path):
    project, _ = new_project(tmp_path)
    add_search(project, Search(id="medline", database="Medline", platform="Ovid",
                               date_run="2017-04-21", search_string=STRATEGY, hits=1270))
    back = get_search(project, "medline")
    assert back.search_string == STRATEGY
    assert back.hits == 1270 and back.platform == "Ovid" and back.date_run == "2017-04-21"


def test_strategy_with_triple_quotes_round_trips(tmp_path):
    project, _ = new_project(tmp_path)
    odd = "1. a'''b\n2. \"\"\"c\"\"\"\n"
    add_search(project, Search(id="odd", database="X", search_string=odd))
    assert get_search(project, "odd").search_string == odd


def _write(project, name: str, text: str):
    path = project.searches_dir / f"{name}.toml"
    path.write_text(text, "utf-8")
    return path


@pytest.mark.parametrize(("text", "line", "field"), [
    ('database = "Embase"\ndate_run = "21/04/2017"\n', 2, "date_run"),
    ('database = "Embase"\n\nhits = -3\n', 3, "hits"),
    ('database = "Embase"\nplatfrom = "Ovid"\n', 2, "platfrom"),
    ('platform = "Ovid"\n', None, "database"),
    ('database = "Embase"\nkind = "blog"\n', 2, "kind"),
])
def test_hand_edit_errors_name_field_and_line(tmp_path, text, line, field):
    project, _ = new_project(tmp_path)
    path = _write(project, "embase", text)
    with pytest.raises(ReviewkitError) as err:
        load_searches(project)
    assert err.value.file == str(path)
    assert err.value.line == line
    assert err.value.field == field


def test_toml_syntax_error_has_line(tmp_path):
    project, _ = new_project(tmp_path)
    _write(project, "cinahl", 'database = "CINAHL"\nhits = 650\nnotes = "unclosed\n')
    with pytest.raises(ReviewkitError) as err:
        load_searches(project)
    assert err.value.line == 3 and "TOML" in str(err.value)


def test_other_methods_and_table_rows(tmp_path):
    project, _ = new_project(tmp_path)
    add_search(project, make_search(id="grey", kind="website", database="OpenGrey", hits=12))
    add_search(project, make_search(id="refs", kind="citation", database="Reference lists"))
    searches = load_searches(project)
    assert [s.other_method for s in searches] == [True, True]
    rows = search_rows(searches, [])
    assert rows[1]["hits"] is None  # not logged; `search list` shows it 'not reported'
    assert rows[0]["hits"] == 12


def test_make_search_names_bad_field():
    with pytest.raises(ReviewkitError) as err:
        make_search(id="x", database="X", date_run="yesterday")
    assert err.value.field == "date_run"


def test_duplicate_id_and_bad_id_refused(tmp_path):
    project, _ = new_project(tmp_path, ("wos", None))
    with pytest.raises(ReviewkitError, match="exists"):
        add_search(project, Search(id="wos", database="WoS"))
    with pytest.raises(ReviewkitError, match="lower-case"):
        add_search(project, Search(id="Web of Science", database="WoS"))
    assert search_path(project, "wos").exists()


def test_project_found_from_a_subfolder_and_init_refuses_overwrite(tmp_path):
    project, _ = new_project(tmp_path)
    assert find_project(project.searches_dir).root == project.root
    with pytest.raises(ReviewkitError, match="already exists"):
        init_project(project.root, "Again")
    with pytest.raises(ReviewkitError, match="no reviewkit.toml"):
        find_project(tmp_path)


def test_bad_config_names_line(tmp_path):
    project, _ = new_project(tmp_path)
    cfg = project.root / "reviewkit.toml"
    cfg.write_text('reviewers = []\n[review]\ntitle = "T"\ncolour = "red"\n', "utf-8")
    with pytest.raises(ReviewkitError) as err:
        find_project(project.root)
    assert err.value.line == 4 and err.value.field == "review.colour"


def test_init_scaffolds_starter_files(tmp_path):
    project = init_project(tmp_path / "p", "T")
    assert (project.root / "studies.toml").is_file()
    assert (project.root / "extraction" / "characteristics.yaml").is_file()
    assert (project.root / "dedup").is_dir() and (project.root / "searches" / "exports").is_dir()
    assert ".reviewkit/" in (project.root / ".gitignore").read_text("utf-8")


@pytest.mark.parametrize(("fields", "expect"), [
    ({"database": ""}, "name the database"),
    ({"database": "  "}, "name the database"),
    ({"database": "MEDLINE", "date_run": "2999-01-01"}, "is in the future"),
    ({"database": "MEDLINE", "date_run": "2999"}, "is in the future"),
])
def test_a_search_needs_a_name_and_a_date_it_could_have_run(fields, expect):
    with pytest.raises(ReviewkitError, match=expect):
        make_search(id="s", **fields)
    today = dt.date.today().isoformat()
    assert make_search(id="s", database="MEDLINE", date_run=today).date_run == today
