"""Import into a project: provenance, stable ids, atomicity, idempotence, rebuilds."""

from __future__ import annotations

import shutil

import pytest

from helpers import new_project, run_cli, snapshot
from reviewkit.errors import ReviewkitError
from reviewkit.io.importer import import_files
from reviewkit.searches.log import get_search, load_searches
from reviewkit.searches.reconcile import reconcile
from reviewkit.store import open_store
from reviewkit.store.sync import refresh

from conftest import export_file


def ids(store) -> dict[str, str]:
    return {sr.id: sr.record.title for sr in store.iter_records()}


def test_import_keeps_bytes_logs_file_and_provenance(tmp_path):
    src = export_file("ris/wos_asysd.ris")
    project, store = new_project(tmp_path, ("wos", 50))
    report = import_files(project, store, [src], "wos")
    assert report.added == 50
    kept = project.root / report.files[0].stored_as
    assert kept.read_bytes() == src.read_bytes()  # byte for byte, BOM and bare CRs included
    assert get_search(project, "wos").files == ["searches/exports/wos_asysd.ris"]
    first = next(store.iter_records())
    assert first.search_id == "wos" and first.file == "searches/exports/wos_asysd.ris"
    # the file's key (name + content hash) and the database's accession number
    prefix, key = first.id.split("/")
    assert prefix.startswith("wos-asysd-") and key == "wos-WOS:000082252000006"
    assert first.record.position == 1 and first.record.line == 1


def test_reimport_adds_nothing(tmp_path):
    src = export_file("medline-nbib/pubmed-cancer_reflib-endnotexml.nbib")
    project, store = new_project(tmp_path, ("pubmed", 20))
    assert import_files(project, store, [src], "pubmed").added == 20
    before = snapshot(project.root)
    again = import_files(project, store, [src], "pubmed")
    assert again.added == 0 and again.files[0].already_imported
    assert snapshot(project.root) == before
    assert store.count_records() == 20


def test_bad_file_imports_nothing(tmp_path):
    good = export_file("ris/scopus_asysd.ris")
    bad = tmp_path / "cut.ris"
    data = export_file("ris/embase-com_asreview.ris").read_bytes()
    bad.write_bytes(data[: len(data) * 2 // 3])
    project, store = new_project(tmp_path, ("scopus", None))
    before = snapshot(project.root)
    with pytest.raises(ReviewkitError) as err:
        import_files(project, store, [good, bad], "scopus")
    assert err.value.file == str(bad) and err.value.line
    assert snapshot(project.root) == before
    assert store.count_records() == 0


def test_ids_survive_other_imports_and_rebuilds(tmp_path):
    project, store = new_project(tmp_path, ("scopus", None), ("embase", None))
    import_files(project, store, [export_file("ris/scopus_asysd.ris")], "scopus")
    first = ids(store)
    import_files(project, store, [export_file("ris/embase-com_asreview.ris")], "embase")
    second = ids(store)
    assert {k: second[k] for k in first} == first
    store.close()
    shutil.rmtree(project.cache_dir)
    fresh = open_store(project.store_path)
    refresh(project, fresh)
    assert ids(fresh) == second
    assert [sr.record.__dict__ for sr in fresh.iter_records()] == \
        [sr.record.__dict__ for sr in store_records(project)]


def store_records(project):
    st = open_store(project.store_path)
    return list(st.iter_records())


def test_ids_without_accession_are_content_hashes(tmp_path):
    project, store = new_project(tmp_path, ("zotero", None))
    import_files(project, store, [export_file("bibtex/scopus_synthesisr.bib")], "zotero")
    keys = sorted(ids(store))
    assert len(keys) == 3
    assert all(k.startswith("scopus-synthesisr-")
               for k in keys)


def test_adding_a_file_rereads_only_its_source(tmp_path):
    project, store = new_project(tmp_path, ("wos", None), ("scopus", None))
    import_files(project, store, [export_file("ris/wos_asysd.ris")], "wos")
    import_files(project, store, [export_file("ris/scopus_asysd.ris")], "scopus")
    shutil.copy(export_file("ris/scopus_synthesisr.ris"), project.exports_dir / "extra.ris")
    report = refresh(project, store)
    assert report.refreshed == ["unlogged-extra-ris"]
    assert report.unchanged == 2
    assert store.count_records() == 63


def test_unlogged_import_warns_and_is_counted(tmp_path):
    project, store = new_project(tmp_path)
    report = import_files(project, store, [export_file("csv/embase-com_asreview.csv")])
    assert report.added == 6
    assert any("unlogged" in w for w in report.warnings)
    assert {sr.source for sr in store.iter_records()} == {"unlogged-embase-com-asreview-csv"}


def test_reconcile_flags_a_truncated_export(tmp_path):
    project, store = new_project(tmp_path, ("wos", 60), ("scopus", 10))
    import_files(project, store, [export_file("ris/wos_asysd.ris")], "wos")
    import_files(project, store, [export_file("ris/scopus_asysd.ris")], "scopus")
    checks = {c.search_id: c for c in reconcile(load_searches(project), store.count_entries())}
    assert checks["scopus"].status == "ok"
    assert checks["wos"].status == "mismatch"
    assert "60 hits" in checks["wos"].message and "hold 50" in checks["wos"].message


def test_same_file_under_two_names_is_one_import(tmp_path):
    project, store = new_project(tmp_path, ("wos", None))
    copy = tmp_path / "renamed.txt"
    shutil.copy(export_file("ris/wos_asysd.ris"), copy)
    import_files(project, store, [export_file("ris/wos_asysd.ris")], "wos")
    assert import_files(project, store, [copy], "wos").added == 0
    assert len(list(project.exports_dir.iterdir())) == 1


def test_same_stem_different_extension_are_two_sources(tmp_path):
    project, store = new_project(tmp_path)
    import_files(project, store, [export_file("ris/bluelight-endnote_reflib.ris"),
                                  export_file("endnote-xml/bluelight-endnote_reflib.xml")])
    assert store.count_records() == 204
    assert len({sr.source for sr in store.iter_records()}) == 2


def test_a_mistyped_tag_line_is_imported_and_named_by_the_cli(tmp_path):
    text = export_file("ris/scopus_asysd.ris").read_text("utf-8")
    odd = tmp_path / "odd.ris"
    odd.write_text(text.replace("\nTI  - ", "\nTI - ", 1), "utf-8")
    assert run_cli("init", "review", cwd=tmp_path).returncode == 0
    res = run_cli("import", str(odd), cwd=tmp_path / "review")
    assert res.returncode == 0, res.stderr
    named = [w for w in res.stderr.splitlines() if w.startswith(f"warning: {odd}:")]
    assert len(named) == 1 and "TI" in named[0]
