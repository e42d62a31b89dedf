"""Full-text bugs found by exploring the commands (each test failed before its fix)."""

from __future__ import annotations

from fulltext_support import project_with_decisions
from helpers import run_cli, snapshot
from reviewkit.fulltext import attach_fulltext
from reviewkit.fulltext.index import load_index

PDF = b"%PDF-1.4\n% a small real-looking file\n1 0 obj <<>> endobj\n%%EOF\n"


def test_attaching_the_same_file_again_is_a_no_op(tmp_path):
    project, store, units = project_with_decisions(tmp_path)
    paper = tmp_path / "paper.pdf"
    paper.write_bytes(PDF)
    assert run_cli("fulltext", "attach", units[0], str(paper), cwd=project.root).returncode == 0
    before = snapshot(project.root)
    again = run_cli("fulltext", "attach", units[0], str(paper), cwd=project.root)
    assert again.returncode == 0, again.stderr  # a re-run script is safe
    assert "already attached" in again.stdout
    assert snapshot(project.root) == before


def test_attaching_the_file_already_in_place_keeps_its_original_name(tmp_path):
    project, store, units = project_with_decisions(tmp_path)
    paper = tmp_path / "Smith 2019.pdf"
    paper.write_bytes(PDF)
    done = attach_fulltext(project, store, units[0], paper)
    before = snapshot(project.root)
    attach_fulltext(project, store, units[0], done.path)
    assert load_index(project)[units[0]].original == "Smith 2019.pdf"
    assert snapshot(project.root) == before
