"""Web of Science plain-text reader against the real export corpus (read in place)."""

from __future__ import annotations

import time

import pytest

from reviewkit.errors import ReviewkitError
from reviewkit.io import read_file, wos
from reviewkit.io.text import decode

from conftest import export_file

KNH = "wos-plaintext/wos-fullrecord_knh.txt"
CITEDREFS = "wos-plaintext/wos-fullrecord-citedrefs_bibliometrix.txt"
RISEXT = "wos-plaintext/wos-plaintext-with-ris-extension_rispy.ris"
ZOOREC = "wos-plaintext/wos-zoologicalrecord_synthesisr.txt"


def load(relative: str):
    path = export_file(relative)
    text, _ = decode(path.read_bytes(), str(path))
    return wos.read(text, str(path))


def raw_values(rec, tag: str) -> list[str]:
    return [v for t, v in rec.raw if t == tag]


@pytest.mark.parametrize(
    "relative, count, dialect",
    [(KNH, 12, ""), (CITEDREFS, 8, ""), (RISEXT, 2, ""), (ZOOREC, 134, "zoorec")])
def test_record_counts_match_manifest(relative, count, dialect):
    name, records = load(relative)
    assert name == dialect
    assert len(records) == count
    assert [r.position for r in records] == list(range(1, count + 1))
    assert all(r.raw[0] == ("PT", "J") for r in records)


def test_knh_spot_values():
    _, records = load(KNH)
    first = records[0]
    assert first.title == ("Caregivers' views on stigmatization and discrimination of people "
                           "affected by leprosy in Ghana")
    assert first.authors == ["Asampong, Emmanuel", "Gyeke, Mavis Dako Plusminus", "Oduro, Razak"]
    assert raw_values(first, "AU") == ["Asampong, E\nGyeke, MDP\nOduro, R"]
    assert first.doi == "10.1371/journal.pntd.0006219"
    assert first.pmid == "29377890"
    assert first.accession == {"wos": "WOS:000424022700066"}
    assert first.database == "Web of Science"
    assert (first.year, first.volume, first.issue, first.pages) == (2018, "12", "1", "e0006219")
    assert first.journal == "PLOS NEGLECTED TROPICAL DISEASES"
    assert first.journal_abbrev == "Plos Neglect. Trop. Dis."
    assert first.keywords == ["MENTAL-HEALTH", "STIGMA", "INDIA"]
    assert first.type == "Article"


def test_bom_file_starts_with_header_and_first_record_line_is_pt():
    path = export_file(KNH)
    assert path.read_bytes().startswith(b"\xef\xbb\xbfFN ")
    _, records = load(KNH)
    assert [r.line for r in records[:3]] == [3, 62, 125]
    assert not any(t.startswith("\ufeff") for r in records for t, _ in r.raw)


def test_no_final_newline_after_ef_keeps_last_record():
    path = export_file(KNH)
    assert path.read_bytes().endswith(b"\nEF")
    _, records = load(KNH)
    last = records[-1]
    assert last.accession["wos"] == "WOS:000424003200017"
    assert last.pmid == "29324904"
    assert last.raw[-1] == ("DA", "2020-11-06")


def test_three_space_continuation_keeps_abstract_paragraphs():
    _, records = load(KNH)
    abstract = raw_values(records[0], "AB")[0]
    assert abstract.startswith("Background\nLeprosy is a condition")
    assert "\nMethods\n" in abstract and "\nConclusion\n" in abstract
    assert records[0].abstract.startswith("Background Leprosy is a condition")


def test_cited_reference_blocks_do_not_swallow_next_tag():
    _, records = load(CITEDREFS)
    for rec in records:
        (refs,) = raw_values(rec, "CR")
        (count,) = raw_values(rec, "NR")
        assert len(refs.split("\n")) == int(count)
        assert not any(line[:3] in ("NR ", "TC ", "PU ") for line in refs.split("\n"))
    assert raw_values(records[0], "CR")[0].startswith("Amponsah M., 2024, INT J MULTIDISCIPLIN")


def test_citedrefs_spot_values():
    _, records = load(CITEDREFS)
    rec = records[1]
    assert rec.title == ("A Bibliometric Analysis: A Tutorial for the Bibliometrix Package "
                         "in R Using IRT Literature")
    assert rec.authors == ["Buyukkidik, Serap"]
    assert rec.doi == "10.21031/epod.1069307"
    assert (rec.year, rec.volume, rec.issue, rec.pages) == (2022, "13", "3", "164-193")
    assert rec.accession == {"wos": "WOS:000870236000001"}
    assert raw_values(records[0], "DA") == ["2026-03-28"]  # recent export, same FN banner


def test_ris_extension_file_with_pubmed_ids():
    _, records = load(RISEXT)
    assert [r.pmid for r in records] == ["15170338", "15170339"]
    first = records[0]
    assert first.doi == "10.1021/bi049798f"
    assert first.accession == {"wos": "WOS:000221807500019"}
    assert first.authors == ["Parkes-Loach, PS", "Majeed, AP", "Law, CJ", "Loach, PA"]
    assert (first.year, first.pages) == (2004, "7003-7016")
    assert raw_values(records[1], "FU") == ["NIGMS NIH HHS [GM-52002]; NIDDK NIH HHS [DK035090]"]


def test_zoological_record_accession_and_database():
    _, records = load(ZOOREC)
    first = records[0]
    assert first.title == ("Nest site selection and nest survival of Black-backed Woodpeckers "
                           "after wildfire.")
    assert first.accession == {"zoorec": "ZOOR15512090342"}
    assert raw_values(first, "UT") == ["ZOOREC:ZOOR15512090342"]
    assert first.database == "Zoological Record"
    assert (first.year, first.volume, first.issue, first.pages) == (2019, "121", "3", "duz039")
    assert first.issn == ["0010-5422"]
    assert all("zoorec" in r.accession and "wos" not in r.accession for r in records)


def test_zoological_record_keywords_from_broad_terms_and_taxa():
    _, records = load(ZOOREC)
    keywords = records[0].keywords
    assert "Reproductive behaviour" in keywords  # wrapped over two lines in BD
    assert keywords[-3:] == ["Birds", "Chordates", "Vertebrates"]


def test_emails_stripped_from_author_names_raw_intact():
    _, records = load(ZOOREC)
    first = records[0]
    assert first.authors[0] == "Stillman, Andrew N."
    assert raw_values(first, "AU")[0].startswith(
        "Stillman, Andrew N. (andrew.stillman@uconn.edu)\nSiegel, Rodney B.")
    with_mail = sum(line.count("@") for r in records for line in raw_values(r, "AU"))
    assert with_mail == 61
    assert not any("@" in a or "(" in a for r in records for a in r.authors)


def test_wrapped_keyword_lists_are_joined_before_splitting():
    text = ("FN Clarivate Analytics Web of Science\nVR 1.0\nPT J\nTI A\n"
            "DE alpha; beta gamma; delta\n   epsilon; zeta\nER\nEF\n")
    _, (rec,) = wos.read(text, "x.txt")
    assert rec.keywords == ["alpha", "beta gamma", "delta epsilon", "zeta"]


def test_concatenated_exports_repeat_header():
    one = "FN Clarivate Analytics Web of Science\nVR 1.0\nPT J\nTI {}\nER\n\nEF\n"
    _, records = wos.read(one.format("A") + one.format("B"), "x.txt")
    assert [(r.title, r.line) for r in records] == [("A", 3), ("B", 10)]


def test_truncated_file_without_er_is_an_error_naming_the_record():
    text = "FN Clarivate Analytics Web of Science\nVR 1.0\nPT J\nTI A\nER\n\nPT J\nTI B\n"
    with pytest.raises(ReviewkitError) as err:
        wos.read(text, "cut.txt")
    assert err.value.line == 7 and err.value.file == "cut.txt"
    assert "truncated" in err.value.message


def test_missing_er_before_next_record_is_an_error():
    text = "FN x\nVR 1.0\nPT J\nTI A\nPT J\nTI B\nER\nEF"
    with pytest.raises(ReviewkitError) as err:
        wos.read(text, "x.txt")
    assert err.value.line == 5
    assert "'ER'" in err.value.message


def test_ef_inside_a_record_is_an_error():
    with pytest.raises(ReviewkitError) as err:
        wos.read("FN x\nVR 1.0\nPT J\nTI A\nEF\n", "x.txt")
    assert err.value.line == 5


@pytest.mark.parametrize("text", ["", "FN Clarivate Analytics Web of Science\nVR 1.0\nEF"])
def test_no_records_is_an_error(text):
    with pytest.raises(ReviewkitError) as err:
        wos.read(text, "empty.txt")
    assert err.value.line == 1
    assert "no Web of Science records" in err.value.message


def test_non_wos_text_is_an_error_naming_the_line():
    with pytest.raises(ReviewkitError) as err:
        wos.read("FN x\nVR 1.0\n<html>\n", "x.txt")
    assert err.value.line == 3


def test_huge_cited_reference_block_is_read_in_linear_time():
    refs = "\n".join(f"   Author{i} A, 2001, J TEST, V{i}, P1" for i in range(200_000))
    text = f"FN x\nVR 1.0\nPT J\nTI Big\nCR First ref\n{refs}\nNR 200001\nER\nEF\n"
    began = time.perf_counter()
    _, (rec,) = wos.read(text, "big.txt")
    assert time.perf_counter() - began < 5
    assert raw_values(rec, "NR") == ["200001"]
    assert raw_values(rec, "CR")[0].count("\n") == 200_000


def test_a_ris_file_read_as_wos_is_refused():
    # found by the fuzzer: 'TY  - JOUR' read as tag TY with value ' - JOUR', every record garbage
    path = export_file("ris/scopus_synthesisr.ris")
    with pytest.raises(ReviewkitError) as err:
        read_file(path, "wos")
    assert str(err.value) == (
        f"{path}:1: line 1 is a RIS or Ovid tag line ('TY  - JOUR'), not Web of Science "
        "('PT J'): read the file as RIS or Ovid")
