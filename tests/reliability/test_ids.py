"""Ids that never change meaning: import, then log, rename, move, rebuild — decisions stay
attached; an orphaned decision is listed by status and refused by report and prisma."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest

from helpers import run_cli, snapshot

from conftest import export_file

SRC = "ris/scopus_asysd.ris"


def _done(root: Path, who: str = "ana") -> int:
    res = run_cli("status", "-f", "json", cwd=root)
    assert res.returncode == 0, res.stderr
    info = json.loads(res.stdout)[0]
    return sum(r["done"] for r in info["screening"]
               if r["reviewer"] == who and r["stage"] == "title-abstract")


def _status_warnings(root: Path) -> list[str]:
    res = run_cli("status", "-f", "json", cwd=root)
    assert res.returncode == 0, res.stderr
    return json.loads(res.stdout)[0]["warnings"]


@pytest.fixture
def screened(tmp_path):
    """An export imported with no --search, and ana's ten decisions on its records."""
    src = export_file(SRC)
    assert run_cli("init", "review", cwd=tmp_path).returncode == 0
    root = tmp_path / "review"
    assert run_cli("reviewer", "add", "ana", cwd=root).returncode == 0
    assert run_cli("import", str(src), cwd=root).returncode == 0
    res = run_cli("export", "-f", "csv", cwd=root)
    ids = [row["id"] for row in csv.DictReader(res.stdout.splitlines())]
    assert len(ids) == 10
    sheet = tmp_path / "ana.csv"
    with sheet.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["record_id", "decision", "reason", "note"])
        w.writerows([rid, "exclude" if i % 2 else "include", "", ""]
                    for i, rid in enumerate(ids))
    res = run_cli("screen", "import-decisions", str(sheet), "-r", "ana", cwd=root)
    assert res.returncode == 0, res.stderr
    assert _done(root) == 10
    return root, src


def test_logging_the_file_afterwards_keeps_every_decision(screened):
    root, src = screened
    res = run_cli("search", "add", "--id", "scopus", "--database", "Scopus", "--file", str(src),
                  cwd=root)
    assert res.returncode == 0, res.stderr
    assert "Traceback" not in res.stderr
    assert _done(root) == 10
    shutil.rmtree(root / ".reviewkit")  # the cache may be deleted any time
    assert _done(root) == 10
    assert _status_warnings(root) == []


def test_rename_and_move_keep_every_decision(screened):
    root, src = screened
    assert run_cli("search", "add", "--id", "scopus", "--database", "Scopus", "--file",
                   str(src), cwd=root).returncode == 0
    toml = root / "searches" / "scopus.toml"
    old = "searches/exports/scopus_asysd.ris"
    for new in ("searches/exports/scopus-2024.ris", "searches/exports/2024/scopus.ris"):
        (root / new).parent.mkdir(parents=True, exist_ok=True)
        (root / old).rename(root / new)
        toml.write_text(toml.read_text("utf-8").replace(old, new), "utf-8")
        old = new
        assert _done(root) == 10, new
        shutil.rmtree(root / ".reviewkit")
        assert _done(root) == 10, new


def test_a_restored_copy_of_a_moved_file_is_named_once_and_keeps_no_decision(screened):
    """Moved (the log updated), then the old path restored from git: two files, one content."""
    root, src = screened
    assert run_cli("search", "add", "--id", "scopus", "--database", "Scopus", "--file",
                   str(src), cwd=root).returncode == 0
    toml = root / "searches" / "scopus.toml"
    old, new = "searches/exports/scopus_asysd.ris", "searches/exports/2024/scopus.ris"
    (root / new).parent.mkdir(parents=True)
    shutil.copy2(root / old, root / new)
    (root / old).unlink()
    toml.write_text(toml.read_text("utf-8").replace(old, new), "utf-8")
    assert _done(root) == 10
    shutil.copy2(root / new, root / old)  # restored
    res = run_cli("status", cwd=root)
    assert res.returncode == 0, res.stderr
    assert f"note: {old} has the same content as {new}: a copy?" in res.stderr
    assert _done(root) == 10  # the logged file kept its key and its decisions
    again = run_cli("status", cwd=root)
    assert "same content" not in again.stderr  # said when the copy got its own key
    assert run_cli("doctor", cwd=root).returncode == 0


def test_unlogged_file_renamed_by_hand_keeps_decisions(screened):
    root, _ = screened
    exports = root / "searches" / "exports"
    (exports / "scopus_asysd.ris").rename(exports / "renamed.ris")
    assert _done(root) == 10
    shutil.rmtree(root / ".reviewkit")
    assert _done(root) == 10


def test_first_design_ids_still_resolve(screened):
    """A log written when ids were <search id>/<key> (or unlogged-<file>/<key>) still counts."""
    root, _ = screened
    log = root / "screening" / "title-abstract" / "ana.jsonl"
    events = [json.loads(line) for line in log.read_text("utf-8").splitlines()]
    for e in events:
        e["record"] = "unlogged-scopus-asysd-ris/" + e["record"].split("/", 1)[1]
    log.write_text("".join(json.dumps(e) + "\n" for e in events), "utf-8")
    assert _done(root) == 10
    assert _status_warnings(root) == []


def test_an_orphan_is_listed_by_status_and_refused_by_report_and_prisma(screened, tmp_path):
    root, _ = screened
    log = root / "screening" / "title-abstract" / "ana.jsonl"
    event = json.loads(log.read_text("utf-8").splitlines()[0])
    event.update(id="feedfacefeedface", record="gone-123456/pmid-1")
    with log.open("a", encoding="utf-8") as fh:
        fh.write(json.dumps(event) + "\n")
    line = len(log.read_text("utf-8").splitlines())
    warnings = _status_warnings(root)
    assert warnings == [f"screening/title-abstract/ana.jsonl:{line}: screening decision names "
                        "record 'gone-123456/pmid-1', which does not exist"]
    before = snapshot(root)
    for args in (("report", "-o", str(tmp_path / "out")),
                 ("prisma", "--export-counts", str(tmp_path / "c.csv"))):
        res = run_cli(*args, cwd=root)
        assert res.returncode == 2, (args, res.stdout, res.stderr)
        assert len(res.stderr.strip().splitlines()) == 1 and "gone-123456/pmid-1" in res.stderr
        assert "Traceback" not in res.stderr
        assert snapshot(root) == before
    res = run_cli("doctor", cwd=root)
    assert res.returncode == 1 and "gone-123456/pmid-1" in res.stdout


def test_doctor_fix_links_an_id_whose_file_was_edited_and_renamed(screened):
    root, _ = screened
    exports = root / "searches" / "exports"
    data = (exports / "scopus_asysd.ris").read_bytes()
    (exports / "scopus_asysd.ris").unlink()
    (exports / "scopus-fixed.ris").write_bytes(data + b"\n")  # edited and renamed at once
    assert _done(root) == 0
    assert len(_status_warnings(root)) == 10
    res = run_cli("doctor", "--fix", cwd=root)
    assert res.returncode == 0, res.stdout + res.stderr
    assert res.stdout.count("linked ") == 10
    assert _done(root) == 10
    shutil.rmtree(root / ".reviewkit")
    assert _done(root) == 10
    assert "alias\t" in (root / "searches" / "file-ids.tsv").read_text("utf-8")


def test_a_file_logged_by_two_searches_is_refused_by_name(screened):
    root, src = screened
    for sid in ("a", "b"):
        assert run_cli("search", "add", "--id", sid, "--database", sid.upper(),
                       cwd=root).returncode == 0
    rel = "searches/exports/scopus_asysd.ris"
    for sid in ("a", "b"):
        toml = root / "searches" / f"{sid}.toml"
        toml.write_text(toml.read_text("utf-8") + f'files = ["{rel}", "{rel}"]\n', "utf-8")
    res = run_cli("status", cwd=root)
    assert res.returncode == 2 and "Traceback" not in res.stderr
    assert res.stderr.strip() == (
        f"error: {root / 'searches' / 'b.toml'}: field 'files': export file '{rel}' is also "
        "logged by search 'a': a file belongs to one search; remove it from one of the two")
    (root / "searches" / "b.toml").unlink()
    assert _done(root) == 10  # named twice by one search: read once, nothing lost


def test_appraisals_of_a_study_not_listed_are_orphans(screened, tmp_path):
    root, _ = screened
    (root / "casp" / "ghost").mkdir(parents=True)
    (root / "casp" / "ghost" / "ana.yaml").write_text("checklist: casp-qualitative\n", "utf-8")
    assert "casp/ghost: appraisals of study 'ghost', which is not in studies.toml" in \
        _status_warnings(root)
    before = snapshot(root)
    res = run_cli("report", "-o", str(tmp_path / "out"), cwd=root)
    assert res.returncode == 2 and "casp/ghost" in res.stderr and "Traceback" not in res.stderr
    assert snapshot(root) == before
