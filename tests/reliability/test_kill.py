"""SIGKILL at random moments over every writer: nothing shown as saved is lost, and the
next command works. `pytest -s` prints the figures; bench/killloop.py runs longer.

The writers run as forked children of one pre-imported server (kill_worker.py),
so each kill costs milliseconds, not a Python start-up.
"""

from __future__ import annotations

import csv
import shutil
import subprocess
import sys
from pathlib import Path
from random import Random

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # kill_loops, kill_worker beside this file

import kill_loops as kl  # noqa: E402

from helpers import run_cli, snapshot  # noqa: E402
from reviewkit.project import init_project  # noqa: E402
from reviewkit.project.atomic import (  # noqa: E402
    copy_atomic,
    write_bytes_atomic,
    write_text_atomic,
)
from reviewkit.project.config import find_project  # noqa: E402
from reviewkit.searches.log import Search, add_search, read_search, search_path  # noqa: E402

from conftest import REPO, export_file  # noqa: E402

SEED = 20261201
# 110 kills in all (100 without the import loop)
KILLS = {"screen": 24, "decisions": 10, "judge": 16, "appraise": 14, "extract": 14,
         "import": 12, "copy": 12, "dedup": 10}
FIGURES: dict[str, kl.Figures] = {}


@pytest.fixture(scope="module")
def rig():
    r = kl.Rig()
    yield r
    r.close()
    if FIGURES:
        print(f"\nkill loop figures (seed {SEED}):")
        for fig in FIGURES.values():
            print("  " + fig.line())
        total = sum(f.kills for f in FIGURES.values())
        print(f"  total kills {total}, saved actions checked "
              f"{sum(f.saved for f in FIGURES.values())}, "
              f"lost {sum(f.lost for f in FIGURES.values())}")


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> Path:
    exports = [export_file("ris/bluelight-endnote_reflib.ris"),
               export_file("ris/ovid-medline_citesource.ris")]
    return kl.build_base(tmp_path_factory.mktemp("kill") / "base", exports, REPO).root


def _check(fig: kl.Figures, root: Path, kills: int) -> None:
    FIGURES[fig.writer] = fig
    assert fig.failures == []
    assert fig.kills == kills
    assert fig.saved > 0  # the loop really saved things before and between the kills
    assert fig.lost == 0
    # and the next command as a user runs it: a new process, exit 0, no traceback
    res = run_cli("status", cwd=root)
    assert res.returncode == 0 and "Traceback" not in res.stderr, res.stderr


def test_kill_screening_decisions(rig, base, tmp_path):
    root = kl.fresh_copy(base, tmp_path / "p")
    fig = kl.loop_screen(rig, root, Random(SEED), KILLS["screen"])
    _check(fig, root, KILLS["screen"])


def test_kill_import_decisions(rig, base, tmp_path):
    root = kl.fresh_copy(base, tmp_path / "p")
    batches = tmp_path / "batches"
    batches.mkdir()
    fig = kl.loop_decisions(rig, root, Random(SEED + 1), KILLS["decisions"], batches)
    _check(fig, root, KILLS["decisions"])


def test_kill_dedup_judgements(rig, base, tmp_path):
    root = kl.fresh_copy(base, tmp_path / "p")
    fig = kl.loop_judge(rig, root, Random(SEED + 2), KILLS["judge"])
    _check(fig, root, KILLS["judge"])


def test_kill_appraisal_saves(rig, base, tmp_path):
    root = kl.fresh_copy(base, tmp_path / "p")
    fig = kl.loop_appraise(rig, root, Random(SEED + 3), KILLS["appraise"])
    _check(fig, root, KILLS["appraise"])
    # no temp file of a killed save is left where a reader would take it for a record
    assert [p.name for p in (root / "casp" / "s1").iterdir() if not p.name.startswith(".")] \
        == ["ana.yaml"]


def test_kill_extraction_saves(rig, base, tmp_path):
    root = kl.fresh_copy(base, tmp_path / "p")
    fig = kl.loop_extract(rig, root, Random(SEED + 4), KILLS["extract"])
    _check(fig, root, KILLS["extract"])


def test_kill_import(rig, base, tmp_path):
    root = kl.fresh_copy(base, tmp_path / "p")
    small = ["scopus_asysd.ris", "embase-com_asreview.ris", "ovid-psycinfo_asreview.ris",
             "proquest-ptsdpubs_asreview.ris", "ebsco-academicsearchpremier_synthesisr.ris"]
    sources = kl.import_sources(tmp_path / "sources", [export_file(f"ris/{f}") for f in small],
                                8 * KILLS["import"])  # more than the kills can use up
    fig = kl.loop_import(rig, root, Random(SEED + 5), KILLS["import"], sources)
    _check(fig, root, KILLS["import"])
    # importing what a kill left undone, and three done ones again (as a user would,
    # unsure): each file ends up logged exactly once
    tried = sources[:max(fig.done) + 2]  # the writers go in order: these were started
    again = [k for k in range(len(tried)) if k not in fig.done] + sorted(fig.done)[:3]
    for k in again:
        rc, err = rig.cli(root, "import", str(sources[k]), "--search", f"s{k}")
        assert rc == 0, err
    project = find_project(root)
    for k, path in enumerate(tried):
        files = read_search(search_path(project, f"s{k}")).files
        assert [(root / f).read_bytes() for f in files] == [path.read_bytes()]
    visible = [p for p in project.exports_dir.iterdir() if not p.name.startswith(".")]
    assert len(visible) == 2 + len(tried)  # the base search's two, then one per source
    assert list(project.exports_dir.glob(".*")) == []  # a later import swept the leftovers


def test_import_again_after_a_kill_between_copy_and_log(rig, base, tmp_path):
    # what a kill after the copy and before the search-file write leaves: the whole file
    # in searches/exports/, not yet named by the search
    root = kl.fresh_copy(base, tmp_path / "p")
    source = export_file("ris/wos_asysd.ris")
    add_search(find_project(root), Search(id="wos", database="Web of Science"))
    (root / "searches" / "exports" / source.name).write_bytes(source.read_bytes())
    assert rig.cli(root, "status")[0] == 0
    rc, err = rig.cli(root, "import", str(source), "--search", "wos")
    assert rc == 0, err
    project = find_project(root)
    assert read_search(search_path(project, "wos")).files == [f"searches/exports/{source.name}"]
    rc, err = rig.cli(root, "status")
    assert rc == 0, err


def test_kill_copy_atomic(rig, tmp_path):
    src = tmp_path / "big.bin"
    src.write_bytes(Random(SEED).randbytes(8 << 20))
    folder = tmp_path / "copies"
    folder.mkdir()
    fig = kl.loop_copy(rig, folder, Random(SEED + 7), KILLS["copy"], src)
    FIGURES[fig.writer] = fig
    assert fig.failures == [] and fig.kills == KILLS["copy"] and fig.saved > 0
    assert fig.lost == 0
    # a copy killed mid-way leaves only its hidden temp file (readers skip '.' names)
    assert all(p.name.startswith(".copy-") for p in folder.iterdir()
               if not p.name.startswith("copy-"))


def test_kill_dedup_run_and_rebuild(rig, base, tmp_path):
    root = kl.fresh_copy(base, tmp_path / "p")
    fig = kl.loop_dedup(rig, root, Random(SEED + 6), KILLS["dedup"])
    _check(fig, root, KILLS["dedup"])


# a rebuild reads an import's files exactly as the import did -----------------------
def test_import_keeps_format_and_columns_for_rebuilds(rig, tmp_path):
    source = export_file("csv/embase-com_asreview.csv")
    project = init_project(tmp_path / "p", "Columns")
    add_search(project, Search(id="emb", database="Embase"))
    rc, err = rig.cli(project.root, "import", str(source), "--search", "emb", "--format", "csv",
                      "--columns", "abstract=Emtree Medical Index Terms")
    assert rc == 0, err
    search = read_search(search_path(project, "emb"))
    assert (search.format, search.columns) == ("csv", {"abstract": "Emtree Medical Index Terms"})
    assert search.files == [f"searches/exports/{source.name}"]
    out = tmp_path / "first.csv"
    assert rig.cli(project.root, "export", "-f", "csv", "-o", str(out))[0] == 0
    shutil.rmtree(project.root / ".reviewkit")  # a rebuild from the text files alone
    again = tmp_path / "rebuilt.csv"
    assert rig.cli(project.root, "export", "-f", "csv", "-o", str(again))[0] == 0
    with source.open(encoding="utf-8-sig", newline="") as fh:
        terms = next(csv.DictReader(fh))["Emtree Medical Index Terms"]
    words = terms.split(",")[1].split("(")[0].strip()  # "bronchogenic duplication cyst"
    assert words in terms and words in out.read_text("utf-8")  # the abstract: --columns
    assert again.read_bytes() == out.read_bytes()


def test_import_settings_that_would_reread_other_files_are_refused(rig, tmp_path):
    project = init_project(tmp_path / "p", "Columns")
    add_search(project, Search(id="emb", database="Embase"))
    assert rig.cli(project.root, "import", str(export_file("ris/embase-com_asreview.ris")),
                   "--search", "emb")[0] == 0
    before = snapshot(project.root)
    rc, err = rig.cli(project.root, "import", str(export_file("csv/embase-com_asreview.csv")),
                      "--search", "emb", "--columns", "abstract=Emtree Medical Index Terms")
    assert rc == 2 and err.count("\n") == 1 and "already has files" in err, err
    assert snapshot(project.root) == before


# project/atomic.py: whole or nothing, even when the write itself fails ----------------
def test_a_failed_atomic_write_keeps_the_old_file_and_leaves_no_temp(tmp_path):
    path = tmp_path / "ana.yaml"
    path.write_text("old: 1\n", "utf-8")
    path.chmod(0o640)
    with pytest.raises(TypeError):
        write_bytes_atomic(path, "not bytes")  # fails inside the write, after the temp exists
    assert path.read_text("utf-8") == "old: 1\n"
    assert [p.name for p in tmp_path.iterdir()] == ["ana.yaml"]
    write_text_atomic(path, "new: 2\n")
    assert path.read_bytes() == b"new: 2\n"
    assert path.stat().st_mode & 0o777 == 0o640  # a file keeps its permissions
    assert [p.name for p in tmp_path.iterdir()] == ["ana.yaml"]


def test_copy_atomic_copies_bytes_exactly_into_a_new_folder(tmp_path):
    src = export_file("ris/wos_asysd.ris")
    dst = tmp_path / "new" / "folder" / "wos.ris"
    copy_atomic(src, dst)
    assert dst.read_bytes() == src.read_bytes()
    assert dst.stat().st_mode & 0o777 == 0o644 & ~_umask()
    with pytest.raises(FileNotFoundError):
        copy_atomic(tmp_path / "missing.ris", dst)
    assert dst.read_bytes() == src.read_bytes()
    assert sorted(p.name for p in dst.parent.iterdir()) == ["wos.ris"]


def _umask() -> int:
    return int(subprocess.run(["sh", "-c", "umask"], capture_output=True, text=True,
                              check=True).stdout.strip(), 8)


def test_a_further_file_is_read_with_the_search_settings(rig, tmp_path):
    # the search reads its files with these columns, so a file without that column is
    # refused at import (read by detection, it would break every rebuild instead)
    project = init_project(tmp_path / "p", "Columns")
    add_search(project, Search(id="emb", database="Embase", format="csv",
                                     columns={"abstract": "Emtree Medical Index Terms"}))
    assert rig.cli(project.root, "import", str(export_file("csv/embase-com_asreview.csv")),
                   "--search", "emb")[0] == 0
    before = snapshot(project.root)
    rc, err = rig.cli(project.root, "import", str(export_file("csv/scopus_bibliometrix.csv")),
                      "--search", "emb")
    assert rc == 2 and err.count("\n") == 1 and "Emtree Medical Index Terms" in err, err
    assert snapshot(project.root) == before


def test_import_sweeps_what_a_killed_import_left(rig, base, tmp_path):
    root = kl.fresh_copy(base, tmp_path / "p")
    exports = root / "searches" / "exports"
    left = [exports / ".wos.ris.part", exports / "..wos.ris.part.k2j3.tmp"]
    for path in left:
        path.write_bytes(b"TY  - JOUR\nTI  - half")
    (exports / ".keep").write_text("", "utf-8")  # not ours: stays
    add_search(find_project(root), Search(id="wos", database="Web of Science"))
    rc, err = rig.cli(root, "import", str(export_file("ris/wos_asysd.ris")), "--search", "wos")
    assert rc == 0, err
    assert sorted(p.name for p in exports.glob(".*")) == [".keep"]
    assert (exports / "wos_asysd.ris").read_bytes() == export_file("ris/wos_asysd.ris").read_bytes()
