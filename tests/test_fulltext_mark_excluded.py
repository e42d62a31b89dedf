"""`fulltext mark` on a record excluded at title/abstract: the mark is kept, one warning
says it does not count in PRISMA's full-text boxes, and the counts do not move."""

from __future__ import annotations

from fulltext_support import project_with_decisions
from helpers import run_cli
from reviewkit.fulltext import mark_fulltext, retrieval_counts
from reviewkit.fulltext.index import load_index
from reviewkit.reporting.prisma import project_counts
from reviewkit.screening import Screening


def test_marking_a_record_excluded_at_title_abstract_warns_and_keeps_the_mark(tmp_path):
    # units[:6] included at title/abstract, units[6:] excluded there
    project, store, units = project_with_decisions(tmp_path, ft_includes=0, ft_decided=0)
    prisma, counts = project_counts(project, store), retrieval_counts(Screening(project, store))
    done = mark_fulltext(project, store, units[10], not_retrieved=True, reason="not held")
    assert done.record_id == units[10]
    assert len(done.warnings) == 1
    assert "excluded at title-abstract" in done.warnings[0] and units[10] in done.warnings[0]
    assert "PRISMA" in done.warnings[0]
    assert load_index(project)[units[10]].not_retrieved == "not held"  # nothing lost
    requested = mark_fulltext(project, store, units[11], requested=True)
    assert len(requested.warnings) == 1 and units[11] in requested.warnings[0]
    assert load_index(project)[units[11]].requested
    # an included record: no warning
    assert mark_fulltext(project, store, units[0], requested=True).warnings == ()
    assert project_counts(project, store) == prisma  # a request changes no PRISMA box
    after = retrieval_counts(Screening(project, store))
    assert (after.sought, after.obtained, after.not_retrieved) == \
        (counts.sought, counts.obtained, counts.not_retrieved)


def test_the_cli_prints_one_warning_line_for_an_excluded_record(tmp_path):
    project, store, units = project_with_decisions(tmp_path, ft_includes=0, ft_decided=0)
    # a first command opens the project (the store then says dedup found 0, not None)
    assert run_cli("fulltext", "status", cwd=project.root).returncode == 0
    before = project_counts(project, store)
    res = run_cli("fulltext", "mark", units[12], "--not-retrieved", "--reason", "withdrawn",
                  cwd=project.root)
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip() == f"{units[12]}: not retrieved"
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("warning: ") and units[12] in lines[0]
    assert "excluded at title-abstract" in lines[0]
    assert load_index(project)[units[12]].not_retrieved == "withdrawn"
    assert project_counts(project, store) == before
    ok = run_cli("fulltext", "mark", units[1], "--not-retrieved", "--reason", "withdrawn",
                 cwd=project.root)
    assert ok.returncode == 0 and ok.stderr == "", ok.stderr  # included: counted, no warning
    assert project_counts(project, store).dbr.not_retrieved == before.dbr.not_retrieved + 1
