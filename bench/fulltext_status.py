"""`fulltext status` with its sha256 cache warm, beside the same status with it cold.

It builds (in a temporary directory, not timed) a project of --reports records, every one
included at title/abstract by two reviewers, each with an attached PDF of --mb MB (random
bytes behind a PDF header), the files' mtimes set an hour back (older than the cache's
racy window, as files are when status runs on them later). Then, interleaved --runs
times so that both see the same machine load:

- cold: .reviewkit/fulltext-sha256.json deleted first, so every PDF is read and hashed;
- warm: the cache as the run before left it, so no PDF is read.

Each is timed in this process (retrieval_rows, what the command computes, Screening
built anew each time) and as the real command (`python -m reviewkit fulltext status -f
json`, a fresh process: start-up included). It prints the medians, the files read per
run (FileHashes.reads) and warm/cold as a ratio from this one run. The cold runs read
the PDFs from the operating system's page cache (they were just written): the hashing
cost only; from a disk a cold run is slower still.

Usage: python bench/fulltext_status.py [--reports 40] [--mb 5] [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from reviewkit.fulltext import attach_fulltext
from reviewkit.fulltext.hashes import CACHE, FileHashes
from reviewkit.fulltext.retrieval import retrieval_rows
from reviewkit.io.importer import import_files
from reviewkit.project import init_project
from reviewkit.screening import Screening, add_reviewer
from reviewkit.screening.events import decision_event
from reviewkit.screening.log import append_events, log_path
from reviewkit.searches.log import Search, add_search
from reviewkit.store import open_store

STAGE = "title-abstract"


def build(tmp: Path, reports: int, mb: float):
    """The project, its store and how many bytes were attached. Nothing here is timed."""
    project = init_project(tmp / "review", "Full-text status bench", "Is status quick?")
    add_search(project, Search(id="medline", database="MEDLINE", hits=reports))
    ris = tmp / "records.ris"
    ris.write_text("".join(
        f"TY  - JOUR\nTI  - Report number {i} on choice in home care\nAU  - Writer{i}, B\n"
        f"PY  - {2000 + i % 25}\nJO  - Bench Journal\nVL  - {i}\nER  - \n\n"
        for i in range(reports)), "utf-8")
    store = open_store(project.store_path)
    import_files(project, store, [ris], "medline")
    units = [u.id for u in Screening(project, store).units]
    for name in ("ana", "ben"):
        add_reviewer(project, name)
        append_events(log_path(project, STAGE, name),
                      [decision_event(STAGE, name, u, "include", "", via="bench") for u in units])
    size, total = int(mb * (1 << 20)), 0
    hour_ago = time.time() - 3600
    for n, unit in enumerate(units):
        pdf = tmp / f"paper{n}.pdf"
        pdf.write_bytes(b"%PDF-1.4\n" + os.urandom(size))
        done = attach_fulltext(project, store, unit, pdf)
        pdf.unlink()
        os.utime(done.path, (hour_ago, hour_ago))
        total += done.path.stat().st_size
    return project, store, total


def in_process(project, store) -> tuple[float, int]:
    """Seconds for one status computation, and how many files it read."""
    t = time.perf_counter()
    hashes = FileHashes(project)
    retrieval_rows(Screening(project, store), hashes)
    return time.perf_counter() - t, hashes.reads


def command(root: Path) -> float:
    t = time.perf_counter()
    res = subprocess.run([sys.executable, "-m", "reviewkit", "fulltext", "status", "-f", "json"],
                         cwd=root, capture_output=True, text=True, timeout=600)
    if res.returncode != 0:
        sys.exit(f"fulltext status failed:\n{res.stderr}")
    return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--reports", type=int, default=40)
    ap.add_argument("--mb", type=float, default=5.0, help="Size of each PDF")
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="rk-fulltext-") as tmp:
        t = time.perf_counter()
        project, store, total = build(Path(tmp), args.reports, args.mb)
        print(f"built in {time.perf_counter() - t:.1f} s (not timed): {args.reports} reports "
              f"sought, each with a {args.mb:g} MB PDF ({total / (1 << 20):.0f} MB in all)")
        cache = project.cache_dir / CACHE
        times: dict[str, list[float]] = {k: [] for k in ("cold", "warm", "cold cmd", "warm cmd")}
        reads: dict[str, set[int]] = {"cold": set(), "warm": set()}
        in_process(project, store)  # warm-up: imports done, the cache written
        for _ in range(args.runs):
            cache.unlink(missing_ok=True)
            for kind in ("cold", "warm"):  # the cold run leaves the cache the warm one uses
                seconds, n = in_process(project, store)
                times[kind].append(seconds)
                reads[kind].add(n)
            cache.unlink(missing_ok=True)
            times["cold cmd"].append(command(project.root))
            times["warm cmd"].append(command(project.root))
        store.close()
    med = {k: statistics.median(v) for k, v in times.items()}
    print(f"\n{'':<28}{'cold s':>8}{'warm s':>8}{'warm/cold':>11}  files read cold, warm")
    print(f"{'status computed (library)':<28}{med['cold']:8.3f}{med['warm']:8.3f}"
          f"{med['warm'] / med['cold']:11.3f}  {sorted(reads['cold'])}, {sorted(reads['warm'])}")
    print(f"{'fulltext status (command)':<28}{med['cold cmd']:8.3f}{med['warm cmd']:8.3f}"
          f"{med['warm cmd'] / med['cold cmd']:11.3f}  (start-up included)")
    print(f"(medians of {args.runs} runs each, cold and warm interleaved)")


if __name__ == "__main__":
    main()
