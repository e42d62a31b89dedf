"""PRISMA counts computed from a real project: imports, dedup, two reviewers' logs, studies."""

from __future__ import annotations

from helpers import new_project
from reviewkit.dedup.run import run_dedup
from reviewkit.io.importer import import_files
from reviewkit.reporting.prisma import check_invariants, project_counts
from reviewkit.reporting.prisma.project import project_invariants
from reviewkit.screening import Screening
from reviewkit.screening.events import decision_event, resolution_event
from reviewkit.screening.log import append_events, log_path
from reviewkit.searches.log import Search, add_search

from conftest import export_file

REASONS = ["wrong population", "wrong study design", "not retrieved"]


def screened_project(tmp_path, finish: bool = True):
    project, store = new_project(tmp_path)
    add_search(project, Search(id="embase", database="Embase", hits=102))
    add_search(project, Search(id="pubmed", database="PubMed", hits=80))
    import_files(project, store, [export_file("ris/bluelight-endnote_reflib.ris")], "embase")
    import_files(project, store, [export_file("medline-nbib/bluelight-pubmed_reflib.nbib")],
                 "pubmed")
    run_dedup(project, store)
    units = Screening(project, store).eligible("title-abstract")
    # ana includes every 4th unit; ben agrees except on three units
    ana = {u: "include" if i % 4 == 0 else "exclude" for i, u in enumerate(units)}
    ben = dict(ana)
    flipped = units[1:4]
    for u in flipped:
        ben[u] = "include"
    for who, decisions in (("ana", ana), ("ben", ben)):
        todo = decisions if finish else dict(list(decisions.items())[:-5])
        append_events(log_path(project, "title-abstract", who),
                      [decision_event("title-abstract", who, u, d) for u, d in todo.items()])
    if finish:
        append_events(log_path(project, "title-abstract", "cleo"),
                      [resolution_event("title-abstract", "cleo", u, "exclude") for u in flipped])
    full = Screening(project, store).eligible("full-text")
    ft = {u: ("include", "") if i % 3 == 0 else ("exclude", REASONS[i % 3])
          for i, u in enumerate(full)}
    for who in ("ana", "ben"):
        append_events(log_path(project, "full-text", who),
                      [decision_event("full-text", who, u, d, r) for u, (d, r) in ft.items()])
    return project, store, units, full, ft


def test_counts_follow_records_reports_and_studies(tmp_path):
    project, store, units, full, ft = screened_project(tmp_path)
    c = project_counts(project, store)
    assert c.databases.value == 182 and [s.n for s in c.databases.sources] == [102, 80]
    assert c.duplicates == 182 - len(units) == 80
    assert c.screened == len(units) == 102
    assert c.records_excluded == sum(1 for i in range(102) if i % 4) == 76
    assert c.dbr.sought == len(full) == 26
    retrieved_not = sum(1 for d, r in ft.values() if r == "not retrieved")
    assert c.dbr.not_retrieved == retrieved_not
    assert c.dbr.assessed == 26 - retrieved_not
    assert {x.name: x.n for x in c.dbr.excluded} == {
        "wrong study design": sum(1 for d, r in ft.values() if r == "wrong study design")}
    assert c.included_reports == sum(1 for d, _ in ft.values() if d == "include")
    assert check_invariants(c) == []


def test_open_records_break_invariants_and_are_named(tmp_path):
    project, store, units, *_ = screened_project(tmp_path, finish=False)
    broken = {b.check: b for b in project_invariants(project, store)}
    assert broken, "unscreened records and conflicts must not add up silently"
    # screened minus excluded is not what was sought: the conflicts nobody resolved,
    # and only they (the unscreened are not screened, so they are not in this gap)
    named = set(broken["screening"].record_ids)
    assert set(units[1:4]) <= named
    assert not set(units[-5:]) & named


def test_records_left_by_the_stopping_rule_count_as_automation(tmp_path):
    project, store = new_project(tmp_path)
    import_files(project, store, [export_file("ris/ebsco-psycinfo_citesource.ris"),
                                  export_file("ris/bluelight-endnote_reflib.ris")])
    units = Screening(project, store).eligible("title-abstract")
    # a ranked screening: the relevant records came first, then a long run of irrelevant
    screened = units[:160]
    decisions = {u: "include" if i < 8 else "exclude" for i, u in enumerate(screened)}
    for who in ("ana", "ben"):
        append_events(log_path(project, "title-abstract", who),
                      [decision_event("title-abstract", who, u, d) for u, d in decisions.items()])
    cfg = project.root / "reviewkit.toml"
    before = project_counts(project, store)
    assert before.automation_excluded is None and before.screened == 160
    cfg.write_text(cfg.read_text("utf-8").replace("reviewers = []", 'reviewers = ["ana", "ben"]')
                   + "\n[stopping]\ntarget = 0.95\nconfidence = 0.95\n", "utf-8")
    from reviewkit.project import find_project

    project = find_project(project.root)
    after = project_counts(project, store)
    assert after.automation_excluded == len(units) - 160 > 0
    assert after.screened == 160
