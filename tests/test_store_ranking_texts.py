"""The ranker's input read from the store in one pass: the same as record by record,
and the features cache key it is hashed into tells piles apart."""

from __future__ import annotations

from helpers import new_project
from reviewkit.io.importer import import_files
from reviewkit.screening import Screening
from reviewkit.screening.live_features import _key

from conftest import export_file


def test_ranking_texts_are_the_records_own_fields_in_the_order_asked(tmp_path):
    project, store = new_project(tmp_path)
    import_files(project, store, [export_file("ris/bluelight-endnote_reflib.ris"),
                                  export_file("ris/wos_asysd.ris")])
    units = Screening(project, store).eligible("title-abstract")
    asked = [*reversed(units), "no-such-record"]
    got = store.ranking_texts(asked)
    assert [t["id"] for t in got] == asked
    with_keywords = 0
    for text in got[:-1]:
        r = store.get_record(text["id"]).record
        assert (text["title"], text["abstract"], text["keywords"]) == (
            r.title, r.abstract, list(r.keywords))
        with_keywords += bool(r.keywords)
    assert with_keywords > 10                  # the keyword lists were compared too
    assert got[-1] == {"id": "no-such-record", "title": "", "abstract": "", "keywords": []}


def test_the_features_key_changes_with_any_field_and_where_it_splits():
    base = [{"id": "a", "title": "Blue light", "abstract": "acne", "keywords": ["x", "yz"]}]

    def key(**change):
        return _key([{**base[0], **change}], None)

    same = key()
    assert same == _key([dict(base[0])], None)
    assert len({same, key(title="Blue lights"), key(abstract="acne."), key(id="b"),
                key(keywords=["xy", "z"]), key(keywords=["x", "y", "z"]),
                key(title="Blue light" + "acne", abstract="")}) == 7
    assert _key(base, None) != _key(base, "svm-nb")  # the model's feature settings count


def test_cached_features_are_found_from_the_stores_checksums_without_reading_a_record(
        tmp_path):
    import shutil
    from dataclasses import replace

    from reviewkit.screening import live_features
    from reviewkit.screening.live_features import prepared_ranker

    project, store = new_project(tmp_path)
    ris = tmp_path / "bluelight.ris"
    shutil.copy(export_file("ris/bluelight-endnote_reflib.ris"), ris)
    import_files(project, store, [ris])
    units = Screening(project, store).eligible("title-abstract")
    before = store.content_key()
    assert before and before == store.content_key()
    first = prepared_ranker(project, store, units).features_

    reads = []
    plain = store.ranking_texts
    store.ranking_texts = lambda ids: reads.append(len(ids)) or plain(ids)
    live_features._FEATURES.clear()                     # a new process: from .reviewkit
    again = prepared_ranker(project, store, units).features_
    assert not reads and (again != first).nnz == 0       # no record read

    # one title changed in the store's rows (as a refresh after an edited export writes
    # them): the same records, other content, so other features
    (row,) = store.files()
    stored = list(store.iter_file_records(row.path))
    edited = [(s.id, replace(s.record, title=s.record.title + " zebrafish") if i == 0
               else s.record) for i, s in enumerate(stored)]
    store.replace_source(row.source, row.search_id, store.source_fingerprint(row.source),
                         [(row, edited)])
    assert Screening(project, store).eligible("title-abstract") == units
    assert store.content_key() != before
    live_features._FEATURES.clear()
    changed = prepared_ranker(project, store, units).features_
    assert reads                                         # read and computed again,
    assert changed.shape[1] > first.shape[1]             # the new word's columns
