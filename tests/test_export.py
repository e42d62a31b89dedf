"""Writers: RIS round trip keeps every field; CSV has one row per record with id and source."""

from __future__ import annotations

import csv
import io

import pytest

from helpers import new_project
from reviewkit.io import parse_bytes
from reviewkit.io.importer import import_files
from reviewkit.io.rawsource import RawSource
from reviewkit.io.writers import CSV_COLUMNS, export

from conftest import EXPORTS, export_file

RIS_FILES = sorted(p.name for p in (EXPORTS / "ris").glob("*")) if EXPORTS.exists() else []
OURS = {"ZI", "ZS"}


@pytest.mark.parametrize("name", RIS_FILES or [pytest.param("-", marks=pytest.mark.skip(
    reason="shared export corpus not present"))])
def test_ris_round_trip_keeps_every_field(tmp_path, name):
    src = export_file(f"ris/{name}")
    project, store = new_project(tmp_path, ("db", None))
    import_files(project, store, [src], "db")
    out = io.StringIO()
    n = export(store.iter_records(), "ris", out=out, raw=RawSource(project).pairs)
    again = parse_bytes(out.getvalue().encode("utf-8"), "export.ris")
    original = parse_bytes(src.read_bytes(), str(src))
    assert n == len(original.records) == len(again.records)
    by_pos = {sr.record.position: sr for sr in store.iter_records()}
    for pos, (before, after) in enumerate(zip(original.records, again.records, strict=True), 1):
        assert [p for p in after.raw if p[0] not in OURS] == before.raw
        assert dict(p for p in after.raw if p[0] in OURS) == {
            "ZI": by_pos[pos].id, "ZS": "db"}


def test_non_ris_records_export_from_normalised_fields(tmp_path):
    project, store = new_project(tmp_path, ("pubmed", None))
    import_files(project, store, [export_file("medline-nbib/pubmed_synthesisr.txt")], "pubmed")
    out = io.StringIO()
    export(store.iter_records(), "ris", out=out, raw=RawSource(project).pairs)
    again = parse_bytes(out.getvalue().encode("utf-8"), "x.ris").records
    stored = [sr.record for sr in store.iter_records()]
    assert [r.title for r in again] == [r.title for r in stored]
    assert [r.doi for r in again] == [r.doi for r in stored]
    assert [r.authors for r in again] == [r.authors for r in stored]
    assert [r.year for r in again] == [r.year for r in stored]


def test_csv_export_one_row_per_record(tmp_path):
    project, store = new_project(tmp_path, ("scopus", None))
    import_files(project, store, [export_file("ris/scopus_asysd.ris")], "scopus")
    import_files(project, store, [export_file("ris/embase-com_asreview.ris")])
    path = tmp_path / "all.csv"
    n = export(store.iter_records(), "csv", path=str(path))
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    assert n == len(rows) == 16
    assert list(rows[0]) == CSV_COLUMNS
    assert len({r["id"] for r in rows}) == 16
    assert {r["source"] for r in rows} == {"scopus", "unlogged-embase-com-asreview-ris"}
    assert not list(tmp_path.glob(".*.part"))
