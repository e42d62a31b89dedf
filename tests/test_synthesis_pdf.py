"""PDF sources: the text layer through pypdf, page starts recorded, page_at looks them up.

Test PDFs are drawn here with matplotlib's PDF backend (TrueType text, so the
text layer is real); a "scanned" PDF is one page holding only an image.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers import new_project, run_cli, snapshot
from reviewkit.errors import ReviewkitError
from reviewkit.synthesis.edit import code_text
from reviewkit.synthesis.sources import (
    add_source,
    get_source,
    load_sources,
    page_at,
    source_text,
)
from synthesis_support import STUDIES

PAGES = ["Staff felt uneasy about budgets.", "One said I want control over my life.",
         "Carers described time pressure.", "Budgets gave people choice."]


def draw_pdf(path: Path, pages: list[str] | None, image_only: bool = False) -> Path:
    import matplotlib

    matplotlib.use("agg")
    import matplotlib.pyplot as plt
    from matplotlib.backends.backend_pdf import PdfPages

    with plt.rc_context({"pdf.fonttype": 42}), PdfPages(path) as pdf:
        for words in pages or [""]:
            fig = plt.figure(figsize=(4, 3))
            if image_only:
                fig.figimage([[0.0, 1.0], [1.0, 0.0]], xo=10, yo=10)
            else:
                fig.text(0.05, 0.5, words)
            pdf.savefig(fig)
            plt.close(fig)
    return path


@pytest.fixture
def project(tmp_path: Path):
    project, store = new_project(tmp_path)
    store.close()
    (project.root / "studies.toml").write_text(STUDIES, "utf-8")
    from reviewkit.screening.reviewers import add_reviewer

    add_reviewer(project, "ann")
    (project.root / "synthesis").mkdir(exist_ok=True)
    (project.root / "synthesis" / "codebook.yaml").write_text(
        "method: thematic\ncodes:\n  - {id: time, name: Time, parent: null, level: code}\n",
        "utf-8")
    return project


def test_pdf_text_layer_with_page_starts(project, tmp_path: Path) -> None:
    pdf = draw_pdf(tmp_path / "Report.pdf", PAGES)
    from reviewkit.synthesis.sources import add_source

    src = add_source(project, pdf, "smith-2015")
    assert src.file == "synthesis/sources/report.txt"
    text = source_text(project, get_source(project, "report"))
    # every page's words, in order, each page its own line
    assert text.splitlines() == PAGES
    stored = load_sources(project)[0]
    assert stored.page_labels == ("1", "2", "3", "4")
    assert [text[a:].split("\n")[0] for a in stored.page_starts] == PAGES
    for n, words in enumerate(PAGES, start=1):
        at = text.index(words)
        assert page_at(stored, at) == str(n)
        assert page_at(stored, at + len(words) - 1) == str(n)


def test_pages_option_takes_a_range_and_labels_follow(project, tmp_path: Path) -> None:
    pdf = draw_pdf(tmp_path / "r.pdf", PAGES)
    from reviewkit.synthesis.sources import add_source

    add_source(project, pdf, "smith-2015", pages="2-3")
    src = load_sources(project)[0]
    text = source_text(project, src)
    assert text.splitlines() == PAGES[1:3]
    assert src.page_labels == ("2", "3")
    assert page_at(src, text.index("Carers")) == "3"
    assert page_at(src, 0) == "2"


def test_page_at_is_empty_for_a_text_source(project, tmp_path: Path) -> None:
    from reviewkit.synthesis.sources import add_source

    (tmp_path / "a.txt").write_text("plain words\n", "utf-8")
    src = add_source(project, tmp_path / "a.txt", "smith-2015")
    assert page_at(src, 3) == ""


def test_cli_adds_a_pdf_and_code_works_on_its_text(project, tmp_path: Path) -> None:
    pdf = draw_pdf(tmp_path / "r.pdf", PAGES)
    r = run_cli("synthesis", "source", "add", str(pdf), "--study", "smith-2015", "--pages",
                "3", cwd=project.root)
    assert r.returncode == 0, r.stderr
    seg = code_text(project, "r", "time pressure", "time", "ann")
    assert page_at(get_source(project, "r"), seg["start"]) == "3"
    assert seg["page"] == "3"  # filled in when coded; a page given by hand wins
    assert code_text(project, "r", "Carers", "time", "ann", page="p. 12")["page"] == "p. 12"


@pytest.mark.parametrize("pages,words", [("0-2", "not within 1-4"), ("3-9", "not within"),
                                         ("x", "give N or N-M"), ("3-2", "not within")])
def test_bad_page_ranges_are_refused(project, tmp_path: Path, pages: str, words: str) -> None:
    from reviewkit.synthesis.sources import add_source

    pdf = draw_pdf(tmp_path / "r.pdf", PAGES)
    before = snapshot(project.root)
    with pytest.raises(ReviewkitError, match=words):
        add_source(project, pdf, "smith-2015", pages=pages)
    assert snapshot(project.root) == before


def test_scanned_pdf_is_one_line_naming_the_file(project, tmp_path: Path) -> None:
    pdf = draw_pdf(tmp_path / "scan.pdf", ["", ""], image_only=True)
    before = snapshot(project.root)
    r = run_cli("synthesis", "source", "add", str(pdf), "--study", "smith-2015",
                cwd=project.root)
    assert r.returncode == 2
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "scan.pdf" in lines[0] and "OCR it first" in lines[0], r.stderr
    assert snapshot(project.root) == before


def test_damaged_pdf_and_pages_on_text_are_refused(project, tmp_path: Path) -> None:
    from reviewkit.synthesis.sources import add_source

    bad = tmp_path / "bad.pdf"
    bad.write_bytes(b"%PDF-1.4\nthis is not a pdf body\n")
    before = snapshot(project.root)
    with pytest.raises(ReviewkitError, match="cannot read as PDF|no text layer"):
        add_source(project, bad, "smith-2015")
    (tmp_path / "a.txt").write_text("words\n", "utf-8")
    with pytest.raises(ReviewkitError, match="for a PDF only"):
        add_source(project, tmp_path / "a.txt", "smith-2015", pages="2")
    assert snapshot(project.root) == before


def test_bad_page_fields_in_sources_toml_name_the_line(project, tmp_path: Path) -> None:
    from reviewkit.synthesis.sources import add_source

    add_source(project, draw_pdf(tmp_path / "r.pdf", PAGES[:2]), "smith-2015")
    path = project.root / "synthesis" / "sources.toml"
    text = path.read_text("utf-8")
    path.write_text(text.replace('page_labels = ["1", "2"]', 'page_labels = ["1"]'), "utf-8")
    with pytest.raises(ReviewkitError, match="1 page labels for 2 page starts") as err:
        load_sources(project)
    assert err.value.line == text.count("\n", 0, text.index("page_labels")) + 1


def test_the_terminal_coder_fills_the_page_of_a_pdf_source(project, tmp_path: Path) -> None:
    from reviewkit.synthesis.session import open_session

    pdf = draw_pdf(tmp_path / "r.pdf", PAGES)
    add_source(project, pdf, "smith-2015", "r")
    session = open_session(project, "ann", "r")
    at = session.text.index("Carers")
    session.cursor = at
    session.select("sentence")
    [seg, _] = session.apply("time")
    assert seg["page"] == "3" == page_at(get_source(project, "r"), at)


def test_a_truncated_pdf_is_one_line_without_the_parsers_notes(project, tmp_path: Path) -> None:
    whole = draw_pdf(tmp_path / "whole.pdf", ["Carers wanted choice."]).read_bytes()
    cut = tmp_path / "cut.pdf"
    cut.write_bytes(whole[: len(whole) // 2])  # no xref, no %%EOF: pypdf logs on its way
    r = run_cli("synthesis", "source", "add", str(cut), "--study", "smith-2015",
                cwd=project.root)
    assert r.returncode == 2
    assert r.stderr.strip().splitlines() == [r.stderr.strip()]
    assert r.stderr.startswith(f"error: {cut}: ") and "EOF marker" not in r.stderr


def test_an_unknown_page_label_adds_no_empty_page_to_a_quote(project, tmp_path: Path) -> None:
    import io
    import xml.etree.ElementTree as ET
    import zipfile

    import pypdf

    from reviewkit.synthesis.outputs import quotes_table
    from reviewkit.synthesis.refi.write import project_qdpx
    from reviewkit.synthesis.state import load_synthesis

    writer = pypdf.PdfWriter(clone_from=str(draw_pdf(tmp_path / "r.pdf", PAGES)))
    writer.set_page_label(0, 1, prefix="")  # no numbering style, no prefix: no label
    writer.set_page_label(2, 3, style="/D")
    writer.write(str(tmp_path / "labels.pdf"))
    src = add_source(project, tmp_path / "labels.pdf", "smith-2015")
    assert get_source(project, src.id).page_labels == ("", "", "1", "2")
    code_text(project, src.id, "Staff felt", "time", "ann", role="participant quote")
    code_text(project, src.id, "One said", "time", "ann")
    code_text(project, src.id, "Carers", "time", "ann", role="participant quote")
    syn = load_synthesis(project)
    assert [(r["text"], r["role"], r["page"]) for r in quotes_table(syn).rows] == [
        ("Staff felt", "participant quote", ""), ("One said", "", ""),
        ("Carers", "participant quote", "1")]
    qde = zipfile.ZipFile(io.BytesIO(project_qdpx(project)[0])).read("project.qde")
    about = {s.get("name"): s.findtext("{urn:QDA-XML:project:1.0}Description")
             for s in ET.fromstring(qde).iter("{urn:QDA-XML:project:1.0}PlainTextSelection")}
    assert about == {"Staff felt": "role: participant quote", "One said": None,
                     "Carers": "role: participant quote; page: 1"}
