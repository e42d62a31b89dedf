"""A source edited after coding: the outputs still show the coded words, and say so."""

from __future__ import annotations

from pathlib import Path

from helpers import run_cli, snapshot
from reviewkit.synthesis.edit import code_text
from synthesis_support import synth_project


def _coded(tmp_path: Path):
    project = synth_project(tmp_path)
    code_text(project, "b", "Nurses described time pressure.", "time", "ann")
    code_text(project, "b", "Patients wanted choice too.", "choice-words", "ann")
    return project


def test_outputs_name_a_coded_segment_whose_words_an_edit_removed(tmp_path: Path) -> None:
    project = _coded(tmp_path)
    for cmd in ("quotes", "matrix", "themes"):
        r = run_cli("synthesis", cmd, cwd=project.root)
        assert r.returncode == 0 and "no longer in source" not in r.stderr, r.stderr
    src = project.root / "synthesis" / "sources" / "b.md"
    src.write_text("Nurses described time pressure.\nSomething else entirely.\n", "utf-8")
    before = snapshot(project.root)
    for cmd in ("quotes", "matrix", "themes"):
        r = run_cli("synthesis", cmd, cwd=project.root)
        assert r.returncode == 0, r.stderr
        lines = [w for w in r.stderr.splitlines() if "no longer in source 'b'" in w]
        # the one lost segment, named by its log line; the segment that moved nowhere: none
        assert len(lines) == 1, r.stderr
        assert "synthesis/coding/ann.jsonl:3:" in lines[0]
    assert snapshot(project.root) == before
