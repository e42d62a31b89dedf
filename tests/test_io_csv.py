"""CSV reader: Scopus, Embase.com and PubMed exports, generic CSVs and column mappings."""

from __future__ import annotations

import time

import pytest

from reviewkit.errors import ReviewkitError
from reviewkit.io import csv as csv_reader
from reviewkit.io.text import decode

from conftest import export_file, shared_path

SCOPUS = "csv/scopus_bibliometrix.csv"
EMBASE = "csv/embase-com_asreview.csv"
PUBMED = "csv/pubmed-anonymised_colrev.csv"
KWOK = "data/screening/Kwok_2020.csv"


def text_of(path) -> str:
    return decode(path.read_bytes(), str(path))[0]


def load(relative: str):
    path = export_file(relative)
    return csv_reader.read(text_of(path), str(path))


@pytest.mark.parametrize(("relative", "count", "dialect"),
                         [(SCOPUS, 8, "scopus"), (EMBASE, 6, "embase_com"), (PUBMED, 1, "pubmed")])
def test_record_counts_match_manifest(relative, count, dialect):
    name, records = load(relative)
    assert name == dialect
    assert len(records) == count
    assert [r.position for r in records] == list(range(1, count + 1))


def test_scopus_spot_check():
    _, records = load(SCOPUS)
    first, second = records[0], records[1]
    assert first.title == ("Quantitative analysis of studies that use artificial intelligence "
                           "on spinal diseases: A bibliometric analysis")
    assert first.year == 2026
    assert first.doi == "10.1177/20552076261415846"
    assert first.journal == "Digital Health"
    assert first.journal_abbrev == "Digit. Health"
    assert first.issn == ["2055-2076"]
    assert first.accession == {"scopus": "2-s2.0-105030721984"}
    assert first.keywords == ["Artificial intelligence", "bibliometrics", "citeSpace",
                              "spinal diseases", "VOSviewer"]
    assert (first.type, first.language, first.database) == ("Article", "English", "Scopus")
    assert (second.volume, second.issue, second.pages) == ("109", "2", "307-319")
    assert second.pmid == "41494690"
    assert first.pmid == ""  # 'PubMed ID' is "NA" there
    assert records[7].doi == "10.1097/md.0000000000046229"


def test_scopus_author_full_names_lose_embedded_ids():
    _, records = load(SCOPUS)
    assert records[0].authors == ["Liu, Fengyuan", "Li, Chunyun", "Liu, Yong", "Li, Yufei"]
    raw = dict(records[0].raw)
    assert raw["Author full names"].startswith("Liu, Fengyuan (60410297700);")
    assert raw["Authors"] == "Liu F.; Li C.; Liu Y.; Li Y."  # ';'-separated short form kept


def test_scopus_45_columns_and_long_cells_kept_raw():
    path = export_file(SCOPUS)
    text = text_of(path)
    assert text.split("\n", 1)[0].count('","') == 44  # 45 quoted columns
    _, records = csv_reader.read(text, str(path))
    # newline-free rows: one physical line each, however long the References cell
    assert [r.line for r in records] == list(range(2, 10))
    assert all(len(dict(r.raw)["References"]) > 4000 for r in records)
    assert next(iter(records[0].raw)) == ("Authors", "Liu F.; Li C.; Liu Y.; Li Y.")


def test_embase_spot_check_and_packed_source():
    _, records = load(EMBASE)
    first = records[0]
    assert first.title == ("Duplication cysts: Diagnosis, management, and the role of "
                           "endoscopic ultrasound")
    assert first.abstract.startswith("Gastrointestinal tract duplication cysts are rare")
    # Source = "Endoscopic Ultrasound (2014) 3:3 (152-160). Date of Publication: 2014"
    assert (first.journal, first.year, first.volume, first.issue, first.pages) == (
        "Endoscopic Ultrasound", 2014, "3", "3", "152-160")
    assert first.database == "Embase"
    third = records[2]  # "... (2019) 54 (83-86)": no issue
    assert (third.journal, third.volume, third.issue, third.pages) == (
        "International Journal of Surgery Case Reports", "54", "", "83-86")


def test_embase_doi_and_issn_from_link_resolver_url():
    _, records = load(EMBASE)
    assert [r.doi for r in records[:2]] == ["10.4103/2303-9027.138783", "10.1002/cncr.20369"]
    assert records[1].issn == ["0008-543X"]


def test_embase_comma_separated_authors():
    _, records = load(EMBASE)
    assert records[0].authors == ["Liu R.", "Adler D.G."]
    assert records[1].authors == ["Eloubeidi M.A.", "Cohn M.", "Cerfolio R.J.", "Chhieng D.C.",
                                  "Jhala N.", "Jhala D.", "Eltoum I.A."]


def test_embase_emtree_terms_split_outside_parentheses():
    _, records = load(EMBASE)
    assert "bronchogenic duplication cyst (diagnosis, surgery)" in records[0].keywords
    assert "surgery)" not in records[0].keywords


def test_pubmed_bom_crlf_header_detected():
    path = export_file(PUBMED)
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbfPMID,") and b"\r\n" in data
    name, records = csv_reader.read(text_of(path), str(path))
    assert name == "pubmed"
    rec = records[0]
    assert (rec.title, rec.pmid, rec.accession) == ("Paper title", "11223344",
                                                     {"pmid": "11223344"})
    assert rec.line == 2
    assert rec.raw[0] == ("PMID", "11223344")  # no BOM glued to the first header


def test_pubmed_authors_and_citation():
    _, records = load(PUBMED)
    rec = records[0]
    assert rec.authors == ["Smith A", "Walter B"]
    assert rec.abstract == ""  # PubMed's CSV has no abstract column
    assert (rec.journal, rec.year, rec.doi) == ("Nature", 2021, "10.1111/nature1111")
    # "Nature. 2021 Dec 21;1(2):10-11. doi: ..."
    assert (rec.volume, rec.issue, rec.pages) == ("1", "2", "10-11")
    assert ("NIHMS ID", "") not in rec.raw  # empty cells are not raw pairs


def test_generic_screening_dataset_without_mapping():
    path = shared_path(KWOK)
    name, records = csv_reader.read(text_of(path), str(path))
    assert name == ""
    assert len(records) == 2304
    assert records[0].title == ("Detection and genotyping of bovine diarrhea virus by reverse "
                                "transcription-polymerase chain amplification of the 5' "
                                "untranslated region")
    assert records[-1].title.startswith("Characterization of monoclonal antibodies against "
                                        "feline infectious peritonitis virus type II")
    assert all(r.abstract for r in records)  # MANIFEST: no missing abstracts
    assert [k for k, _ in records[0].raw] == ["record_id", "title", "abstract", "label_included"]
    assert (records[0].line, records[-1].line) == (2, 2305)


def test_generic_screening_dataset_semicolon_authors():
    path = shared_path("data/screening/Cohen_2006_Antihistamines.csv")
    _, records = csv_reader.read(text_of(path), str(path))
    assert len(records) == 310
    assert records[0].title == "Fexofenadine."
    assert records[0].authors == ["Markham, A", "Wagstaff, A J"]
    assert records[0].year == 1998


def test_generic_headers_any_case():
    text = ("TITLE,Abstract,Authors,Year,DOI\n"
            "A study,Some text,\"Doe, J; Roe, R\",2019,https://doi.org/10.1000/XYZ\n")
    name, records = csv_reader.read(text, "g.csv")
    rec = records[0]
    assert name == ""
    assert (rec.title, rec.abstract, rec.year, rec.doi) == ("A study", "Some text", 2019,
                                                             "10.1000/xyz")
    assert rec.authors == ["Doe, J", "Roe, R"]


def test_column_mapping():
    text = "Article Title,Summary,Writers,Published\nT1,A1,Doe J; Roe R,2001\n"
    columns = {"title": "Article Title", "abstract": "Summary", "authors": "Writers",
               "year": "Published"}
    _, records = csv_reader.read(text, "m.csv", columns=columns)
    rec = records[0]
    assert (rec.title, rec.abstract, rec.authors, rec.year) == ("T1", "A1", ["Doe J", "Roe R"],
                                                                 2001)


def test_column_mapping_overrides_a_default_header():
    text = "title,abstract,Better Title\nshort,abs,The full title\n"
    _, records = csv_reader.read(text, "m.csv", columns={"title": "Better Title"})
    assert records[0].title == "The full title"


def test_column_mapping_errors():
    text = "Article Title,Summary\nT,A\n"
    with pytest.raises(ReviewkitError, match="no such column; its headers are: Article Title"):
        csv_reader.read(text, "m.csv", columns={"title": "Heading"})
    with pytest.raises(ReviewkitError, match="unknown field 'colour'"):
        csv_reader.read(text, "m.csv", columns={"colour": "Summary"})


def test_no_title_column_says_what_was_found_and_expected():
    with pytest.raises(ReviewkitError) as err:
        csv_reader.read("Heading,Summary\nT,A\n", "x.csv")
    assert err.value.line == 1
    assert "Heading, Summary" in err.value.message
    assert "article title" in err.value.message


def test_row_with_wrong_column_count_names_its_line():
    # the quoted newline makes row 2 start on line 3, row 3 on line 5
    text = 'title,abstract\n"one","first\nsecond"\ntwo,x\nthree,x,extra\n'
    with pytest.raises(ReviewkitError) as err:
        csv_reader.read(text, "w.csv")
    assert err.value.line == 5
    assert "has 3 columns but the header (line 1) has 2" in err.value.message


def test_quoted_newlines_give_physical_start_lines():
    text = 'title,abstract\n"one","first\nsecond"\n\ntwo,x\n'
    _, records = csv_reader.read(text, "q.csv")
    assert [(r.title, r.line) for r in records] == [("one", 2), ("two", 5)]
    assert records[0].abstract == "first second"
    assert ("abstract", "first\nsecond") in records[0].raw


def test_unclosed_quote_is_an_error_with_line():
    with pytest.raises(ReviewkitError) as err:
        csv_reader.read('title,abstract\nok,x\n"broken,x\nmore,y\n', "u.csv")
    assert err.value.line == 3


def test_header_only_is_an_error():
    with pytest.raises(ReviewkitError, match="no data rows"):
        csv_reader.read("title,abstract\n", "h.csv")


def test_semicolon_delimited_generic():
    _, records = csv_reader.read("Title;Year\nA;2020\n", "s.csv")
    assert (records[0].title, records[0].year) == ("A", 2020)


@pytest.mark.parametrize("relative", [SCOPUS, EMBASE, PUBMED])
def test_sniff_accepts_real_exports(relative):
    assert csv_reader.sniff(text_of(export_file(relative)))


def test_sniff_accepts_screening_header():
    assert csv_reader.sniff(text_of(shared_path(KWOK)))


@pytest.mark.parametrize("text", [
    "TY  - JOUR\nTI  - A title\nER  - \n",
    "@article{a, title={x, y}}\n",
    '<?xml version="1.0"?><xml><records></records></xml>',
    "Heading,Summary\nT,A\n",
    "PMID- 123\nTI  - x\n",
])
def test_sniff_rejects_other_formats(text):
    assert not csv_reader.sniff(text)


def test_header_in_a_message_is_one_short_line_whatever_it_holds():
    # found by the fuzzer: line separators in a header split the one-line error,
    # and a 500 KB one-line file was quoted whole
    header = ",".join(f"col\u2028{n}\x0b" + "y" * 100 for n in range(100))
    with pytest.raises(ReviewkitError) as err:
        csv_reader.read(header + "\n" + "," * 99 + "\n", "x.csv")
    message = str(err.value)
    assert len(message.splitlines()) == 1 and len(message) < 1000
    assert message.startswith("x.csv:1: no title column: the headers found are col\\u20280\\x0b")
    assert "(and 88 more)" in message


@pytest.mark.parametrize(("relative", "before", "run"), [
    # a long run of commas in an Emtree cell: each comma's lookahead re-read the cell
    (EMBASE, "article, bronchogenic duplication cyst (diagnosis", ","),
    # a run of spaces in a Scopus author: the id pattern was tried from every space
    (SCOPUS, "(60410297700)", " "),
])
def test_long_runs_in_split_cells_read_in_linear_time(relative, before, run):
    text = text_of(export_file(relative))
    at = text.index(before, text.index("\n"))  # in the first data row, not the header
    text = text[:at] + run * 40000 + "x " + text[at:]
    started = time.monotonic()
    _, records = csv_reader.read(text, "long.csv")
    assert time.monotonic() - started < 2
    assert len(records) == {EMBASE: 6, SCOPUS: 8}[relative]
