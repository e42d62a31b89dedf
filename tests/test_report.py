"""`reviewkit report` on the worked example (Tompkins et al. 2018): every file, the paper's
numbers, a self-contained and escaped HTML page, a real Word table, team templates, and
clear errors for a bad counts file."""

from __future__ import annotations

import importlib.util
import re
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import docx
import pytest
from docx.enum.section import WD_ORIENT

from helpers import run_cli, snapshot
from reviewkit.appraisal.checklist import get_checklist
from reviewkit.appraisal.summary import final_appraisals
from reviewkit.errors import ReviewkitError
from reviewkit.project.config import find_project
from reviewkit.reporting.report import write_report
from reviewkit.store import open_store

from conftest import REPO

needs_graphviz = pytest.mark.skipif(
    shutil.which("dot") is None and importlib.util.find_spec("pygraphviz") is None,
    reason="Graphviz not installed (sudo apt-get install graphviz, or pip install "
           "pygraphviz): the report's diagram cannot be drawn")
PLOTS = [f"appraisal-casp-qualitative-{kind}.{ext}" for kind in ("traffic-light", "summary")
         for ext in ("svg", "png")]
# the worked example's synthesis (synthesis/): heatmap and flowchart, as the plots
SYNTHESIS = [f"synthesis-{kind}.{ext}" for kind in ("heatmap", "flowchart")
             for ext in ("svg", "png")]
FILES = ["report.md", "report.html", "report.docx", "report.tex",
         "prisma.dot", "prisma.svg", "prisma.png", "prisma.pdf", *PLOTS, *SYNTHESIS]
EXAMPLE = ["reviewkit.toml", "studies.toml", "prisma-counts.csv", "searches", "casp",
           "extraction", "screening"]
# Tompkins, Parkman & Potheary (2018), doi:10.1111/hsc.12633: Table 2 and the methods text
DATABASES = {"Medline (Ovid)": 1270, "Medline ahead of publication (Ovid)": 27,
             "PsycINFO (Ovid)": 766, "EMBASE": 2330, "CINAHL": 650, "Web of Science": 1650}


def example_copy(root: Path) -> Path:
    """The worked example's project files, without the package and its tests."""
    root.mkdir(parents=True, exist_ok=True)
    for name in EXAMPLE:
        src = REPO / name
        if src.is_dir():
            shutil.copytree(src, root / name, ignore=shutil.ignore_patterns(".reviewkit"))
        elif src.exists():
            shutil.copy2(src, root / name)
    return root


def report(project: Path, out: Path, *args: str) -> dict[str, str]:
    res = run_cli("-C", str(project), "report", "--output", str(out), *args, cwd=project)
    assert res.returncode == 0, res.stderr
    return {p.name: p.read_text("utf-8") for p in out.glob("report.*") if p.suffix != ".docx"}


@pytest.fixture(scope="module")
def root_report(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("root-report")
    report(REPO, out)
    return out


@needs_graphviz
def test_every_file_is_written(root_report):
    assert sorted(p.name for p in root_report.iterdir()) == sorted(FILES)
    assert all((root_report / f).stat().st_size > 0 for f in FILES)
    assert (root_report / "prisma.png").read_bytes().startswith(b"\x89PNG")
    assert (root_report / "prisma.pdf").read_bytes().startswith(b"%PDF")
    assert all((root_report / f).read_bytes().startswith(b"\x89PNG") for f in PLOTS[1::2])


@needs_graphviz
def test_markdown_has_the_papers_numbers_and_says_where_they_come_from(root_report):
    md = (root_report / "report.md").read_text("utf-8")
    row = "| {} | {} | {} |"
    assert row.format("Records identified from databases", "6,693", "prisma-counts.csv") in md
    for name, n in DATABASES.items():
        assert row.format(f"Records identified from databases: {name}", f"{n:,}",
                          "prisma-counts.csv") in md
    assert row.format("Records identified from websites", "56", "prisma-counts.csv") in md
    assert row.format("Duplicate records removed", "1,934", "prisma-counts.csv") in md
    assert "| databases (6) | 1,928 |" in md and "| Grey literature (11 sources) | 6 |" in md
    assert row.format("Records screened", "4,815", "prisma-counts.csv") in md
    assert row.format("Studies included in review", "4", "prisma-counts.csv") in md
    assert row.format("Reports of included studies", "6", "prisma-counts.csv") in md
    # what the paper does not give is "not reported", never 0, and has no source
    assert row.format("Records excluded", "not reported", "") in md
    assert row.format("Reports assessed for eligibility (databases and registers)",
                      "not reported", "") in md
    assert "6 databases and registers were searched" in md
    assert "Counts that do not add up" not in md
    # the appraisal and characteristics tables, and the search strings in the appendix
    assert "| q7 | Have ethical issues been taken into consideration? | 3 | 2 | 1 |" in md
    assert "| croft-2016 | Croft B, Parish S (2016) Participants' assessment" in md
    assert "8. limit 7 to (english language and yr=\"1990 - 2017\")" in md


@needs_graphviz
def test_html_is_one_self_contained_page_with_the_diagram_inline(root_report):
    html = (root_report / "report.html").read_text("utf-8")
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", html, re.I)
    assert "<link" not in html and "<script" not in html and "<img" not in html
    # the diagram, the appraisal plots (traffic light, summary bar) and the synthesis
    # heatmap and flowchart, each labelled
    assert html.count("<svg") == 5 and "Records screened" in html and "4,815" in html
    assert 'aria-label="CASP Qualitative Studies Checklist: answers per study"' in html
    assert "<style>" in html and "table.reviewkit" in html
    assert "<?xml" not in html and "<!-- Generated by graphviz" not in html


def test_project_text_is_escaped_in_every_format(tmp_path):
    project = example_copy(tmp_path / "review")
    studies = project / "studies.toml"
    evil = '<script>alert(1)</script> & <b>Bold</b> | 50% of $5_000'
    studies.write_text(studies.read_text("utf-8").replace(
        "Croft B, Parish S (2016)", evil.replace("\\", "\\\\") + " Croft B (2016)"), "utf-8")
    out = report(project, tmp_path / "out")
    html, md, tex = out["report.html"], out["report.md"], out["report.tex"]
    assert "<script>" not in html and "<b>Bold" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;Bold&lt;/b&gt;" in html
    assert (r"\& \textless{}b\textgreater{}Bold\textless{}/b\textgreater{} \textbar{} "
            r"50\% of \$5\_000") in tex
    # the pipe cannot break the table row, nor the tag become HTML
    assert r"&lt;b&gt;Bold&lt;/b&gt; \| 50% of \$5\_000" in md
    words = docx.Document(str(tmp_path / "out" / "report.docx"))
    cells = [c.text for t in words.tables for r in t.rows for c in r.cells]
    assert any(c.startswith(evil) for c in cells)  # Word shows it as text, as written


@needs_graphviz
def test_docx_has_real_tables_and_the_diagram(root_report):
    document = docx.Document(str(root_report / "report.docx"))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert headings[:4] == [
        "Implementing and delivering personalised budgets for drug and alcohol users: a "
        "narrative systematic review", "Summary of qualitative findings", "Methods",
        "PRISMA 2020 flow diagram"]
    search = next(t for t in document.tables if t.rows[0].cells[0].text == "Database or source")
    header = [c.text for c in search.rows[0].cells]
    assert header == ["Database or source", "Type", "Platform", "Date searched", "Coverage",
                      "Limits", "Hits", "Imported", "Reconciled"]
    rows = {r.cells[0].text: [c.text for c in r.cells] for r in search.rows[1:]}
    assert rows["Medline"][1:7] == ["database", "Ovid", "2017-04", "1946 - April 2017 week 2",
                                    "English language; published 1990 - April 2017 week 2",
                                    "1,270"]
    assert rows["Reference lists of included records"][6] == "not reported"
    # columns are as wide as what they hold: the box names, not the numbers, get the room
    numbers = next(t for t in document.tables if t.rows[0].cells[0].text == "Box")
    box, n, source = (c.width for c in numbers.columns)
    assert box > source > n
    assert len(rows) == 8
    # wide tables (searches, characteristics) get landscape pages of their own
    assert {s.orientation for s in document.sections} == {WD_ORIENT.PORTRAIT,
                                                           WD_ORIENT.LANDSCAPE}
    pictures = document.inline_shapes
    blobs = [document.part.related_parts[p._inline.graphic.graphicData.pic.blipFill.blip.embed]
             .blob for p in pictures]
    assert blobs == [(root_report / name).read_bytes() for name in
                     ("prisma.png", *PLOTS[1::2], *SYNTHESIS[1::2])]


def test_a_teams_templates_override_the_packaged_ones(tmp_path):
    project = example_copy(tmp_path / "review")
    team = project / "templates" / "report"
    team.mkdir(parents=True)
    (team / "report.md.j2").write_text("TEAM REPORT for {{ r.title }}\n"
                                       "{{ table(r.searches) }}", "utf-8")
    (team / "style.css").write_text("body { color: rebeccapurple; }", "utf-8")
    (team / "report.docx.j2").write_text("heading1: Team {{ r.title | oneline }}\n", "utf-8")
    out = report(project, tmp_path / "out")
    assert out["report.md"].startswith("TEAM REPORT for Implementing and delivering")
    assert "| Medline | database | Ovid |" in out["report.md"]
    assert "rebeccapurple" in out["report.html"] and "table.reviewkit" not in out["report.html"]
    words = docx.Document(str(tmp_path / "out" / "report.docx"))
    assert [p.text for p in words.paragraphs][0].startswith("Team Implementing")
    assert "Methods" in out["report.tex"]  # formats not overridden keep the package's


@pytest.mark.parametrize("change, says", [
    (lambda t: re.sub(r"(?m)^records_screened,.*\n", "", t),
     "field 'records_screened': no such row"),
    (lambda t: t.replace("duplicates.html,1934", "duplicates.html,-1934"),
     "field 'duplicates': -1934 is negative"),
])
def test_a_bad_counts_file_is_one_clear_line_and_nothing_is_written(tmp_path, change, says):
    project = example_copy(tmp_path / "review")
    bad = project / "prisma-counts.csv"
    bad.write_text(change(bad.read_text("utf-8")), "utf-8")
    before = snapshot(project)
    for args in ([], ["--counts", str(bad)]):  # from [report] counts, and from --counts
        res = run_cli("-C", str(project), "report", "--output", str(tmp_path / "out"), *args,
                      cwd=project)
        assert res.returncode == 2
        lines = res.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: ") and says in lines[0]
        assert "prisma-counts.csv" in lines[0]
        assert not (tmp_path / "out").exists()
        assert not (project / "report").exists()
        assert snapshot(project) == before


def test_a_counts_file_that_does_not_exist(tmp_path):
    project = example_copy(tmp_path / "review")
    res = run_cli("-C", str(project), "report", "--counts", "nope.csv", cwd=project)
    assert res.returncode == 2 and "nope.csv" in res.stderr and "cannot read" in res.stderr
    assert not (project / "report").exists()


def test_an_output_that_is_a_file_is_one_line_and_nothing_is_written(tmp_path):
    project = example_copy(tmp_path / "review")
    taken = tmp_path / "report.pdf"
    taken.write_bytes(b"someone's file")
    before = snapshot(project)
    for out in (taken, taken / "inside"):
        res = run_cli("-C", str(project), "report", "--output", str(out), cwd=project)
        assert res.returncode == 2
        [line] = [x for x in res.stderr.splitlines() if x.startswith(("error:", "Traceback"))]
        assert line.startswith(f"error: {taken}") and "is a file" in line
        assert taken.read_bytes() == b"someone's file" and snapshot(project) == before
    found = find_project(project)  # the library refuses too, before building anything
    store = open_store(found.store_path)
    with pytest.raises(ReviewkitError, match="is a file"):
        write_report(found, store, taken / "inside")
    store.close()
    assert taken.read_bytes() == b"someone's file" and snapshot(project) == before


@needs_graphviz
@pytest.mark.skipif(shutil.which("pdflatex") is None,
                    reason="pdflatex not installed (sudo apt-get install texlive-latex-base "
                           "texlive-latex-recommended): report.tex not compiled")
def test_latex_compiles(root_report, tmp_path):
    for name in ("report.tex", "prisma.pdf", *PLOTS[1::2], *SYNTHESIS[1::2]):
        shutil.copy2(root_report / name, tmp_path / name)
    res = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error",
                          "report.tex"], cwd=tmp_path, capture_output=True, text=True,
                         timeout=120)
    assert res.returncode == 0, res.stdout[-2000:]
    assert (tmp_path / "report.pdf").read_bytes().startswith(b"%PDF")


def test_plots_follow_the_appraisals_and_an_old_plot_does_not_stay(tmp_path):
    project = example_copy(tmp_path / "review")
    out = tmp_path / "out"
    md = report(project, out)["report.md"]
    assert "![CASP Qualitative Studies Checklist: answers per study]" \
        "(appraisal-casp-qualitative-traffic-light.svg)" in md
    # one dot per study and question in its answer's colour, plus one in the legend
    svg = (out / "appraisal-casp-qualitative-traffic-light.svg").read_text("utf-8")
    checklist = get_checklist(find_project(project), None)
    final, _ = final_appraisals(find_project(project), checklist)
    answers = Counter(a.value(q.id) for a in final for q in checklist.plotted())
    assert len(final) == 6 and sum(answers.values()) == 60
    for option in checklist.options(checklist.questions[0]):
        assert svg.count(f"fill: {option.colour}") == answers[option.value] + 1, option.value
    # no final appraisal left: no plots, and the earlier run's plots are removed
    for folder in (project / "casp").iterdir():
        if folder.is_dir():
            shutil.rmtree(folder)
    md = report(project, out)["report.md"]
    assert "appraisal-casp" not in md
    assert not list(out.glob("appraisal-*"))
