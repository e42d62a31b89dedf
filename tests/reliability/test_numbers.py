"""Numbers that must not mislead: a broken count names only the records that make its gap,
an unfinished review says so in the diagram, the report and `reviewkit prisma`, the
methods do not call an arbiter a screener, and studies.toml links only reports PRISMA
can count."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from helpers import new_project, snapshot
from reviewkit.cli.main import app
from reviewkit.dedup.run import run_dedup
from reviewkit.errors import ReviewkitError
from reviewkit.io.importer import import_files
from reviewkit.records.studies import check_studies, load_studies
from reviewkit.reporting.prisma import dot_source, project_counts
from reviewkit.reporting.prisma.project import project_invariants
from reviewkit.reporting.report import build_report, render_report
from reviewkit.screening import Screening
from reviewkit.screening.events import decision_event, resolution_event
from reviewkit.screening.log import append_events, log_path
from reviewkit.screening.reviewers import add_reviewer
from reviewkit.searches.log import Search, add_search

from conftest import export_file

TA, FT = "title-abstract", "full-text"


def review(tmp_path, *, unscreened: int = 0, conflicts: int = 0, ft_open: int = 0):
    """19 CINAHL records; ana and ben screen all but the last ``unscreened``; they disagree
    on two records that cleo (a reviewer who screens nothing) settles, and on
    ``conflicts`` more left open; full texts are decided but for the last ``ft_open``."""
    project, store = new_project(tmp_path)
    for name in ("ana", "ben", "cleo"):
        add_reviewer(project, name)
    add_search(project, Search(id="cinahl", database="CINAHL", hits=19))
    import_files(project, store, [export_file("ris/cinahl-via-rayyan_asreview.ris")], "cinahl")
    run_dedup(project, store)
    units = Screening(project, store).eligible(TA)
    judged = units[:len(units) - unscreened]
    ana = {u: "include" if i % 3 == 0 else "exclude" for i, u in enumerate(judged)}
    ben = dict(ana)
    settled = [u for i, u in enumerate(judged) if i % 3 == 1][:2]  # cleo settles these
    opened = [u for i, u in enumerate(judged) if i % 3 == 2][:conflicts]  # left open
    for u in settled + opened:
        ben[u] = "include"
    for who, said in (("ana", ana), ("ben", ben)):
        append_events(log_path(project, TA, who),
                      [decision_event(TA, who, u, d) for u, d in said.items()])
    append_events(log_path(project, TA, "cleo"),
                  [resolution_event(TA, "cleo", u, "exclude") for u in settled])
    sought = Screening(project, store).eligible(FT)
    done = sought[:len(sought) - ft_open]
    for who in ("ana", "ben"):
        append_events(log_path(project, FT, who), [
            decision_event(FT, who, u, "include" if i % 2 == 0 else "exclude",
                           "" if i % 2 == 0 else "wrong population")
            for i, u in enumerate(done)])
    return project, store, units, opened, sought


# --- the records that make a gap --------------------------------------------------------

def test_each_broken_count_names_only_its_own_records(tmp_path):
    project, store, units, opened, sought = review(tmp_path, unscreened=4, conflicts=2,
                                                   ft_open=1)
    broken = {b.check: b for b in project_invariants(project, store)}
    # records nobody screened leave "automation" unknown, so that check does not run
    assert set(broken) == {"screening", "retrieval:dbr"}
    assert broken["screening"].record_ids == tuple(sorted(opened))
    assert broken["screening"].why == "a conflict or awaiting a second reviewer at " \
        "title-abstract"
    assert broken["retrieval:dbr"].record_ids == (sought[-1],)
    detail = broken["screening"].detail
    assert "records still open: 2 records (a conflict or awaiting" in detail
    assert all(u not in detail for u in units[-4:])  # unscreened: not this gap's records
    assert sought[-1] not in detail


def test_the_report_names_the_gap_with_its_size(tmp_path):
    project, store, units, opened, _ = review(tmp_path, unscreened=2, conflicts=3)
    report = build_report(project, store)
    [problem] = report.problems
    assert problem.record_ids == tuple(sorted(opened))
    md = render_report(report, "md", project.root).replace("\\", "")
    line = md.split("Records still open: ")[1].split("\n")[0]
    assert line.startswith("3 records (a conflict or awaiting a second reviewer at ")
    assert sorted(u for u in units if u in line) == sorted(opened)


# --- unfinished screening is said to be unfinished -------------------------------------

def test_a_diagram_of_unfinished_screening_says_so(tmp_path):
    project, store, units, *_ = review(tmp_path, unscreened=5)
    counts = project_counts(project, store)
    n = len(units)
    expected = f"Screening in progress: {n - 5} of {n} records screened at title/abstract"
    assert counts.in_progress.startswith(expected)
    dot = dot_source(counts)
    assert "in_progress [" in dot and "Screening in progress:" in dot
    report = build_report(project, store)
    assert counts.in_progress in report.notes
    md = render_report(report, "md", project.root)
    methods = md.split("## Methods")[1] if "## Methods" in md else md
    assert expected in methods.replace("\n", " ")


def test_prisma_command_warns_that_screening_is_unfinished(tmp_path):
    project, store, units, opened, _ = review(tmp_path, unscreened=2, conflicts=1)
    store.close()
    out = tmp_path / "flow.dot"
    res = CliRunner().invoke(app, ["-C", str(project.root), "prisma", "-o", str(out)])
    assert res.exit_code == 0, res.stderr
    n = len(units)
    assert f"Screening in progress: {n - 2} of {n} records screened" in res.stderr
    assert "Screening in progress" in out.read_text("utf-8")
    assert "records still open: 1 record (a conflict or awaiting a second reviewer at " \
        f"title-abstract): {opened[0]}" in res.stderr


def test_a_finished_review_carries_no_notice(tmp_path):
    project, store, *_ = review(tmp_path)
    counts = project_counts(project, store)
    assert counts.in_progress == ""
    assert "Screening in progress" not in dot_source(counts)
    assert project_invariants(project, store) == []


def test_full_text_still_open_is_in_progress_too(tmp_path):
    project, store, _, _, sought = review(tmp_path, ft_open=2)
    note = project_counts(project, store).in_progress
    assert f"{len(sought) - 2} of {len(sought)} reports decided at full text" in note


# --- the arbiter ------------------------------------------------------------------------

def test_methods_list_screeners_and_the_arbiter_apart(tmp_path):
    project, store, *_ = review(tmp_path)
    report = build_report(project, store)
    people = report.facts["screening"]
    assert people["reviewers"] == ["ana", "ben"]
    assert people["arbiters"] == ["cleo"]
    md = render_report(report, "md", project.root).replace("\n", " ")
    assert "(ana, ben)" in md and "(ana, ben, cleo)" not in md
    assert "by cleo (an arbiter who did not screen records)" in md


# --- studies.toml -----------------------------------------------------------------------

def _studies(project, *blocks: str) -> None:
    (project.root / "studies.toml").write_text("\n".join(blocks), "utf-8")


def _study(sid: str, *reports: str) -> str:
    listed = ", ".join(f'"{r}"' for r in reports)
    return f'[[study]]\nid = "{sid}"\ncitation = "{sid} et al."\nreports = [{listed}]\n'


def test_studies_linking_missing_or_excluded_reports(tmp_path):
    project, store, _, _, sought = review(tmp_path)
    screening = Screening(project, store)
    included = [u for u in sought if screening.state(FT).outcome(u) == "include"]
    excluded = [u for u in sought if screening.state(FT).outcome(u) == "exclude"]
    _studies(project, _study("good", included[0]), _study("gone", "cinahl/nope"),
             _study("out", included[1], excluded[0]))
    problems = check_studies(project, store, screening)
    assert [(p.study, p.report) for p in problems] == [("gone", "cinahl/nope"),
                                                      ("out", excluded[0])]
    assert problems[0].line == 9 and "not a record" in problems[0].problem
    assert problems[1].line == 14 and problems[1].problem == "was excluded at full-text"
    assert str(problems[1]).startswith(f"{project.root / 'studies.toml'}:14: study 'out'")
    for args in (["report"], ["prisma", "--export-counts", str(tmp_path / "c.csv")]):
        before = snapshot(project.root)
        res = CliRunner().invoke(app, ["-C", str(project.root), *args])
        assert res.exit_code == 2, (res.exception, res.stderr)
        [line] = res.stderr.strip().splitlines()
        assert "studies.toml:9:" in line and "cinahl/nope" in line and "1 more" in line
        assert snapshot(project.root) == before
    assert not (tmp_path / "c.csv").exists()


def test_duplicate_study_ids_are_refused_at_the_second(tmp_path):
    project, store, *_ = review(tmp_path)
    _studies(project, _study("a"), _study("b"), _study("a"))
    with pytest.raises(ReviewkitError) as err:
        load_studies(project)
    assert err.value.line == 12 and "listed twice" in str(err.value)
    with pytest.raises(ReviewkitError):
        check_studies(project, store, Screening(project, store))
