"""The report's own tables against its PRISMA diagram, for projects a demanding team
builds: reasons that differ or name several, screening left half done."""

from __future__ import annotations

import io
import re
from collections import Counter

import docx
import pytest

from helpers import new_project, run_cli, snapshot
from reviewkit.io.importer import import_files
from reviewkit.reporting.prisma import project_counts
from reviewkit.reporting.prisma.diagram import build
from reviewkit.reporting.report import build_report, render_docx, render_report
from reviewkit.screening import Screening
from reviewkit.screening.events import decision_event
from reviewkit.screening.log import append_events, log_path
from reviewkit.searches.log import Search, add_search

TA, FT = "title-abstract", "full-text"
TITLES = ["Budgets for drug users", "Direct payments in recovery", "Personal health budgets",
          "Self-directed support pilots", "Brokers and link workers", "Notional budgets"]


def ris(titles: list[str]) -> str:
    return "".join(f"TY  - JOUR\nTI  - {t}\nAU  - Author{i}, A.\nPY  - {2000 + i}\n"
                   f"DO  - 10.1000/r{i}\nER  - \n\n" for i, t in enumerate(titles))


@pytest.fixture
def project(tmp_path):
    """Six records; ana and ben include all at title/abstract; at full text one is
    included and five excluded with reasons that agree, differ or name several."""
    project, store = new_project(tmp_path, ("db", len(TITLES)))
    path = tmp_path / "db.ris"
    path.write_text(ris(TITLES), encoding="utf-8")
    import_files(project, store, [path], "db")
    units = Screening(project, store).eligible(TA)
    said = {  # per unit: (ana's, ben's) decision and reason
        units[0]: (("exclude", "wrong population"), ("exclude", "wrong outcome")),
        units[1]: (("exclude", "wrong outcome; not empirical"),
                   ("exclude", "wrong outcome; not empirical")),
        units[2]: (("exclude", "wrong outcome"), ("exclude", "wrong outcome")),
        units[3]: (("include", ""), ("include", "")),
        units[4]: (("exclude", "not empirical"), ("exclude", "wrong population; not empirical")),
        units[5]: (("exclude", "not in English"), ("exclude", "not in English")),
    }
    for i, who in enumerate(("ana", "ben")):
        append_events(log_path(project, TA, who), [decision_event(TA, who, u, "include")
                                                   for u in units])
        append_events(log_path(project, FT, who), [
            decision_event(FT, who, u, d[i][0], d[i][1]) for u, d in said.items()])
    return project, store


def test_reason_table_counts_each_report_as_the_diagram_does(project):
    proj, store = project
    report = build_report(proj, store)
    diagram = Counter({c.name: c.n for c in report.counts.counts.dbr.excluded})
    rows = [r for t in report.screening.tables if t.name == "report-reasons" for r in t.rows]
    table = Counter({r["reason"]: int(r["records"]) for r in rows if r["stage"] == FT})
    assert sum(table.values()) == sum(diagram.values()) == 5
    assert table == diagram
    # and the rendered page says the same under both headings
    md = render_report(report, "md", proj.root)
    for reason, n in diagram.items():
        assert f"| {FT} | {reason} | {n} |" in md


@pytest.fixture
def none_included(tmp_path):
    """Records from a website search (de-duplicated and screened with the database
    records), every one excluded at title/abstract: no report is sought or included."""
    project, store = new_project(tmp_path)
    add_search(project, Search(id="grey", kind="website", database="Grey", hits=len(TITLES)))
    path = tmp_path / "grey.ris"
    path.write_text(ris(TITLES), encoding="utf-8")
    import_files(project, store, [path], "grey")
    units = Screening(project, store).eligible(TA)
    for who in ("ana", "ben"):
        append_events(log_path(project, TA, who), [decision_event(TA, who, u, "exclude")
                                                   for u in units])
    return project, store


def test_no_report_included_means_no_study_included(none_included):
    proj, store = none_included
    counts = project_counts(proj, store)
    assert counts.included_reports == 0
    assert counts.included_studies == 0  # known, not "not reported"
    report = build_report(proj, store)
    rows = {r["item"]: r["n"] for r in report.numbers.rows}
    assert rows["Studies included in review"] == rows["Reports of included studies"] == "0"


def test_numbers_table_lists_only_the_boxes_the_diagram_draws(none_included):
    proj, store = none_included
    report = build_report(proj, store)
    c = report.counts.counts
    assert c.other_column and not c.other_flow  # screened with the database records
    items = [r["item"] for r in report.numbers.rows]
    assert "Records identified from websites" in items
    # the diagram has no retrieval or eligibility boxes of its own for other methods
    assert not [i for i in items if i.endswith("(other methods)")]
    assert not [b.id for b in build(c).boxes if b.id.startswith("other_") and
                b.id != "other_identified"]


def test_sentences_of_an_unfinished_review_are_apart_in_every_format(project):
    """Screening half done: the methods' last sentences and each count that does not add
    up read as sentences (no 'reason.Screening', no 'leaves 4 Records')."""
    proj, store = project
    units = Screening(proj, store).eligible(TA)
    append_events(log_path(proj, FT, "ana"), [decision_event(FT, "ana", units[0], "include")])
    report = build_report(proj, store)
    assert report.problems and report.counts.counts.in_progress
    word = docx.Document(io.BytesIO(render_docx(report, proj.root)))
    texts = {fmt: render_report(report, fmt, proj.root) for fmt in ("md", "html", "latex")}
    texts["docx"] = "\n".join(p.text for p in word.paragraphs)
    for fmt, text in texts.items():
        assert re.search(r"gave a reason\.\s+Screening in progress", text), fmt
        assert not re.search(r"\w Records still open", text), fmt
        assert text.count("Records still open") == sum(1 for p in report.problems
                                                       if p.record_ids), fmt


@pytest.mark.parametrize("folder", ["searches/exports", "fulltext", "templates/report"])
def test_a_report_into_a_folder_of_inputs_is_refused_before_anything_is_written(project,
                                                                               folder):
    proj, _ = project
    before = snapshot(proj.root)
    r = run_cli("report", "-o", folder, cwd=proj.root)
    assert r.returncode == 2 and folder in r.stderr, r.stderr
    assert len(r.stderr.strip().splitlines()) == 1 and "Traceback" not in r.stderr
    assert snapshot(proj.root) == before
    assert run_cli("status", cwd=proj.root).returncode == 0
