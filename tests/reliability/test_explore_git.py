"""Two reviewers' branches merged with git: found by exploring the project's state."""

from __future__ import annotations

import csv
import json
import shutil
import subprocess

import pytest

from helpers import run_cli, snapshot
from reviewkit.dedup.judgements import read_judgements
from reviewkit.project import find_project
from reviewkit.screening.log import read_log

from conftest import export_file

GIT_ENV = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@x", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@x", "GIT_CONFIG_GLOBAL": "/dev/null",
           "GIT_CONFIG_NOSYSTEM": "1"}


def _git(root, *args: str) -> subprocess.CompletedProcess:
    import os

    return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True,
                          env={**os.environ, **GIT_ENV}, timeout=60)


def _ids(root) -> list[str]:
    res = run_cli("export", "-f", "csv", cwd=root)
    assert res.returncode == 0, res.stderr
    return [row["id"] for row in csv.DictReader(res.stdout.splitlines())]


@pytest.mark.skipif(shutil.which("git") is None, reason="git not installed")
def test_two_branches_that_each_import_and_judge_merge_without_conflict(tmp_path):
    """Each branch appends to searches/file-ids.tsv and dedup/judgements.jsonl; the merge
    left conflict markers in both, and every command stopped at file-ids.tsv's marker.
    A new project marks its append-only files merge=union, so git keeps both sides."""
    assert run_cli("init", "review", cwd=tmp_path).returncode == 0
    root = tmp_path / "review"
    for name in ("ana", "ben"):
        assert run_cli("reviewer", "add", name, cwd=root).returncode == 0
    assert _git(root, "init", "-q", "-b", "main").returncode == 0
    _git(root, "add", "-A")
    assert _git(root, "commit", "-qm", "start").returncode == 0
    judged = []
    for who, export in (("ana", "ris/wos_asysd.ris"), ("ben", "ris/scopus_asysd.ris")):
        assert _git(root, "checkout", "-q", "-b", who, "main").returncode == 0
        assert run_cli("import", str(export_file(export)), cwd=root).returncode == 0
        a, b = _ids(root)[:2]
        res = run_cli("dedup", "judge", a, b, "--different", "-r", who, cwd=root)
        assert res.returncode == 0, res.stderr
        judged.append(tuple(sorted((a, b))))
        _git(root, "add", "-A")
        assert _git(root, "commit", "-qm", who).returncode == 0
    merge = _git(root, "merge", "-q", "ana", "-m", "merge")
    assert merge.returncode == 0, merge.stdout + merge.stderr
    res = run_cli("status", "-f", "json", cwd=root)
    assert res.returncode == 0, res.stderr
    info = json.loads(res.stdout)[0]
    assert info["records"] == 50 + 10 and info["warnings"] == []
    assert set(read_judgements(find_project(root))) == set(judged)


def test_conflict_markers_left_by_a_merge_are_named_as_such(tmp_path):
    """A project made before .gitattributes, merged by hand: the marker is named as a
    merge conflict with what to do (before: 'expected file<TAB>key...' for file-ids.tsv,
    'not a JSON line (edited by hand?)' for a log), nothing is written, exit 2."""
    assert run_cli("init", "review", cwd=tmp_path).returncode == 0
    root = tmp_path / "review"
    assert run_cli("import", str(export_file("ris/scopus_asysd.ris")), cwd=root).returncode == 0
    ids = root / "searches" / "file-ids.tsv"
    lines = ids.read_text("utf-8").splitlines(keepends=True)
    ids.write_text("".join(lines[:-1] + ["<<<<<<< HEAD\n", lines[-1], "=======\n",
                                         ">>>>>>> ben\n"]), "utf-8")
    before = snapshot(root)
    res = run_cli("status", cwd=root)
    assert res.returncode == 2 and "Traceback" not in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1
    assert f"file-ids.tsv:{len(lines)}:" in res.stderr and "conflict marker" in res.stderr
    assert snapshot(root) == before

    log = tmp_path / "screening" / "title-abstract" / "ana.jsonl"
    log.parent.mkdir(parents=True)
    log.write_text("<<<<<<< HEAD\n=======\n>>>>>>> ben\n", "utf-8")
    problems = read_log(log, "title-abstract")[1]
    assert [p.line for p in problems] == [1, 2, 3]
    assert all("conflict marker" in p.message for p in problems)


def test_doctor_offers_the_merge_lines_a_project_made_before_lacks(tmp_path):
    from reviewkit.project import init_project

    project = init_project(tmp_path / "old", "Old review", "Q?")
    (project.root / ".gitattributes").write_text("*.pdf binary\n")  # the team's own line
    assert _git(project.root, "init", "-q").returncode == 0
    before = snapshot(project.root)
    r = run_cli("doctor", cwd=project.root)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "doctor --fix` adds: searches/file-ids.tsv merge=union" in r.stdout
    assert snapshot(project.root) == before  # advice only: nothing written
    r = run_cli("doctor", "--fix", cwd=project.root)
    assert r.returncode == 0 and "added to .gitattributes" in r.stdout
    text = (project.root / ".gitattributes").read_text()
    assert text.startswith("*.pdf binary\n") and "screening/**/*.jsonl merge=union\n" in text
    r = run_cli("doctor", "--fix", cwd=project.root)  # again: nothing more to add
    assert ".gitattributes" not in r.stdout
    assert (project.root / ".gitattributes").read_text() == text
