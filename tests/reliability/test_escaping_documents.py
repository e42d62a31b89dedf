"""Project text in report.md, report.html and report.tex is inert and keeps the layout.

A project whose title, question and search log hold markup of every kind is reported;
each document is then read back by a real parser: markdown-it (CommonMark with tables),
html.parser, and pylatexenc's LaTeX tokenizer. Data must come back as characters, never
as elements, links, code, math, macros or extra table cells."""

from __future__ import annotations

import dataclasses
import shutil
import subprocess
from html.parser import HTMLParser

import docx
import pytest
from markdown_it import MarkdownIt
from pylatexenc.latex2text import LatexNodes2Text, MacroTextSpec, get_default_latex_context_db
from pylatexenc.latexwalker import (
    LatexCharsNode,
    LatexEnvironmentNode,
    LatexGroupNode,
    LatexMacroNode,
    LatexSpecialsNode,
    LatexWalker,
)

from helpers import new_project
from reviewkit.project.config import load_config
from reviewkit.reporting.outputs import Table, latex_escape, render_text, write_table
from reviewkit.reporting.report import build_report, report_files
from reviewkit.reporting.report.render import report_environment, table_text
from reviewkit.reporting.tables import md_escape
from reviewkit.searches.log import Search, add_search

PAYLOADS = [
    "<script>alert(1)</script>", "a & b", "50% off", "snake_case", "{braces}",
    "back\\slash", "$x$", "a|b", "`code`", "~^#",
    '<img src=x onerror="alert(\'a long enough payload to pass the tag stripper\')">',
    "[link](javascript:alert(1))", "**bold** _em_ ~~gone~~", "- item", "# heading",
    "1. first", "+ plus", "> quote", "&lt;b&gt; &amp;", "<br>", "a\nb", "x [opt] y",
    "[start", "|lead|", "trailing\\", "==", "    four spaces", "'' `` -- ---",
    "β-blockers in ≥ 65 years (α = 0.05, 你好)",  # pdflatex has no glyph for some
]
MD = MarkdownIt("commonmark").enable("table").enable("strikethrough")
TABLE_TITLES = {"Searches (PRISMA-S)", "Numbers in the PRISMA 2020 flow diagram"}


@pytest.fixture(scope="module")
def documents(tmp_path_factory):
    """report.md, report.html and report.tex of a project full of markup."""
    project, store = new_project(tmp_path_factory.mktemp("docs"))
    for i, text in enumerate(PAYLOADS):
        add_search(project, Search(id=f"s{i:02d}", database=f"{text} db", platform=text,
                                   coverage=text, limits=text, hits=i,
                                   search_string=f"{text}\n#1 {text}"))
    config = project.root / "reviewkit.toml"  # the review's own title and question too
    config.write_text(config.read_text("utf-8").replace(
        'title = "Test review"', 'title = "Title <script>alert(1)</script> & $x$ | `c` #"'),
        "utf-8")
    project = dataclasses.replace(project, config=load_config(project.root))
    report = build_report(project, store)
    files = report_files(report, project.root)
    return {"md": files["report.md"].decode(), "html": files["report.html"].decode(),
            "latex": files["report.tex"].decode(), "files": files,
            "has_diagram": report.diagram.has("svg")}


# Markdown ------------------------------------------------------------------------

def md_cells(text: str) -> list[list[tuple[str, str]]]:
    """Every table of the document as rows of (tag, rendered inline text)."""
    rows, row, cell = [], None, None
    for tok in MD.parse(text):
        if tok.type == "tr_open":
            row = []
        elif tok.type == "tr_close":
            rows.append(row)
        elif tok.type in ("th_open", "td_open"):
            cell = tok.tag
        elif tok.type == "inline" and cell is not None:
            row.append((cell, inline_text(tok)))
            cell = None
    return rows


def inline_text(tok) -> str:
    """What a reader sees: text, with <br> as a line break; anything else is marked."""
    out = []
    for child in tok.children or []:
        if child.type == "text":
            out.append(child.content)
        elif child.type == "html_inline" and child.content == "<br>":
            out.append("\n")
        elif child.type in ("softbreak", "hardbreak"):
            out.append(" ")
        else:
            out.append(f"<<{child.type}>>")
    return "".join(out)


def test_markdown_has_no_html_links_or_code_from_data(documents):
    tokens = MD.parse(documents["md"])
    assert "html_block" not in {tok.type for tok in tokens}
    inline = [c for tok in tokens for c in tok.children or []]
    raw = [c.content for c in inline if c.type == "html_inline"]
    assert set(raw) == {"<br>"}  # reviewkit's own line breaks in cells, nothing else
    assert not {c.type for c in inline} & {"code_inline", "s_open"}
    # the template's own links, picture and emphasis only
    assert {c.attrs.get("href") for c in inline if c.type == "link_open"} == {
        "prisma.png", "prisma.pdf", "prisma.dot"} or not documents["has_diagram"]
    assert {c.attrs.get("src") for c in inline if c.type == "image"} <= {"prisma.svg"}
    emphasised = [inline.index(c) for c in inline if c.type in ("em_open", "strong_open")]
    assert {inline[i + 1].content for i in emphasised} <= {
        "Review question:", "Generated by reviewkit 0.1.0 from the project's files.",
        *TABLE_TITLES}


def test_markdown_tables_keep_their_cells_and_show_data_as_written(documents):
    rows = md_cells(documents["md"])
    searches = [r for r in rows if len(r) == 9]  # the PRISMA-S table: nine columns
    shown = {r[0][1] for r in searches if r[0][0] == "td"}
    assert {f"{p} db".lstrip(" ") for p in PAYLOADS} <= shown  # a cell's spaces are trimmed
    platforms = {r[2][1] for r in searches if r[0][0] == "td"}
    assert {p.lstrip(" ") for p in PAYLOADS} <= platforms
    for table_row in rows:  # no row of any table gained or lost a cell
        assert all(tag == table_row[0][0] for tag, _ in table_row)


SECTIONS = {"Methods", "PRISMA 2020 flow diagram", "Searches", "Deduplication", "Screening",
            "Notes", "Appendix: search strings", "Counts that do not add up"}


def test_markdown_prose_headings_and_code_show_data_as_written(documents):
    tokens = MD.parse(documents["md"])
    headings = [inline_text(tokens[i + 1]) for i, t in enumerate(tokens)
                if t.type == "heading_open"]
    assert headings[0] == "Title <script>alert(1)</script> & $x$ | `c` #"
    names = [f"{p} db ({p})".lstrip(" ") for p in PAYLOADS]
    # the appendix heads each search string with its source; no payload made a heading
    assert sorted(h for h in headings[1:] if h not in SECTIONS) == sorted(names)
    kinds = {t.type for t in tokens}
    assert not kinds & {"ordered_list_open", "blockquote_open", "code_block", "hr"}
    fences = [t.content for t in tokens if t.type == "fence"]
    assert sorted(fences) == sorted(f"{p}\n#1 {p}\n" for p in PAYLOADS)


def test_markdown_escape_round_trips_every_payload_in_a_cell():
    for p in PAYLOADS:
        src = f"| h | k |\n|---|---|\n| {md_escape(p)} | z |\n"
        assert md_cells(src)[1] == [("td", p.strip(" ")), ("td", "z")], p


def test_markdown_escape_at_the_start_of_a_line_opens_no_block():
    for p in PAYLOADS:
        tokens = MD.parse(md_escape(p) + "\n")
        assert [t.type for t in tokens] == ["paragraph_open", "inline", "paragraph_close"], p
        assert inline_text(tokens[1]) == p.lstrip(" "), p


# HTML ----------------------------------------------------------------------------

class Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))

    def handle_data(self, data):
        self.text.append(data)


def test_html_has_no_script_image_or_handler_from_data(documents):
    page = Elements()
    page.feed(documents["html"])
    names = {t for t, _ in page.tags}
    assert not names & {"script", "img", "iframe", "object", "embed", "style", "link"} - {
        "style"}  # the page's own <style> is in <head>, before any data
    assert [t for t, _ in page.tags].count("style") == 1
    assert not [a for _, attrs in page.tags for a, _ in attrs if a.startswith("on")]
    links = [dict(attrs).get("href") for t, attrs in page.tags if t == "a"]
    assert all(h.startswith("#") for h in links)  # only the page's own contents links
    text = "".join(page.text)
    for p in PAYLOADS:
        assert f"{p} db" in text, p


# LaTeX ---------------------------------------------------------------------------

# Each macro the escaper may write, with the one character it stands for; the text
# must come back from the tokens alone.
SYMBOLS = {"textbackslash": "\\", "textasciitilde": "~", "textasciicircum": "^",
           "textless": "<", "textgreater": ">", "textbar": "|", "textasciigrave": "`",
           "newline": "\n", "pounds": "£", "&": "&", "%": "%", "$": "$", "#": "#",
           "_": "_", "{": "{", "}": "}"}


def decoder() -> LatexNodes2Text:
    db = get_default_latex_context_db()
    db.add_context_category("reviewkit-test", prepend=True, macros=[
        MacroTextSpec(name, simplify_repl=char.replace("%", "%%"))
        for name, char in SYMBOLS.items()])
    return LatexNodes2Text(latex_context=db, math_mode="verbatim", strict_latex_spaces=True)


def data_nodes_are_characters(nodes) -> None:
    """Only plain characters, the symbol macros above, and braces holding a bracket
    (or nothing: the end of a symbol macro)."""
    for node in nodes:
        if isinstance(node, LatexCharsNode):
            continue
        if isinstance(node, LatexMacroNode):
            assert node.macroname in SYMBOLS, node.macroname
            assert node.nodeargd is None or not any(node.nodeargd.argnlist), node.macroname
            continue
        assert isinstance(node, LatexGroupNode), type(node).__name__
        inner = "".join(n.chars for n in node.nodelist if isinstance(n, LatexCharsNode))
        assert len(node.nodelist) <= 1 and inner in ("", "[", "]"), node.latex_verbatim()


@pytest.mark.parametrize("payload", PAYLOADS)
def test_latex_escape_gives_characters_never_macros_or_specials(payload):
    tex = latex_escape(payload)
    nodes, _, _ = LatexWalker(tex, tolerant_parsing=False).get_latex_nodes()
    data_nodes_are_characters(nodes)  # no specials (& ~ -- ''), math, environments
    assert decoder().nodelist_to_text(nodes) == payload.strip("\n")


def longtables(nodes):
    for node in nodes:
        if isinstance(node, LatexEnvironmentNode):
            if node.environmentname == "longtable":
                yield node
            yield from longtables(node.nodelist)
        elif isinstance(node, LatexGroupNode):
            yield from longtables(node.nodelist)


def test_latex_report_tables_keep_their_columns(documents):
    nodes, _, _ = LatexWalker(documents["latex"], tolerant_parsing=False).get_latex_nodes()
    tables = list(longtables(nodes))
    assert len(tables) >= 2
    for table in tables:
        cells_per_row, row = [], []
        for node in table.nodelist[1:]:  # [0] is the column spec
            if isinstance(node, LatexMacroNode) and node.macroname == "\\":
                if not any(getattr(n, "macroname", "") == "caption" for n in row):
                    cells_per_row.append(1 + sum(
                        isinstance(n, LatexSpecialsNode) and n.specials_chars == "&"
                        for n in row))
                row = []
            else:
                row.append(node)
        assert len(set(cells_per_row)) == 1, cells_per_row  # no data cell made a new column


def test_latex_report_holds_every_payload_escaped(documents):
    tex = documents["latex"]
    for p in PAYLOADS:
        assert latex_escape(f"{p} db") in tex, p
    assert r"\title{Title \textless{}script\textgreater{}alert(1)" in tex
    assert r"\textasciigrave{}c\textasciigrave{} \#}" in tex


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex is not installed "
                    "(Debian: texlive-latex-base texlive-latex-recommended)")
def test_report_tex_compiles_with_pdflatex(documents, tmp_path):
    for name, data in documents["files"].items():
        (tmp_path / name).write_bytes(data)
    done = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error",
                           "-no-shell-escape", "report.tex"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=300)
    log = (tmp_path / "report.log").read_text("utf-8", "replace")
    assert done.returncode == 0, [line for line in log.splitlines() if line.startswith("!")]
    assert (tmp_path / "report.pdf").stat().st_size > 1000


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex is not installed")
def test_table_latex_with_markup_in_title_header_and_notes_compiles(tmp_path):
    """Both table templates (the report's longtable and the plain tabular), with data in
    the caption, the header, every cell (first cells start with '[') and the notes. ASCII
    only: a table alone goes into the team's own document, with its own preamble."""
    ascii_only = [p for p in PAYLOADS if p.isascii()]
    table = Table("t", " ".join(ascii_only) + "\nsecond", [("a", "A [x]"), ("b", "B\nb")],
                  [{"a": p, "b": p} for p in ascii_only], notes=ascii_only)
    body = table_text(table, "latex", report_environment(None)) + render_text(table, "latex")
    (tmp_path / "t.tex").write_text(
        "\\documentclass{article}\\usepackage[T1]{fontenc}\\usepackage{array,longtable}\n"
        "\\begin{document}\n" + body + "\\end{document}\n", "utf-8")
    done = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error",
                           "-no-shell-escape", "t.tex"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=300)
    log = (tmp_path / "t.log").read_text("utf-8", "replace")
    assert done.returncode == 0, [line for line in log.splitlines() if line.startswith("!")]


def test_table_formats_show_a_cell_once_and_escaped():
    table = Table("t", "Ti<b>tle", [("a", "A|b"), ("b", "B")],
                  [{"a": p, "b": "z"} for p in PAYLOADS])
    md = render_text(table, "md")
    assert len(md_cells(md)) == len(PAYLOADS) + 1
    assert [r[0][1] for r in md_cells(md)[1:]] == [p.lstrip(" ") for p in PAYLOADS]
    page = Elements()
    page.feed(render_text(table, "html"))
    assert {t for t, _ in page.tags} <= {"table", "caption", "thead", "tbody", "tr", "th", "td"}


def test_word_documents_take_control_characters_in_data(tmp_path):
    table = Table("t", "Title\x00 with NUL", [("a", "A\x0b")],
                  [{"a": "vertical\x0btab"}, {"a": "nul\x00byte \u2028line"}])
    path = tmp_path / "t.docx"
    write_table(table, "docx", path)  # python-docx used to refuse the whole file
    document = docx.Document(str(path))
    cells = [c.text for t in document.tables for r in t.rows for c in r.cells]
    assert cells == ["A", "verticaltab", "nulbyte \u2028line"]
    assert document.paragraphs[0].text == "Title with NUL"
