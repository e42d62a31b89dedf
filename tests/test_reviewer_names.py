"""A new reviewer's name must work everywhere it is used: as a screening log, as the
signature of appraisal and extraction records (<reviewer>.<checklist>.yaml, lower-case,
ended by '.'), never as the consensus, and never as a second spelling of a reviewer's
name that differs only in case (one file on macOS and Windows)."""

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


def test_names_that_cannot_sign_an_appraisal_are_refused_with_a_suggestion(tmp_path):
    root = mini_project(tmp_path).root
    said = refused(root, "reviewer", "add", "J.Smith")
    assert "use lower-case letters, digits, '_' or '-'" in said and "'j-smith'" in said
    assert "lower-case" in refused(root, "reviewer", "add", "Ana")
    r = run_cli("reviewer", "add", "j-smith", cwd=root)
    assert r.returncode == 0, r.stderr
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
