"""Full-text bugs found by exploring the commands (each test failed before its fix)."""

from __future__ import annotations

import pytest

from fulltext_support import FT, decide, project_with_decisions
from helpers import run_cli, snapshot
from reviewkit.errors import ReviewkitError
from reviewkit.fulltext import attach_fulltext, mark_fulltext, retrieval_counts
from reviewkit.fulltext.index import fulltext_name, load_index
from reviewkit.fulltext.retrieval import missing_rows, retrieval_rows
from reviewkit.reporting.prisma import project_counts
from reviewkit.screening import Screening

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


def test_a_report_excluded_as_not_retrieved_is_not_on_the_librarians_list(tmp_path):
    # not screened at full text yet (a report screened there was evidently retrieved)
    project, store, units = project_with_decisions(tmp_path, ft_includes=0, ft_decided=0)
    for name in ("ana", "ben"):  # the team gave up on one: PRISMA's "not retrieved"
        decide(project, FT, name, {units[5]: "exclude"}, reason="not retrieved")
    screening = Screening(project, store)
    states = {r["record_id"]: r["state"] for r in retrieval_rows(screening)}
    assert states[units[5]] == "not retrieved"
    assert units[5] not in [r["record_id"] for r in missing_rows(screening)]
    counts = retrieval_counts(screening)
    prisma = project_counts(project, store)
    assert (counts.sought, counts.not_retrieved) == (prisma.dbr.sought, prisma.dbr.not_retrieved)
    assert counts.awaiting == 5  # no file yet for the other five


def test_not_retrieved_is_refused_for_a_file_dropped_in_by_hand(tmp_path):
    project, store, units = project_with_decisions(tmp_path)
    folder = project.root / "fulltext"
    folder.mkdir()
    (folder / fulltext_name(units[0], ".pdf")).write_bytes(PDF)  # counts as obtained
    before = snapshot(project.root)
    with pytest.raises(ReviewkitError, match="it was retrieved"):
        mark_fulltext(project, store, units[0], not_retrieved=True, reason="not held")
    assert snapshot(project.root) == before
