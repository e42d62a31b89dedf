"""The report from a project that did its own work: dedup, two reviewers' screening logs,
agreement and reasons, open records named under broken counts; counts-file overrides;
the settings; no Graphviz."""

from __future__ import annotations

import dataclasses
import html

import docx
import pytest

from helpers import new_project
from reviewkit.dedup.run import run_dedup
from reviewkit.errors import ReviewkitError
from reviewkit.io.importer import import_files
from reviewkit.project.config import load_config
from reviewkit.ranking.stopping import methods_text
from reviewkit.reporting.prisma import BrokenInvariant, Count, PrismaCounts, Sources
from reviewkit.reporting.report import (
    build_report,
    render_report,
    report_files,
    write_report,
)
from reviewkit.reporting.report import diagram as diagram_module
from reviewkit.reporting.report.counts import FILE, NONE, PROJECT, merge_counts
from reviewkit.screening import Screening, agreement
from reviewkit.screening.events import decision_event, resolution_event
from reviewkit.screening.log import append_events, log_path
from reviewkit.searches.log import Search, add_search

from conftest import REPO, export_file


def screened(tmp_path, finish: bool = True):
    """Two databases imported and de-duplicated; ana and ben screen titles and abstracts
    (ben disagrees on three records); full texts excluded with reasons."""
    project, store = new_project(tmp_path)
    add_search(project, Search(id="embase", database="Embase", hits=102))
    add_search(project, Search(id="pubmed", database="PubMed", hits=80))
    import_files(project, store, [export_file("ris/bluelight-endnote_reflib.ris")], "embase")
    import_files(project, store, [export_file("medline-nbib/bluelight-pubmed_reflib.nbib")],
                 "pubmed")
    run_dedup(project, store)
    units = Screening(project, store).eligible("title-abstract")
    ana = {u: "include" if i % 4 == 0 else "exclude" for i, u in enumerate(units)}
    ben = {**ana, **{u: "exclude" for u in units[0:12:4]}}  # three include/exclude conflicts
    for who, said in (("ana", ana), ("ben", ben)):
        append_events(log_path(project, "title-abstract", who),
                      [decision_event("title-abstract", who, u, d) for u, d in said.items()])
    if finish:  # cleo settles the three conflicts
        append_events(log_path(project, "title-abstract", "cleo"),
                      [resolution_event("title-abstract", "cleo", u, "exclude")
                       for u in units[0:12:4]])
    full = Screening(project, store).eligible("full-text")
    reasons = ["wrong population", "wrong study design"]
    for who in ("ana", "ben"):
        append_events(log_path(project, "full-text", who), [
            decision_event("full-text", who, u, "exclude", reasons[i % 2])
            for i, u in enumerate(full)])
    return project, store, units


def test_screening_summary_agreement_and_reasons(tmp_path):
    project, store, units = screened(tmp_path)
    report = build_report(project, store)
    tables = {t.name: t for t in report.screening.tables}
    assert report.screening.screened
    ta = tables["report-screening"].rows[0]
    assert ta["eligible"] == f"{len(units):,}" and ta["conflict"] == "0"
    pairs = agreement(Screening(project, store))
    shown = tables["report-agreement"].rows
    assert [(r["stage"], r["pair"], r["kappa"]) for r in shown] == [
        (p["stage"], "ana / ben", "" if p["kappa"] is None else f"{p['kappa']:.2f}")
        for p in pairs]
    assert shown[0]["kappa"] and shown[0]["disagreements"] == "include / exclude: 3"
    reasons = {(r["stage"], r["reason"]): r["records"] for r in tables["report-reasons"].rows}
    full = len(Screening(project, store).eligible("full-text"))
    assert reasons[("full-text", "wrong population")] == f"{(full + 1) // 2:,}"
    assert reasons[("full-text", "wrong study design")] == f"{full // 2:,}"
    assert reasons[("title-abstract", "no reason given")] == ta["exclude"]
    md = render_report(report, "md", project.root)
    assert "each record independently by 2 reviewers" in md
    assert "Duplicate records among the 182 imported records" in md
    assert "| Records screened | 102 | computed from the project |" in md
    assert "Counts that do not add up" not in md


def test_open_records_are_named_under_the_counts_they_break(tmp_path):
    project, store, units = screened(tmp_path, finish=False)
    report = build_report(project, store)
    assert report.problems and all(p.record_ids for p in report.problems)
    md = render_report(report, "md", project.root)
    assert "### Counts that do not add up" in md
    assert ("Records still open: 3 records (a conflict or awaiting a second reviewer at "
            f"title-abstract): {units[0]}, ") in md.replace("\\", "")
    html = render_report(report, "html", project.root)
    assert 'class="problems"' in html and units[4] in html


def test_file_numbers_win_na_keeps_the_computed_ones(tmp_path):
    computed = PrismaCounts(databases=Sources(None, [Count("A", 70), Count("B", 30)]),
                            duplicates=10, screened=90, records_excluded=80)
    csv = tmp_path / "counts.csv"
    csv.write_text((REPO / "prisma-counts.csv").read_text("utf-8"), "utf-8")
    merged = merge_counts(computed, csv)
    c = merged.counts
    assert c.databases.value == 6693 and len(c.databases.sources) == 6
    assert c.screened == 4815 and c.duplicates == 1934
    assert c.records_excluded == 80  # NA in the file: the project's number stays
    assert computed.screened == 90  # the computed counts are not changed in place
    assert merged.origin["screened"] == FILE and merged.origin["records_excluded"] == PROJECT
    assert merged.origin["dbr.sought"] == NONE
    assert c.merged_other == ("websites",)  # 6,693 + 56 - 1,934 = 4,815


def test_record_ids_are_lent_only_to_checks_the_project_computed(tmp_path):
    computed = PrismaCounts(databases=Sources(100), registers=Sources(0), duplicates=10,
                            screened=80,
                            automation_excluded=0, removed_other=0)
    lent = [BrokenInvariant("identification", "x", (), record_ids=("r1", "r2"))]
    ours = merge_counts(computed, None, lent)
    assert [b.record_ids for b in ours.problems] == [("r1", "r2")]
    csv = tmp_path / "counts.csv"  # the file gives records screened: not the project's ids
    text = (REPO / "prisma-counts.csv").read_text("utf-8")
    csv.write_text(text.replace("records_screened.html,4815", "records_screened.html,85")
                   .replace("duplicates.html,1934", "duplicates.html,NA")
                   .replace("database_results.html,6693", "database_results.html,NA")
                   .replace('"Medline (Ovid), 1270; Medline ahead of publication (Ovid), 27; '
                            'PsycINFO (Ovid), 766; EMBASE, 2330; CINAHL, 650; Web of '
                            'Science, 1650"', "NA"), "utf-8")
    theirs = merge_counts(computed, csv, lent)
    broken = [b for b in theirs.problems if b.check == "identification"]
    assert broken and broken[0].record_ids == ()


def test_without_graphviz_the_report_still_comes_with_the_dot_file(tmp_path, monkeypatch):
    monkeypatch.setattr(diagram_module, "graphviz_available", lambda: False)
    project, store = new_project(tmp_path, ("medline", 10))
    report = build_report(project, store)
    files = report_files(report, project.root)
    assert "prisma.dot" in files and "prisma.svg" not in files and "prisma.png" not in files
    assert b"digraph" in files["prisma.dot"]
    assert b"Graphviz was not found" in files["report.md"]
    assert b"<svg" not in files["report.html"]
    out = tmp_path / "out"
    out.mkdir()
    (out / "prisma.svg").write_text("<svg>an earlier run's diagram</svg>", "utf-8")
    write_report(project, store, out)
    assert not (out / "prisma.svg").exists() and (out / "prisma.dot").exists()
    assert len(docx.Document(str(out / "report.docx")).inline_shapes) == 0


def test_settings_stopping_rule_and_reported_duplicates(tmp_path):
    project, store = new_project(tmp_path, ("medline", 10))
    with (project.root / "reviewkit.toml").open("a", encoding="utf-8") as fh:
        fh.write('\n[report]\nduplicates = { medline = 3, hand = 4 }\n'
                 '\n[stopping]\ntarget = 0.9\nconfidence = 0.99\nheuristic_n = 40\n')
    project = dataclasses.replace(project, config=load_config(project.root))
    report = build_report(project, store)
    md = render_report(report, "md", project.root)
    # escaped for Markdown: "p < 0.01" is written "p &lt; 0.01"
    said = " ".join(methods_text(0.9, 0.99, 40, order="random").split())  # default order
    assert said in html.unescape(md.replace("\\", ""))
    assert "| Medline | 3 |" in md and "| hand | 4 |" in md and "| total | 7 |" in md


def test_a_bad_report_setting_names_its_line(tmp_path):
    project, store = new_project(tmp_path)
    with (project.root / "reviewkit.toml").open("a", encoding="utf-8") as fh:
        fh.write('\n[report]\ncounts = "c.csv"\ncount = "typo"\n')
    project = dataclasses.replace(project, config=load_config(project.root))
    with pytest.raises(ReviewkitError) as err:
        build_report(project, store)
    assert "reviewkit.toml" in str(err.value) and "report.count" in str(err.value)
    assert err.value.line is not None


def test_stopping_test_per_reviewer_when_a_rule_is_set(tmp_path):
    project, store, units = screened(tmp_path)
    with (project.root / "reviewkit.toml").open("a", encoding="utf-8") as fh:
        fh.write("\n[stopping]\ntarget = 0.95\nconfidence = 0.95\n")
    project = dataclasses.replace(project, config=load_config(project.root))
    tables = {t.name: t for t in build_report(project, store).screening.tables}
    rows = tables["report-stopping"].rows
    assert [r["reviewer"] for r in rows] == ["ana", "ben"]
    assert all(r["screened"] == r["total"] == f"{len(units):,}" for r in rows)
    assert rows[0]["relevant_found"] == f"{sum(1 for i in range(len(units)) if i % 4 == 0):,}"
    assert "recall is below 95%" in tables["report-stopping"].notes[0]


def test_a_bad_count_in_an_inline_table_names_its_line(tmp_path):
    project, store = new_project(tmp_path)
    path = project.root / "reviewkit.toml"
    with path.open("a", encoding="utf-8") as fh:
        fh.write('\n[report]\n# databases = 3 (the paper)\nduplicates = { hand = 4, '
                 'databases = -1 }\n')
    project = dataclasses.replace(project, config=load_config(project.root))
    with pytest.raises(ReviewkitError) as err:
        build_report(project, store)
    lines = path.read_text("utf-8").splitlines()
    assert err.value.field == "report.duplicates.databases"
    assert lines[err.value.line - 1].startswith("duplicates = {")
