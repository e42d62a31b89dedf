"""Synthesis outputs: the themes table, the matrix and quotes in every format, the heatmap
(read back from its SVG) and the flowchart (read back from its DOT and SVG)."""

from __future__ import annotations

import csv
import io
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from helpers import run_cli, snapshot
from reviewkit.errors import ReviewkitError
from reviewkit.reporting.outputs import deliver, write_table
from reviewkit.synthesis.codebook import load_codebook
from reviewkit.synthesis.edit import code_text
from reviewkit.synthesis.flowchart import flowchart_bytes
from reviewkit.synthesis.matrix import theme_matrix
from reviewkit.synthesis.outputs import matrix_table, quotes_table
from reviewkit.synthesis.plots import heatmap_files
from reviewkit.synthesis.state import load_synthesis
from reviewkit.synthesis.themes import theme_rows, themes_table
from synthesis_support import synth_project

SVG = "{http://www.w3.org/2000/svg}"
# meta-aggregation: two categories into one synthesised finding; f4 is unsupported
META = """method: meta-aggregation
codes:
  - {id: s1, name: People want a say, parent: null, level: synthesised}
  - {id: c1, name: Choice, parent: s1, level: category}
  - {id: c2, name: Control, parent: s1, level: category}
  - {id: f1, name: Wanted choice, parent: c1, level: finding, credibility: unequivocal}
  - {id: f2, name: Chose services, parent: c1, level: finding, credibility: credible}
  - {id: f4, name: Hearsay about choice, parent: c1, level: finding, credibility: unsupported}
  - {id: f3, name: Control over life, parent: c2, level: finding, credibility: credible}
  - {id: f5, name: Time pressure, parent: c2, level: finding, credibility: unequivocal}
"""


def coded(tmp_path: Path):
    """Three coded segments in study callanan-2012, two in smith-2015 (by hand below)."""
    project = synth_project(tmp_path)
    code_text(project, "callanan-2012-findings", "Participants said they wanted choice.",
              "choice-words", "ann", role="author interpretation")
    code_text(project, "callanan-2012-findings", "I want control over my life", "choice",
              "ann", role="participant quote", page="4")
    code_text(project, "callanan-2012-findings", "Staff felt rushed.", "time", "ann",
              role="author interpretation")
    code_text(project, "b", "Patients wanted choice too.", "choice-words", "bo",
              role="field observation")
    code_text(project, "b", "Nurses described time pressure.", "time", "bo",
              role="participant quote")
    return project


def test_themes_are_the_top_of_the_tree_with_studies_counts_and_quotes(tmp_path):
    syn = load_synthesis(coded(tmp_path))
    rows = {r["code"]: r for r in theme_rows(syn)}
    assert list(rows) == ["autonomy", "time"]  # the codes without a parent
    autonomy, time = rows["autonomy"], rows["time"]
    assert (autonomy["studies"], autonomy["segments"]) == (["callanan-2012", "smith-2015"], 3)
    # the participant quote first; then, of the others, one from a study not yet quoted
    assert autonomy["quotes"] == [
        "“I want control over my life” (participant quote, callanan-2012)",
        "“Patients wanted choice too.” (field observation, smith-2015)"]
    assert (time["studies"], time["segments"]) == (["callanan-2012", "smith-2015"], 2)
    assert time["quotes"][0] == "“Nurses described time pressure.” (participant quote, smith-2015)"
    only = theme_rows(syn, "descriptive")
    assert [(r["code"], r["segments"], r["definition"]) for r in only] == [("choice", 3, "")]
    with pytest.raises(ReviewkitError, match="not a level of thematic"):
        theme_rows(syn, "category")


def test_every_listing_in_every_format(tmp_path):
    """Three formats through the command, the rest through the same writer it calls."""
    import docx

    project = coded(tmp_path)
    root = project.root
    r = run_cli("synthesis", "themes", "-f", "json", cwd=root)
    assert r.returncode == 0, r.stderr
    themes = json.loads(r.stdout)
    assert [t["theme"] for t in themes] == ["Autonomy", "Time pressure"]
    assert themes[0]["segments"] == 3 and themes[0]["studies"] == ["callanan-2012", "smith-2015"]
    r = run_cli("synthesis", "matrix", "-f", "html", cwd=root)
    assert r.returncode == 0, r.stderr
    assert "<td>autonomy</td><td>Autonomy</td><td>analytical</td><td>2</td><td>1</td><td>2</td>" \
        in r.stdout
    r = run_cli("synthesis", "matrix", "-f", "docx", "-o", str(tmp_path / "m.docx"), cwd=root)
    assert r.returncode == 0, r.stderr
    table = docx.Document(str(tmp_path / "m.docx")).tables[0]
    got = [[c.text for c in row.cells] for row in table.rows]
    assert got[0] == ["Code", "Theme", "Level", "callanan-2012", "smith-2015", "Studies"]
    assert ["time", "Time pressure", "code", "1", "1", "2"] in got
    syn = load_synthesis(project)
    rows = {row["code"]: row for row in csv.DictReader(io.StringIO(
        deliver(matrix_table(syn), "csv", None)))}
    assert (rows["autonomy"]["callanan-2012"], rows["autonomy"]["smith-2015"]) == ("2", "1")
    latex = deliver(quotes_table(syn), "latex", None)
    assert r"\begin{" in latex and "I want control over my life" in latex
    assert "| Autonomy | analytical |" in deliver(themes_table(syn), "md", None)
    write_table(quotes_table(syn), "docx", tmp_path / "q.docx")
    quotes = docx.Document(str(tmp_path / "q.docx")).tables[0]
    assert len(quotes.rows) == 1 + 5  # a header and the five coded segments
    assert [c.text for c in quotes.rows[0].cells][-1] == "Segment"


def test_mistakes_are_one_line_exit_2_and_write_nothing(tmp_path):
    project = coded(tmp_path)
    root = project.root
    cases = [(("synthesis", "themes", "-f", "docx"), "needs --output"),
             (("synthesis", "matrix", "--level", "finding"), "not a level of thematic"),
             (("synthesis", "quotes", "-f", "xml"), "unknown --format 'xml'"),
             (("synthesis", "heatmap", "-o", str(root / "h.pdf")), "use .svg or .png"),
             (("synthesis", "flowchart", "-o", str(root / "f.jpg")), "use .svg, .png or .dot"),
             (("synthesis", "quotes", "-f", "table", "-o", str(root / "q.txt")),
              "--format table is for the terminal")]
    before = snapshot(root)
    for args, words in cases:
        r = run_cli(*args, cwd=root)
        lines = r.stderr.strip().splitlines()
        assert r.returncode == 2 and len(lines) == 1 and words in lines[0], (args, r.stderr)
        assert snapshot(root) == before, args


def _svg_groups(svg: bytes, prefix: str) -> dict[tuple[int, int], ET.Element]:
    out = {}
    for g in ET.fromstring(svg).iter(f"{SVG}g"):
        m = re.fullmatch(prefix + r"-(\d+)-(\d+)", g.get("id", ""))
        if m:
            out[int(m.group(1)), int(m.group(2))] = g
    return out


def test_heatmap_cells_and_numbers_are_the_matrix(tmp_path):
    syn = load_synthesis(coded(tmp_path))
    files = heatmap_files(syn)
    assert files == heatmap_files(syn)  # no date, no random ids: the same bytes each time
    assert files["png"].startswith(b"\x89PNG")
    rows, studies = theme_matrix(syn), ["callanan-2012", "smith-2015"]
    cells = _svg_groups(files["svg"], "cell")
    counts = _svg_groups(files["svg"], "count")
    assert set(cells) == set(counts) == {(y, x) for y in range(len(rows))
                                         for x in range(len(studies))}
    for (y, x), g in counts.items():
        assert "".join(g.itertext()).strip() == str(rows[y][studies[x]])
    # an empty cell is white, a coded one is not
    for (y, x), g in cells.items():
        fill = re.search(r"fill: (#[0-9a-f]{6})", ET.tostring(g, encoding="unicode")).group(1)
        assert (fill == "#ffffff") == (rows[y][studies[x]] == 0), (y, x)
    text = " ".join(ET.fromstring(files["svg"]).itertext())
    assert "Autonomy > Wanting choice > Choice" in text  # rows are named by their path
    only = _svg_groups(heatmap_files(syn, "code")["svg"], "count")
    assert {y for y, _ in only} == {0, 1}  # choice-words and time


def test_heatmap_command_writes_the_named_format(tmp_path):
    root = coded(tmp_path).root
    r = run_cli("synthesis", "heatmap", "-o", str(tmp_path / "h.png"), "--level", "code",
                cwd=root)
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "h.png").read_bytes().startswith(b"\x89PNG")
    assert r.stdout.strip() == f"wrote {tmp_path / 'h.png'}"


def _dot_graph(book):
    import pygraphviz

    graph = pygraphviz.AGraph(string=flowchart_bytes(book, "dot").decode("utf-8"))
    return graph, {n: graph.get_node(n).attr["label"] for n in graph.nodes()}


def _svg_titles(svg: bytes) -> tuple[set[str], set[tuple[str, str]]]:
    nodes, edges = set(), set()
    for g in ET.fromstring(svg).iter(f"{SVG}g"):
        title = g.find(f"{SVG}title")
        if g.get("class") == "node":
            nodes.add(title.text)
        elif g.get("class") == "edge":
            edges.add(tuple(title.text.split("->")))
    return nodes, edges


def test_meta_aggregation_flowchart_leaves_unsupported_findings_out(tmp_path):
    project = synth_project(tmp_path, META)
    book = load_codebook(project)
    graph, labels = _dot_graph(book)
    want_nodes = {"s1", "c1", "c2", "f1", "f2", "f3", "f5"}
    want_edges = {("f1", "c1"), ("f2", "c1"), ("f3", "c2"), ("f5", "c2"), ("c1", "s1"),
                  ("c2", "s1")}
    assert set(graph.nodes()) == want_nodes
    assert {tuple(e) for e in graph.edges()} == want_edges
    assert labels["f1"].endswith("\\n(U)") and labels["f2"].endswith("\\n(C)")
    assert labels["s1"] == "People want a say"
    assert "Hearsay about choice" in graph.graph_attr["label"]  # named as left out
    assert _svg_titles(flowchart_bytes(book, "svg")) == (want_nodes, want_edges)
    r = run_cli("synthesis", "flowchart", "-o", str(tmp_path / "f.svg"), cwd=project.root)
    assert r.returncode == 0, r.stderr
    assert "left out (unsupported): f4" in r.stdout
    assert _svg_titles((tmp_path / "f.svg").read_bytes()) == (want_nodes, want_edges)


def test_thematic_flowchart_draws_codes_into_their_themes(tmp_path):
    book = load_codebook(synth_project(tmp_path))
    graph, labels = _dot_graph(book)
    assert set(graph.nodes()) == {"autonomy", "choice", "choice-words", "time"}
    assert {tuple(e) for e in graph.edges()} == {("choice-words", "choice"),
                                                ("choice", "autonomy")}
    assert "label" not in graph.graph_attr or not graph.graph_attr["label"]
    png = flowchart_bytes(book, "png")
    assert png.startswith(b"\x89PNG")


def test_names_are_drawn_as_written_never_as_markup_or_tex(tmp_path):
    from test_synthesis import CODEBOOK

    evil = '<script>x</script> & "q" \\ costs $a_b$'
    project = synth_project(tmp_path, CODEBOOK.replace("name: Autonomy",
                                                       "name: " + json.dumps(evil)))
    code_text(project, "callanan-2012-findings", "wanted choice", "choice-words", "ann")
    syn = load_synthesis(project)
    for svg in (heatmap_files(syn)["svg"], flowchart_bytes(syn.codebook, "svg")):
        assert b"<script" not in svg
        text = "".join(ET.fromstring(svg).itertext())
        assert '<script>x</script> & "q" \\' in text and "$a_b$" in text  # no TeX, no escape


def test_unsupported_findings_support_no_theme(tmp_path):
    project = synth_project(tmp_path, META)
    code_text(project, "callanan-2012-findings", "I want control over my life", "f1", "ann",
              role="participant quote")
    code_text(project, "b", "Nurses described time pressure.", "f4", "bo",
              role="participant quote")
    syn = load_synthesis(project)
    (s1,) = theme_rows(syn)
    assert (s1["code"], s1["studies"], s1["segments"]) == ("s1", ["callanan-2012"], 1)
    assert s1["quotes"] == ["“I want control over my life” (participant quote, callanan-2012)"]
    # the matrix (theme_matrix) counts every code below; its table says so
    assert {r["code"]: r["smith-2015"] for r in theme_matrix(syn)}["s1"] == 1
    assert any("unsupported" in note for note in matrix_table(syn).notes)
