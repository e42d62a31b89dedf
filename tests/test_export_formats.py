"""`export -f bibtex|csl-json|asreview|rayyan`: each read back (by reviewkit's own readers
where it reads the format), its labels kept, ASReview's labels re-imported as decisions."""

from __future__ import annotations

import csv
import io
import json
import random
import re
from collections import Counter

import pytest

from helpers import run_cli
from reviewkit.demo import build_demo
from reviewkit.io import parse_bytes
from reviewkit.io.bibtex_out import write_bibtex
from reviewkit.project.session import session
from reviewkit.records.model import Record
from reviewkit.screening import Screening
from reviewkit.screening.matching import Matcher
from reviewkit.store.base import StoredRecord

TA = "title-abstract"
# CSL 1.0.2 item types, from the specification's appendix III
CSL_TYPES = {"article", "article-journal", "article-magazine", "article-newspaper", "bill",
             "book", "broadcast", "chapter", "classic", "collection", "dataset", "document",
             "entry", "entry-dictionary", "entry-encyclopedia", "event", "figure", "graphic",
             "hearing", "interview", "legal_case", "legislation", "manuscript", "map",
             "motion_picture", "musical_score", "pamphlet", "paper-conference", "patent",
             "performance", "periodical", "personal_communication", "post", "post-weblog",
             "regulation", "report", "review", "review-book", "software", "song", "speech",
             "standard", "thesis", "treaty", "webpage"}


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    return build_demo(tmp_path_factory.mktemp("fmt") / "review")


def export(demo, fmt: str, *args: str) -> str:
    r = run_cli("export", "-f", fmt, *args, cwd=demo.root)
    assert r.returncode == 0, r.stderr
    return r.stdout


def csv_rows(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


def note_id(raw: list[tuple[str, str]]) -> str:
    note = dict(raw)["note"]
    return note.split(";")[0].removeprefix("reviewkit id: ")


def test_bibtex_of_the_unique_set_reads_back_field_for_field(demo):
    text = export(demo, "bibtex", "--unique")
    parsed = parse_bytes(text.encode("utf-8"), "unique.bib")  # the importer's own reader
    assert parsed.format == "bibtex" and len(parsed.records) == demo.unique
    expected = {r["id"]: r for r in csv_rows(export(demo, "csv", "--unique"))}
    seen = set()
    for rec in parsed.records:
        row = expected[note_id(rec.raw)]
        seen.add(row["id"])
        assert rec.title == row["title"]
        assert "; ".join(rec.authors) == row["authors"]
        assert str(rec.year or "") == row["year"]
        assert (rec.journal, rec.volume, rec.issue, rec.pages) == (
            row["journal"], row["volume"], row["issue"], row["pages"])
        assert (rec.doi, rec.pmid, rec.abstract) == (row["doi"], row["pmid"], row["abstract"])
        assert "; ".join(rec.issn) == row["issn"]
    assert seen == set(expected)
    keys = [dict(rec.raw)["@key"] for rec in parsed.records]
    assert len(set(keys)) == len(keys)  # citation keys are unique


def test_bibtex_escapes_what_latex_would_eat():
    rec = Record(title="Fire & ice: 50% of {risk} costs $5_000 ~ a^b \\ c -- ``q'' ?`", year=2018,
                 authors=["Müller, Jörg", "Barnes and Noble", "O'Neil, P."],
                 journal="J. Risk & Safety", pages="567-569", doi="10.1000/abc_12",
                 abstract="Line with # and é", keywords=["wild fire", "C# & co"],
                 urls=["https://x.org/a?b=1&c=2"], issn=["1234-5678"], pmid="123456")
    out = io.StringIO()
    write_bibtex([StoredRecord("wos/1", "wos", "s1", "f.ris", rec)], out,
                 extras=lambda sr: {"stage": TA, "decision": "include", "members": "wos/1; pm/2"})
    back = parse_bytes(out.getvalue().encode("utf-8"), "x.bib").records[0]
    for name in ("title", "authors", "year", "journal", "pages", "doi", "abstract", "urls",
                 "issn", "pmid"):
        assert getattr(back, name) == getattr(rec, name), name
    assert back.keywords == rec.keywords + [f"reviewkit:{TA}:include"]
    assert dict(back.raw)["note"] == (f"reviewkit id: wos/1; reviewkit members: wos/1; pm/2; "
                                      f"reviewkit {TA}: include")


def test_csl_json_of_the_included_records(demo):
    items = json.loads(export(demo, "csl-json", "--stage", "full-text", "--decision", "include"))
    assert len(items) == demo.included
    rows = {r["id"]: r for r in csv_rows(export(demo, "csv", "--stage", "full-text",
                                                 "--decision", "include"))}
    assert {i["id"] for i in items} == set(rows)
    for item in items:
        row = rows[item["id"]]
        assert item["type"] in CSL_TYPES
        assert item["title"] == row["title"]
        assert item.get("DOI", "") == row["doi"]
        assert item.get("issued", {"date-parts": [[""]]})["date-parts"][0][0] == (
            int(row["year"]) if row["year"] else "")
        names = ["; ".join(filter(None, [n.get("family", n.get("literal")), n.get("given")]))
                 for n in item.get("author", [])]
        assert [n.replace("; ", ", ", 1) for n in names] == (
            row["authors"].split("; ") if row["authors"] else [])
        assert "reviewkit:full-text:include" in item["keyword"]


def test_every_csl_type_in_the_map_is_a_csl_type():
    from reviewkit.io.cslout import _types

    assert set(_types()["types"].values()) | {_types()["default"]} <= CSL_TYPES


def lab_export(asreview_csv: str, seed: int = 7) -> str:
    """What ASReview LAB 2 exports after screening that file: the input's columns plus
    asreview_label/asreview_time/asreview_note, relevant records first, and (for this test)
    half the rows without our id, so their titles find them (the demo's records have no
    DOI; two share a title and have no year, so those keep the id)."""
    rows = csv_rows(asreview_csv)
    rng = random.Random(seed)
    words = Counter(tuple(re.findall(r"\w+", r["title"].lower())) for r in rows)
    for row in rows:
        row["asreview_label"], row["included"] = row["included"], ""
        row["asreview_time"], row["asreview_note"] = "1733000000.5", ""
        if words[tuple(re.findall(r"\w+", row["title"].lower()))] == 1 and rng.random() < 0.5:
            row["reviewkit_id"] = ""
    rows.sort(key=lambda r: {"1": 0, "0": 1}.get(r["asreview_label"], 2))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def test_asreview_round_trip_gives_the_same_counts(demo, tmp_path):
    text = export(demo, "asreview", "--stage", TA)
    outcome = Counter(r["decision"] for r in csv_rows(export(demo, "csv", "--stage", TA)))
    labels = Counter(r["included"] for r in csv_rows(text))
    assert labels["1"] == outcome["include"] and labels["0"] == outcome["exclude"]
    assert labels[""] == sum(outcome.values()) - outcome["include"] - outcome["exclude"]
    # readable by reviewkit's CSV importer too
    assert len(parse_bytes(text.encode("utf-8"), "asreview.csv").records) == demo.unique
    path = tmp_path / "asreview_relevant+irrelevant_nudge.csv"
    path.write_text(lab_export(text), encoding="utf-8")
    assert run_cli("reviewer", "add", "cara", cwd=demo.root).returncode == 0
    r = run_cli("screen", "import-decisions", str(path), "-r", "cara", "--stage", TA,
                cwd=demo.root)
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith(f"{labels['1'] + labels['0']} decisions imported, 0 unchanged, "
                               f"{labels['']} rows without a decision")
    how = dict(p.split(" ") for p in r.stdout.splitlines()[1].split("by ")[1].split(", "))
    assert int(how["id"]) > 100 and int(how.get("title+year", 0)) + int(how.get("title", 0)) > 100
    with session(demo.root) as (project, store):
        mine = Screening(project, store).state(TA).log("cara").decided()
    assert Counter(e["decision"] for e in mine.values()) == Counter(
        {"include": outcome["include"], "exclude": outcome["exclude"]})


def test_rayyan_csv_has_the_ids_in_key_and_the_labels_in_notes(demo):
    text = export(demo, "rayyan", "--stage", TA)
    rows = csv_rows(text)
    outcome = {r["id"]: r["decision"] for r in csv_rows(export(demo, "csv", "--stage", TA))}
    assert {r["key"]: r["notes"].split(" | ")[0] for r in rows} == {
        k: f"reviewkit {TA}: {v}" for k, v in outcome.items()}
    parsed = parse_bytes(text.encode("utf-8"), "rayyan.csv")
    assert [r.title for r in parsed.records] == [r["title"] for r in rows]


ZOTERO_TAGS = ["TY", "TI", "AU", "T2", "AB", "DA", "PY", "VL", "IS", "SP", "EP", "SN", "UR",
               "DO", "LA", "KW", "N1"]


def zotero(ris: str) -> str:
    """RIS as Zotero writes it back after importing ours: its own tag order, tags it does
    not know (reviewkit's ZI/ZS, the database's own) dropped."""
    out = []
    for block in ris.split("\nER  - ")[:-1]:
        pairs = [(line[:2], line[6:]) for line in block.strip().splitlines() if line[2:6] == "  - "]
        kept = sorted((p for p in pairs if p[0] in ZOTERO_TAGS),
                      key=lambda p: ZOTERO_TAGS.index(p[0]))
        out.append("".join(f"{t}  - {v}\n" for t, v in kept) + "ER  - \n")
    return "\n".join(out)


def test_a_zotero_style_ris_round_trip_keeps_the_labels(demo):
    ris = export(demo, "ris", "--stage", TA)
    back = parse_bytes(zotero(ris).encode("utf-8"), "zotero.ris").records
    assert len(back) == demo.unique
    outcome = {r["id"]: r["decision"] for r in csv_rows(export(demo, "csv", "--stage", TA))}
    with session(demo.root) as (project, store):
        matcher = Matcher(Screening(project, store))
        matched = {}
        for rec in back:
            label = [k for k in rec.keywords if k.startswith(f"reviewkit:{TA}:")]
            assert len(label) == 1
            hit = matcher.match({"doi": rec.doi, "pmid": rec.pmid, "title": rec.title,
                                 "year": str(rec.year or "")})
            if hit:
                matched[hit[0]] = label[0].rsplit(":", 1)[1]
    # without our id tag the records are found again by DOI/PMID/title, labels intact;
    # only records sharing their title words with another (and no DOI) are not
    words = Counter(tuple(re.findall(r"\w+", rec.title.lower())) for rec in back)
    shared = sum(n for n in words.values() if n > 1)
    assert len(matched) == demo.unique - shared and shared < 5
    assert all(outcome[rid] == label for rid, label in matched.items())


def test_asreview_ris_labels_in_n1_and_back(demo, tmp_path):
    ris = export(demo, "asreview-ris", "--stage", TA)
    outcome = Counter(r["decision"] for r in csv_rows(export(demo, "csv", "--stage", TA)))
    parsed = parse_bytes(ris.encode("utf-8"), "asreview.ris").records
    labels = Counter(v for rec in parsed for t, v in rec.raw
                     if t == "N1" and v.startswith("ASReview_"))
    assert labels["ASReview_relevant"] == outcome["include"]
    assert labels["ASReview_irrelevant"] == outcome["exclude"]
    assert sum(labels.values()) == len(parsed) == demo.unique  # one label each
    path = tmp_path / "asreview.ris"
    path.write_text(ris, encoding="utf-8")
    assert run_cli("reviewer", "add", "dan", cwd=demo.root).returncode == 0
    r = run_cli("screen", "import-decisions", str(path), "-r", "dan", "--stage", TA,
                cwd=demo.root)
    assert r.returncode == 0, r.stderr
    with session(demo.root) as (project, store):
        mine = Screening(project, store).state(TA).log("dan").decided()
    assert Counter(e["decision"] for e in mine.values()) == Counter(
        {"include": outcome["include"], "exclude": outcome["exclude"]})
