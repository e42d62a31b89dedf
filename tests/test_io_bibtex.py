"""BibTeX reader against the real Scopus and Web of Science exports, plus malformed input."""

from __future__ import annotations

import pytest

from reviewkit.errors import ReviewkitError
from reviewkit.io import bibtex
from reviewkit.io.text import decode

from conftest import export_file

SCOPUS = "bibtex/scopus_synthesisr.bib"
WOS = "bibtex/wos-anonymised_colrev.bib"


def load(relative: str):
    path = export_file(relative)
    text, _ = decode(path.read_bytes(), str(path))
    return text, *bibtex.read(text, str(path))


@pytest.mark.parametrize(("relative", "count", "dialect"), [(SCOPUS, 3, "scopus"), (WOS, 2, "wos")])
def test_record_counts_match_manifest(relative, count, dialect):
    _, name, records = load(relative)
    assert len(records) == count
    assert name == dialect
    assert [r.position for r in records] == list(range(1, count + 1))


def test_scopus_spot_check():
    _, _, records = load(SCOPUS)
    first, third = records[0], records[2]
    assert first.title == ("Soil fauna diversity at different stages of reed restoration "
                           "in a lakeshore wetland at Lake Taihu, China")
    assert first.authors[:3] == ["Li, W.", "Dou, Z.", "Cui, L."]
    assert len(first.authors) == 10
    assert first.year == 2020
    assert first.doi == "10.1080/20964129.2020.1722034"
    assert first.journal == "Ecosystem Health and Sustainability"
    assert first.journal_abbrev == "Ecosyst. Health Sustain."
    assert (first.volume, first.issue) == ("6", "1")
    assert first.issn == ["2096-4129"]
    assert first.accession == {"scopus": "2-s2.0-85079532227"}
    assert third.title == "Application of Digital Processing in Relic Image Restoration Design"
    assert third.authors == ["Tang, H.", "Geng, G.", "zhou, M."]
    assert third.doi == "10.1007/s11220-019-0265-8"


def test_scopus_uppercase_entry_type_and_leading_blank_line():
    text, _, records = load(SCOPUS)
    assert text.startswith("\n@ARTICLE{Li2020,")
    assert records[0].type == "article"
    assert records[0].raw[:2] == [("@type", "article"), ("@key", "Li2020")]
    assert [r.line for r in records] == [2, 28, 53]


def test_scopus_extra_fields_kept_in_raw_and_mapped():
    _, _, records = load(SCOPUS)
    raw = dict(records[0].raw)
    assert raw["art_number"] == "1722034"
    assert raw["note"] == "cited By 0"
    assert raw["document_type"] == "Article"
    assert raw["affiliation"].startswith("Institute of Wetland Research")
    assert records[0].database == "Scopus"  # source={Scopus}
    # author_keywords is one ';'-separated value
    assert records[0].keywords == ["Environmental factors", "Lake Taihu", "lakeshore wetland",
                                   "reed", "soil fauna", "wetland restoration"]


def test_scopus_repeated_field_keeps_both_values():
    # Li2020 has funding_details twice; bibtexparser flags it, we keep the entry whole
    _, _, records = load(SCOPUS)
    funding = [v for k, v in records[0].raw if k == "funding_details"]
    assert len(funding) == 2
    assert funding[1].startswith("Special Fund for Forest Scientific Research")


def test_wos_bom_and_leading_space_in_key():
    text, _, records = load(WOS)
    assert not text.startswith("\ufeff")
    assert "@inproceedings{ WOS:000223334444221," in text
    assert dict(records[0].raw)["@key"] == "WOS:000223334444221"
    assert records[0].type == "inproceedings"
    assert [r.line for r in records] == [3, 28]


def test_wos_capitalised_field_names():
    _, _, records = load(WOS)
    first, second = records
    assert first.authors == ["Writerone, Julia", "Writertwo, Paul"]
    assert first.title == "Inproceedings Title"
    assert first.journal == "A BOOKTITLE"
    assert (first.year, first.volume, first.pages) == (2017, "123456", "48-98")
    assert first.issn == ["0111-9119", "1111-3333"]
    assert second.journal == "Dummy Journal for nice writing"
    assert (second.year, second.volume, second.issue, second.pages) == (2022, "22", "3", "111-188")
    assert ("Unique-ID", "WOS:000444488888888") in second.raw  # original spelling kept


def test_wos_unique_id_is_accession():
    _, _, records = load(WOS)
    assert [r.accession for r in records] == [{"wos": "WOS:000223334444221"},
                                              {"wos": "WOS:000444488888888"}]


def test_wos_apos_entity_in_title():
    _, _, records = load(WOS)
    assert records[1].title == "A dummy title's"
    assert ("Title", "A dummy title&apos;s") in records[1].raw


def test_wos_escaped_underscore_in_doi():
    _, _, records = load(WOS)
    assert records[0].doi == "10.1007/999-9-999-99999-9_3"
    assert records[1].doi == "10.1111/artjul.2021.0011"


def test_wos_multiline_field_kept():
    _, _, records = load(WOS)
    orcid = dict(records[0].raw)["ORCID-Numbers"]
    assert orcid.split("\n")[0] == "Writerone, Julia/0000-0002-2222-4444"
    assert "Writertwo, Paul/0000-0002-3333-5555" in orcid


def test_author_and_splitting_respects_braces_and_latex():
    text = ("@article{k,\n author = {M{\\\"u}ller, J. and {Barnes and Noble} AND O'Neil, P.\n"
            "   and D{\\'\\i}az, A},\n title = {x}}\n")
    _, records = bibtex.read(text, "t.bib")
    assert records[0].authors == ["Müller, J.", "Barnes and Noble", "O'Neil, P.", "Díaz, A"]


def test_latex_decoded_in_record_but_raw_untouched():
    text = ("@article{k, title = {{Anti-inflammatory} effect of Caf{\\'e} {\\&} tea in 50% of "
            "cases}, doi = {10.1000/a\\_b}, url = {http://x.org/a%2Fb}}")
    _, records = bibtex.read(text, "t.bib")
    rec = records[0]
    assert rec.title == "Anti-inflammatory effect of Café & tea in 50% of cases"
    assert dict(rec.raw)["title"].startswith("{Anti-inflammatory} effect of Caf{\\'e}")
    assert rec.doi == "10.1000/a_b"
    assert rec.urls == ["http://x.org/a%2Fb"]  # URLs are not LaTeX


def test_pmid_field_and_isbn():
    text = "@book{k, title={B}, pmid={12345678}, isbn={978-0-306-40615-7}}"
    _, records = bibtex.read(text, "t.bib")
    assert records[0].pmid == "12345678"
    assert records[0].isbn == ["9780306406157"]


def test_duplicate_entry_keys_keep_both_records():
    text = "@article{a,\n title={First}}\n@article{a,\n title={Second}}\n"
    _, records = bibtex.read(text, "t.bib")
    assert [(r.title, r.line) for r in records] == [("First", 1), ("Second", 3)]


def test_unbalanced_brace_names_the_entry_line():
    text = ("@article{a,\n title={ok}}\n\n@article{b,\n title={never closed,\n year={2020}\n}\n\n"
            "@article{c,\n title={ok},\n}\n")
    with pytest.raises(ReviewkitError) as err:
        bibtex.read(text, "bad.bib")
    assert err.value.line == 4
    assert "line 4" in str(err.value) and "bad.bib:4" in str(err.value)


def test_truncated_file_names_the_line():
    with pytest.raises(ReviewkitError) as err:
        bibtex.read("\n\n@article{a,\n title={abc},\n year={2020}\n", "cut.bib")
    assert err.value.line == 3
    assert "end of file" in err.value.message


def test_missing_comma_after_key():
    with pytest.raises(ReviewkitError) as err:
        bibtex.read("@article{a\n title={x}}\n", "k.bib")
    assert err.value.line == 1
    assert "comma" in err.value.message


@pytest.mark.parametrize("text", ["just some prose\n", "@comment{nothing}\n@string{x = {y}}\n"])
def test_no_entries_is_an_error(text):
    with pytest.raises(ReviewkitError, match="no BibTeX entries"):
        bibtex.read(text, "none.bib")


def test_parser_reason_in_a_message_is_one_short_line():
    # found by the fuzzer: bibtexparser quotes the broken text, line separators and all
    text = "@article{k,\n ti\u2028tle\x0b" + "x" * 5000 + "\n}\n"
    with pytest.raises(ReviewkitError) as err:
        bibtex.read(text, "x.bib")
    message = str(err.value)
    assert len(message.splitlines()) == 1 and len(message) < 600
    assert "after entry key `ti\\u2028tle\\x0bxxx" in message


def test_parser_stop_line_is_a_line_of_the_file():
    text = "@article{k,\n title = {x},\n junk\n}\n"
    with pytest.raises(ReviewkitError) as err:
        bibtex.read(text, "x.bib")
    assert "(parser stopped at line 4)" in str(err.value)  # '}', not the line after it
