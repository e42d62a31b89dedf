"""`screen import-decisions` from Rayyan, Covidence and ASReview exports: small files in each
tool's documented columns, written here, matched to 80 real PubMed records by id, DOI,
PMID and title; unmatched rows named; nothing written on any error."""

from __future__ import annotations

import csv
import json
import sqlite3
import zipfile
from pathlib import Path

import pytest

from helpers import run_cli, snapshot
from reviewkit.project.session import session
from reviewkit.screening import Screening
from reviewkit.screening.batch import import_decisions
from reviewkit.screening.log import log_path, read_events
from test_screening_support import screening_project

PUBMED = "medline-nbib/bluelight-pubmed_reflib.nbib"  # 80 records, each with a PMID
TA = "title-abstract"
RAYYAN = ["key", "title", "authors", "journal", "issn", "volume", "issue", "pages", "year",
          "publisher", "url", "abstract", "notes", "doi", "keywords", "pubmed_id"]
COVIDENCE = ["Title", "Authors", "Abstract", "Published Year", "Published Month", "Journal",
             "Volume", "Issue", "Pages", "Accession Number", "DOI", "Ref", "Covidence #",
             "Study", "Notes", "Tags"]


@pytest.fixture
def review(tmp_path):
    project, store = screening_project(tmp_path, ("ana", "ben", "cara"), export=PUBMED)
    records = sorted(store.iter_records(), key=lambda sr: sr.id)
    store.close()
    return project, records


def write_csv(path: Path, columns: list[str], rows: list[dict]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=columns, extrasaction="raise")
        writer.writeheader()
        writer.writerows(rows)
    return path


def logged(project, reviewer: str) -> dict[str, dict]:
    path = log_path(project, TA, reviewer)
    return {e["record"]: e for e in read_events(path)} if path.exists() else {}


def pick(records, doi: bool):
    return [sr for sr in records if bool(sr.record.doi) == doi]


def shout(title: str) -> str:
    return title.upper().rstrip(".") + " ."  # case and punctuation differ, words do not


def test_rayyan_articles_match_by_id_doi_pmid_title_for_the_named_member(review, tmp_path):
    project, records = review
    a, b = pick(records, doi=True)[:2]
    c, d, e = pick(records, doi=False)[:3]
    rows = [  # Rayyan writes its own numeric key; decisions per member in the notes column
        {"key": "918273", "title": "not this title", "doi": f"https://doi.org/{a.record.doi.upper()}",
         "notes": 'RAYYAN-INCLUSION: {"Ana"=>"Included", "Ben"=>"Excluded"} | '
                  'RAYYAN-LABELS: RCT,adults'},
        {"key": "918274", "title": "", "pubmed_id": c.record.pmid,
         "notes": 'RAYYAN-INCLUSION: {"Ana"=>"Excluded", "Ben"=>"Excluded"} | '
                  'RAYYAN-EXCLUSION-REASONS: full moon, wrong population | '
                  'USER-NOTES: {"Ana"=>["check the dose"]}'},
        {"key": "918275", "title": shout(d.record.title), "year": str(d.record.year),
         "notes": 'RAYYAN-INCLUSION: {"Ana"=>"Maybe"}'},
        {"key": "918276", "title": e.record.title,
         "notes": 'RAYYAN-INCLUSION: {"Ben"=>"Included"}'},
        {"key": b.id, "title": "", "notes": 'RAYYAN-INCLUSION: {"Ana"=>"Excluded"}'},
    ]
    path = write_csv(tmp_path / "articles.csv", RAYYAN, rows)
    r = run_cli("screen", "import-decisions", str(path), "-r", "ana", cwd=project.root)
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines() == ["4 decisions imported, 0 unchanged, 1 rows without a decision",
                                     "from rayyan; matched by doi 1, id 1, pmid 1, title+year 1"]
    got = logged(project, "ana")
    assert {k: v["decision"] for k, v in got.items()} == {
        a.id: "include", c.id: "exclude", d.id: "maybe", b.id: "exclude"}
    assert {v["via"] for v in got.values()} == {"rayyan"}
    assert got[a.id]["note"] == "from Rayyan articles.csv:2; Rayyan member Ana"
    # the first reason on the project's list is the reason; all of Rayyan's stay in the note
    assert got[c.id]["reason"] == "wrong population"
    assert got[c.id]["note"] == ("from Rayyan articles.csv:3; Rayyan member Ana; "
                                 "Rayyan reasons: full moon, wrong population; check the dose")
    again = run_cli("screen", "import-decisions", str(path), "-r", "ana", cwd=project.root)
    assert again.stdout.startswith("0 decisions imported, 4 unchanged")  # safe to re-run


def test_rayyan_export_zip_and_whose_decisions(review, tmp_path):
    project, records = review
    a, b = pick(records, doi=True)[:2]
    rows = [{"key": "1", "title": a.record.title, "doi": a.record.doi,
             "notes": 'RAYYAN-INCLUSION: {"Ana"=>"Included", "Ben"=>"Excluded"}'},
            {"key": "2", "title": b.record.title, "doi": b.record.doi,
             "notes": 'RAYYAN-INCLUSION: {"Ana"=>"Excluded", "Ben"=>"Included"}'}]
    articles = write_csv(tmp_path / "articles.csv", RAYYAN, rows)
    bundle = tmp_path / "rayyan_export.zip"
    with zipfile.ZipFile(bundle, "w") as z:
        z.write(articles, "articles.csv")
        z.writestr("customizations_log.csv", "article_id,user,key,value\n")
    before = snapshot(project.root)
    r = run_cli("screen", "import-decisions", str(bundle), "-r", "cara", cwd=project.root)
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1
    assert "--member" in r.stderr and "Ana, Ben" in r.stderr
    assert snapshot(project.root) == before
    r = run_cli("screen", "import-decisions", str(bundle), "-r", "cara", "--member", "Ben",
                cwd=project.root)
    assert r.returncode == 0, r.stderr
    assert {k: v["decision"] for k, v in logged(project, "cara").items()} == {
        a.id: "exclude", b.id: "include"}
    assert logged(project, "cara")[a.id]["note"].startswith(
        "from Rayyan rayyan_export.zip:articles.csv:2")


def covidence_row(sr, number: int, **fields) -> dict:
    row = {"Title": sr.record.title, "Authors": "; ".join(sr.record.authors),
           "Published Year": str(sr.record.year or ""), "Journal": sr.record.journal,
           "DOI": sr.record.doi, "Covidence #": f"#{number}", "Ref": f"ref{number}"}
    return row | fields


def test_covidence_list_means_its_decision_at_the_stage(review, tmp_path):
    project, records = review
    a = pick(records, doi=True)[0]
    b, c = pick(records, doi=False)[:2]
    rows = [covidence_row(a, 11),
            covidence_row(b, 12, **{"Title": shout(b.record.title)}),
            covidence_row(c, 13, **{"Title": "", "Accession Number": c.record.pmid})]
    irrelevant = write_csv(tmp_path / "review_4242_irrelevant_csv_20240115.csv", COVIDENCE, rows)
    r = run_cli("screen", "import-decisions", str(irrelevant), "-r", "ben", cwd=project.root)
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines()[1] == "from covidence; matched by doi 1, pmid 1, title+year 1"
    got = logged(project, "ben")
    assert {k: v["decision"] for k, v in got.items()} == dict.fromkeys([a.id, b.id, c.id],
                                                                       "exclude")
    assert got[a.id]["note"] == (f"from Covidence {irrelevant.name}:2; Covidence #11")
    # a list the name does not give: refused, one line, nothing written
    plain = write_csv(tmp_path / "covidence.csv", COVIDENCE, rows[:1])
    before = snapshot(project.root)
    r = run_cli("screen", "import-decisions", str(plain), "-r", "cara", cwd=project.root)
    assert r.returncode == 2 and "--decision" in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1 and snapshot(project.root) == before
    r = run_cli("screen", "import-decisions", str(plain), "-r", "cara", "--decision", "include",
                cwd=project.root)
    assert r.returncode == 0, r.stderr
    assert logged(project, "cara")[a.id]["decision"] == "include"


def test_unmatched_rows_are_all_named_and_nothing_is_imported(review, tmp_path):
    project, records = review
    a, b = pick(records, doi=True)[:2]
    columns = ["title", "abstract", "doi", "year", "included"]
    rows = [{"title": a.record.title, "doi": a.record.doi, "included": "1"},
            {"title": "A study nobody wrote", "doi": "10.9999/none.1", "included": "0"},
            {"title": b.record.title, "year": str(b.record.year), "included": "0"},
            {"title": "Another absent paper", "year": "2001", "included": "1"},
            {"title": "Unlabelled and absent", "included": ""},  # not decided: needs no match
            {"title": a.record.title, "year": "1901", "doi": "", "included": "1"}]  # wrong year
    path = write_csv(tmp_path / "asreview_export.csv", columns, rows)
    before = snapshot(project.root)
    r = run_cli("screen", "import-decisions", str(path), "-r", "ana", cwd=project.root)
    assert r.returncode == 2, r.stdout
    assert r.stderr.strip() == (
        f"error: {path}:3: 3 decided rows match no record (by id, DOI, PMID, title and "
        "year): asreview_export.csv:3, asreview_export.csv:5, asreview_export.csv:7; "
        "nothing imported")
    assert snapshot(project.root) == before


def test_id_wins_over_doi_and_doi_over_title(review, tmp_path):
    project, records = review
    a, b = pick(records, doi=True)[:2]
    c = pick(records, doi=False)[0]
    columns = ["reviewkit_id", "title", "doi", "included"]
    rows = [{"reviewkit_id": a.id, "title": c.record.title, "doi": b.record.doi, "included": "1"},
            {"reviewkit_id": "", "title": c.record.title, "doi": b.record.doi, "included": "0"}]
    path = write_csv(tmp_path / "labels.csv", columns, rows)
    with session(project.root) as (proj, store):
        report = import_decisions(Screening(proj, store), path, "ana", TA, "asreview")
    assert report.matched == {"id": 1, "doi": 1}
    assert {k: v["decision"] for k, v in logged(project, "ana").items()} == {
        a.id: "include", b.id: "exclude"}


def test_reviewkit_csv_row_with_a_foreign_id_falls_back_to_doi(review, tmp_path):
    project, records = review
    a = pick(records, doi=True)[0]
    path = write_csv(tmp_path / "mine.csv", ["record_id", "decision", "doi", "title"],
                     [{"record_id": "zotero-ABCD", "decision": "include", "doi": a.record.doi,
                       "title": a.record.title}])
    r = run_cli("screen", "import-decisions", str(path), "-r", "ana", cwd=project.root)
    assert r.returncode == 0, r.stderr
    assert logged(project, "ana")[a.id]["via"] == "csv"


# ---- ASReview LAB project files, built here in the layouts LAB 2 and LAB 1 write ----------

LAB2_RESULTS = """CREATE TABLE results (record_id INTEGER UNIQUE, label INTEGER, classifier TEXT,
    querier TEXT, balancer TEXT, feature_extractor TEXT, training_set INTEGER, time FLOAT,
    note TEXT, tags JSON, user_id INTEGER)"""
LAB2_RECORD = """CREATE TABLE record (record_id INTEGER PRIMARY KEY, dataset_row INTEGER,
    dataset_id TEXT, duplicate_of INTEGER, title TEXT, abstract TEXT, authors JSON, notes JSON,
    keywords JSON, year INTEGER, doi TEXT, url TEXT, included INTEGER)"""
LAB1_RESULTS = """CREATE TABLE results (record_id INTEGER, label INTEGER, classifier TEXT,
    query_strategy TEXT, balance_strategy TEXT, feature_extraction TEXT, training_set INTEGER,
    labeling_time INTEGER, notes TEXT)"""


def sqlite_file(path: Path, schema: str, table: str, rows: list[tuple]) -> Path:
    con = sqlite3.connect(path)
    con.execute(schema)
    marks = ",".join("?" * len(rows[0]))
    con.executemany(f"INSERT INTO {table} VALUES ({marks})", rows)
    con.commit()
    con.close()
    return path


def asreview_file(tmp_path: Path, version: int, chosen, labels: list[int | None],
                  stale_dataset: bool = False) -> Path:
    """A project whose dataset is ``chosen`` (row i = ASReview record_id i); the first
    row keeps its reviewkit_id column, the others are found by DOI or title.
    ``stale_dataset``: the CSV in data/ is in another order than LAB's data store."""
    in_file = chosen[::-1] if stale_dataset else chosen
    dataset = write_csv(tmp_path / "nudge.csv", ["reviewkit_id", "title", "doi", "year"], [
        {"reviewkit_id": sr.id if i == 0 else "", "title": sr.record.title,
         "doi": sr.record.doi, "year": str(sr.record.year or "")}
        for i, sr in enumerate(in_file)])
    out = tmp_path / f"nudge_v{version}.asreview"
    with zipfile.ZipFile(out, "w") as z:
        z.write(dataset, "data/nudge.csv")
        if version == 2:
            config = {"version": "2.0", "id": "nudge", "mode": "oracle", "name": "nudge",
                      "datasets": [{"id": "d1", "name": "nudge.csv"}],
                      "reviews": [{"id": "r1", "status": "finished"}]}
            store = sqlite_file(tmp_path / "data_store.db", LAB2_RECORD, "record", [
                (i, i, "d1", None, sr.record.title, "", "[]", "[]", "[]", sr.record.year,
                 sr.record.doi or None, None, None) for i, sr in enumerate(chosen)])
            z.write(store, "data_store.db")
            results = sqlite_file(tmp_path / "results.db", LAB2_RESULTS, "results", [
                (i, lab, "nb", "max", "balanced", "tfidf", i, 1.7e9 + i,
                 "relevant?" if i == 1 else None, None, 1) for i, lab in enumerate(labels)])
            z.write(results, "reviews/r1/results.db")
        else:
            config = {"version": "1.5", "id": "nudge", "mode": "oracle", "name": "nudge",
                      "dataset_path": "nudge.csv", "reviews": [{"id": "r1"}]}
            results = sqlite_file(tmp_path / "results.sql", LAB1_RESULTS, "results", [
                (i, lab, "nb", "max", "double", "tfidf", i, 0, None)
                for i, lab in enumerate(labels)])
            z.write(results, "reviews/r1/results.sql")
        z.writestr("project.json", json.dumps(config))
    return out


@pytest.mark.parametrize("version", [2, 1])
def test_asreview_project_file_labels_become_decisions(review, tmp_path, version):
    project, records = review
    chosen = pick(records, doi=True)[:3] + pick(records, doi=False)[:3]
    labels = [1, 0, 1, 0, None, 0]  # None: shown to the reviewer, not labelled yet
    path = asreview_file(tmp_path, version, chosen, labels)
    r = run_cli("screen", "import-decisions", str(path), "-r", "cara", cwd=project.root)
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines() == ["5 decisions imported, 0 unchanged, 1 rows without a decision",
                                     "from asreview; matched by doi 2, id 1, title+year 2"]
    got = logged(project, "cara")
    expected = {sr.id: {1: "include", 0: "exclude"}[lab]
                for sr, lab in zip(chosen, labels, strict=True) if lab is not None}
    assert {k: v["decision"] for k, v in got.items()} == expected
    assert got[chosen[0].id]["note"] == f"from ASReview {path.name}: record_id 0"
    if version == 2:
        assert got[chosen[1].id]["note"].endswith("record_id 1; relevant?")


def test_a_file_that_is_no_asreview_project_is_refused(review, tmp_path):
    project, _ = review
    fake = tmp_path / "x.asreview"
    with zipfile.ZipFile(fake, "w") as z:
        z.writestr("readme.txt", "hello")
    before = snapshot(project.root)
    r = run_cli("screen", "import-decisions", str(fake), "-r", "ana", cwd=project.root)
    assert r.returncode == 2 and "project.json" in r.stderr and "Traceback" not in r.stderr
    assert snapshot(project.root) == before


def test_asreview_ris_export_labels_are_read_from_n1(review, tmp_path):
    project, records = review
    a = pick(records, doi=True)[0]
    b, c = pick(records, doi=False)[:2]
    ris = "".join(f"TY  - JOUR\nTI  - {sr.record.title}\nPY  - {sr.record.year}\n"
                  f"DO  - {sr.record.doi}\nN1  - {label}\nER  - \n\n"
                  for sr, label in [(a, "ASReview_relevant"), (b, "ASReview_irrelevant"),
                                    (c, "ASReview_not_seen")])
    path = tmp_path / "asreview_export.ris"
    path.write_text(ris, encoding="utf-8")
    r = run_cli("screen", "import-decisions", str(path), "-r", "ana", cwd=project.root)
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines() == ["2 decisions imported, 0 unchanged, 1 rows without a decision",
                                     "from asreview; matched by doi 1, title+year 1"]
    assert {k: v["decision"] for k, v in logged(project, "ana").items()} == {
        a.id: "include", b.id: "exclude"}


@pytest.mark.parametrize("args, words", [
    (["--from", "endnote"], "unknown tool 'endnote'"),
    (["--from", "covidence", "--decision", "perhaps"], "unknown decision 'perhaps'"),
])
def test_option_mistakes_are_one_line_and_write_nothing(review, tmp_path, args, words):
    project, records = review
    path = write_csv(tmp_path / "c.csv", COVIDENCE, [covidence_row(records[0], 1)])
    before = snapshot(project.root)
    r = run_cli("screen", "import-decisions", str(path), "-r", "ana", *args, cwd=project.root)
    assert r.returncode == 2 and words in r.stderr, r.stderr
    assert len(r.stderr.strip().splitlines()) == 1 and snapshot(project.root) == before


def test_unknown_export_format_is_one_line(review, tmp_path):
    project, _ = review
    out = tmp_path / "x.bib"
    r = run_cli("export", "-f", "endnote", "-o", str(out), cwd=project.root)
    assert r.returncode == 2 and "unknown export format 'endnote'" in r.stderr
    assert "bibtex, csl-json, asreview" in r.stderr and not out.exists()


def test_rayyan_ris_export_keeps_decisions_in_n1(review, tmp_path):
    project, records = review
    a, b = pick(records, doi=True)[:2]
    ris = "".join(f"TY  - JOUR\nTI  - {sr.record.title}\nPY  - {sr.record.year}\n"
                  f"DO  - {sr.record.doi}\nN1  - {note}\nER  - \n\n"
                  for sr, note in [(a, 'RAYYAN-INCLUSION: {"Ana"=>"Included"}'),
                                   (b, 'RAYYAN-INCLUSION: {"Ana"=>"Excluded"} | '
                                       'RAYYAN-EXCLUSION-REASONS: not empirical')])
    path = tmp_path / "rayyan.ris"
    path.write_text(ris, encoding="utf-8")
    r = run_cli("screen", "import-decisions", str(path), "-r", "ben", "--member", "Ana",
                cwd=project.root)
    assert r.returncode == 0, r.stderr
    got = logged(project, "ben")
    assert {k: (v["decision"], v["reason"]) for k, v in got.items()} == {
        a.id: ("include", ""), b.id: ("exclude", "not empirical")}
    # record 2 starts on line 8 (5 tags, ER, a blank line before it)
    assert got[b.id]["note"] == ("from Rayyan rayyan.ris:8; Rayyan member Ana; "
                                 "Rayyan reasons: not empirical")


def test_a_title_matches_a_year_either_side_but_not_further(review, tmp_path):
    project, records = review
    a, b = pick(records, doi=False)[:2]
    columns = ["title", "year", "included"]
    rows = [{"title": a.record.title, "year": str(a.record.year + 1), "included": "1"},
            {"title": b.record.title, "year": str(b.record.year - 3), "included": "1"}]
    path = write_csv(tmp_path / "years.csv", columns, rows)
    r = run_cli("screen", "import-decisions", str(path), "-r", "ana", cwd=project.root)
    assert r.returncode == 2 and r.stderr.rstrip().endswith(
        "1 decided rows match no record (by id, DOI, PMID, title and year): years.csv:3; "
        "nothing imported")
    write_csv(path, columns, rows[:1])
    r = run_cli("screen", "import-decisions", str(path), "-r", "ana", cwd=project.root)
    assert r.returncode == 0 and r.stdout.endswith("matched by title 1\n"), r.stderr
    assert set(logged(project, "ana")) == {a.id}


def test_a_later_export_with_the_same_decisions_adds_nothing(review, tmp_path):
    project, records = review
    chosen = pick(records, doi=True)[:4]
    columns = ["title", "doi", "included", "asreview_note"]
    rows = [{"title": sr.record.title, "doi": sr.record.doi, "included": str(i % 2),
             "asreview_note": "dose?" if i == 0 else ""} for i, sr in enumerate(chosen)]
    first = write_csv(tmp_path / "monday.csv", columns, rows)
    assert run_cli("screen", "import-decisions", str(first), "-r", "ana",
                   cwd=project.root).stdout.startswith("4 decisions imported")
    rows[3]["included"] = "0"  # one changed its label since; the rows come in another order
    later = write_csv(tmp_path / "friday.csv", columns, rows[::-1])
    r = run_cli("screen", "import-decisions", str(later), "-r", "ana", cwd=project.root)
    assert r.stdout.startswith("1 decisions imported, 3 unchanged"), r.stderr
    events = read_events(log_path(project, TA, "ana"))
    assert len(events) == 5 and events[-1]["note"] == "from ASReview friday.csv:2"


def test_two_rows_for_one_record_must_agree(review, tmp_path):
    project, records = review
    a, b = pick(records, doi=True)[:2]
    columns = ["title", "doi", "year", "included"]
    rows = [{"title": a.record.title, "doi": a.record.doi, "included": "1"},
            {"title": b.record.title, "doi": b.record.doi, "included": "1"},
            {"title": a.record.title, "year": str(a.record.year), "doi": "", "included": "0"}]
    path = write_csv(tmp_path / "dups.csv", columns, rows)
    before = snapshot(project.root)
    r = run_cli("screen", "import-decisions", str(path), "-r", "ana", cwd=project.root)
    assert r.returncode == 2
    assert f"dups.csv:2 and dups.csv:4 are the same record ({a.id})" in r.stderr
    assert snapshot(project.root) == before
    rows[2]["included"] = "1"  # agreeing copies are one decision
    write_csv(path, columns, rows)
    r = run_cli("screen", "import-decisions", str(path), "-r", "ana", cwd=project.root)
    assert r.stdout.startswith("2 decisions imported, 1 unchanged"), r.stderr


def test_a_ris_file_without_any_tools_labels_is_refused(review, tmp_path):
    project, records = review
    path = tmp_path / "zotero.ris"
    path.write_text(f"TY  - JOUR\nTI  - {records[0].record.title}\nER  - \n", encoding="utf-8")
    before = snapshot(project.root)
    r = run_cli("screen", "import-decisions", str(path), "-r", "ana", cwd=project.root)
    assert r.returncode == 2 and "no decisions in it" in r.stderr
    assert snapshot(project.root) == before


def test_a_stale_dataset_file_never_lends_its_ids(review, tmp_path):
    """Row 0 of the CSV is another record than LAB's record 0: its reviewkit_id must not
    be used for record 0; the data store's own DOI and title decide."""
    project, records = review
    chosen = pick(records, doi=True)[:3] + pick(records, doi=False)[:3]
    labels = [1, 0, 1, 0, None, 0]
    path = asreview_file(tmp_path, 2, chosen, labels, stale_dataset=True)
    r = run_cli("screen", "import-decisions", str(path), "-r", "cara", cwd=project.root)
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines()[1] == "from asreview; matched by doi 3, title+year 2"
    expected = {sr.id: {1: "include", 0: "exclude"}[lab]
                for sr, lab in zip(chosen, labels, strict=True) if lab is not None}
    assert {k: v["decision"] for k, v in logged(project, "cara").items()} == expected
