"""Format detection goes by the file's structure, not by whichever line matches first."""

from __future__ import annotations

import time

import pytest

from reviewkit.errors import ReviewkitError
from reviewkit.io import parse_bytes, read_file
from reviewkit.io.detect import detect

from conftest import export_file

RIS_BLOCK = "TY  - JOUR\nTI  - Not a record\nER  - \n"


def test_csv_with_a_ris_line_in_an_abstract_stays_csv(tmp_path):
    # a real Embase CSV whose first abstract (a quoted cell) quotes a RIS record
    text = export_file("csv/embase-com_asreview.csv").read_text("utf-8")
    opening = ',"Gastrointestinal tract duplication cysts'
    assert text.count(opening) == 1
    text = text.replace(opening, opening + "\n" + RIS_BLOCK)
    path = tmp_path / "embase.csv"
    path.write_text(text, "utf-8")
    parsed = read_file(path)
    assert (parsed.format, parsed.dialect, len(parsed.records)) == ("csv", "embase_com", 6)
    assert parsed.records[0].abstract.startswith(
        "Gastrointestinal tract duplication cysts TY - JOUR TI - Not a record")


def test_bibtex_with_a_ris_line_in_a_field_stays_bibtex(tmp_path):
    text = export_file("bibtex/scopus_synthesisr.bib").read_text("utf-8")
    text = text.replace("abstract={Introduction:", "abstract={Introduction:\n" + RIS_BLOCK, 1)
    assert RIS_BLOCK in text
    path = tmp_path / "scopus.bib"
    path.write_text(text, "utf-8")
    parsed = read_file(path)
    assert (parsed.format, len(parsed.records)) == ("bibtex", 3)
    assert parsed.records[0].abstract.startswith("Introduction: TY - JOUR TI - Not a record")


@pytest.mark.parametrize("line", ["PMID- 12345", "PT J", "<1. >", "@article{x,"])
def test_other_formats_openings_inside_a_csv_cell_do_not_win(line):
    text = f'Title,Abstract\n"A study","Methods:\n{line}\nER\nmore"\n'
    assert detect(text, "x.csv") == "csv"


def test_bibtex_entry_before_a_quoted_medline_line_is_bibtex():
    text = "@article{k,\n title = {A study},\n note = {\nPMID- 123\n}\n}\n"
    assert detect(text, "x.bib") == "bibtex"


@pytest.mark.parametrize(("relative", "fmt"), [
    ("ris/apa-psycnet-psycinfo-anonymised_colrev.ris", "ris"),  # 3 header lines before TY
    ("ris/pubmed-via-endnote_asreview.txt", "ris"),  # starts with an empty line
    ("wos-plaintext/wos-plaintext-with-ris-extension_rispy.ris", "wos"),
    ("csv/pubmed-anonymised_colrev.csv", "csv"),  # BOM + CRLF
    ("bibtex/wos-anonymised_colrev.bib", "bibtex"),  # BOM
])
def test_real_files_with_a_preamble_or_bom_still_detected(relative, fmt):
    assert read_file(export_file(relative)).format == fmt


def test_ris_after_a_long_preamble_is_found():
    text = "search notes\n" * 3000 + RIS_BLOCK
    assert len(text) > 20000
    assert detect(text, "x.txt") == "ris"


def test_unrecognised_text_names_its_first_line():
    with pytest.raises(ReviewkitError) as err:
        detect("\n\nhello, world\n", "x.txt")
    assert str(err.value).startswith("x.txt:1: unrecognised export format (first line: "
                                     "'hello, world')")


def test_utf16_text_holding_nul_characters_is_refused_as_binary():
    data = "TY  - JOUR\nTI  - x\x00y\nER  - \n".encode("utf-16")
    with pytest.raises(ReviewkitError, match=r"^f.ris:2: binary data \(UTF-16 NUL"):
        parse_bytes(data, "f.ris")


def test_a_head_of_blank_lines_is_scanned_in_linear_time():
    # found by fuzzing: the BibTeX pattern's \s* re-scanned the blank run from every
    # line start (20,000 blank lines took 1.4 s to detect; now milliseconds)
    detect("\n" * 100 + RIS_BLOCK, "warm.txt")
    started = time.monotonic()
    with pytest.raises(ReviewkitError):
        detect("\n" * 20000 + "x\n", "blank.txt")
    assert time.monotonic() - started < 0.5
    assert detect("\n\n  @article{k,\n title={t}}\n", "lead.bib") == "bibtex"
