"""EndNote XML reader against two real EndNote exports, and the same library as RIS."""

from __future__ import annotations

import pytest

from reviewkit.errors import ReviewkitError
from reviewkit.io import endnote_xml, ris
from reviewkit.io.text import decode

from conftest import export_file

SMALL = "endnote-xml/endnote-small_reflib-endnotexml.xml"
BLUELIGHT = "endnote-xml/bluelight-endnote_reflib.xml"


def load(relative: str):
    path = export_file(relative)
    text, _ = decode(path.read_bytes(), str(path))
    return text, *endnote_xml.read(text, str(path))


def wrap(records: str) -> str:
    return f'<?xml version="1.0" encoding="UTF-8" ?><xml><records>{records}</records></xml>'


@pytest.mark.parametrize(("relative", "count"), [(SMALL, 5), (BLUELIGHT, 102)])
def test_record_counts_match_manifest(relative, count):
    _, name, records = load(relative)
    assert name == ""
    assert len(records) == count
    assert [r.position for r in records] == list(range(1, count + 1))


def test_small_spot_check():
    _, _, records = load(SMALL)
    first = records[0]
    assert first.title.startswith("In situ carcinomas of the female breast. Diagnostic and "
                                  "therapeutic aspects")
    assert first.authors == ["Blichert-Toft, M.", "Andersen, J.", "Dyreborg, U."]
    assert (first.year, first.volume, first.issue, first.pages) == (1990, "156", "2", "113-9")
    assert first.journal == "Acta Chirurgica Scandinavica"
    assert first.journal_abbrev == "Acta Chir Scand"
    assert first.issn == ["0001-5482"]
    assert first.language == "English"
    assert first.keywords[1] == "*Breast Neoplasms/pa [Pathology]"
    assert records[4].title == "Do we all have cancer?"
    assert records[4].urls == [
        "http://www.embase.com/search/results?subaction=viewrecord&from=export&id=L351844657"]


def test_small_whole_file_on_one_line():
    text, _, records = load(SMALL)
    assert "\n" not in text.rstrip("\n")
    assert [r.line for r in records] == [1] * 5


def test_small_style_wrappers_are_transparent():
    text, _, records = load(SMALL)
    assert '<title><style face="normal" font="default" size="100%">In situ' in text
    assert all("style" not in r.title and "<" not in r.title for r in records)
    assert ("titles/title", records[1].title) in records[1].raw


def test_small_ref_type_name_is_the_type():
    _, _, records = load(SMALL)
    assert {r.type for r in records} == {"Journal Article"}
    assert ("ref-type", "17") in records[0].raw
    assert ("ref-type@name", "Journal Article") in records[0].raw


def test_small_unc_path_does_not_leak():
    text, _, records = load(SMALL)
    assert 'path="\\\\staff.ad.bond.edu.au' in text
    for rec in records:
        assert "staff.ad.bond" not in repr(rec.to_dict())
    assert records[0].database == "MEDLINE"  # remote-database-name
    assert records[4].database == "SMTest.enl"  # no remote database: the library's name
    assert ("database@name", "SMTest.enl") in records[4].raw


def test_small_ovid_medline_accession_is_pmid():
    _, _, records = load(SMALL)
    assert records[0].accession == {"an": "2158737"}
    assert records[0].pmid == "2158737"  # MEDLINE via Ovid
    assert records[4].pmid == "" and records[4].accession == {}


def test_bluelight_spot_check():
    _, _, records = load(BLUELIGHT)
    first, last = records[0], records[-1]
    assert first.title == ("Formulation of Herbal Gel of Antirrhinum majus Extract and Evaluation "
                           "of its Anti-Propionibacterium acne Effects")
    assert first.authors == ["Shahtalebi, M. A.", "Asghari, G. R.", "Rahmani, F.", "Shafiee, F.",
                             "Jahanian-Najafabadi, A."]
    assert (first.doi, first.year, first.pmid) == ("10.4103/abr.abr_99_17", 2018, "29657938")
    assert (first.journal, first.database) == ("Adv Biomed Res", "NLM")
    assert last.title == ("Proton magic angle spinning NMR reveals new features in "
                          "photodynamically treated bacteria")
    assert last.authors[1] == "Widerøe, H. C."
    assert (last.doi, last.pmid) == ("10.1515/znc-2003-5-619", "12872936")


def test_bluelight_encoded_cr_separates_items():
    text, _, records = load(BLUELIGHT)
    assert "2277-9175 (Print)&#xD;2277-9175" in text
    raw = dict(records[0].raw)
    assert raw["isbn"] == "2277-9175 (Print)\n2277-9175"
    assert records[0].issn == ["2277-9175"]
    assert len(raw["auth-address"].split("\n")) == 5  # five affiliations, one element
    assert not any("\r" in v for r in records for _, v in r.raw)


def test_encoded_cr_splits_keywords():
    xml = wrap('<record><titles><title><style face="normal">T</style></title></titles>'
               '<keywords><keyword><style face="normal">Acne&#xD;Light</style></keyword>'
               '<keyword>Humans</keyword></keywords></record>')
    _, records = endnote_xml.read(xml, "k.xml")
    assert records[0].keywords == ["Acne", "Light", "Humans"]


def test_bluelight_matches_ris_export_of_same_library():
    _, _, xml_records = load(BLUELIGHT)
    path = export_file("ris/bluelight-endnote_reflib.ris")
    _, ris_records = ris.read(decode(path.read_bytes(), str(path))[0], str(path))
    assert len(ris_records) == len(xml_records) == 102
    assert [r.title for r in xml_records] == [r.title for r in ris_records]
    assert [r.doi for r in xml_records] == [r.doi for r in ris_records]
    assert sum(1 for r in xml_records if r.doi) == 72
    for field in ("authors", "year", "volume", "issue", "pages", "issn", "pmid", "keywords"):
        assert [getattr(r, field) for r in xml_records] == [getattr(r, field) for r in ris_records]


def test_pmid_only_from_a_pubmed_provider():
    rec = ('<record><titles><title>T</title></titles><accession-num>{an}</accession-num>'
           '<remote-database-provider>{provider}</remote-database-provider></record>')
    xml = wrap(rec.format(an="123456", provider="NLM") + rec.format(an="987", provider="Elsevier")
               + rec.format(an="WOS:0001", provider="Clarivate"))
    _, records = endnote_xml.read(xml, "p.xml")
    assert [r.pmid for r in records] == ["123456", "", ""]
    assert [r.accession["an"] for r in records] == ["123456", "987", "WOS:0001"]


def test_multiline_xml_gets_real_record_lines():
    xml = ('<?xml version="1.0"?>\n<xml>\n<records>\n<record><titles><title>A</title></titles>'
           '</record>\n\n<record>\n<titles><title>B</title></titles></record>\n</records></xml>\n')
    _, records = endnote_xml.read(xml, "m.xml")
    assert [(r.title, r.line) for r in records] == [("A", 4), ("B", 6)]


def test_malformed_xml_gives_line_and_column():
    xml = '<xml><records>\n<record><titles><title>A</titles></record></records></xml>'
    with pytest.raises(ReviewkitError) as err:
        endnote_xml.read(xml, "bad.xml")
    assert err.value.line == 2
    assert "line 2, column" in err.value.message
    assert "mismatched tag" in err.value.message


def test_truncated_xml_is_an_error():
    text, _, _ = load(SMALL)
    with pytest.raises(ReviewkitError, match="not well-formed XML at line 1"):
        endnote_xml.read(text[:5000], "cut.xml")


def test_no_records_is_an_error():
    with pytest.raises(ReviewkitError, match="no <record> elements"):
        endnote_xml.read(wrap(""), "empty.xml")


@pytest.mark.parametrize("depth", [2000, 200_000])
def test_thousands_of_nested_elements_do_not_exhaust_the_stack(depth):
    # found by the fuzzer: the recursive walk raised RecursionError past ~1,000 levels
    deep = "<a>" * depth + "x" + "</a>" * depth
    _, records = endnote_xml.read(
        wrap(f"<record><titles><title>A</title>{deep}</titles></record>"), "deep.xml")
    assert records[0].title == "A"
    (path, value), = [(t, v) for t, v in records[0].raw if t.startswith("titles/a/")]
    assert value == "x" and path.count("/") < 40  # deeper levels read as text
