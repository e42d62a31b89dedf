"""Ids through renames the way people do them: found by exploring the project's state."""

from __future__ import annotations

import csv
import shutil

import pytest
from test_ids import _done, _status_warnings

from helpers import run_cli

from conftest import export_file

OLD = "scopus_asysd.ris"


@pytest.fixture
def screened(tmp_path):
    """An export imported with no --search, and ana's ten decisions on its records."""
    assert run_cli("init", "review", cwd=tmp_path).returncode == 0
    root = tmp_path / "review"
    assert run_cli("reviewer", "add", "ana", cwd=root).returncode == 0
    assert run_cli("import", str(export_file(f"ris/{OLD}")), cwd=root).returncode == 0
    res = run_cli("export", "-f", "csv", cwd=root)
    ids = [row["id"] for row in csv.DictReader(res.stdout.splitlines())]
    sheet = tmp_path / "ana.csv"
    with sheet.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["record_id", "decision", "reason", "note"])
        w.writerows([rid, "exclude", "", ""] for rid in ids)
    res = run_cli("screen", "import-decisions", str(sheet), "-r", "ana", cwd=root)
    assert res.returncode == 0, res.stderr
    assert _done(root) == 10
    return root


def test_a_renamed_export_keeps_its_ids_when_a_new_export_takes_its_old_name(screened):
    """Rename last year's export and save the new one under the old name: the ids were
    the old path's, so every decision named the new file's prefix and became an orphan
    that `doctor --fix` could not always link (a record key found twice)."""
    root = screened
    exports = root / "searches" / "exports"
    (exports / OLD).rename(exports / "scopus-2023.ris")
    shutil.copy2(export_file("ris/wos_asysd.ris"), exports / OLD)  # another file, old name
    assert _done(root) == 10
    assert _status_warnings(root) == []
    ids = (root / "searches" / "file-ids.tsv").read_text("utf-8")
    keys = {line.split("\t")[1] for line in ids.splitlines() if line.startswith("file\t")}
    assert len(keys) == 2  # the new content got a key of its own
    shutil.rmtree(root / ".reviewkit")
    assert _done(root) == 10
    assert _status_warnings(root) == []


def test_a_file_edited_in_place_still_keeps_its_key(screened):
    """The rule above needs the old content somewhere else: an edit alone keeps the key."""
    root = screened
    path = root / "searches" / "exports" / OLD
    path.write_bytes(path.read_bytes() + b"\n")
    assert _done(root) == 10
    ids = (root / "searches" / "file-ids.tsv").read_text("utf-8")
    keys = {line.split("\t")[1] for line in ids.splitlines() if line.startswith("file\t")}
    assert len(keys) == 1
