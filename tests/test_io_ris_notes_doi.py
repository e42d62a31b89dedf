"""A DOI in a RIS note (N1) is another work's: a test used, a reference cited.

EBSCOhost PsycInfo lists the instruments a study used in N1 ('Tests & Measures: ...
Gambling Symptom Assessment Scale DOI: 10.1037/t38733-000'); ProQuest's SuppNotes cite
other papers with their DOIs. Such a DOI must not become the record's own: the full-text
list would send the librarian for a questionnaire, and dedup treats equal DOIs as the
same record and different ones as proof of two. A record whose id is its content hash
keeps the DOI it was read with, so no id moves.
"""

from __future__ import annotations

from reviewkit.io import parse_bytes, read_file
from reviewkit.records.ids import record_key

from conftest import export_file


def _records(name: str):
    return read_file(export_file(f"ris/{name}")).records


def test_ebsco_psycinfo_test_doi_in_notes_is_not_the_records_doi():
    recs = _records("ebsco-psycinfo_citesource.ris")
    noted = [r for r in recs
             if not any(t in ("DO", "L3") for t, _ in r.raw)
             and any(t == "N1" and "DOI: 10.1037/t" in v for t, v in r.raw)]
    assert noted, "the file has a record whose only DOI is a test's, in N1"
    for rec in noted:
        assert rec.doi == ""
        assert rec.accession["an"]  # its id is the accession, not the content
        assert any("10.1037/t" in v for t, v in rec.raw if t == "N1")  # the note is kept
    # records with their own DOI keep it, whatever their notes cite
    own = [r for r in recs if any(t == "DO" for t, _ in r.raw)]
    assert own and all(r.doi and not r.doi.startswith("10.1037/t") for r in own)


def test_proquest_cited_doi_in_suppnotes_is_not_the_records_doi():
    data = export_file("ris/proquest-ptsdpubs_asreview.ris").read_bytes()
    # the last record cites another paper's DOI in N1; take away every line with its own
    last = data.rindex(b"TY  - ")
    record = b"".join(line for line in data[last:].splitlines(keepends=True)
                      if b"10.1080/00273171.2017.1412293" not in line
                      and b"10.1080%2F00273171.2017.1412293" not in line)
    rec = parse_bytes(record, "proquest-one.ris").records[0]
    assert "10.1023/a:1024465902416" in " ".join(v for t, v in rec.raw if t == "N1").lower()
    assert rec.accession["an"] == "2032784247"
    assert rec.doi == ""


def test_a_record_named_by_its_content_keeps_the_doi_its_id_was_made_with():
    text = ("TY  - JOUR\nTI  - A study without any database id\nAU  - Smith, A.\n"
            "PY  - 2020\nN1  - doi: 10.1000/own.1\nER  - \n")
    rec = parse_bytes(text.encode(), "plain.ris").records[0]
    assert record_key(rec).startswith("h-")
    assert rec.doi == "10.1000/own.1"
