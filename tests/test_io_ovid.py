"""Ovid tagged-display reader against the real export corpus (read in place)."""

from __future__ import annotations

import time

import pytest

from reviewkit.errors import ReviewkitError
from reviewkit.io import ovid, tagmap
from reviewkit.io.text import decode

from conftest import export_file

CGI = "ovid-tagged/ovid-embase-endnote-format_knh.cgi"
OVD = "ovid-tagged/ovid-embase-citavi-format_knh.ovd"


def load(relative: str):
    path = export_file(relative)
    text, _ = decode(path.read_bytes(), str(path))
    return ovid.read(text, str(path))


def raw_values(rec, tag: str) -> list[str]:
    return [v for t, v in rec.raw if t == tag]


@pytest.mark.parametrize("relative", [CGI, OVD])
def test_record_counts_match_manifest(relative):
    dialect, records = load(relative)
    assert dialect == ""  # Embase: no dialect override
    assert len(records) == 2
    assert [r.position for r in records] == [1, 2]
    assert all(r.raw[:2] == [("VN", "Ovid Technologies"), ("DB", "Embase")] for r in records)


def test_cgi_spot_values():
    _, records = load(CGI)
    first = records[0]
    assert first.title == ("Quality of life in patients with primary ciliary dyskinesia: "
                           "A systematic review.")
    assert first.authors == ["Behan L.", "Rubbo B.", "Lucas J.S.", "Galvin A.D."]
    assert first.accession == {"an": "621381829"}
    assert first.database == "Embase"
    assert first.doi == "10.1186/s12919-018-0099-8"  # DO is a dx.doi.org URL
    assert first.issn == ["1753-6561"]
    assert first.year == 2018
    assert first.type == "Conference Abstract"
    assert first.language == "English"
    assert records[1].accession == {"an": "621381823"}
    assert records[1].title == "Development of a bioinformatics analysis method for diagnosis of."


def test_record_line_is_its_header_line():
    _, cgi = load(CGI)
    _, ovd = load(OVD)
    assert [r.line for r in cgi] == [1, 75]
    assert [r.line for r in ovd] == [1, 72]


def test_source_citation_parsed_for_journal_volume_issue():
    _, records = load(CGI)
    rec = records[0]
    assert raw_values(rec, "SO")[0].startswith("BMC Proceedings. Conference: 2nd BEAT-PCD")
    assert rec.journal == "BMC Proceedings"
    assert (rec.volume, rec.issue, rec.pages) == ("12", "Supplement 3", "")  # 'no pagination'


def test_unindented_method_lines_stay_in_the_abstract():
    _, records = load(CGI)
    abstract = raw_values(records[0], "AB")[0]
    assert "\nMethod(s): We searched MEDLINE" in abstract
    assert "\nResult(s): We found 260 studies" in abstract
    assert "\nConclusion(s): Health-related quality of life" in abstract
    assert not any(t in ("Me", "Re", "Co") for t, _ in records[0].raw)
    assert raw_values(records[0], "IS") == ["1753-6561"]  # the tag after AB still read
    assert records[0].abstract.endswith("Interventions that ameliorate these issues need "
                                        "investigation.")


def test_indented_institution_continuation_joined():
    _, records = load(CGI)
    assert raw_values(records[0], "IN") == [
        "(Behan, Rubbo, Lucas) NIHR Southampton Biomedical Research Centre, University of "
        "Southampton, University Hospital Southampton NHS Foundation Trust, Southampton, "
        "United Kingdom\n(Behan, Galvin) School of Applied Psychology, University College "
        "Cork, Cork, Ireland"]


def test_mesh_majors_kept_and_od_duplicates_not_keywords():
    _, records = load(CGI)
    rec = records[0]
    assert "*Kartagener syndrome" in rec.keywords and "*quality of life" in rec.keywords
    assert len(rec.keywords) == len(raw_values(rec, "MH")) == 20
    assert len(raw_values(rec, "OD")) == 19


def test_cgi_and_ovd_yield_the_same_normalised_records():
    _, cgi = load(CGI)
    _, ovd = load(OVD)
    assert "\n" in raw_values(cgi[0], "AB")[0] and "\n" not in raw_values(ovd[0], "AB")[0]
    for a, b in zip(cgi, ovd, strict=True):
        da, db = a.to_dict(), b.to_dict()
        for key in ("raw", "line"):
            da.pop(key), db.pop(key)
        assert da == db


def test_search_history_before_first_header_is_skipped():
    text = ("Database: Embase <1974 to 2018 March 28>\nSearch Strategy:\n"
            "1     primary ciliary dyskinesia.mp. (5)\n\n<1. >\nDB  - Embase\nUI  - 1\n"
            "TI  - One.\n\n<2>\nDB  - Embase\nUI  - 2\nTI  - Two.\n")
    _, records = ovid.read(text, "x.txt")
    assert [(r.title, r.line, r.accession["an"]) for r in records] == [
        ("One.", 5, "1"), ("Two.", 10, "2")]


def test_tag_shaped_line_not_in_whitelist_continues_the_field():
    text = "<1. >\nTI  - A\nAB  - First part.\nQQ  - not an Ovid tag\nYR  - 2001\n"
    _, (rec,) = ovid.read(text, "x.txt")
    assert raw_values(rec, "AB") == ["First part.\nQQ  - not an Ovid tag"]
    assert rec.year == 2001


def test_ovid_medline_record_ui_is_the_pmid():
    text = ("<1. >\nDB  - Ovid MEDLINE(R)\nUI  - 28441597\nTI  - A.\n"
            "SO  - Science of the Total Environment. 598:188-197, 2017 Nov 15.\n")
    dialect, (rec,) = ovid.read(text, "x.txt")
    assert dialect == "medline"
    assert rec.pmid == "28441597" and rec.accession == {"an": "28441597"}
    assert (rec.journal, rec.volume, rec.pages, rec.year) == (
        "Science of the Total Environment", "598", "188-197", 2017)


def test_mixed_databases_decide_pmid_per_record():
    text = ("<1. >\nDB  - Embase\nUI  - 621381829\nTI  - A.\n"
            "<2. >\nDB  - Ovid MEDLINE(R)\nUI  - 28441597\nTI  - B.\n")
    dialect, records = ovid.read(text, "x.txt")
    assert dialect == ""
    assert [r.pmid for r in records] == ["", "28441597"]


@pytest.mark.parametrize("text", ["", "TY  - JOUR\nTI  - A RIS record\nER  - \n"])
def test_no_record_headers_is_an_error(text):
    with pytest.raises(ReviewkitError) as err:
        ovid.read(text, "x.ovd")
    assert err.value.line == 1
    assert "no Ovid records" in err.value.message


def test_header_without_fields_is_an_error_naming_its_line():
    text = "<1. >\nTI  - A\n\n<2. >\n\n"
    with pytest.raises(ReviewkitError) as err:
        ovid.read(text, "cut.ovd")
    assert err.value.line == 4 and err.value.file == "cut.ovd"


def test_a_huge_damaged_citation_does_not_hang_the_reader():
    # found by fuzzing: '(pp' then a run of spaces made the SO patterns backtrack
    # quadratically (16,000 spaces took 2.5 s, 30,000 about 9 s; a megabyte, hours)
    text = "<1. >\nTI  - A title\nSO  - J. 5 (pp" + " " * 30_000 + "x\n"
    started = time.monotonic()
    _, records = ovid.read(text, "so.ovd")
    assert time.monotonic() - started < 2
    assert records[0].title == "A title"


def test_no_and_on_are_tags_not_booleans():
    # YAML once read the whitelist's bare NO and ON as False and True, so those
    # lines were glued onto the field above
    text = "<1>\nTI  - A title\nAB  - An abstract.\nON  - Some organisation\nNO  - 12\n"
    [(_, raw)] = ovid.entries(text, "x.txt", frozenset(tagmap.load("ovid")["tags"]))
    assert raw == [("TI", "A title"), ("AB", "An abstract."), ("ON", "Some organisation"),
                   ("NO", "12")]
