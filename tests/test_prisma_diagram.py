"""The PRISMA 2020 diagram: numbers read back from the SVG equal the counts; the worked
example shows the paper's numbers; without Graphviz the .dot file and a clear message."""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest
import yaml
from hypothesis import HealthCheck, given, settings

from prisma_strategies import consistent_counts, with_unknowns
from reviewkit.reporting.prisma import (
    GraphvizMissing,
    PrismaCounts,
    Sources,
    dot_source,
    draw,
    read_counts_csv,
    render_diagram,
)

from conftest import REPO, shared_path

needs_dot = pytest.mark.skipif(
    shutil.which("dot") is None and importlib.util.find_spec("pygraphviz") is None,
    reason="Graphviz 'dot' not installed (sudo apt-get install graphviz): diagrams not drawn")
SVG = "{http://www.w3.org/2000/svg}"
N = re.compile(r"\(n = ([\d,]+|not reported)\)")


def boxes(svg: bytes | str) -> dict[str, str]:
    """node id -> its text, lines joined by single spaces."""
    root = ET.fromstring(svg)
    out = {}
    for g in root.iter(f"{SVG}g"):
        if g.get("class") == "node":
            lines = [(t.text or "").replace("\u00a0", " ") for t in g.iter(f"{SVG}text")]
            out[g.find(f"{SVG}title").text] = " ".join(" ".join(lines).split())
    return out


def numbers(text: str) -> list[int | None]:
    return [None if m == "not reported" else int(m.replace(",", "")) for m in N.findall(text)]


def expected(c: PrismaCounts) -> dict[str, list[int | None]]:
    """Which box shows which numbers, in order, straight from the counts."""
    def route(s: Sources) -> list[int | None]:
        return [s.value, *(x.n for x in s.sources)]

    e = {"identified": route(c.databases) + route(c.registers),
         "removed": [c.duplicates, c.automation_excluded, c.removed_other],
         "screened": [c.screened],
         "records_excluded": [c.records_excluded, *(x.n for x in c.records_excluded_reasons)],
         "included": [c.included_studies, c.included_reports]}
    columns = [("", c.dbr)] + ([("other_", c.other)] if c.other_flow else [])
    for p, r in columns:
        e |= {f"{p}sought": [r.sought], f"{p}not_retrieved": [r.not_retrieved],
              f"{p}assessed": [r.assessed],
              f"{p}reports_excluded": [x.n for x in r.excluded] or [None]}
    if c.other_column:
        e["other_identified"] = route(c.websites) + route(c.organisations) + route(c.citations) \
            + (route(c.other_methods) if c.other_methods.active else [])
    if c.is_update:
        e["previous"] = [c.previous_studies, c.previous_reports]
        e["total"] = [c.total_studies, c.total_reports]
    return e


@needs_dot
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(consistent_counts().flatmap(with_unknowns))
def test_svg_shows_exactly_the_counts(counts):
    shown = {k: numbers(v) for k, v in boxes(draw(dot_source(counts), "svg")).items()
             if numbers(v)}
    assert shown == expected(counts)


def published() -> tuple[dict, str]:
    """../shared/example/tompkins-2018.yaml; a few of its notes are `key: value` lines inside
    lists (not valid YAML), so those are lifted out as top-level keys."""
    text = shared_path("example/tompkins-2018.yaml").read_text("utf-8")
    kept, notes, in_list = [], {}, False
    for line in text.splitlines():
        m = re.match(r"^  ([A-Za-z_]+):\s*(.*)$", line)
        if in_list and m:
            notes[m[1]] = yaml.safe_load(m[2])
            continue
        if line.startswith("  - "):
            in_list = True
        elif line and not line[0].isspace() and not line.startswith("#"):
            in_list = False
        kept.append(line)
    return yaml.safe_load("\n".join(kept)) | notes, text


def check_example(svg: bytes | str) -> None:
    facts, text = published()
    b = boxes(svg)
    dup = facts["duplicates_removed_databases"] + facts["grey_literature"]["duplicates_removed"]
    assert f"Databases (n = {facts['databases_total']:,})" in b["identified"]
    for s in facts["searches"]:
        name = s["database"] + ("" if s["platform"] == "unknown" else f" ({s['platform']})")
        assert f"{name} (n = {s['records']:,})" in b["identified"]
    assert f"Duplicate records removed† (n = {dup:,})" in b["removed"]  # 1,928 + 6
    assert f"Websites† (n = {facts['grey_literature']['records']:,})" in b["other_identified"]
    assert facts["records_identified_total"] - dup == facts["records_screened"]
    assert b["screened"] == f"Records screened† (n = {facts['records_screened']:,})"
    studies = int(re.search(r"records_included:\s*\d+\s*#\s*from (\d+) studies", text)[1])
    assert b["included"] == (f"Studies included in review (n = {studies}) Reports of included "
                             f"studies (n = {facts['records_included']})")
    assert facts["full_text_assessed"] == "unknown"
    assert b["assessed"] == "Reports assessed for eligibility (n = not reported)"
    assert b["records_excluded"] == "Records excluded** (n = not reported)"
    assert b["head_databases"] == "Identification of studies via databases and registers"
    assert b["head_other"] == "Identification of studies via other methods"
    assert [b[f"phase_{p}"] for p in ("identification", "screening", "included")] == [
        "Identification", "Screening", "Included"]
    assert "websites were de-duplicated and screened together" in b["footnotes"]


def test_committed_example_svg_shows_the_papers_counts():
    check_example((REPO / "docs" / "prisma-example.svg").read_bytes())


@needs_dot
def test_example_rendered_now_matches_the_paper_and_the_committed_svg(tmp_path):
    out = render_diagram(read_counts_csv(REPO / "prisma-counts.csv"), tmp_path / "ex.svg")
    check_example(out.read_bytes())
    assert boxes(out.read_bytes()) == boxes((REPO / "docs" / "prisma-example.svg").read_bytes())


@needs_dot
@pytest.mark.parametrize(("ext", "magic"), [("png", b"\x89PNG"), ("pdf", b"%PDF")])
def test_png_and_pdf(tmp_path, ext, magic):
    out = render_diagram(read_counts_csv(REPO / "prisma-counts.csv"), tmp_path / f"d.{ext}")
    assert out.read_bytes().startswith(magic)
    assert [p.name for p in tmp_path.iterdir()] == [f"d.{ext}"]  # no temp files left


def test_without_graphviz_nothing_is_written_and_the_error_says_how(tmp_path, monkeypatch):
    monkeypatch.setenv("REVIEWKIT_DOT", "no-such-dot-program")
    monkeypatch.setitem(sys.modules, "pygraphviz", None)  # nor the wheel's bundled Graphviz
    with pytest.raises(GraphvizMissing) as err:
        render_diagram(PrismaCounts(screened=5), tmp_path / "d.svg")
    assert list(tmp_path.iterdir()) == []  # an error exit leaves the folder as it was
    assert "apt-get install graphviz" in str(err.value) and "-o " in str(err.value)
    source = render_diagram(PrismaCounts(screened=5), tmp_path / "d.dot").read_text("utf-8")
    assert source.startswith("// PRISMA 2020") and "layout=neato" in source


def test_cli_without_graphviz_exits_2_with_one_line(tmp_path):
    env = {**os.environ, "REVIEWKIT_DOT": "no-such-dot-program"}
    res = subprocess.run([sys.executable, "-c", "import sys; sys.modules['pygraphviz'] = None; "
                          "from reviewkit.cli.main import app; app()", "prisma", "--counts",
                          str(REPO / "prisma-counts.csv"), "-o", "d.png"], cwd=tmp_path,
                         env=env, capture_output=True, text=True, timeout=120)
    assert res.returncode == 2
    (line,) = res.stderr.strip().splitlines()
    assert line.startswith("error: Graphviz's 'dot' program was not found") and "d.dot" in line
    assert sorted(p.name for p in tmp_path.iterdir()) == []


@pytest.mark.skipif(importlib.util.find_spec("pygraphviz") is None, reason="no pygraphviz")
def test_the_wheels_graphviz_keeps_its_warnings_off_the_users_terminal(tmp_path):
    """Without the dot program, pygraphviz draws in-process and Graphviz writes its
    warnings straight to fd 2; they must not reach the terminal (a one-line error
    would become five). The node below always makes Graphviz warn."""
    code = ("from reviewkit.reporting.prisma.render import draw; import sys; "
            "svg = draw('digraph { a [shape=box, fixedsize=true, width=0.1, height=0.1, "
            "label=\"a label far too long for its box\"] }', 'svg'); "
            "sys.stdout.write(svg.decode())")
    env = {**os.environ, "REVIEWKIT_DOT": "no-such-dot-program"}
    res = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                         text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    assert "<svg" in res.stdout and res.stderr == ""
    # the same drawing with fd 2 left alone does warn, so the test can fail
    raw = ("import pygraphviz; pygraphviz.AGraph(string='digraph { a [shape=box, "
           "fixedsize=true, width=0.1, height=0.1, label=\"a label far too long for its "
           "box\"] }').draw(format='svg', prog='neato')")
    warned = subprocess.run([sys.executable, "-c", raw], capture_output=True, text=True,
                            timeout=120)
    assert "too small" in warned.stderr


def test_dot_output_needs_no_graphviz(tmp_path, monkeypatch):
    monkeypatch.setenv("REVIEWKIT_DOT", "no-such-dot-program")
    out = render_diagram(PrismaCounts(), tmp_path / "d.dot")
    text = out.read_text("utf-8")
    assert "Records screened (n = not reported)" in text.replace("\u00a0", " ")
    assert "(n = 0)" not in text.replace("\u00a0", " ")  # unknown is never drawn as 0


def test_other_methods_take_one_path():
    """Screened with the database records (the worked example's websites) or down their
    own column, never both; the root example's citation count is unknown, not a column."""
    from reviewkit.reporting.prisma.diagram import build
    c = read_counts_csv(REPO / "prisma-counts.csv")
    d = build(c)
    ids = {b.id for b in d.boxes}
    assert c.merged_other == ("websites",) and d.merge_from == "other_identified"
    assert not any(f.a == "other_identified" for f in d.flows)
    assert not ids & {"other_sought", "other_not_retrieved", "other_assessed"}
    c.merged_other = ()  # the same routes not screened with the databases: their own column
    d = build(c)
    assert d.merge_from is None and any(
        (f.a, f.b) == ("other_identified", "other_sought") for f in d.flows)
