"""Who may judge: only the project's reviewers sign appraisals, extractions, dedup and
screening judgements; nobody settles their own conflict; no name steps out of the project."""

from __future__ import annotations

import pytest

from appraisal_support import all_answers, appraisal_text, mini_project, write
from helpers import run_cli, snapshot
from reviewkit.appraisal.checklist import get_checklist
from reviewkit.appraisal.importer import import_appraisals
from reviewkit.appraisal.records import appraisal_path, load_appraisals, open_appraisal
from reviewkit.errors import ReviewkitError
from reviewkit.extraction.form import get_form
from reviewkit.extraction.records import extraction_path, load_extractions, open_extraction
from reviewkit.project import find_project
from reviewkit.screening import (
    Screening,
    ScreenSession,
    add_reviewer,
    resolve,
    resolve_reviewer,
    screening_config,
)
from reviewkit.screening.log import append_events, log_path
from reviewkit.store import open_store
from test_screening_support import screening_project

EVIL = "../../evil"


def _one_error_line(result) -> str:
    assert result.returncode == 2, result.stdout + result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and "Traceback" not in lines[0]
    return lines[0]


@pytest.mark.parametrize("command", ["appraisal", "extraction"])
def test_entering_needs_one_of_the_projects_reviewers(tmp_path, command, monkeypatch):
    monkeypatch.delenv("REVIEWKIT_REVIEWER", raising=False)
    project = mini_project(tmp_path)
    before = snapshot(project.root)
    line = _one_error_line(run_cli(command, "enter", "s1", "-r", "mallory", cwd=project.root))
    assert f"{project.root / 'reviewkit.toml'}: field 'reviewers': 'mallory' is not a " \
           "reviewer of this project (reviewers in reviewkit.toml: ann, bob); add with: " \
           "reviewkit reviewer add mallory" in line
    with pytest.raises(ReviewkitError, match="pass --reviewer NAME or set REVIEWKIT_REVIEWER"):
        resolve_reviewer(project, None, "appraising")   # never a guess, even with one reviewer
    opener = open_appraisal if command == "appraisal" else open_extraction
    what = (get_checklist(project, None) if command == "appraisal" else
            get_form(project, None))
    for study, reviewer in (("s1", EVIL), (EVIL, "ann"), ("s1", "mallory")):
        with pytest.raises(ReviewkitError):
            opener(project, study, reviewer, what)
    assert snapshot(project.root) == before
    assert not (tmp_path / "evil").exists() and not (tmp_path.parent / "evil").exists()


@pytest.mark.parametrize(("folder", "check"), [("casp", "appraisal"),
                                               ("extraction", "extraction")])
def test_a_file_by_someone_not_on_the_project_is_refused_where_read(tmp_path, folder, check):
    project = mini_project(tmp_path)
    body = (appraisal_text(all_answers()) if folder == "casp" else
            "form: characteristics\nstatus: draft\nvalues: {}\n")
    write(project, f"{folder}/s1/ann.yaml", body)
    load = load_appraisals if folder == "casp" else load_extractions
    assert [r.reviewer for r in load(project)] == ["ann"]
    stray = write(project, f"{folder}/s1/mallory.yaml", body)
    before = snapshot(project.root)
    line = _one_error_line(run_cli(check, "check", cwd=project.root))
    assert line.startswith(f"error: {stray}: field 'reviewer': 'mallory' is not a reviewer")
    assert "reviewkit.toml: ann, bob" in line and "reviewkit reviewer add mallory" in line
    assert snapshot(project.root) == before


def test_an_import_naming_a_stranger_writes_nothing(tmp_path):
    project = mini_project(tmp_path)
    head = "study,reviewer,checklist," + ",".join(f"q{i}" for i in range(1, 11)) + "\n"
    rows = [f"{s},{r},casp-qualitative," + ",".join(["yes"] * 10) + "\n"
            for s, r in (("s1", "ann"), ("s2", "mallory"))]
    path = tmp_path / "in.csv"
    path.write_text(head + "".join(rows), "utf-8")
    before = snapshot(project.root)
    with pytest.raises(ReviewkitError, match="'mallory' is not a reviewer"):
        import_appraisals(project, path)
    assert snapshot(project.root) == before            # s1 by ann was not written either
    line = _one_error_line(run_cli("appraisal", "import", str(path), cwd=project.root))
    assert "mallory" in line
    assert snapshot(project.root) == before


@pytest.mark.parametrize("name", [EVIL, "/etc/passwd", ".hidden", "a/b", "a\\b", ".."])
def test_no_name_becomes_a_path_outside_the_project(tmp_path, name):
    project = mini_project(tmp_path)
    for build in (lambda: appraisal_path(project, name, "ann"),
                  lambda: appraisal_path(project, "s1", name),
                  lambda: appraisal_path(project, "s1", "ann", name),
                  lambda: extraction_path(project, name, "ann"),
                  lambda: extraction_path(project, "s1", name),
                  lambda: extraction_path(project, "s1", "ann", name),
                  lambda: log_path(project, "title-abstract", name),
                  lambda: log_path(project, name, "ann")):
        with pytest.raises(ReviewkitError):
            build()


def test_screening_names_cannot_leave_the_project(tmp_path):
    project, store = screening_project(tmp_path)
    store.close()
    before = snapshot(project.root)
    _one_error_line(run_cli("screen", "export", "-r", EVIL, cwd=project.root))
    for name in (EVIL, "/tmp/evil", ".evil", "a/b"):
        with pytest.raises(ReviewkitError, match="it names the reviewer's log file"):
            resolve_reviewer(project, name)
        with pytest.raises(ReviewkitError, match="it names the reviewer's log file"):
            add_reviewer(project, name)
    conf = project.root / "reviewkit.toml"
    for setting in (f'stages = ["{EVIL}", "full-text"]', 'fulltext_dir = "/etc"',
                    'fulltext_dir = "../.."'):
        conf.write_bytes(before["reviewkit.toml"] + f"\n[screening]\n{setting}\n".encode())
        n = conf.read_text("utf-8").splitlines().index(setting) + 1
        with pytest.raises(ReviewkitError) as err:
            screening_config(find_project(project.root))
        assert str(err.value).startswith(f"{conf}:{n}: field 'screening.")
    line = _one_error_line(run_cli("screen", "conflicts", cwd=project.root))
    assert line.startswith(f"error: {conf}:{n}: field 'screening.fulltext_dir': '../..' is "
                           "outside the project folder")
    conf.write_bytes(before["reviewkit.toml"])
    assert snapshot(project.root) == before
    assert not list(tmp_path.parent.glob("**/evil*"))


def test_a_reviewer_cannot_resolve_their_own_conflict(tmp_path):
    project, store = screening_project(tmp_path, ("ana", "ben", "cleo"))
    unit = ScreenSession(project, store, "ana").order[0]
    for reviewer, decision in (("ana", "include"), ("ben", "exclude")):
        append_events(log_path(project, "title-abstract", reviewer),
                      [{"type": "decision", "id": f"{reviewer}1", "record": unit,
                        "decision": decision, "stage": "title-abstract",
                        "reviewer": reviewer}])
    store.close()
    before = snapshot(project.root)
    line = _one_error_line(run_cli("screen", "resolve", unit, "exclude", "-r", "ben",
                                   cwd=project.root))
    assert f"ben made one of the conflicting decisions on {unit} (exclude)" in line
    assert snapshot(project.root) == before
    event = resolve(Screening(project, open_store(project.store_path)), "title-abstract",
                    unit, "exclude", "cleo")            # a third reviewer may
    assert event["type"] == "resolution" and event["reviewer"] == "cleo"


def test_screening_as_someone_not_on_the_project_is_refused(tmp_path):
    project, store = screening_project(tmp_path)
    with pytest.raises(ReviewkitError, match="'mallory' is not a reviewer"):
        ScreenSession(project, store, "mallory")
    store.close()
    before = snapshot(project.root)
    line = _one_error_line(run_cli("screen", "-r", "mallory", cwd=project.root))
    assert "reviewkit reviewer add mallory" in line
    assert snapshot(project.root) == before
