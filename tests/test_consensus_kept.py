"""A consensus a team recorded is never overwritten by a re-run that says otherwise:
it is refused (exit 2, one line, files unchanged) unless --replace; a re-run that says the
same leaves the file as it is, hand-typed comments and all."""

from __future__ import annotations

from appraisal_support import all_answers, appraisal_text, mini_project, write
from helpers import run_cli, snapshot
from test_extraction_explore import OUTCOMES, outcomes_record


def test_an_appraisal_consensus_that_differs_needs_replace(tmp_path):
    project = mini_project(tmp_path)
    write(project, "casp/s1/ann.yaml", appraisal_text(all_answers(q7="no")))
    write(project, "casp/s1/bob.yaml", appraisal_text(all_answers(q7="cant_tell")))
    root = project.root
    r = run_cli("appraisal", "consensus", "s1", "--set", "q7=no", cwd=root)
    assert r.returncode == 0 and r.stdout.strip() == "wrote casp/s1/consensus.yaml", r.stderr
    sheet = root / "casp/s1/consensus.yaml"
    sheet.write_text(sheet.read_text() + "# agreed at the meeting of 3 May\n")
    kept = snapshot(root)
    r = run_cli("appraisal", "consensus", "s1", "--set", "q7=no", cwd=root)  # the same
    assert r.returncode == 0 and r.stdout.strip() == "unchanged casp/s1/consensus.yaml"
    assert snapshot(root) == kept  # the team's comment is still there
    r = run_cli("appraisal", "consensus", "s1", "--set", "q7=@bob", cwd=root)
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert r.stderr.strip() == ("error: casp/s1/consensus.yaml: already holds a consensus "
                                "that differs on q7: give --replace to overwrite it")
    assert snapshot(root) == kept
    r = run_cli("appraisal", "consensus", "s1", "--set", "q7=@bob", "--replace", cwd=root)
    assert r.returncode == 0 and r.stdout.strip() == "wrote casp/s1/consensus.yaml"
    assert "  q7:\n    answer: cant_tell\n" in sheet.read_text()


def test_an_extraction_consensus_that_differs_needs_replace(tmp_path):
    project = mini_project(tmp_path)
    root = project.root
    write(project, "extraction/outcomes.yaml", OUTCOMES)
    write(project, "extraction/s1/ann.yaml", outcomes_record("recovery"))
    write(project, "extraction/s1/bob.yaml", outcomes_record("relapse"))
    args = ("extraction", "consensus", "s1", "--form", "outcomes")
    r = run_cli(*args, "--set", "outcome=@ann", cwd=root)
    assert r.returncode == 0 and r.stdout.strip() == "wrote extraction/s1/consensus.yaml"
    kept = snapshot(root)
    r = run_cli(*args, "--set", "outcome=recovery", cwd=root)
    assert r.returncode == 0 and r.stdout.strip() == "unchanged extraction/s1/consensus.yaml"
    r = run_cli(*args, "--set", "outcome=@bob", cwd=root)
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert "extraction/s1/consensus.yaml: already holds a consensus that differs on " \
        "outcome: give --replace" in r.stderr
    assert snapshot(root) == kept
    r = run_cli(*args, "--set", "outcome=@bob", "--replace", cwd=root)
    assert r.returncode == 0, r.stderr
    assert "relapse" in (root / "extraction/s1/consensus.yaml").read_text()
