"""What `import` says about each file matches what it did (found exploring the import)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from helpers import new_project, run_cli, snapshot
from reviewkit.io.importer import import_files, import_logged

from conftest import export_file

UNLOGGED = "no --search given"


def test_a_file_the_log_names_read_for_the_first_time_is_not_already_imported(tmp_path):
    src = export_file("ris/wos_asysd.ris")
    project, store = new_project(tmp_path, ("wos", 50))
    project.exports_dir.mkdir(parents=True, exist_ok=True)
    shutil.copy2(src, project.exports_dir / src.name)
    path = project.root / "searches" / "wos.toml"
    path.write_text(path.read_text() + 'files = ["searches/exports/wos_asysd.ris"]\n')
    first = import_logged(project, store)
    assert first.added == 50
    assert [f.already_imported for f in first.files] == [False]
    again = import_logged(project, store)
    assert again.added == 0
    assert [f.already_imported for f in again.files] == [True]


def test_the_cli_does_not_call_a_new_file_already_imported(tmp_path):
    src = export_file("ris/scopus_asysd.ris")
    project, store = new_project(tmp_path, ("scopus", 10))
    store.close()
    project.exports_dir.mkdir(parents=True, exist_ok=True)
    shutil.copy2(src, project.exports_dir / src.name)
    path = project.root / "searches" / "scopus.toml"
    path.write_text(path.read_text() + 'files = ["searches/exports/scopus_asysd.ris"]\n')
    r = run_cli("import", cwd=project.root)
    assert r.returncode == 0, r.stderr
    assert "10 new records" in r.stdout
    assert "already imported" not in r.stdout


def test_a_file_logged_by_a_search_is_not_called_unlogged(tmp_path):
    src = export_file("ris/scopus_asysd.ris")
    project, store = new_project(tmp_path, ("scopus", 10))
    import_files(project, store, [src], "scopus")
    again = import_files(project, store, [src])  # no --search: the file is the search's
    assert again.added == 0
    assert not any(UNLOGGED in w for w in again.warnings)


def test_an_unlogged_file_is_still_called_unlogged_beside_a_logged_one(tmp_path):
    logged = export_file("ris/scopus_asysd.ris")
    other = export_file("ris/wos_asysd.ris")
    project, store = new_project(tmp_path, ("scopus", 10))
    import_files(project, store, [logged], "scopus")
    report = import_files(project, store, [logged, other])
    assert report.added == 50
    warned = [w for w in report.warnings if UNLOGGED in w]
    assert len(warned) == 1 and "wos_asysd.ris" in warned[0]


def test_a_device_or_pipe_is_refused_not_read_forever(tmp_path):
    project, store = new_project(tmp_path)
    fifo = tmp_path / "export.ris"
    os.mkfifo(fifo)  # nobody writes to it: reading it would block for ever
    for path in (Path("/dev/zero"), fifo):
        before = snapshot(project.root)
        r = run_cli("import", str(path), cwd=project.root)
        assert r.returncode == 2 and "Traceback" not in r.stderr
        assert f"{path}: not a regular file" in r.stderr
        assert snapshot(project.root) == before


def test_nul_bytes_name_what_is_accepted(tmp_path):
    project, _ = new_project(tmp_path)
    f = tmp_path / "u16.ris"
    f.write_bytes("TY  - JOUR\nTI  - x\nER  - \n".encode("utf-16-le"))  # no BOM
    r = run_cli("import", str(f), cwd=project.root)
    assert r.returncode == 2
    assert "UTF-16 text without a BOM" in r.stderr and "UTF-16 with a BOM" in r.stderr
