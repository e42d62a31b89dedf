"""Two reviewers' branches merged with git: found by exploring the project's state."""

from __future__ import annotations

import csv
import json
import shutil
import subprocess

import pytest

from helpers import run_cli
from reviewkit.dedup.judgements import read_judgements
from reviewkit.project import find_project

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

