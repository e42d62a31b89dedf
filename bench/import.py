"""Import speed: our full import vs rispy's bare parse of the same 100k-record RIS file.

Builds the file from the real labelled records in ../shared/data/screening/
(titles, abstracts, authors, years, DOIs; repeated with a running accession
number), then in one run times
  1. rispy.load(path)                          - bare parse, no normalising, no storing
  2. reviewkit import into a fresh project     - detect, parse, normalise, store
  3. adding one more small file to that project - must not re-read the big one
and prints records/s and the ratio (target: ours >= 25% of rispy's rate).

With --size N it measures memory instead: an N-record file (385,000 records is
about 1 GB) is imported by a fresh process and its peak resident memory is printed
beside the file's size (target: under 1.5 GB for the 1 GB file).

Usage: python bench/import.py [--records 100000] [--keep DIR]
       python bench/import.py --size 385000
"""

from __future__ import annotations

import argparse
import csv
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import rispy

from reviewkit.io.importer import import_files
from reviewkit.project import init_project
from reviewkit.searches.log import Search, add_search
from reviewkit.store import open_store

SCREENING = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "screening"


def source_rows() -> list[dict]:
    if not SCREENING.is_dir():
        sys.exit(f"needs the labelled datasets in {SCREENING}")
    rows = []
    csv.field_size_limit(1 << 24)
    for path in sorted(SCREENING.glob("*.csv")):
        with path.open(encoding="utf-8", newline="") as fh:
            rows.extend(csv.DictReader(fh))
    return rows


def ris_record(row: dict, n: int) -> str:
    lines = ["TY  - JOUR", f"TI  - {row['title']}"]
    lines += [f"AU  - {a.strip()}" for a in row["authors"].split(";") if a.strip()]
    if row["year"]:
        lines.append(f"PY  - {row['year']}")
    if row["doi"]:
        lines.append(f"DO  - {row['doi']}")
    if row["abstract"]:
        lines.append(f"AB  - {row['abstract']}")
    # what real database exports also carry (keywords, affiliations, links, notes): with
    # these a record is about 2.6 kB, as in the 1 GB / 385k-record export of the issue
    words = [w for w in row["title"].split() if len(w) > 3][:8]
    lines += [f"KW  - {w.lower()}" for w in words]
    lines += [f"AD  - Department {k} of {row['title'][:60]}, University {n % 977}, City"
              for k in range(4)]
    lines += [f"JO  - Journal of {(words or ['Reviews'])[0].title()} Research",
              f"UR  - https://example.org/records/bench{n:07d}?source=export&format=ris",
              f"N1  - Export note: {row['title'][:200]} (record {n})",
              f"AN  - bench{n:07d}", "ER  - ", "", ""]
    return "\n".join(lines)


def build(path: Path, count: int) -> None:
    rows = source_rows()
    with path.open("w", encoding="utf-8") as fh:
        for n in range(count):
            fh.write(ris_record(rows[n % len(rows)], n))


def child_import(project_dir: Path, big: Path) -> None:
    """The import alone, in this (fresh) process, so its peak memory is its own."""
    project = init_project(project_dir, "Memory benchmark")
    add_search(project, Search(id="bench", database="Benchmark"))
    store = open_store(project.store_path)
    report = import_files(project, store, [big], "bench")
    print(report.added)


def memory(work: Path, size: int) -> None:
    big = work / "big.ris"
    build(big, size)
    gb = big.stat().st_size / 1e9
    t = time.perf_counter()
    out = subprocess.run([sys.executable, __file__, "--child", str(work / "project"), str(big)],
                         capture_output=True, text=True, check=True)
    seconds = time.perf_counter() - t
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024 / 1e9  # kB on Linux
    print(f"file: {size:,} records, {gb:.2f} GB; imported {int(out.stdout):,} records "
          f"in {seconds:.0f} s")
    print(f"peak memory of the import: {peak:.2f} GB = {peak / gb:.2f} x the file "
          "(target: under 1.5 GB for the 1 GB file)")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--records", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--keep", type=Path, help="build the project here instead of a temp dir")
    ap.add_argument("--size", type=int, help="measure peak memory importing N records")
    ap.add_argument("--child", nargs=2, type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child_import(*args.child)
        return
    work = Path(args.keep or tempfile.mkdtemp(prefix="rk-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    if args.size:
        memory(work, args.size)
        return
    big = work / "big.ris"
    build(big, args.records)
    mb = big.stat().st_size / 1e6

    # best of --repeat runs for both, so a busy machine hurts neither more
    t_rispy, t_ours = float("inf"), float("inf")
    for run in range(args.repeat):
        t = time.perf_counter()
        n_rispy = len(rispy.load(big, encoding="utf-8"))
        t_rispy = min(t_rispy, time.perf_counter() - t)

        project = init_project(work / f"project{run}", "Import benchmark")
        add_search(project, Search(id="bench", database="Benchmark", hits=args.records))
        store = open_store(project.store_path)
        t = time.perf_counter()
        report = import_files(project, store, [big], "bench")
        t_ours = min(t_ours, time.perf_counter() - t)
        if run < args.repeat - 1:
            store.close()

    small = work / "small.ris"
    build(small, 50)
    small.write_text(small.read_text("utf-8").replace("AN  - bench", "AN  - extra"), "utf-8")
    t = time.perf_counter()
    extra = import_files(project, store, [small])
    t_extra = time.perf_counter() - t
    store.close()

    rate_rispy, rate_ours = n_rispy / t_rispy, report.added / t_ours
    print(f"file: {args.records} records, {mb:.0f} MB; best of {args.repeat} runs each")
    print(f"rispy bare parse      : {n_rispy:>7} records in {t_rispy:6.2f} s = "
          f"{rate_rispy:>9,.0f} records/s")
    print(f"reviewkit full import : {report.added:>7} records in {t_ours:6.2f} s = "
          f"{rate_ours:>9,.0f} records/s")
    print(f"ratio ours/rispy      : {rate_ours / rate_rispy:.2f}  (target >= 0.25)")
    print(f"one more 50-record file afterwards: {extra.added} records in {t_extra:.2f} s "
          "(the big file is not re-read)")


if __name__ == "__main__":
    main()
