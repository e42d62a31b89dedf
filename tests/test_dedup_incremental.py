"""Incremental dedup: file by file, in any order, equals one full run (issue 18).

The shared labelled sets are cut into four CSV exports; each is imported in turn and
dedup runs after each, as the next command would. The store's clusters, pairs and
queue must equal those of a project that imported all four at once and ran once."""

from __future__ import annotations

import csv
import json
import random
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import new_project
from reviewkit.dedup.judgements import log_path
from reviewkit.dedup.run import last_run, record_judgement, run_dedup
from reviewkit.io.importer import import_files
from reviewkit.screening import add_reviewer
from reviewkit.store import open_store

from conftest import REPO, shared_path

COLUMNS = ("title", "authors", "year", "journal", "volume", "issue", "pages", "doi",
           "abstract", "issn")
SETS = ("asysd_diabetes", "rathbone_cytology", "rathbone_haematology", "rathbone_respiratory")


def split(name: str, folder: Path, parts: int = 4, seed: int = 7) -> list[Path]:
    """The set as ``parts`` CSV exports, rows dealt at random (duplicates span files)."""
    with shared_path(f"data/dedup/{name}.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    rng = random.Random(seed)
    chunks: list[list[dict]] = [[] for _ in range(parts)]
    for row in rows:
        chunks[rng.randrange(parts)].append(row)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for k, chunk in enumerate(chunks):
        path = folder / f"{name}-part{k}.csv"
        with path.open("w", encoding="utf-8", newline="") as fh:
            out = csv.writer(fh)
            out.writerow(COLUMNS)
            for row in chunk:
                out.writerow([row["isbn_issn"] if c == "issn" else row[c] for c in COLUMNS])
        paths.append(path)
    return paths


def outcome(store) -> tuple:
    """Everything dedup hands out: clusters by id, every pair with its outcome, the queue."""
    return store.clusters(), store.dedup_pairs(), store.dedup_pairs("queued")


def full_run(tmp_path: Path, files: list[Path], judge: tuple | None = None) -> tuple:
    project, store = new_project(tmp_path / "full")
    import_files(project, store, files)
    if judge:
        add_reviewer(project, "ann")
        a, b, same = judge
        record_judgement(project, store, a, b, same, "ann")
    run_dedup(project, store, force=True)
    assert last_run(store)["mode"] == "full"
    got = outcome(store)
    store.close()
    return got


@pytest.mark.parametrize("name", SETS)
def test_file_by_file_in_any_order_equals_one_run(tmp_path: Path, name: str) -> None:
    files = split(name, tmp_path / "exports")
    want = full_run(tmp_path, files)
    assert len([m for m in want[0].values() if len(m) > 1]) > 50  # the set has duplicates
    modes = []
    for n, order in enumerate(([0, 1, 2, 3], [3, 1, 0, 2])):
        project, store = new_project(tmp_path / f"order{n}")
        for k in order:
            import_files(project, store, [files[k]])
            run_dedup(project, store)
            modes.append(last_run(store)["mode"] + ":" + last_run(store)["why"])
        assert outcome(store) == want, order
        store.close()
    # the path under test: later imports compared only their new records
    assert sum(m.startswith("incremental") for m in modes) >= 4, modes


def test_a_judgement_is_applied_and_kept_through_later_imports(tmp_path: Path) -> None:
    files = split("rathbone_haematology", tmp_path / "exports")
    project, store = new_project(tmp_path / "steps")
    add_reviewer(project, "ann")
    import_files(project, store, files[:2])
    run_dedup(project, store)
    pair = next((a, b) for a, b, *_ in store.dedup_pairs() if a.split("/")[0] != b.split("/")[0])
    record_judgement(project, store, *pair, False, "ann")
    assert last_run(store)["why"] == "judgements changed"
    assert not any(set(pair) <= set(m) for m in store.clusters().values())
    for f in files[2:]:
        import_files(project, store, [f])
        run_dedup(project, store)
        assert last_run(store)["mode"] == "incremental"
    assert outcome(store) == full_run(tmp_path, files, (*pair, False))
    assert log_path(project).exists()


def test_removing_a_file_runs_the_whole_method_and_matches(tmp_path: Path) -> None:
    files = split("rathbone_cytology", tmp_path / "exports")
    project, store = new_project(tmp_path / "steps")
    import_files(project, store, files)
    run_dedup(project, store)
    (project.exports_dir / files[1].name).unlink()
    from reviewkit.store.sync import refresh

    refresh(project, store)
    run_dedup(project, store)
    assert last_run(store)["why"] == "records were removed or re-read"
    assert outcome(store) == full_run(tmp_path, [files[0], files[2], files[3]])


def test_a_damaged_index_is_recomputed_not_trusted(tmp_path: Path) -> None:
    files = split("rathbone_haematology", tmp_path / "exports")
    project, store = new_project(tmp_path / "steps")
    import_files(project, store, files[:3])
    run_dedup(project, store)
    # one byte of one file's features and of the kept state flipped
    for table, key in (("dedup_records", "file"), ("dedup_state", "name")):
        name, blob = store.db.execute(f"SELECT {key}, data FROM {table} LIMIT 1").fetchone()
        blob = bytearray(blob)
        blob[len(blob) // 2] ^= 0x20
        with store.db:
            store.db.execute(f"UPDATE {table} SET data=? WHERE {key}=?", (bytes(blob), name))
    import_files(project, store, files[3:])
    run_dedup(project, store)
    run = last_run(store)
    assert run["mode"] == "full" and run["fresh"] > len(store.db.execute(
        "SELECT 1 FROM records WHERE file LIKE ?", (f"%{files[3].name}",)).fetchall())
    assert outcome(store) == full_run(tmp_path, files)


def _patched_package(tmp_path: Path, edit) -> Path:
    """A copy of the installed reviewkit package with one file edited, as an upgrade."""
    src = tmp_path / "pkg"
    shutil.copytree(REPO / "src" / "reviewkit", src / "reviewkit",
                    ignore=shutil.ignore_patterns("__pycache__"))
    edit(src / "reviewkit")
    return src


def _dedup_with(package: Path, root: Path) -> dict:
    code = ("import json, sys, pathlib; from reviewkit.project.config import find_project; "
            "from reviewkit.store import open_store; from reviewkit.dedup.run import "
            "run_dedup, last_run; p = find_project(pathlib.Path(sys.argv[1])); "
            "s = open_store(p.store_path); run_dedup(p, s); print(json.dumps(last_run(s)))")
    done = subprocess.run([sys.executable, "-c", code, str(root)], capture_output=True,
                          text=True, timeout=120, env={"PYTHONPATH": str(package),
                                                       "PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.splitlines()[-1])


@pytest.mark.parametrize("change", ["method version", "rules.yaml"])
def test_a_new_method_or_new_rules_make_the_index_stale(tmp_path: Path, change: str) -> None:
    files = split("rathbone_haematology", tmp_path / "exports")
    project, store = new_project(tmp_path / "steps")
    import_files(project, store, files)
    run_dedup(project, store)
    store.close()

    def edit(pkg: Path) -> None:
        if change == "method version":
            path = pkg / "dedup" / "version.py"
            path.write_text(path.read_text().replace('METHOD_VERSION = "', 'METHOD_VERSION = "x'))
        else:  # a threshold a release might change; the words and numbers stay valid YAML
            path = pkg / "dedup" / "rules.yaml"
            path.write_text(path.read_text() + "\n# tuned\n")

    run = _dedup_with(_patched_package(tmp_path, edit), project.root)
    assert run["mode"] == "full" and run["why"] == "the method or its rules changed"
    # every feature was recomputed: none of the stale ones was used
    store = open_store(project.store_path)
    assert run["fresh"] == store.count_records()
    store.close()


def _synthetic(n: int, seed: int) -> list[dict]:
    """Records built to reach the rare corners: one DOI on 90 records (a block past its
    limit), shared first authors and years, titles differing by a letter (the sorted
    window), untitled records, and exact copies."""
    rng = random.Random(seed)
    words = ("renal", "cardiac", "trial", "outcome", "cohort", "children", "therapy",
             "dose", "risk", "screening", "survival", "acute")
    rows = []
    for i in range(n):
        title = " ".join(rng.choice(words) for _ in range(6)) + f" {i % 37}"
        if rng.random() < 0.05:
            title = ""
        row = {"title": title, "authors": f"{rng.choice(('Smith', 'Lee', 'Khan'))}, A",
               "year": str(rng.choice((2019, 2020))), "journal": "J Test",
               "volume": str(rng.randint(1, 3)), "issue": "", "pages": f"{rng.randint(1, 40)}-50",
               "doi": "10.1000/supplement" if rng.random() < 0.3 else "", "abstract": "",
               "issn": ""}
        rows.append(row)
        if rng.random() < 0.15:
            rows.append(dict(row))  # an exact copy
        if rng.random() < 0.15:
            rows.append(dict(row, title=title[:-1] + "x"))  # a letter off
    return rows


def _write(rows: list[dict], path: Path) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(COLUMNS)
        out.writerows([r[c] for c in COLUMNS] for r in rows)
    return path


def test_blocks_past_their_limit_and_the_window_match_a_full_run(tmp_path: Path) -> None:
    rows = _synthetic(700, 3)
    rng = random.Random(5)
    rng.shuffle(rows)
    cut = [0, 300, 500, 620, len(rows)]
    (tmp_path / "x").mkdir()
    files = [_write(rows[a:b], tmp_path / "x" / f"part{k}.csv")
             for k, (a, b) in enumerate(zip(cut, cut[1:], strict=False))]
    want = full_run(tmp_path, files)
    stats = []
    for n, order in enumerate(([0, 1, 2, 3], [2, 3, 0, 1], [3, 2, 1, 0])):
        project, store = new_project(tmp_path / f"order{n}")
        for k in order:
            import_files(project, store, [files[k]])
            run_dedup(project, store)
            stats.append(last_run(store))
        assert outcome(store) == want, order
        store.close()
    incremental = [s for s in stats if s["mode"] == "incremental"]
    assert len(incremental) >= 6
    # the corners were reached: kept verdicts dropped, copies that took an old one's place
    assert sum(s["dropped"] for s in incremental) > 0


def _index_rows(store) -> tuple:
    db = store.dedup_index().db
    return (sorted(db.execute("SELECT key, id FROM dedup_keys")),
            sorted(db.execute("SELECT id, sig, head, s1, s2 FROM dedup_records")))


def test_an_old_copy_head_that_stops_blocking_leaves_no_keys_behind(tmp_path: Path) -> None:
    # the later file holds exact copies with smaller ids: the old heads stop blocking,
    # and their keys go (deleted by key and id: there is no index on the id alone)
    rows = _synthetic(300, 11)
    (tmp_path / "x").mkdir()
    files = [_write(rows[:200], tmp_path / "x" / "b.csv"),
             _write(rows[150:], tmp_path / "x" / "a.csv")]
    project, store = new_project(tmp_path / "full")
    import_files(project, store, files)
    run_dedup(project, store, force=True)
    want = _index_rows(store), outcome(store)
    store.close()
    project, store = new_project(tmp_path / "steps")
    moved = 0
    for path in files:
        import_files(project, store, [path])
        before = {rid for rid, h in store.dedup_index().db.execute(
            "SELECT id, head FROM dedup_records") if h is None}
        run_dedup(project, store)
        after = {rid for rid, h in store.dedup_index().db.execute(
            "SELECT id, head FROM dedup_records") if h is None}
        moved += len(before - after)
    assert last_run(store)["mode"] == "incremental"
    assert moved > 0  # some old heads became later copies
    assert (_index_rows(store), outcome(store)) == want
    store.close()


def test_a_full_run_builds_the_index_sql_indexes_again(tmp_path: Path) -> None:
    # they are dropped while a full run refills the index and built at its end; a store
    # made before keeps no index on dedup_keys(id) after its next full run
    (tmp_path / "x").mkdir()
    path = _write(_synthetic(80, 2), tmp_path / "x" / "a.csv")
    project, store = new_project(tmp_path / "p")
    db = store.dedup_index().db
    db.execute("CREATE INDEX dedup_keys_id ON dedup_keys(id)")
    db.commit()
    want = {r for r, in db.execute("SELECT name FROM sqlite_master WHERE type='index' AND "
                                   "name LIKE 'dedup_%' AND name != 'dedup_keys_id'")}
    import_files(project, store, [path])
    run_dedup(project, store, force=True)
    got = {r for r, in db.execute("SELECT name FROM sqlite_master WHERE type='index' AND "
                                  "name LIKE 'dedup_%'")}
    assert got == want and "dedup_records_s1" in got and "dedup_keys_key" in got
    plan = db.execute("EXPLAIN QUERY PLAN SELECT id FROM dedup_keys WHERE key='x'").fetchall()
    assert "dedup_keys_key" in str(plan)
    store.close()
