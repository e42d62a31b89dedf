"""RIS reader: the MANIFEST's quirks, one test each, on the real files."""

from __future__ import annotations

import pytest

from reviewkit.errors import ReviewkitError
from reviewkit.io import read_file
from reviewkit.io.ris import read
from reviewkit.io.text import decode

from conftest import export_file


def ris(name: str):
    return read_file(export_file(f"ris/{name}"))


def tags(rec, tag: str) -> list[str]:
    return [v for t, v in rec.raw if t == tag]


def test_bare_cr_separates_tags():
    # wos_asysd.ris separates AD/C3 tags with a bare CR inside records
    first = ris("wos_asysd.ris").records[0]
    assert tags(first, "AD") == [
        "Kansas State Univ, Coll Vet Med, Dept Clin Sci, Manhattan, KS 66506 USA",
        "Kansas State Univ, Coll Vet Med, Dept Anat & Physiol, Manhattan, KS 66506 USA"]
    assert tags(first, "C3")[0] == "Kansas State University"
    assert first.title.startswith("Microangiography of the humeral condyle in Cocker")
    assert first.accession["wos"] == "WOS:000082252000006"


def test_tag_after_er_belongs_to_the_record_before():
    recs = ris("ovid-psycinfo_asreview.ris").records
    assert all(tags(r, "NL") for r in recs), "NL written after ER must be kept"
    assert tags(recs[-1], "NL") == ["J Clin Psychol Med Settings"]


def test_ovid_counters_and_link_lines_are_not_data():
    recs = ris("ovid-cababstracts_synthesisr.ris").records
    for r in recs:
        for _, value in r.raw:
            assert "Link to the Ovid Full Text" not in value
    # classic Ovid: accession in ID, DO as a dx.doi.org URL, Y1 '2020//'
    assert recs[0].accession["an"] == "20203152553"
    assert recs[0].doi == "10.4236/ojf.2020.101008"
    assert recs[0].year == 2020
    assert recs[0].authors[:2] == ["Holmstrom, E.", "Nordstrom, E."]


def test_blank_lines_inside_a_record_do_not_end_it():
    parsed = ris("scopus-via-citavi_asreview.txt")
    assert len(parsed.records) == 7
    first = parsed.records[0]
    assert tags(first, "U3") == ["Cited By :9\nExport Date: 12 May 2022\nArticle"]
    assert first.doi == "10.15598/aeee.v16i3.2698"
    assert first.issn == ["1336-1376"]
    assert first.pages == "271-278"


def test_header_lines_before_first_ty_and_four_letter_tag():
    rec = ris("apa-psycnet-psycinfo-anonymised_colrev.ris").records[0]
    assert rec.raw[0] == ("TY", "JOUR")
    assert rec.pmid == "33355555"
    assert rec.line == 5  # after Provider:/Database:/Content: lines and a blank


def test_keywords_on_untagged_continuation_lines():
    rec = ris("cinahl-via-rayyan_asreview.ris").records[0]
    assert rec.keywords[:3] == ["Health Facility Administration", "Joint Commission", "Standards"]
    assert len(rec.keywords) == 13
    assert rec.accession["an"] == "rayyan-264552525"
    assert rec.pages == "1-5"


def test_mesh_keywords_continued_with_subheadings():
    rec = ris("pubmed-via-endnote_asreview.txt").records[0]
    assert any("/" in k for k in rec.keywords)
    assert rec.pmid == "21553931"


def test_ris_saved_as_txt_is_detected_by_content():
    parsed = ris("wos-ris-txtext_asreview.txt")
    assert parsed.format == "ris" and parsed.dialect == "wos"
    first = parsed.records[0]
    assert tags(first, "N1")[0].split("\n")[1] == "Total Times Cited:  7"
    assert first.authors[:2] == ["Alceste, F", "Luke, TJ"]


@pytest.mark.parametrize("name", ["ovid-medline_citesource.ris",   # 'ER  - ' with space
                                  "scopus_asysd.ris"])              # 'ER  -' without
def test_er_with_and_without_trailing_space(name):
    text = export_file(f"ris/{name}").read_bytes()
    assert (b"ER  - \n" in text) == (name.startswith("ovid"))
    parsed = ris(name)
    assert all(r.raw[-1][0] != "ER" for r in parsed.records)


def test_bom_and_crlf():
    parsed = ris("bluelight-endnote_reflib.ris")
    assert parsed.records[0].raw[0] == ("TY", "JOUR")
    assert all("\r" not in v for r in parsed.records for _, v in r.raw)
    assert parsed.records[0].title.startswith("Formulation of Herbal Gel of Antirrhinum majus")


def test_newer_ovid_accession_from_link():
    rec = ris("ovid-medline_citesource.ris").records[0]
    assert rec.accession["an"] == "39012781"
    assert rec.database == "Ovid MEDLINE(R) Epub Ahead of Print"
    assert rec.year == 2024


def test_embase_com_l_number_and_a1_n2():
    rec = ris("embase-com_asreview.ris").records[0]
    assert rec.accession["embase"] == "L373791783"
    assert rec.authors == ["Liu R.", "Adler D.G."]
    assert rec.abstract.startswith("Gastrointestinal tract duplication cysts are rare")
    assert rec.issn == ["2226-7190"]


def test_ebsco_season_dates_and_link_accession():
    recs = ris("ebsco-psycinfo_citesource.ris").records
    seasonal = [r for r in recs if any("///Fal" in v or "///Spr" in v for _, v in r.raw)]
    assert seasonal and all(r.year for r in seasonal)
    asp = ris("ebsco-academicsearchpremier_synthesisr.ris").records[0]
    assert asp.accession["an"] == "117372971"
    assert asp.doi == "10.1016/j.agee.2016.06.041"


def test_proquest_packed_fields():
    rec = ris("proquest-ptsdpubs_asreview.ris").records[0]
    assert rec.accession["an"] == "2214991469"
    assert rec.issn == ["0894-9867"]


def test_ovid_no_pagination_specified_is_not_a_page():
    recs = ris("ovid-psycinfo_asreview.ris").records
    split = [r for r in recs if tags(r, "SP") == ["No"]]
    assert split and all(r.pages == "" for r in split)


def test_packed_authors_and_concatenated_issn():
    recs = ris("endnote-mixed-scopus-pubmed_asysd.txt").records
    assert len(recs[0].authors) == 1  # kept as delivered; dedup must cope
    concatenated = [r for r in recs if any("(Print)" in v for v in tags(r, "SN"))]
    assert concatenated and all(len(r.issn) >= 1 and "(" not in r.issn[0]
                                for r in concatenated)


def _text(raw: str) -> str:
    return decode(raw.encode("utf-8"), "t.ris")[0]


def test_missing_er_names_the_line():
    text = _text("TY  - JOUR\nTI  - One\nER  - \n\n"
                 "TY  - JOUR\nTI  - Two\n\nTY  - JOUR\nTI  - 3\nER  -\n")
    with pytest.raises(ReviewkitError) as err:
        read(text, "t.ris")
    assert err.value.line == 8
    assert "line 5" in str(err.value) and "ER" in str(err.value)


def test_truncated_file_names_the_record():
    real = export_file("ris/scopus_asysd.ris").read_bytes()
    cut = real[: len(real) // 2]
    with pytest.raises(ReviewkitError) as err:
        read_file_bytes(cut)
    assert "truncated" in str(err.value)
    assert err.value.line and err.value.line > 1


def read_file_bytes(data: bytes):
    from reviewkit.io import parse_bytes

    return parse_bytes(data, "cut.ris")


def test_no_records():
    with pytest.raises(ReviewkitError, match="no RIS records"):
        read(_text("just some text\n  -\n"), "t.ris")
