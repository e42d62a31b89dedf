"""Tables in every format (DOCX a real Word table, HTML escaped), overrides, and plots."""

from __future__ import annotations

import struct

import docx
import pytest

from appraisal_support import all_answers, appraisal_text, mini_project, write
from helpers import run_cli
from reviewkit.appraisal.checklist import get_checklist
from reviewkit.appraisal.summary import final_appraisals
from reviewkit.errors import ReviewkitError
from reviewkit.extraction.form import get_form
from reviewkit.project import find_project
from reviewkit.reporting.outputs import Table, render_text, write_table
from reviewkit.reporting.review_tables import casp_summary, characteristics
from reviewkit.reporting.robplots import parse_weights, summary_bar, traffic_light

from conftest import REPO

NASTY = 'Evil <script>alert("x")</script> & <b>Co</b> 50% of_them {x}'


def _docx_cells(path):
    document = docx.Document(str(path))
    assert len(document.tables) == 1
    return [[c.text for c in row.cells] for row in document.tables[0].rows]


def test_docx_is_a_real_word_table_with_the_right_cells(tmp_path):
    project = find_project(REPO)
    table, _ = casp_summary(project, get_checklist(project, None))
    out = write_table(table, "docx", tmp_path / "table3.docx", project.root)
    cells = _docx_cells(out)
    assert cells[0] == ["Question", "CASP question", "Yes", "No", "Can't tell"]
    assert cells[7] == ["q7", "Have ethical issues been taken into consideration?", "3", "2", "1"]
    assert len(cells) == 11


def test_docx_characteristics_from_cli(tmp_path):
    out = tmp_path / "table4.docx"
    res = run_cli("extraction", "table", "--format", "docx", "-o", str(out), cwd=REPO)
    assert res.returncode == 0, res.stderr
    cells = _docx_cells(out)
    assert cells[0][:3] == ["Study", "Reference", "Type of budget"]
    assert cells[3][0] == "croft-2016" and cells[3][2] == "self-directed support"
    assert cells[5][7] == "none"  # welch-2017 had no service users


def _nasty_project(tmp_path):
    project = mini_project(tmp_path, {"s1": NASTY})
    write(project, "casp/s1/ann.yaml", appraisal_text(all_answers()))
    return project


def test_html_escapes_markup_in_study_data(tmp_path):
    project = _nasty_project(tmp_path)
    write(project, "extraction/s1/ann.yaml", "form: characteristics\nstatus: draft\nvalues:\n"
          "  location: '<img src=x onerror=alert(1)>'\n")
    table, _ = characteristics(project, get_form(project, None))
    assert table.rows == []  # a draft is not tabulated ...
    write(project, "extraction/s1/ann.yaml", (REPO / "extraction/croft-2016/consensus.yaml")
          .read_text("utf-8").replace("US (unidentified)", "<img src=x onerror=alert(1)>"))
    table, _ = characteristics(project, get_form(project, None))
    html = render_text(table, "html", project.root)
    assert "<script>" not in html and "<img" not in html and "<b>Co</b>" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &lt;b&gt;Co&lt;/b&gt;" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert html.count("<tr>") == 2  # header + one study


def test_latex_and_markdown_escape_study_data(tmp_path):
    project = _nasty_project(tmp_path)
    write(project, "extraction/s1/ann.yaml", (REPO / "extraction/croft-2016/consensus.yaml")
          .read_text("utf-8"))
    table, _ = characteristics(project, get_form(project, None))
    tex = render_text(table, "latex", project.root)
    assert r"\& \textless{}b\textgreater{}Co\textless{}/b\textgreater{} 50\% of\_them \{x\}" in tex
    md = render_text(table, "md", project.root)
    assert "Evil &lt;script&gt;" in md and "<script>" not in md and md.count("\n| s1 |") == 1


def test_team_template_overrides_the_packaged_one(tmp_path):
    project = _nasty_project(tmp_path)
    write(project, "templates/tables/casp-summary.html.j2",
          "<ol>{% for row in body %}<li>{{ row[0] }}={{ row[2] }}</li>{% endfor %}</ol>\n")
    table, _ = casp_summary(project, get_checklist(project, None))
    assert render_text(table, "html", project.root).startswith("<ol><li>q1=1</li>")
    # other tables and formats keep the packaged template
    assert render_text(table, "md", project.root).startswith("**CASP")


def _png_size(path):
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", head[16:24])


@pytest.mark.parametrize("kind", ["traffic-light", "summary"])
def test_plots_written_as_svg_and_png(tmp_path, kind):
    project = find_project(REPO)
    checklist = get_checklist(project, None)
    appraisals, _ = final_appraisals(project, checklist)
    stem = tmp_path / kind
    if kind == "traffic-light":
        paths = traffic_light(checklist, appraisals, stem)
    else:
        paths = summary_bar(checklist, appraisals, stem, {"welch-2013": 2.0})
    svg, png = paths
    text = svg.read_text("utf-8")
    assert text.lstrip().startswith("<?xml") and "<svg" in text
    # each answer's colour from the checklist file is drawn
    for colour in ("#2e7d32", "#c62828", "#f9a825"):
        assert colour in text
    width, height = _png_size(png)
    assert width > 600 and height > 300


def test_cli_plot_and_bad_weight(tmp_path):
    res = run_cli("appraisal", "plot", str(tmp_path / "tl"), cwd=REPO)
    assert res.returncode == 0, res.stderr
    assert (tmp_path / "tl.svg").is_file() and (tmp_path / "tl.png").is_file()
    res = run_cli("appraisal", "plot", str(tmp_path / "bar"), "--kind", "summary",
                  "--weight", "welch-2013=heavy", cwd=REPO)
    assert res.returncode == 2
    assert "expected STUDY=WEIGHT with a number, got 'welch-2013=heavy'" in res.stderr
    assert not (tmp_path / "bar.svg").exists()
    res = run_cli("appraisal", "plot", str(tmp_path / "pie"), "--kind", "pie", cwd=REPO)
    assert res.returncode == 2 and "expected traffic-light or summary" in res.stderr
    assert not list(tmp_path.glob("pie*"))


def test_weights_are_study_equals_number():
    assert parse_weights(["welch-2013=2", " croft-2016 = 0.5"]) == {"welch-2013": 2.0,
                                                                   "croft-2016": 0.5}
    for bad in ("welch-2013", "=2", "welch-2013=two"):
        with pytest.raises(ReviewkitError, match="expected STUDY=WEIGHT"):
            parse_weights([bad])


@pytest.mark.parametrize("fmt", ["csv", "md", "docx"])
def test_a_table_that_cannot_be_written_is_one_line_and_no_file(tmp_path, fmt):
    table = Table("t", "T", [("a", "A")], [{"a": 1}])
    blocker = tmp_path / "a-file"
    blocker.write_text("mine", "utf-8")
    for target, says in ((blocker / f"t.{fmt}", "cannot write"), (tmp_path, "is a folder")):
        with pytest.raises(ReviewkitError, match=says) as err:
            write_table(table, fmt, target)
        assert str(err.value).startswith(f"{target}: ")
    assert blocker.read_text("utf-8") == "mine" and sorted(tmp_path.iterdir()) == [blocker]
    write_table(table, fmt, tmp_path / f"t.{fmt}")  # and a good path works
    assert (tmp_path / f"t.{fmt}").stat().st_size > 0


@pytest.mark.parametrize("kind", ["traffic-light", "summary"])
def test_plots_draw_dollar_signs_as_written(tmp_path, kind):
    # two '$' in a label once started TeX math; '$x^$' is bad math and made plotting fail
    project = find_project(REPO)
    checklist = get_checklist(project, None)
    checklist = checklist.model_copy(update={"title": "Costs in $ and $x^$"})
    appraisals, _ = final_appraisals(project, checklist)
    appraisals = [type(a)(**{**a.__dict__, "study": f"{a.study} $^$"}) for a in appraisals]
    draw = traffic_light if kind == "traffic-light" else summary_bar
    svg, png = draw(checklist, appraisals, tmp_path / kind)
    assert "<svg" in svg.read_text("utf-8") and _png_size(png)[0] > 300
