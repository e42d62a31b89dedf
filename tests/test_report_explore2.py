"""The published report against what the project did: the stopping rule as applied in
the project's screening order, maybes not called inclusions, and the report's numbers
against the commands a team checks them with."""

from __future__ import annotations

import dataclasses
import html
import io
import re
import time
from collections import Counter

import docx
import pytest

from helpers import copy_example, new_project
from reviewkit.fulltext.attach import mark_fulltext
from reviewkit.io.importer import import_files
from reviewkit.project.config import load_config
from reviewkit.project.session import session
from reviewkit.reporting.prisma.csvio import write_counts_csv
from reviewkit.reporting.report import (
    build_report,
    render_docx,
    render_report,
    write_report,
)
from reviewkit.screening import Screening
from reviewkit.screening.events import decision_event
from reviewkit.screening.log import append_events, log_path
from reviewkit.screening.ranked import stopping
from reviewkit.searches.log import Search, add_search

from conftest import REPO

TA = "title-abstract"
N = 24


def ris(n: int) -> str:
    return "".join(f"TY  - JOUR\nTI  - Study number {i} of budgets in {1990 + i} care\n"
                   f"AU  - Author{i}, A.\nPY  - {1990 + i}\nDO  - 10.1000/x{i}\nER  - \n\n"
                   for i in range(n))


def configure(project, text: str):
    with (project.root / "reviewkit.toml").open("a", encoding="utf-8") as fh:
        fh.write(text)
    return dataclasses.replace(project, config=load_config(project.root))


def screen(project, store, said: dict[int, str], who: str = "ana") -> list[str]:
    """``who`` decides the units at the given positions of the first stage."""
    units = Screening(project, store).eligible(TA)
    append_events(log_path(project, TA, who),
                  [decision_event(TA, who, units[i], d) for i, d in said.items()])
    return units


@pytest.fixture
def imported(tmp_path):
    project, store = new_project(tmp_path, ("db", N))
    path = tmp_path / "db.ris"
    path.write_text(ris(N), encoding="utf-8")
    import_files(project, store, [path], "db")
    return project, store


def stopping_table(report):
    return {t.name: t for t in report.screening.tables}["report-stopping"]


def plain(text: str) -> str:
    return " ".join(html.unescape(text.replace("\\", "")).split())


@pytest.mark.parametrize("order", ["random", "ranked"])
def test_stopping_bias_is_stated_only_where_the_test_used_it(imported, order):
    """[stopping] bias = 3 applies only in ranked order; in random order the numbers use
    b = 1, so the footnote and the methods must not claim odds 3 times higher."""
    project, store = imported
    project = configure(project, f'\n[screening]\norder = "{order}"\n'
                                 "\n[stopping]\ntarget = 0.9\nbias = 3.0\n")
    screen(project, store, {i: "include" if i % 5 == 0 else "exclude" for i in range(20)})
    report = build_report(project, store)
    used = stopping(Screening(project, store), TA, "ana", 0.9, bias=3.0)["bias"]
    assert used == (3.0 if order == "ranked" else 1.0)
    note = stopping_table(report).notes[0]
    methods = plain(render_report(report, "md", project.root))
    claim = "3 times"
    assert (claim in note) == (used == 3.0)
    assert (claim in methods) == (used == 3.0)
    if order == "random":  # and it says the records were not in prioritised order
        assert "prioritised order" not in methods


def test_an_open_maybe_is_not_called_an_inclusion(imported):
    """The stopping test counts an unsettled maybe as relevant; the report's column must
    say so rather than call it 'included by the reviewer'."""
    project, store = imported
    project = configure(project, "\n[stopping]\ntarget = 0.9\n")
    said = {i: "exclude" for i in range(20)} | {0: "include", 5: "include", 7: "include",
                                                 3: "maybe", 9: "maybe"}
    screen(project, store, said)
    table = stopping_table(build_report(project, store))
    labels = dict(table.columns)
    row = table.rows[0]
    includes = sum(1 for d in said.values() if d == "include")
    maybes = sum(1 for d in said.values() if d == "maybe")
    # every column whose label says "included" counts includes only
    for key, label in table.columns:
        if "includ" in label.lower():
            assert row[key] == f"{includes:,}", (label, row[key])
    # and the maybes the test counted as relevant are shown as maybes
    maybe_cols = [k for k, label in labels.items() if "maybe" in label.lower()]
    assert maybe_cols and row[maybe_cols[0]] == f"{maybes:,}"
    md = render_report(build_report(project, store), "md", project.root)
    assert labels[maybe_cols[0]] in md


def test_report_into_a_shared_folder_leaves_the_teams_own_pictures(imported, tmp_path):
    """`report -o paper/`: the team's own appraisal-*.svg or synthesis-*.png there are
    theirs; only an earlier run's plots (names the report gives) are taken away."""
    project, store = imported
    out = tmp_path / "paper"
    out.mkdir()
    theirs = {"synthesis-notes.png": b"our sketch", "appraisal-draft.svg": b"<svg/>",
              "appraisal-table.png": b"png"}
    for name, data in theirs.items():
        (out / name).write_bytes(data)
    stale = out / "appraisal-casp-qualitative-traffic-light.svg"  # an earlier run's plot
    stale.write_text("<svg>an earlier run's</svg>", "utf-8")
    write_report(project, store, out)
    write_report(project, store, out)  # and again: safe to re-run
    assert {n: (out / n).read_bytes() for n in theirs if (out / n).exists()} == theirs
    assert not stale.exists()


FT = "full-text"


@pytest.fixture
def fulltext_done(imported):
    """Six units included at title/abstract by ana and ben; at full text two included,
    two excluded with a reason, one excluded as not retrieved and one marked not
    retrieved with `fulltext mark` and never screened (PRISMA: not retrieved)."""
    project, store = imported
    project = configure(project, "")
    units = Screening(project, store).eligible(TA)[:6]
    for who in ("ana", "ben"):
        append_events(log_path(project, TA, who),
                      [decision_event(TA, who, u, "include") for u in units])
        append_events(log_path(project, TA, who),
                      [decision_event(TA, who, u, "exclude")
                       for u in Screening(project, store).eligible(TA)[6:]])
        append_events(log_path(project, FT, who), [
            decision_event(FT, who, units[0], "include"),
            decision_event(FT, who, units[1], "include"),
            decision_event(FT, who, units[2], "exclude", "wrong population"),
            decision_event(FT, who, units[3], "exclude", "wrong outcome"),
            decision_event(FT, who, units[4], "exclude", "not retrieved")])
    mark_fulltext(project, store, units[5], not_retrieved=True, reason="not held")
    return project, store


def test_full_text_outcomes_agree_with_the_diagram(fulltext_done):
    """A report marked not retrieved is neither 'not screened' nor an exclusion reason in
    the report's screening tables: the diagram counts it not retrieved, in no open gap."""
    project, store = fulltext_done
    report = build_report(project, store)
    c = report.counts.counts
    assert not report.problems and not c.in_progress
    tables = {t.name: t for t in report.screening.tables}
    row = next(r for r in tables["report-screening"].rows if r["stage"] == FT)
    assert row["unscreened"] == "0", row
    reasons = {r["reason"]: int(r["records"]) for r in tables["report-reasons"].rows
               if r["stage"] == FT}
    assert reasons == {x.name: x.n for x in c.dbr.excluded}
    # and every report sought has a place in the table's row, as in the diagram
    shown = sum(int(row[k]) for k in row if k not in ("stage", "eligible"))
    assert int(row["eligible"]) == c.dbr.sought == shown


def test_records_left_by_the_stopping_rule_are_not_called_unscreened(imported):
    """Ranked screening stopped when the test was met: the diagram counts the records
    left as marked ineligible by automation tools; the report's table must say the same
    rather than 'Not screened'."""
    project, store = imported
    project = configure(project, '\n[screening]\norder = "ranked"\n'
                                 "\n[stopping]\ntarget = 0.5\nconfidence = 0.5\n")
    for who in ("ana", "ben"):
        screen(project, store, {i: "include" if i < 3 else "exclude" for i in range(18)}, who)
    report = build_report(project, store)
    left = report.counts.counts.automation_excluded
    assert left == N - 18  # the rule was met: the test's premise
    table = {t.name: t for t in report.screening.tables}["report-screening"]
    row = next(r for r in table.rows if r["stage"] == TA)
    labels = dict(table.columns)
    assert row["unscreened"] == "0", row
    stopped = [k for k, label in labels.items() if "stopping rule" in label.lower()]
    assert stopped and row[stopped[0]] == f"{left:,}"


def test_numbers_table_of_an_updated_review_with_a_meta_analysis(imported, tmp_path):
    """Every number the diagram draws is in the 'where each number comes from' table,
    under the diagram's own wording, and the previous version's numbers are said to come
    from it, not computed from this project."""
    project, store = imported
    previous = tmp_path / "review-2019-counts.csv"
    earlier, earlier_store = new_project(tmp_path / "2019")
    screen_none = build_report(earlier, earlier_store).counts.counts
    screen_none.included_studies, screen_none.included_reports = 7, 9
    write_counts_csv(screen_none, previous)
    project = configure(project, f'\n[prisma]\nprevious = "{previous.as_posix()}"\n'
                                 "meta_analysis = { studies = 5, reports = 6 }\n")
    screen(project, store, {i: "exclude" for i in range(N)})
    screen(project, store, {i: "exclude" for i in range(N)}, "ben")
    report = build_report(project, store)
    rows = {r["item"]: r for r in report.numbers.rows}
    drawn = diagram_lines(report)
    # the boxes below screening, as the diagram words and numbers them
    for item, n in (("Studies included in meta-analysis", 5),
                    ("Reports of studies included in meta-analysis", 6),
                    ("New studies included in review", 0),
                    ("Reports of new included studies", 0),
                    ("Studies included in previous version of review", 7),
                    ("Total studies included in review", 7)):
        assert f"{item} (n = {n})" in drawn
        assert rows[item]["n"] == f"{n:,}", item
    for item in ("Studies included in previous version of review",
                 "Reports of studies included in previous version of review"):
        assert previous.name in rows[item]["source"], rows[item]
    for item in ("Studies included in meta-analysis",
                 "Reports of studies included in meta-analysis"):
        assert "meta_analysis" in rows[item]["source"], rows[item]


def diagram_lines(report) -> str:
    """The diagram's text, each box line joined with the line it wraps onto."""
    svg = report.diagram.files.get("prisma.svg", b"").decode("utf-8")
    if not svg:
        pytest.skip("Graphviz is not installed")
    text = [html.unescape(re.sub(r"<[^>]+>", "", t))
            for t in re.findall(r"<text[^>]*>[^<]*</text>", svg)]
    return " ".join(" ".join(text).split())


def test_word_file_names_the_review_not_python_docx(imported):
    """Word shows the file's title and author: the review's title and reviewkit, not
    python-docx's placeholders."""
    project, store = imported
    report = build_report(project, store)
    props = docx.Document(io.BytesIO(render_docx(report, project.root))).core_properties
    assert props.title == report.title
    assert "python-docx" not in f"{props.author} {props.comments} {props.last_modified_by}"
    assert report.generator in props.comments


def test_the_same_project_writes_the_same_word_file(imported):
    """Re-running the report on an unchanged project gives the same bytes, so a team
    that keeps report/ under version control sees no change where there is none."""
    project, store = imported
    first = render_docx(build_report(project, store), project.root)
    time.sleep(2.1)  # a zip entry's time has a resolution of two seconds
    assert render_docx(build_report(project, store), project.root) == first


def test_the_same_counts_draw_the_same_pdf(imported):
    """prisma.pdf carried the time it was drawn, so every `report` run changed it."""
    project, store = imported
    first = build_report(project, store).diagram.files.get("prisma.pdf")
    if first is None:
        pytest.skip("Graphviz is not installed")
    time.sleep(1.1)  # the PDF's date has a resolution of one second
    assert build_report(project, store).diagram.files["prisma.pdf"] == first


def test_one_stage_screening_has_no_retrieval_column(imported):
    """A review screened in one stage seeks no reports: no 'Not retrieved' column."""
    project, store = imported
    project = configure(project, '\n[screening]\nstages = ["title-abstract"]\n'
                                 "reason_required = []\n")
    screen(project, store, {i: "exclude" for i in range(N)})
    table = {t.name: t for t in build_report(project, store).screening.tables}
    labels = [label for _, label in table["report-screening"].columns]
    assert "Excluded" in labels and "Not retrieved" not in labels


def test_methods_do_not_claim_a_reason_the_table_lacks(imported):
    """reason_required names full text, but two exclusions there carry no reason (the
    rule was added after they were made): the methods must not say every exclusion gave
    one while the reasons table counts 'no reason given'."""
    project, store = imported
    units = Screening(project, store).eligible(TA)
    for who in ("ana", "ben"):
        append_events(log_path(project, TA, who),
                      [decision_event(TA, who, u, "include") for u in units])
        append_events(log_path(project, FT, who),
                      [decision_event(FT, who, units[0], "exclude"),
                       decision_event(FT, who, units[1], "exclude"),
                       decision_event(FT, who, units[2], "exclude", "wrong outcome")])
    assert FT in Screening(project, store).conf.reason_required  # the default rule
    report = build_report(project, store)
    reasons = {r["reason"]: r["records"] for t in report.screening.tables
               if t.name == "report-reasons" for r in t.rows if r["stage"] == FT}
    assert reasons.get("no reason given") == "2"
    methods = plain(render_report(report, "md", project.root))
    assert f"Every exclusion at {FT} gave a reason" not in methods
    assert "2 were recorded without one" in methods


def test_database_search_dates_are_the_databases_own(imported):
    """The methods' 'databases were searched between A and B' covers the databases'
    dates only: a website searched a month later does not stretch it."""
    project, store = imported
    add_search(project, Search(id="db2", database="Embase", hits=3, date_run="2019-01-10"))
    add_search(project, Search(id="web", kind="website", database="Google Scholar", hits=4,
                               date_run="2019-02-20"))
    first = Search(id="db", database="Db", hits=N, date_run="2019-01-03")
    add_search(project, first, overwrite=True)
    methods = plain(render_report(build_report(project, store), "md", project.root))
    assert "between 2019-01-03 and 2019-01-10" in methods
    assert "2019-02-20" not in methods.split("other method")[0]


def test_team_word_template_gives_styles_not_its_text(imported):
    """templates/report/report.docx gives the report its styles; its own text (last
    year's report, a journal's sample page) must not open this review's report."""
    project, store = imported
    base = docx.Document()
    base.add_paragraph("Old review: 12 studies included")
    base.styles.add_style("Team body", 1)  # 1: a paragraph style
    folder = project.root / "templates" / "report"
    folder.mkdir(parents=True)
    base.save(str(folder / "report.docx"))
    report = build_report(project, store)
    word = docx.Document(io.BytesIO(render_docx(report, project.root)))
    text = "\n".join(p.text for p in word.paragraphs)
    assert "Old review" not in text
    assert word.paragraphs[0].text == report.title
    assert "Team body" in [s.name for s in word.styles]


def test_html_page_ids_are_unique_across_its_pictures(tmp_path):
    """Several SVGs inline in one page (diagram, appraisal plots, heatmap) each number
    their elements from 1: the page must not hold the same id twice, or a link or a
    screen reader lands on the wrong picture."""
    root = copy_example(REPO, tmp_path / "example")
    with session(root) as (project, store):
        report = build_report(project, store)
    page = render_report(report, "html", project.root)
    if page.count("<svg") < 2:
        pytest.skip("fewer than two pictures drawn (Graphviz or matplotlib missing)")
    ids = Counter(re.findall(r'\sid="([^"]+)"', page))
    assert not [i for i, n in ids.items() if n > 1]
    # and every reference inside a picture still finds its element
    refs = set(re.findall(r'(?:href="#|url\(#)([^")]+)', page))
    assert refs <= set(ids)


def test_stopping_caution_of_screen_stop_is_in_the_report(imported):
    """`screen stop` warns when the records left have no abstract; the report's stopping
    table, which says 'Criterion met', must carry the same caution."""
    project, store = imported
    project = configure(project, '\n[screening]\norder = "ranked"\n'
                                 "\n[stopping]\ntarget = 0.5\nconfidence = 0.5\n")
    screen(project, store, {i: "include" if i < 3 else "exclude" for i in range(18)})
    said = stopping(Screening(project, store), TA, "ana", 0.5, 0.5)
    assert said["criterion_met"] and said["caution"]  # no record here has an abstract
    notes = " ".join(stopping_table(build_report(project, store)).notes)
    assert said["caution"] in notes
