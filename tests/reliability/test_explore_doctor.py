"""`doctor` on files broken by hand: found by exploring the project's state."""

from __future__ import annotations

from helpers import copy_example, run_cli, snapshot

from conftest import REPO


def test_doctor_names_an_appraisal_or_extraction_file_that_is_not_yaml(tmp_path):
    """`report` stops at a broken appraisal, but `doctor` said 'ok' and exited 0."""
    root = copy_example(REPO, tmp_path / "review")
    assert run_cli("doctor", cwd=root).returncode == 0
    appraisal = sorted((root / "casp").glob("*/*.yaml"))[0]
    extraction = sorted((root / "extraction").glob("*/*.yaml"))[0]
    for path in (appraisal, extraction):
        with path.open("a", encoding="utf-8") as fh:
            fh.write("  - : [\n")
    lines = {path: len(path.read_text("utf-8").splitlines()) for path in (appraisal, extraction)}
    before = snapshot(root)
    res = run_cli("doctor", cwd=root)
    assert res.returncode == 1, res.stdout + res.stderr
    for path, last in lines.items():
        rel = path.relative_to(root).as_posix()
        named = [line for line in res.stdout.splitlines() if f"{rel}:" in line]
        assert len(named) == 1 and "invalid YAML" in named[0], res.stdout
        assert int(named[0].split(f"{rel}:")[1].split(":")[0]) in (last - 1, last)
    assert "ok:" not in res.stdout and "Traceback" not in res.stderr
    assert snapshot(root) == before
    assert run_cli("doctor", "--fix", cwd=root).returncode == 1
    assert snapshot(root) == before
