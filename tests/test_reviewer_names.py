"""A new reviewer's name: never the consensus, never a second spelling of a reviewer's
name that differs only in case (one file on macOS and Windows); a name with capitals or
'.' screens and codes but cannot sign appraisal and extraction records
(<reviewer>.<checklist>.yaml, lower-case, ended by '.'), which is said when it is added."""

from __future__ import annotations

from appraisal_support import mini_project
from helpers import run_cli, snapshot


def refused(root, *args: str) -> str:
    before = snapshot(root)
    r = run_cli(*args, cwd=root)
    assert r.returncode == 2 and "Traceback" not in r.stderr, r.stderr
    assert len(r.stderr.strip().splitlines()) == 1
    assert snapshot(root) == before
    return r.stderr


def test_a_name_that_cannot_sign_an_appraisal_is_added_with_a_caution(tmp_path):
    # a coder of an NVivo project may be 'Gergo': they screen and code under that name
    root = mini_project(tmp_path).root
    r = run_cli("reviewer", "add", "J.Smith", cwd=root)
    assert r.returncode == 0 and "added reviewer J.Smith" in r.stdout, r.stderr
    assert "cannot sign appraisal, extraction or CERQual records" in r.stderr
    assert "'j-smith'" in r.stderr
    r = run_cli("reviewer", "add", "j-smith", cwd=root)
    assert r.returncode == 0 and r.stderr == "", r.stderr
    # the suggested name signs an appraisal: the record loads under it
    (root / "casp/s1").mkdir(parents=True, exist_ok=True)
    (root / "casp/s1/j-smith.yaml").write_text("checklist: casp-qualitative\nstatus: draft\n"
                                               "answers: {q1: 'yes'}\n")
    r = run_cli("appraisal", "summary", "-f", "csv", cwd=root)
    assert r.returncode == 0 and "j-smith" not in r.stderr, r.stderr


def test_the_consensus_and_a_case_twin_are_refused(tmp_path):
    root = mini_project(tmp_path).root
    assert "names the agreed appraisal" in refused(root, "reviewer", "add", "consensus")
    toml = root / "reviewkit.toml"
    toml.write_text(toml.read_text().replace("reviewers = [", 'reviewers = ["Mia", ', 1))
    said = refused(root, "reviewer", "add", "mia")
    assert "'mia' is already a reviewer as 'Mia'" in said
    r = run_cli("reviewer", "add", "Mia", cwd=root)  # re-running for a name kept: safe
    assert r.returncode == 0 and "already a reviewer" in r.stdout


def test_removing_someone_not_on_the_project_does_not_suggest_adding_them(tmp_path):
    root = mini_project(tmp_path).root
    said = refused(root, "reviewer", "remove", "zed")
    assert "'zed' is not a reviewer of this project" in said and "nothing to remove" in said
    assert "reviewer add" not in said


def test_doctor_names_hand_typed_names_that_cannot_sign_records(tmp_path):
    root = mini_project(tmp_path).root
    assert "note: reviewer" not in run_cli("doctor", cwd=root).stdout
    toml = root / "reviewkit.toml"
    toml.write_text(toml.read_text().replace("reviewers = [", 'reviewers = ["J.Smith", ', 1))
    r = run_cli("doctor", cwd=root)
    assert r.returncode == 0, r.stderr
    assert "note: reviewer 'J.Smith' cannot sign appraisal or extraction records" in r.stdout
    toml.write_text(toml.read_text().replace('"J.Smith", ', '"mia", "Mia", ', 1))
    r = run_cli("doctor", cwd=root)
    assert "note: reviewer 'Mia' and 'mia' differ only in case" in r.stdout
    assert "J.Smith" not in r.stdout
