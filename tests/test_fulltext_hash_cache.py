"""`fulltext status` keeps each file's sha256 in .reviewkit/ by (path, size, mtime_ns): an
unchanged file is not read again, a changed one is, and deleting the cache loses nothing.
Reads are counted by the library's own FileHashes (its ``reads``), not by a mock."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import time

from fulltext_support import project_with_decisions
from helpers import run_cli
from reviewkit.fulltext import attach_fulltext
from reviewkit.fulltext.hashes import CACHE, FileHashes
from reviewkit.fulltext.retrieval import retrieval_rows
from reviewkit.screening import Screening

from conftest import REPO

PDF = b"%PDF-1.4\n% a small real-looking file\n1 0 obj <<>> endobj\n%%EOF\n"
HOUR_AGO = time.time() - 3600


def _attached(tmp_path, n=2):
    """A project whose first n reports have a full text, written an hour ago (as files are
    when status runs on them later: a file written this very second is not remembered)."""
    project, store, units = project_with_decisions(tmp_path, ft_includes=0, ft_decided=0)
    paths = []
    for i in range(n):
        src = tmp_path / f"paper{i}.pdf"
        src.write_bytes(PDF + f"% paper {i}\n".encode())
        paths.append(attach_fulltext(project, store, units[i], src).path)
        os.utime(paths[-1], (HOUR_AGO, HOUR_AGO))
    return project, store, units, paths


def _status(project, store):
    """(rows by record, files read) for one status run with the cache as it is on disk."""
    hashes = FileHashes(project)
    rows = {r["record_id"]: r for r in retrieval_rows(Screening(project, store), hashes)}
    return rows, hashes.reads


def test_an_unchanged_file_is_read_once_and_the_cache_is_rebuildable(tmp_path):
    project, store, units, paths = _attached(tmp_path)
    cold, reads = _status(project, store)
    assert reads == 2
    assert (project.cache_dir / CACHE).is_file()
    warm, reads = _status(project, store)
    assert reads == 0 and warm == cold  # the same answer without reading either file
    (project.cache_dir / CACHE).unlink()  # a cache: deleting it loses nothing
    again, reads = _status(project, store)
    assert reads == 2 and again == cold
    (project.cache_dir / CACHE).write_text("{not json", "utf-8")  # torn or garbled
    again, reads = _status(project, store)
    assert reads == 2 and again == cold


def test_a_changed_file_is_hashed_again_and_its_new_hash_is_seen(tmp_path):
    project, store, units, paths = _attached(tmp_path)
    assert _status(project, store)[1] == 2
    first = paths[0]
    same_size = first.read_bytes().replace(b"paper 0", b"PAPER 0")  # edited, same size
    first.write_bytes(same_size)
    os.utime(first, (HOUR_AGO + 60, HOUR_AGO + 60))  # only its mtime tells
    rows, reads = _status(project, store)
    assert reads == 1 and "differs" in rows[units[0]]["check"]
    assert rows[units[1]]["check"] == ""
    first.write_bytes(PDF + b"% paper 0\n")  # put back (its old size again), a new mtime
    os.utime(first, (HOUR_AGO + 120, HOUR_AGO + 120))
    rows, reads = _status(project, store)
    assert reads == 1 and rows[units[0]]["check"] == ""  # the new hash, not the cached one
    grown = PDF + b"% paper 0\n% and a page more\n"
    first.write_bytes(grown)
    os.utime(first, (HOUR_AGO + 120, HOUR_AGO + 120))  # the same mtime, another size
    rows, reads = _status(project, store)
    assert reads == 1 and "differs" in rows[units[0]]["check"]
    cached = json.loads((project.cache_dir / CACHE).read_text("utf-8"))
    assert hashlib.sha256(grown).hexdigest() in json.dumps(cached)


def test_a_file_written_just_now_is_not_remembered(tmp_path):
    # written within the last moments, it could change again within its mtime's tick
    project, store, units, paths = _attached(tmp_path, n=1)
    os.utime(paths[0])  # now
    assert _status(project, store)[1] == 1
    assert _status(project, store)[1] == 1
    os.utime(paths[0], (HOUR_AGO, HOUR_AGO))
    assert _status(project, store)[1] == 1
    assert _status(project, store)[1] == 0


def test_the_status_command_fills_the_cache_with_the_files_hashes(tmp_path):
    project, store, units, paths = _attached(tmp_path)
    res = run_cli("fulltext", "status", "-f", "json", cwd=project.root)
    assert res.returncode == 0, res.stderr
    assert _status(project, store)[1] == 0  # the command remembered both
    again = run_cli("fulltext", "status", "-f", "json", cwd=project.root)
    assert again.returncode == 0 and again.stdout == res.stdout


def test_a_renamed_file_found_by_its_bytes_is_remembered_too(tmp_path):
    project, store, units, paths = _attached(tmp_path)
    assert _status(project, store)[1] == 2
    moved = paths[1].rename(paths[1].with_name("Smith 2019.pdf"))  # keeps its mtime
    rows, reads = _status(project, store)
    assert reads == 1 and "'Smith 2019.pdf'" in rows[units[1]]["check"]  # a new path
    rows, reads = _status(project, store)
    assert reads == 0 and "'Smith 2019.pdf'" in rows[units[1]]["check"]
    assert moved.is_file()


def test_the_bench_reads_every_file_cold_and_none_warm(tmp_path):
    res = subprocess.run([sys.executable, str(REPO / "bench" / "fulltext_status.py"),
                          "--reports", "3", "--mb", "0.01", "--runs", "1"],
                         capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr
    line = next(x for x in res.stdout.splitlines() if x.startswith("status computed"))
    assert line.endswith("[3], [0]"), line  # files read: all cold, none warm
