"""`reviewkit report` gains a Synthesis section: at the repository root (the worked example)
its matrix and themes give the records the paper cites under each theme (facts read from
the paper by hand), in HTML, Markdown, LaTeX and Word (read back through LibreOffice)."""

from __future__ import annotations

import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml

from helpers import new_project, run_cli, snapshot
from reviewkit.reporting.report import write_report
from synthesis_support import synth_project

from conftest import REPO

FACTS = yaml.safe_load((Path(__file__).parent / "data" / "tompkins_synthesis_facts.yaml")
                       .read_text("utf-8"))
STUDIES = ["callanan-2012", "cornes-2015", "croft-2016", "welch-2013", "welch-2017",
           "whiteford-2016"]
FIGURES = [f"synthesis-{name}.{ext}" for name in ("heatmap", "flowchart")
           for ext in ("svg", "png")]


class Tables(HTMLParser):
    """Every <table class="reviewkit NAME"> of a page as rows of cell texts, by NAME."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self.current: list[list[str]] | None = None
        self.cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag == "table":
            name = dict(attrs).get("class", "").split()[-1]
            self.current = self.tables.setdefault(name, [])
        elif tag == "tr" and self.current is not None:
            self.current.append([])
        elif tag in ("td", "th") and self.current is not None:
            self.cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self.cell is not None and self.current:
            self.current[-1].append("".join(self.cell).strip())
            self.cell = None
        elif tag == "table":
            self.current = None

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell.append(data)


def html_tables(html: str) -> dict[str, list[list[str]]]:
    parser = Tables()
    parser.feed(html)
    return parser.tables


def words(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def root_report(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("root-report")
    res = run_cli("-C", str(REPO), "report", "--output", str(out), cwd=REPO)
    assert res.returncode == 0, res.stderr
    return out


def test_html_matrix_gives_the_records_the_paper_cites_under_each_theme(root_report):
    html = (root_report / "report.html").read_text("utf-8")
    assert '<a href="#synthesis">Synthesis</a>' in html and '<section id="synthesis">' in html
    matrix = html_tables(html)["synthesis-matrix"]
    header, body = matrix[0], [r for r in matrix[1:] if len(r) == len(matrix[0])]
    assert header == ["Theme", "Level", *STUDIES, "Studies"]
    rows = {r[0]: dict(zip(header, r, strict=True)) for r in body}
    assert set(rows) == {t["name"] for t in FACTS["themes"]}
    for theme in FACTS["themes"]:
        row = rows[theme["name"]]
        assert sorted(s for s in STUDIES if int(row[s]) > 0) == sorted(theme["records"])
        assert int(row["Studies"]) == len(theme["records"])
        assert row["Level"] == ("descriptive" if theme["parent"] is None else "code")


def test_html_themes_table_has_the_top_level_themes_and_attributed_quotes(root_report):
    html = (root_report / "report.html").read_text("utf-8")
    themes = html_tables(html)["synthesis-themes"]
    header = themes[0]
    rows = {r[0]: dict(zip(header, r, strict=True)) for r in themes[1:] if len(r) == len(header)}
    top = [t for t in FACTS["themes"] if t["parent"] is None]
    assert set(rows) == {t["name"] for t in top}
    quoted = {(q["record"], words(q["text"])) for q in FACTS["quotes"]}
    for theme in top:
        row = rows[theme["name"]]
        assert row["Supporting studies"].split("; ") == sorted(theme["records"])
        # each illustrative quote is one of the paper's, attributed to its record
        for text, study in _quotes(row["Illustrative quotes"]):
            assert (study, words(text)) in quoted, (text, study)


def _quotes(cell: str) -> list[tuple[str, str]]:
    """(text, study) of each “text” (participant quote, study) in a cell."""
    found = re.findall(r"“(.*?)” \(participant quote, ([^()]+)\)", cell)
    assert found, cell
    return found


def test_quote_table_and_pictures_are_in_the_page_and_beside_it(root_report):
    html = (root_report / "report.html").read_text("utf-8")
    quotes = html_tables(html)["synthesis-quotes"]
    texts = {(r[1], words(r[5])) for r in quotes[1:] if len(r) == 7}
    for q in FACTS["quotes"]:
        assert (q["record"], words(q["text"])) in texts, q["text"][:40]
    assert 'aria-label="Coded segments per study for each code (sub-codes included)"' in html
    assert 'aria-label="How the codes build the themes (thematic synthesis)"' in html
    for name in FIGURES:
        assert (root_report / name).stat().st_size > 0, name
    assert (root_report / "synthesis-heatmap.png").read_bytes().startswith(b"\x89PNG")
    md = (root_report / "report.md").read_text("utf-8")
    assert "## Synthesis" in md and "](synthesis-heatmap.svg)" in md
    assert "| Practical issues | code |" in md  # a matrix row (its counts: the HTML test)
    tex = (root_report / "report.tex").read_text("utf-8")
    assert r"\section*{Synthesis}" in tex and "{synthesis-heatmap.png}" in tex


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice not installed")
def test_word_report_shows_the_matrix_rows(root_report, tmp_path):
    import docx
    pypdf = pytest.importorskip("pypdf")

    document = docx.Document(str(root_report / "report.docx"))
    matrix = next(t for t in document.tables
                  if [c.text for c in t.rows[0].cells][:2] == ["Theme", "Level"]
                  and "Studies" in [c.text for c in t.rows[0].cells])
    header = [c.text for c in matrix.rows[0].cells]
    rows = {r.cells[0].text: dict(zip(header, [c.text for c in r.cells], strict=True))
            for r in matrix.rows[1:]}
    for theme in FACTS["themes"]:
        row = rows[theme["name"]]
        assert sorted(s for s in STUDIES if int(row[s]) > 0) == sorted(theme["records"])
    done = subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir",
                           str(tmp_path), str(root_report / "report.docx")],
                          capture_output=True, timeout=120)
    assert done.returncode == 0, done.stderr
    pdf = pypdf.PdfReader(str(tmp_path / "report.pdf"))
    text = words(" ".join(page.extract_text() for page in pdf.pages))
    assert "Synthesis" in text and "Theme x study: coded segments per study" in text
    for row in rows.values():  # each row's numbers, in order, as the page shows them
        assert " ".join(row[s] for s in [*STUDIES, "Studies"]) in text, row["Theme"]


def reportable(tmp_path: Path):
    """test_synthesis's project, its study's report (a record it never imported) unlinked
    so that the report can count it."""
    project = synth_project(tmp_path)
    studies = project.root / "studies.toml"
    studies.write_text(studies.read_text("utf-8").replace('["rec-1"]', "[]"), "utf-8")
    return project


def test_no_synthesis_section_without_a_codebook_or_without_codings(tmp_path):
    project, store = new_project(tmp_path / "plain")
    out = tmp_path / "plain-report"
    out.mkdir()
    (out / "synthesis-heatmap.svg").write_text("<svg>an earlier run's</svg>", "utf-8")
    report, _ = write_report(project, store, out)
    store.close()
    assert report.synthesis == [] and report.synthesis_figures == []
    assert "Synthesis" not in (out / "report.md").read_text("utf-8")
    assert not (out / "synthesis-heatmap.svg").exists()  # a stale picture is taken away
    coded = reportable(tmp_path / "coded")  # a codebook and sources, no segment yet
    res = run_cli("report", "-o", str(tmp_path / "r2"), cwd=coded.root)
    assert res.returncode == 0, res.stderr
    assert "Synthesis" not in (tmp_path / "r2" / "report.md").read_text("utf-8")


def test_a_bad_codebook_stops_the_report_in_one_line_writing_nothing(tmp_path):
    project = reportable(tmp_path)
    book = project.root / "synthesis" / "codebook.yaml"
    book.write_text(book.read_text("utf-8").replace("level: code", "level: theme", 1), "utf-8")
    before = snapshot(project.root)
    res = run_cli("report", "-o", str(tmp_path / "r"), cwd=project.root)
    lines = res.stderr.strip().splitlines()
    assert res.returncode == 2 and len(lines) == 1, res.stderr
    assert lines[0].startswith("error: synthesis/codebook.yaml:") and "level 'theme'" in lines[0]
    assert snapshot(project.root) == before and not (tmp_path / "r").exists()


def test_a_meta_aggregation_report_draws_its_flowchart(tmp_path):
    from reviewkit.synthesis.edit import code_text
    from test_synthesis_outputs import META

    project = reportable(tmp_path)
    (project.root / "synthesis" / "codebook.yaml").write_text(META, "utf-8")
    code_text(project, "callanan-2012-findings", "I want control over my life", "f3", "ann",
              role="participant quote")
    code_text(project, "b", "time pressure", "f5", "bo", role="participant quote")
    res = run_cli("report", "-o", str(tmp_path / "r"), cwd=project.root)
    assert res.returncode == 0, res.stderr
    html = (tmp_path / "r" / "report.html").read_text("utf-8")
    assert 'aria-label="Meta-aggregation: findings, categories and synthesised findings"' in html
    svg = (tmp_path / "r" / "synthesis-flowchart.svg").read_text("utf-8")
    assert "<title>f4</title>" not in svg and "<title>f3&#45;&gt;c2</title>" in svg
    themes = html_tables(html)["synthesis-themes"]
    assert [r[:2] for r in themes[1:] if len(r) == 6] == [["People want a say", "synthesised"]]
