"""Codebook CSV import: ids from names, parents by name, errors by CSV line, all or nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers import new_project, run_cli, snapshot
from reviewkit.errors import ReviewkitError
from reviewkit.screening.reviewers import add_reviewer
from reviewkit.synthesis.codebook import load_codebook
from reviewkit.synthesis.csvbook import import_codebook_csv, read_csv
from synthesis_support import CODEBOOK

PLAIN = """name,description,parent
Autonomy in care,Wanting a say,
Choice of provider,,Autonomy in care
"Control, daily",Small decisions,Choice of provider
"""


@pytest.fixture
def project(tmp_path: Path):
    project, store = new_project(tmp_path)
    store.close()
    add_reviewer(project, "ann")
    return project


def _csv(tmp_path: Path, text: str, name: str = "book.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, "utf-8")
    return path


def test_new_codebook_from_csv(project, tmp_path: Path) -> None:
    rep = import_codebook_csv(project, _csv(tmp_path, PLAIN), "thematic")
    assert rep.added == ["autonomy-in-care", "choice-of-provider", "control-daily"]
    book = load_codebook(project)
    assert book.method == "thematic"
    assert book.path("control-daily") == "Autonomy in care > Choice of provider > Control, daily"
    assert book.codes["autonomy-in-care"].description == "Wanting a say"
    assert {c.level for c in book.codes.values()} == {"code"}


def test_appends_to_an_existing_codebook_keeping_its_lines(project, tmp_path: Path) -> None:
    path = project.root / "synthesis" / "codebook.yaml"
    path.parent.mkdir(exist_ok=True)
    path.write_text(CODEBOOK, "utf-8")
    csv = _csv(tmp_path, "name,parent,level\nRushed shifts,time,code\nChoosing,Wanting choice,"
               "code\n")
    import_codebook_csv(project, csv)
    after = path.read_text("utf-8")
    assert after.startswith(CODEBOOK)  # comments and the old codes untouched
    book = load_codebook(project)
    assert book.codes["rushed-shifts"].parent == "time"  # parent by id
    assert book.codes["choosing"].parent == "choice"  # parent by name


def test_taguette_codebook_csv(project, tmp_path: Path) -> None:
    csv = _csv(tmp_path, "tag,description,number of highlights\nstaff worry,Fear,3\nmoney,,0\n")
    assert read_csv(csv)[0] == "taguette-codebook"
    import_codebook_csv(project, csv)
    assert [(c.id, c.name) for c in load_codebook(project).codes.values()] == \
        [("staff-worry", "staff worry"), ("money", "money")]


@pytest.mark.parametrize("text,line,words", [
    ("name,description,parent\nA,,\nB,,Nowhere\n", 3, "parent 'Nowhere' is neither"),
    ("name,description,parent\nA,,\nB,,\na,,\n", 4, "already in this file"),
    ("name,description,parent\nTime pressure,,\n", 2, "already in the codebook"),
    ("name,description,parent\n,desc,\n", 2, "no name"),
    ("name,level\nX,theme\n", 2, "level 'theme' is not a level of thematic"),
    ("title,notes\nX,y\n", 1, "unknown CSV header title, notes; expected"),
    ("name,description,parent\nA,b,c,d\n", 2, "4 values for 3 columns"),
])
def test_bad_rows_name_their_line_and_write_nothing(project, tmp_path: Path, text: str,
                                                    line: int, words: str) -> None:
    path = project.root / "synthesis" / "codebook.yaml"
    path.parent.mkdir(exist_ok=True)
    path.write_text(CODEBOOK, "utf-8")
    before = snapshot(project.root)
    with pytest.raises(ReviewkitError, match=words) as err:
        import_codebook_csv(project, _csv(tmp_path, text))
    assert err.value.line == line and err.value.file.endswith("book.csv")
    assert snapshot(project.root) == before


def test_a_parent_cycle_is_refused(project, tmp_path: Path) -> None:
    before = snapshot(project.root)
    with pytest.raises(ReviewkitError, match="its own ancestor"):
        import_codebook_csv(project, _csv(tmp_path, "name,parent\nA,B\nB,A\n"))
    assert snapshot(project.root) == before


def test_cli_import_detects_a_codebook_csv(project, tmp_path: Path) -> None:
    r = run_cli("synthesis", "import", str(_csv(tmp_path, PLAIN)), "--method",
                "thematic", cwd=project.root)
    assert r.returncode == 0, r.stderr
    assert "added 3 codes from book.csv" in r.stdout
    before = snapshot(project.root)
    r = run_cli("synthesis", "import", str(_csv(tmp_path, "x,y\n1,2\n", "odd.csv")),
                cwd=project.root)
    assert r.returncode == 2
    assert len(r.stderr.strip().splitlines()) == 1
    assert "odd.csv:1:" in r.stderr and "a codebook (name, description, parent" in r.stderr
    assert snapshot(project.root) == before


def test_the_method_reviewkit_toml_names_rules_imports(project, tmp_path: Path) -> None:
    # reviewkit.toml chooses framework: a CSV import starts a framework codebook
    conf = project.root / "reviewkit.toml"
    conf.write_text(conf.read_text("utf-8") + '\n[synthesis]\nmethod = "framework"\n', "utf-8")
    from reviewkit.project.config import find_project

    project = find_project(project.root)
    import_codebook_csv(project, _csv(tmp_path, PLAIN), "thematic")
    assert load_codebook(project).method == "framework"
    # a REFI codebook of another method is refused, naming the disagreement; nothing written
    qdc = tmp_path / "example.qdc"
    repo = Path(__file__).resolve().parents[1]
    r = run_cli("synthesis", "export", str(qdc), cwd=repo)
    assert r.returncode == 0, r.stderr
    other = tmp_path / "other"
    other_project, store = new_project(other)
    store.close()
    conf = other_project.root / "reviewkit.toml"
    conf.write_text(conf.read_text("utf-8") + '\n[synthesis]\nmethod = "meta-aggregation"\n',
                    "utf-8")
    add_reviewer(other_project, "ann")
    before = snapshot(other_project.root)
    r = run_cli("synthesis", "import", str(qdc), "-r", "ann", cwd=other_project.root)
    assert r.returncode == 2 and "reviewkit.toml" in r.stderr and "thematic" in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1
    assert snapshot(other_project.root) == before


def test_a_quote_left_open_is_refused_at_the_row_it_opens(tmp_path):
    # the open quote on line 3 took the rest of the file into one description
    text = 'name,description,parent\nAutonomy,Wanting a say,\nChoice,"Of provider,\nTime,,\n'
    with pytest.raises(ReviewkitError) as err:
        read_csv(_csv(tmp_path, text))
    assert err.value.line == 3 and "unclosed or stray '\"'" in err.value.message
    # a quoted description over two lines is still one cell
    kind, rows = read_csv(_csv(tmp_path, 'name,description,parent\nA,"one\ntwo",\nB,,\n'))
    assert [(line, r["name"], r["description"]) for line, r in rows] == [
        (2, "A", "one\ntwo"), (4, "B", "")]
