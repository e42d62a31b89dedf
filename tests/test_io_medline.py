"""PubMed MEDLINE (.nbib) reader against the real export corpus (read in place)."""

from __future__ import annotations

import pytest

from reviewkit.errors import ReviewkitError
from reviewkit.io import medline
from reviewkit.io.text import decode

from conftest import export_file

SYNTHESISR = "medline-nbib/pubmed_synthesisr.txt"
CANCER = "medline-nbib/pubmed-cancer_reflib-endnotexml.nbib"
BLUELIGHT = "medline-nbib/bluelight-pubmed_reflib.nbib"


def load(relative: str):
    path = export_file(relative)
    text, _ = decode(path.read_bytes(), str(path))
    return medline.read(text, str(path))


def raw_values(rec, tag: str) -> list[str]:
    return [v for t, v in rec.raw if t == tag]


@pytest.mark.parametrize("relative, count", [(SYNTHESISR, 3), (CANCER, 20), (BLUELIGHT, 80)])
def test_record_counts_match_manifest(relative, count):
    dialect, records = load(relative)
    assert dialect == ""
    assert len(records) == count
    assert [r.position for r in records] == list(range(1, count + 1))
    assert all(r.pmid and r.accession["pmid"] == r.pmid for r in records)


def test_synthesisr_spot_values():
    _, records = load(SYNTHESISR)
    first = records[0]
    assert first.pmid == "28441597"
    assert first.title == (
        "Differences in nitrate and phosphorus export between wooded and grassed riparian "
        "zones from farmland to receiving waterways under varying rainfall conditions.")
    assert first.authors == ["Neilen, Amanda D", "Chen, Chengrong R", "Parker, Brett M",
                             "Faggotter, Stephen J", "Burford, Michele A"]
    assert first.journal == "The Science of the total environment"
    assert first.journal_abbrev == "Sci Total Environ"
    assert (first.volume, first.issue, first.pages) == ("598", "", "188-197")
    assert first.issn == ["1879-1026", "0048-9697"]
    assert first.language == "eng"
    assert first.type == "Journal Article"
    assert records[1].pmid == "30868313"
    assert records[1].doi == "10.1007/s00267-019-01153-y"
    assert records[1].authors[-1] == "Mahy, Grégory"
    assert (records[1].volume, records[1].issue) == ("63", "5")
    assert records[2].pages == "e5082"


def test_record_line_is_its_pmid_line():
    _, records = load(SYNTHESISR)
    assert [r.line for r in records] == [1, 92, 190]


def test_six_space_continuation_joined_with_newline_in_raw():
    _, records = load(SYNTHESISR)
    assert raw_values(records[0], "TI") == [
        "Differences in nitrate and phosphorus export between wooded and grassed riparian\n"
        "zones from farmland to receiving waterways under varying rainfall conditions."]
    abstract = raw_values(records[0], "AB")[0]
    assert abstract.count("\n") == 24 and "\n " not in abstract
    assert records[0].abstract.endswith("driven by hydrological conditions.")


def test_full_author_names_preferred_short_names_kept_in_raw():
    _, records = load(SYNTHESISR)
    assert raw_values(records[0], "AU")[0] == "Neilen AD"
    assert records[0].authors[0] == "Neilen, Amanda D"


def test_doi_taken_from_aid_marked_doi_not_pii():
    _, records = load(SYNTHESISR)
    assert raw_values(records[0], "AID") == ["S0048-9697(17)30912-9 [pii]",
                                             "10.1016/j.scitotenv.2017.04.075 [doi]"]
    assert records[0].doi == "10.1016/j.scitotenv.2017.04.075"


def test_dp_with_month_and_day_gives_year():
    _, records = load(SYNTHESISR)
    assert raw_values(records[0], "DP") == ["2017 Nov 15"]
    assert records[0].year == 2017


def test_ot_author_keywords_and_phst_kept():
    _, records = load(SYNTHESISR)
    assert records[0].keywords == ["Buffer strips", "Landsat", "Leaching", "Nitrate",
                                   "Structural equation modelling", "Water quality", "Watershed"]
    assert "2016/11/28 00:00 [received]" in raw_values(records[0], "PHST")


def test_mesh_subheadings_and_major_stars_kept():
    _, records = load(BLUELIGHT)
    rec = next(r for r in records if r.pmid == "29152718")
    assert "Acne Vulgaris/*therapy" in rec.keywords
    assert "Phototherapy/adverse effects/*methods" in rec.keywords


def test_records_without_abstract_read():
    _, records = load(BLUELIGHT)
    without = [r.pmid for r in records if not r.abstract]
    assert len(without) == 3
    assert all(not raw_values(r, "AB") for r in records if r.pmid in without)


def test_crlf_file_leaves_no_carriage_returns():
    path = export_file(BLUELIGHT)
    assert b"\r\n" in path.read_bytes()
    _, records = load(BLUELIGHT)
    assert not any("\r" in t or "\r" in v for r in records for t, v in r.raw)
    first = records[0]
    assert first.pmid == "29657938"
    assert first.title == ("Formulation of Herbal Gel of Antirrhinum majus Extract and "
                           "Evaluation of its Anti-Propionibacterium acne Effects.")
    assert first.doi == "10.4103/abr.abr_99_17"
    assert first.authors[0] == "Shahtalebi, Mohammad Ali"
    assert (first.year, first.volume, first.pages) == (2018, "7", "53")


def test_bluelight_old_record_spot_values():
    _, records = load(BLUELIGHT)
    last = records[-1]
    assert last.pmid == "2150382"
    assert last.year == 1990
    assert (last.volume, last.issue, last.pages) == ("176", "10", "597-603")
    assert last.language == "ger"
    assert last.doi == ""


def test_cancer_file_spot_values_and_ahead_of_print_records():
    _, records = load(CANCER)
    first = records[0]
    assert first.pmid == "27236861"
    assert first.title == ("Prognostic value of preoperative von Willebrand factor plasma "
                           "levels in patients with Glioblastoma.")
    assert first.authors[0] == "Marfia, Giovanni"
    assert first.doi == "10.1002/cam4.747"
    assert first.volume == ""  # ahead of print: no VI, and SO names none
    chapter = records[6]
    assert chapter.doi == "10.1007/978-1-4939-3625-0_19"
    assert (chapter.volume, chapter.pages) == ("1428", "285-96")


def test_file_without_final_newline_keeps_last_continuation():
    path = export_file(CANCER)
    assert not path.read_bytes().endswith(b"\n")
    _, records = load(CANCER)
    assert raw_values(records[-1], "SO")[-1].endswith("doi:\n10.3168/jds.2016-10971.")
    assert records[-1].pmid == "27236751"
    assert records[-1].doi == "10.3168/jds.2016-10971"


def test_volume_and_pages_from_so_when_tags_absent():
    text = ("PMID- 1\nTI  - A title.\nDP  - 2016 May 18\n"
            "SO  - Biomaterials. 2016 May 18;100(2):1-16. doi:\n"
            "      10.1016/j.biomaterials.2016.05.017.\n")
    _, (rec,) = medline.read(text, "x.nbib")
    assert (rec.volume, rec.issue, rec.pages, rec.year) == ("100", "2", "1-16", 2016)
    assert rec.doi == "10.1016/j.biomaterials.2016.05.017"


def test_doi_marked_aid_beats_doi_shaped_pii():
    text = "PMID- 1\nAID - 10.9999/pii.123 [pii]\nAID - 10.1000/real.1 [doi]\n"
    _, (rec,) = medline.read(text, "x.nbib")
    assert rec.doi == "10.1000/real.1"


def test_records_without_blank_line_between_are_split():
    _, records = medline.read("PMID- 1\nTI  - One\nPMID- 2\nTI  - Two\n", "x.nbib")
    assert [(r.pmid, r.title, r.line) for r in records] == [("1", "One", 1), ("2", "Two", 3)]


def test_record_without_pmid_is_an_error_naming_its_line():
    text = "PMID- 1\nTI  - One\n\nOWN - NLM\nTI  - Two\n"
    with pytest.raises(ReviewkitError) as err:
        medline.read(text, "x.nbib")
    assert err.value.line == 4 and err.value.file == "x.nbib"
    assert "PMID" in err.value.message


def test_ris_text_is_rejected_as_record_without_pmid():
    with pytest.raises(ReviewkitError) as err:
        medline.read("TY  - JOUR\nTI  - A\nER  - \n", "x.ris")
    assert err.value.line == 1


@pytest.mark.parametrize("text", ["", "\n\n   \n"])
def test_no_records_is_an_error(text):
    with pytest.raises(ReviewkitError) as err:
        medline.read(text, "empty.nbib")
    assert err.value.line == 1
    assert "no MEDLINE records" in err.value.message


def test_untagged_text_outside_a_record_is_an_error():
    with pytest.raises(ReviewkitError) as err:
        medline.read("PMID- 1\n\nthis is not medline\n", "x.nbib")
    assert err.value.line == 3


def test_a_doi_keeps_its_own_closing_bracket():
    from reviewkit.records.normalise import doi

    # Lancet-style DOIs end in a bracket of their own; a bracket around the DOI goes
    assert doi("10.1000/abc_(12)") == "10.1000/abc_(12)"
    assert doi("10.1016/S0140-6736(20)30183-5") == "10.1016/s0140-6736(20)30183-5"
    assert doi("(doi:10.1000/xyz).") == "10.1000/xyz"
    assert doi("[https://doi.org/10.1000/a]") == "10.1000/a"
