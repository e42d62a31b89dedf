"""The cache after files move between sources: found by exploring the project's state."""

from __future__ import annotations

import json
import shutil

from helpers import new_project, run_cli
from reviewkit.searches.log import Search, add_search
from reviewkit.store.sync import refresh

from conftest import export_file


def _records(root) -> int:
    res = run_cli("status", "-f", "json", cwd=root)
    assert res.returncode == 0, res.stderr
    return json.loads(res.stdout)[0]["records"]


def test_a_file_moved_to_another_search_and_renamed_keeps_its_records_in_the_cache(tmp_path):
    """The file keeps its key (same content), so its record ids stay; the search it came
    from is still read for another file. The search it went to was read first, and its
    rows were dropped (INSERT OR IGNORE) as the old search still held those ids; then
    the old search's rows were deleted: the records were gone from that command's
    counts, and the next command found the store damaged."""
    project, store = new_project(tmp_path, ("alpha", None), ("zeta", None))
    exports = project.root / "searches" / "exports"
    exports.mkdir(parents=True, exist_ok=True)
    for name, src in (("b.ris", "ris/wos_asysd.ris"), ("a.ris", "ris/scopus_asysd.ris"),
                      ("c.ris", "ris/embase-com_asreview.ris")):
        shutil.copy2(export_file(src), exports / name)
    add_search(project, Search(id="alpha", database="Alpha", files=["searches/exports/b.ris"]),
               overwrite=True)
    add_search(project, Search(id="zeta", database="Zeta", files=[
        "searches/exports/a.ris", "searches/exports/c.ris"]), overwrite=True)
    refresh(project, store)
    total, ids = store.count_records(), store.record_ids()

    (exports / "a.ris").rename(exports / "a-2024.ris")
    add_search(project, Search(id="alpha", database="Alpha", files=[
        "searches/exports/b.ris", "searches/exports/a-2024.ris"]), overwrite=True)
    add_search(project, Search(id="zeta", database="Zeta", files=["searches/exports/c.ris"]),
               overwrite=True)
    refresh(project, store)
    assert store.count_records() == total
    assert store.record_ids() == ids
    store.close()
    res = run_cli("status", "-f", "json", cwd=project.root)
    assert res.returncode == 0 and "note:" not in res.stderr, res.stderr
    assert json.loads(res.stdout)[0]["records"] == total
