"""ASReview LAB's project file (.asreview, a zip): the labels of its first review, each
with the ids of its record (reviewkit_id and PMID from the dataset file when it is a CSV,
title/year/DOI from LAB's data store)."""

from __future__ import annotations

import json
import re
import sqlite3
import tempfile
import zipfile
from pathlib import Path

from reviewkit.dedup.features import title_words
from reviewkit.errors import ReviewkitError
from reviewkit.screening.toolrows import ToolRow, csv_rows, decode, row_ids


def asreview_project(path: Path) -> list[ToolRow]:
    """Labels of an .asreview file: LAB 2 (data_store.db + reviews/*/results.db) or
    LAB 1 (data/<dataset> + reviews/*/results.sql), read from a private copy."""
    if not zipfile.is_zipfile(path):
        raise ReviewkitError("not an ASReview project file (an .asreview is a zip)",
                             file=str(path))
    with zipfile.ZipFile(path) as z, tempfile.TemporaryDirectory() as tmp:
        names = z.namelist()
        config = next((n for n in names if n.split("/")[-1] == "project.json"
                       and n.count("/") <= 1), None)
        if config is None:
            raise ReviewkitError("no project.json: not an ASReview project", file=str(path))
        root = config[: -len("project.json")]
        project = json.loads(z.read(config))
        results = sorted(n for n in names if re.fullmatch(
            re.escape(root) + r"reviews/[^/]+/results\.(db|sql)", n))
        if not results:
            raise ReviewkitError("the project has no review (reviews/*/results.db)",
                                 file=str(path))
        labels = _results(z.extract(results[0], tmp), f"{path.name}:{results[0]}")
        dataset = _dataset(z, root, project, names)
        store = root + "data_store.db"
        records = _data_store(z.extract(store, tmp), dataset) if store in names else dataset
    out = []
    for rid, (label, note) in sorted(labels.items()):
        where = f"{path.name}: record_id {rid}"
        decision = {1: "include", 0: "exclude"}.get(label, "")
        out.append(ToolRow(where, None, records.get(rid, {}), decision, note=note))
    return out


def _results(db: str, name: str) -> dict[int, tuple[int | None, str]]:
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        columns = {row[1] for row in con.execute("PRAGMA table_info(results)")}
        if not {"record_id", "label"} <= columns:
            raise ReviewkitError("results table lacks record_id/label", file=name)
        note = next((c for c in ("note", "notes") if c in columns), None)
        query = f"SELECT record_id, label, {note or 'NULL'} FROM results"
        # a NULL label is a record shown but not labelled yet: counted as not decided
        return {int(r): (lab, n or "") for r, lab, n in con.execute(query)}
    except sqlite3.DatabaseError as exc:
        raise ReviewkitError(f"cannot read the review's database ({exc})", file=name) from None
    finally:
        con.close()


def _dataset(z: zipfile.ZipFile, root: str, project: dict,
             names: list[str]) -> dict[int, dict[str, str]]:
    """Row number -> ids, from the dataset file in data/ when it is a CSV (LAB keeps the
    columns it does not use, such as reviewkit_id and pmid, only there)."""
    listed = [d.get("name", "") for d in project.get("datasets", [])]
    listed += [project.get("dataset_path", "")]
    member = next((root + "data/" + n for n in listed if n and root + "data/" + n in names),
                  None)
    if member is None or not member.lower().endswith((".csv", ".tsv", ".tab")):
        return {}
    header, rows = csv_rows(decode(z.read(member), member), member)
    out = {}
    for i, (_, row) in enumerate(rows):
        rid = int(row["record_id"]) if row.get("record_id", "").isdigit() else i
        out[rid] = row_ids(row, ["reviewkit_id"])
    return out


def _data_store(db: str, dataset: dict[int, dict[str, str]]) -> dict[int, dict[str, str]]:
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        out = {}
        query = "SELECT record_id, dataset_row, title, year, doi FROM record"
        for rid, row, title, year, doi in con.execute(query):
            ids = dict(dataset.get(row, {})) if row is not None else {}
            if title and ids.get("title") and title_words(ids["title"]) != title_words(title):
                ids = {}  # the dataset file is not the one LAB stored: trust only the store
            ids.update({k: str(v) for k, v in (("title", title), ("year", year), ("doi", doi))
                        if v and not ids.get(k)})
            out[int(rid)] = ids
        return out
    finally:
        con.close()

