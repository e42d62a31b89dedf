"""Deduplication on real hard pairs from ../shared/data/dedup (each hard case a test)."""

from __future__ import annotations

import csv
import shutil
from functools import cache
from pathlib import Path

import pytest

from helpers import new_project
from reviewkit.dedup.engine import find_duplicates
from reviewkit.dedup.features import features, journal_tokens, page_range, rules, title_words
from reviewkit.dedup.score import CERTAIN, DISTINCT, compare
from reviewkit.errors import ReviewkitError
from reviewkit.io.importer import import_files
from reviewkit.store import open_store
from reviewkit.store.sync import refresh

from conftest import export_file, shared_path


@cache
def dataset(name: str) -> tuple[list[dict], dict[str, int], list[list[int]]]:
    """(rows, record_id -> index, clusters of the whole file)."""
    path = shared_path(f"data/dedup/{name}.csv")
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    recs = [as_record(r) for r in rows]
    return rows, {r["record_id"]: i for i, r in enumerate(rows)}, find_duplicates(recs).clusters


def as_record(row: dict) -> dict:
    rec = {k: row[k] for k in ("title", "authors", "year", "journal", "volume", "issue",
                               "pages", "doi", "abstract")}
    rec["issn"] = row["isbn_issn"]
    return rec


def together(name: str, *ids: str) -> bool:
    _, index, clusters = dataset(name)
    where = {i: c for c, members in enumerate(clusters) for i in members}
    return len({where[index[r]] for r in ids}) == 1


def verdict(name: str, a: str, b: str):
    rows, index, _ = dataset(name)
    fa, fb = (features(0, as_record(rows[index[a]])), features(1, as_record(rows[index[b]])))
    return compare(fa, fb)


def test_sentence_vs_title_case():
    assert together("rathbone_haematology", "id_0000212", "id_0000213")


def test_page_formats_abbreviated_and_excel():
    assert page_range("221-8")[1:] == (221, 228)
    assert page_range("119-27; quiz 128")[1:] == (119, 127)
    assert page_range("21-Aug")[1:] == (21, 28)       # Excel made 21-8 a date
    assert page_range("Nov-19")[1:] == (11, 19)
    assert together("asysd_diabetes", "1", "699", "728")             # 221-8 vs 221-228
    assert together("rathbone_respiratory", "id_0000338", "id_0000339")  # quiz 128
    assert together("asysd_diabetes", "967", "1653", "542", "1289")  # 21-Aug vs 21-28


def test_translated_title_brackets_and_la_suffix():
    assert title_words("[Research on fast track surgery]. LA: Chi") == \
        "research on fast track surgery"
    assert title_words("HPV testing after treatment of CIN 3 [Review]") == \
        "hpv testing after treatment of cin 3"
    assert together("rathbone_respiratory", "id_0000012", "id_0000013", "id_0000014")
    assert together("rathbone_haematology", "id_0000037", "id_0000038")


def test_html_entities_in_titles():
    assert title_words("Bleomycin &amp; doxycycline <i>in vitro</i>") == \
        "bleomycin doxycycline in vitro"
    assert together("rathbone_respiratory", "id_0000744", "id_0000745")


def test_conference_abstract_is_not_the_journal_article():
    # same title and authors: a Circulation supplement abstract and the Int J Cardiol paper
    assert together("asysd_diabetes", "305", "1046")
    assert together("asysd_diabetes", "94", "272", "1600")
    assert not together("asysd_diabetes", "305", "94")
    assert verdict("asysd_diabetes", "305", "94").label == DISTINCT


def test_shared_supplement_doi_is_not_proof():
    # one DOI for a whole Diabetologia supplement, six different abstracts
    ids = ["344", "343", "340", "339", "342", "341"]
    assert all(not together("asysd_diabetes", a, b) for a in ids for b in ids if a < b)
    assert together("asysd_diabetes", "343", "1083")


def test_generic_titles_need_the_citation():
    rows, index, _ = dataset("rathbone_cytology")
    a, b = as_record(rows[index["id_0000012"]]), as_record(rows[index["id_0000710"]])
    a["title"] = b["title"] = "Editorial"
    assert compare(features(0, a), features(1, b)).label == DISTINCT
    same = dict(a)
    assert compare(features(0, a), features(1, same)).label == CERTAIN


def test_volume_with_supplement_and_mangled_volume():
    assert together("asysd_diabetes", "407", "1147")  # 'FASEB Journal. Conference' vs 'FASEB J'
    rows, index, _ = dataset("asysd_diabetes")
    mangled = [r["record_id"] for r in rows if r["volume"].strip() == "1)"]
    assert mangled, "the diabetes set has '(Supplement 1)' volumes cut to '1)'"
    assert sum(together("asysd_diabetes", r, r2) for r in mangled[:20]
               for r2 in [rows[i]["record_id"] for i in range(len(rows))
                          if rows[i]["dup_group"] == rows[index[r]]["dup_group"]]) > 20


def test_year_off_by_one():
    assert together("asysd_diabetes", "214", "464", "953")


def test_initials_vs_full_names_and_no_separators():
    assert together("rathbone_respiratory", "id_0000020", "id_0000021")
    assert together("asysd_diabetes", "327", "1068")  # 'Fang Y.Liu X.Zhao L.' style


def test_journal_transliteration():
    assert together("rathbone_respiratory", "id_0000554", "id_0000555")


def test_one_copy_lacks_doi_or_abstract():
    assert together("asysd_diabetes", "49", "490", "780", "1234")
    rows, index, _ = dataset("asysd_diabetes")
    a = as_record(rows[index["25"]])
    b = dict(a, abstract="", doi="")
    assert compare(features(0, a), features(1, b)).label == CERTAIN


def test_identical_records_with_only_title_authors_year_abstract():
    rows, index, _ = dataset("asysd_diabetes")
    full = as_record(rows[index["1"]])
    bare = {k: full[k] for k in ("title", "authors", "year", "abstract")}
    result = find_duplicates([bare, dict(bare)])
    assert result.clusters == [[0, 1]]


@pytest.mark.parametrize("name", ["asysd_diabetes", "rathbone_cytology",
                                  "rathbone_haematology", "rathbone_respiratory"])
def test_never_merges_different_records_on_the_shared_sets(name):
    rows, _, clusters = dataset(name)
    wrong = sum(len({rows[i]["dup_group"] for i in members}) - 1 for members in clusters)
    groups = len({r["dup_group"] for r in rows})
    assert 1 - wrong / groups >= 0.998


def test_judgements_override_and_rebuild_gives_identical_clusters(tmp_path):
    project, store = new_project(tmp_path)
    import_files(project, store, [export_file("ris/bluelight-endnote_reflib.ris"),
                                  export_file("medline-nbib/bluelight-pubmed_reflib.nbib")])
    from reviewkit.dedup.run import record_judgement, run_dedup
    from reviewkit.screening import add_reviewer

    run_dedup(project, store)
    clusters = store.clusters()
    linked = next(m for m in clusters.values() if len(m) == 2)
    assert len([m for m in clusters.values() if len(m) > 1]) == 80
    with pytest.raises(ReviewkitError, match="tester"):  # not on the project: refused
        record_judgement(project, store, linked[0], linked[1], False, "tester")
    assert store.clusters() == clusters
    add_reviewer(project, "tester")
    record_judgement(project, store, linked[0], linked[1], False, "tester")
    after = store.clusters()
    assert all(not {linked[0], linked[1]} <= set(m) for m in after.values())
    store.close()
    shutil.rmtree(project.cache_dir)
    fresh = open_store(project.store_path)
    refresh(project, fresh)
    run_dedup(project, fresh)
    assert fresh.clusters() == after


def test_new_import_joins_clusters_without_changing_ids(tmp_path):
    project, store = new_project(tmp_path)
    from reviewkit.dedup.run import run_dedup

    import_files(project, store, [export_file("ris/bluelight-endnote_reflib.ris")])
    run_dedup(project, store)
    before = {sr.id for sr in store.iter_records()}
    import_files(project, store, [export_file("medline-nbib/bluelight-pubmed_reflib.nbib")])
    run_dedup(project, store)
    after = {sr.id for sr in store.iter_records()}
    assert before <= after
    multi = [m for m in store.clusters().values() if len(m) > 1]
    assert len(multi) == 80 and all(any(m_id in before for m_id in m) for m in multi)


def test_representative_is_most_complete_and_merged_view_fills_gaps(tmp_path):
    from reviewkit.dedup import merged_record, screening_units
    from reviewkit.dedup.run import run_dedup

    project, store = new_project(tmp_path)
    import_files(project, store, [export_file("ris/bluelight-endnote_reflib.ris"),
                                  export_file("medline-nbib/bluelight-pubmed_reflib.nbib")])
    run_dedup(project, store)
    units = [u for u in screening_units(store) if len(u.members) == 2]
    assert len(units) == 80
    for unit in units:
        recs = [store.get_record(m).record for m in unit.members]
        view = merged_record(store, unit)
        for name in ("title", "abstract", "doi", "volume", "pages", "year"):
            if any(getattr(r, name) for r in recs):
                assert getattr(view, name), f"{unit.id}: merged view lost {name}"
        assert store.get_record(unit.members[1]).record.title == recs[1].title


def _copies(k: int) -> list[dict]:
    base = [{"title": f"Effects of intervention {w} on outcomes in adults",
             "authors": f"Smith {w}",
             "year": 2000 + i, "journal": "Journal of Trials", "volume": str(i), "pages": "1-9",
             "doi": f"10.1000/{w}", "abstract": f"We studied {w}."}
            for i, w in enumerate(["alpha", "beta", "gamma", "delta"])]
    return [dict(r) for r in base for _ in range(k)]


def test_exact_copies_cluster_with_one_pair_each_not_all_pairs():
    result = find_duplicates(_copies(30))
    assert sorted(len(c) for c in result.clusters) == [30, 30, 30, 30]
    merged = [p for p in result.pairs if p.outcome == "merged"]
    assert len(merged) == 4 * 29  # linear in the copies; all pairs would be 4 * 435


def test_a_copy_a_person_judged_different_stays_apart():
    records = _copies(3)
    result = find_duplicates(records, {(0, 1): False, (0, 2): False})
    assert [0] in result.clusters
    assert any(sorted(c) == [1, 2] for c in result.clusters)


def test_bibtex_double_dash_keeps_the_last_page():
    assert page_range("567--569")[1:] == (567, 569)
    assert page_range("120--35")[1:] == (120, 135)
    a = features(0, {"title": "A title long enough to compare", "pages": "567--569"})
    b = features(1, {"title": "A title long enough to compare", "pages": "567-569"})
    assert a.pages == b.pages == ("", 567, 569)


def test_every_word_list_in_the_shipped_yaml_is_words():
    # a bare on/off/yes/no in a YAML list is a boolean, silently never matched
    from importlib import resources

    import yaml

    def lists(node):
        if isinstance(node, dict):
            for v in node.values():
                yield from lists(v)
        elif isinstance(node, list):
            yield node
            for v in node:
                yield from lists(v)

    root = resources.files("reviewkit")
    bad = []
    for path in sorted(Path(str(root)).rglob("*.yaml")):
        for items in lists(yaml.safe_load(path.read_text("utf-8"))):
            kinds = {type(v) for v in items}
            if str in kinds and bool in kinds:
                bad.append((path.name, [v for v in items if isinstance(v, bool)]))
    assert bad == []
    assert "on" in rules()["journal_stopwords"]
    assert journal_tokens("Conference on Information Systems") == ("conference", "information",
                                                                   "systems")


def test_erratum_titles_on_the_same_pages_stay_merged():
    # 'Erratum: <title>' vs '<title>' on 616-616, and a MEDLINE '[Erratum appears in ...]'
    # tail: labelled duplicates, which the notice rule (issue 18) must not send to the queue
    assert together("rathbone_haematology", "id_0000020", "id_0000021")
    assert together("rathbone_haematology", "id_0000052", "id_0000117")
    assert verdict("rathbone_haematology", "id_0000020", "id_0000021").label == CERTAIN
