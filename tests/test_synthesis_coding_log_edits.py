"""A coding log as an editor or a git merge leaves it: a UTF-8 BOM costs no line, a
conflict marker is named as one."""

from __future__ import annotations

from pathlib import Path

from helpers import copy_example
from reviewkit.project.config import find_project
from reviewkit.synthesis.coding import fold, read_coding

ROOT = Path(__file__).resolve().parents[1]
LOG = "synthesis/coding/tompkins.jsonl"


def example(tmp_path: Path):
    return find_project(copy_example(ROOT, tmp_path / "example"))


def state(project) -> dict:
    coding = fold(project)
    return {sid: sorted(s.codes) for sid, s in coding.segments.items()}


def test_a_log_saved_with_a_bom_keeps_its_first_line(tmp_path):
    project = example(tmp_path)
    before, problems = state(project), read_coding(project)[1]
    assert before and problems == []
    log = project.root / LOG
    log.write_bytes(b"\xef\xbb\xbf" + log.read_bytes())
    assert read_coding(project)[1] == []
    assert state(project) == before


def test_a_conflict_marker_is_named_as_one(tmp_path):
    project = example(tmp_path)
    before = state(project)
    log = project.root / LOG
    lines = log.read_text().splitlines(keepends=True)
    log.write_text("".join(["<<<<<<< HEAD\n", *lines, "=======\n", ">>>>>>> theirs\n"]))
    problems = read_coding(project)[1]
    assert [p.line for p in problems] == [1, len(lines) + 2, len(lines) + 3]
    assert all("git merge conflict marker" in p.message for p in problems)
    assert state(project) == before
