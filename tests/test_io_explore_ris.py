"""RIS of mixed libraries (found exploring the corpus): a record is read as its own
database wrote it, whatever the file's first records say."""

from __future__ import annotations

from reviewkit.io import parse_bytes, read_file
from reviewkit.records.ids import assign_ids

from conftest import export_file

MIXED = "ris/endnote-mixed-scopus-pubmed_asysd.txt"


def _pairs(rec) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for tag, value in rec.raw:
        out.setdefault(tag, []).append(value.strip())
    return out


def test_pubmed_records_in_a_mixed_endnote_library_keep_their_pmid():
    pf = read_file(export_file(MIXED))
    assert pf.dialect == "scopus"  # the file's first records are Scopus's
    nlm = [r for r in pf.records if "NLM" in _pairs(r).get("DP", [])]
    assert len(nlm) == 13
    for rec in nlm:  # EndNote puts a PubMed record's PMID in AN
        assert rec.pmid == _pairs(rec)["AN"][0]
    others = [r for r in pf.records if "NLM" not in _pairs(r).get("DP", [])]
    assert others and all(not r.pmid or r.pmid in _pairs(r).get("C2", []) for r in others)


def test_reading_the_pmid_changes_no_record_id():
    # a record id uses AN before the PMID (records/ids.py): reading the PMID moves no id
    pf = read_file(export_file(MIXED))
    ids = assign_ids(pf.records, "k")
    nlm = [(i, r) for i, r in zip(ids, pf.records, strict=True) if "NLM" in _pairs(r).get("DP", [])]
    assert all(i.split("/")[1].split("~")[0] == f"an-{_pairs(r)['AN'][0]}" for i, r in nlm)


def test_a_pubmed_record_without_accession_keeps_its_content_id(tmp_path):
    # its id is a content hash; a PMID read now would make it pmid-..., another id
    path = tmp_path / "scopus-library.ris"
    path.write_text("TY  - JOUR\nTI  - One\nDB  - Scopus\nER  - \n\n"
                    "TY  - JOUR\nTI  - Two\nDP  - NLM\nPMID  - 222\nER  - \n\n"
                    "TY  - JOUR\nTI  - Three\nDP  - NLM\nAN  - 333\nER  - \n",
                    encoding="utf-8")
    pf = read_file(path)
    assert pf.dialect == "scopus"
    assert [r.pmid for r in pf.records] == ["", "", "333"]
    assert assign_ids(pf.records, "k")[1].startswith("k/h-")


def test_a_record_in_two_languages_names_both_in_every_format():
    # the Blue Light library's record 19453385 is in English and German
    languages = {}
    for rel in ("ris/bluelight-endnote_reflib.ris", "endnote-xml/bluelight-endnote_reflib.xml",
                "medline-nbib/bluelight-pubmed_reflib.nbib"):
        rec = next(r for r in read_file(export_file(rel)).records if r.pmid == "19453385")
        languages[rel] = rec.language
    assert set(languages.values()) == {"eng; ger"}, languages


def test_two_authors_sharing_a_name_are_both_kept_and_no_id_moves():
    from reviewkit.records.ids import record_key
    from reviewkit.records.model import Record

    text = ("TY  - JOUR\nTI  - Budgets in two cities\nAU  - Wang, Y.\nAU  - Li, X.\n"
            "AU  - Wang, Y.\nPY  - 2019\nER  - \n")
    (rec,) = parse_bytes(text.encode(), "two.ris").records
    assert rec.authors == ["Wang, Y.", "Li, X.", "Wang, Y."]
    # the id is the one the readers gave before they kept the second Wang
    before = Record(title=rec.title, authors=["Wang, Y.", "Li, X."], year=2019)
    assert record_key(rec) == record_key(before)
    other = Record(title=rec.title, authors=["Li, X.", "Wang, Y."], year=2019)
    assert record_key(rec) != record_key(other)  # the order still counts
