"""Deduplication speed and memory at 20k-1M records, reviewkit beside bib-dedupe.

Usage: python bench/dedup_scale.py [--sizes 20000,50000,...] [--no-anchor]
                                   [--seed N] [--keep DIR] [--profile SIZE]
       python bench/dedup_scale.py --incremental 100000 [--added 1000]

--incremental: a real project (store and all) with SIZE records, then one more export
of --added records (duplicates of the first included): prints the dedup after that
import beside a forced full run over all of them, and whether their clusters and
pairs are identical (issue 18: under 2 s at 100k + 1k, the same clusters).

Inputs are built from the real records in ../shared/data/screening/*.csv
(title, abstract, authors, year; about 10,900 after dropping exact repeats):
  - originals: each real record once, then distinct variants of it (k = 1, 2, ...)
    that are different papers, not duplicates: a topical prefix and suffix on the
    title (a different one per variant, so no two share a title start or end),
    other authors, year, journal, pages, DOI, and an abstract spliced from two
    other records. Fields the real data lacks (journal, volume, issue, pages,
    DOI for 70 %, authors/year where empty) are invented from the seed; journals
    come from a generated list of ~1,000 titles with ISO-4-like abbreviations.
  - duplicates: 30 % of originals get 1-3 perturbed copies, with the changes
    seen in the real labelled sets (../shared/data/dedup/): title case, trailing
    period, an HTML entity or tag, a "[Review]" tail, author initials / BibTeX
    " and " / no separators, journal abbreviated, DOI as a dx.doi.org URL or
    missing, pages 221-8 for 221-228, a missing issue or abstract, rarely the
    year off by one. Every copy has at least one change.
The ground truth (dup_group) is kept, so pairwise F1 is printed as a sanity
check. Each input is written as a CSV in the shared dedup schema (so
bench/dedup.py can be run on it too, see --keep) and each tool runs on it in a
fresh child process exactly as in bench/dedup.py (same seconds / peak RSS
definitions; bib-dedupe's quadratic merge step is not run here, it builds
merged records we do not build). bib-dedupe gets ANCHOR_TIMEOUT seconds per
size and is not tried on larger sizes once it times out.

Prints one JSON line per size and tool on stdout, then a table on stderr with
the targets of issue 3: 100k records under 60 s, >= 5x faster than bib-dedupe,
under 2 GB, time growing near-linearly. --profile SIZE also runs ours under
cProfile at that size and prints where the time goes.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import os
import pstats
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from dedup import ANCHOR, OURS, result_line, run_tool  # noqa: E402
from dedup_pile import Generator, base_records, write_csv  # noqa: E402

SIZES = (20_000, 50_000, 100_000, 200_000)
ANCHOR_TIMEOUT = 600.0   # issue 3: bib-dedupe "up to the size it finishes within 10 minutes"
OURS_TIMEOUT = 3600.0    # only so a regression cannot hang the run


# ------------------------------------------------------------------ running

KEEP = ("records", "seconds", "cpu_seconds", "peak_rss_mb", "workers_peak_rss_mb",
        "base_rss_mb", "pair_f1", "pair_precision", "pair_recall", "removal_specificity",
        "maybe_pairs")


def _line(size: int, tool: str, rows: list[dict], run: dict | None, status: str) -> dict:
    if run is None:
        return {"size": size, "tool": tool, "status": status,
                **dict.fromkeys(KEEP), "records": len(rows)}
    full = result_line(f"scale_{size}", tool, rows, run)
    return {"size": size, "tool": tool, "status": status, **{k: full[k] for k in KEEP}}


def table(lines: list[dict]) -> str:
    by: dict[int, dict[str, dict]] = {}
    for line in lines:
        by.setdefault(line["size"], {})[line["tool"]] = line
    head = (f"{'records':>8} | {'ours s':>7} {'cpu s':>6} {'MB':>6} {'ms/rec':>6} {'F1':>6} "
            f"{'maybe':>5} | {'bib s':>7} {'cpu s':>7} {'MB':>6} {'wMB':>6} {'F1':>6} | "
            f"{'speed-up':>8} {'(cpu)':>6}")
    out = [head, "-" * len(head)]
    prev: tuple[int, float, float] | None = None
    growth = []
    for size in sorted(by):
        ours, bib = by[size].get(OURS), by[size].get(ANCHOR)
        cells = f"{size:>8} | "
        if ours and ours["seconds"] is not None:
            cells += (f"{ours['seconds']:>7.1f} {ours['cpu_seconds']:>6.1f} "
                      f"{ours['peak_rss_mb']:>6.0f} {1000 * ours['seconds'] / size:>6.2f} "
                      f"{ours['pair_f1']:>6.3f} {ours['maybe_pairs']:>5} | ")
            if prev:
                wall = math.log(ours["seconds"] / prev[1]) / math.log(size / prev[0])
                cpu = math.log(ours["cpu_seconds"] / prev[2]) / math.log(size / prev[0])
                growth.append(f"{prev[0] // 1000}k->{size // 1000}k {wall:.2f} (cpu {cpu:.2f})")
            prev = (size, ours["seconds"], ours["cpu_seconds"])
        else:
            cells += f"{ours['status'] if ours else '-':>44} | "
        if bib and bib["seconds"] is not None:
            cells += (f"{bib['seconds']:>7.1f} {bib['cpu_seconds']:>7.1f} "
                      f"{bib['peak_rss_mb']:>6.0f} {bib['workers_peak_rss_mb']:>6.0f} "
                      f"{bib['pair_f1']:>6.3f} | ")
            if ours and ours["seconds"]:
                cells += (f"{bib['seconds'] / ours['seconds']:>7.1f}x "
                          f"{bib['cpu_seconds'] / ours['cpu_seconds']:>5.1f}x")
        else:
            cells += f"{bib['status'] if bib else 'not run':>42} |"
            bound = _lower_bound(bib, ours)
            if bound:
                cells += f" >{bound:>5.1f}x"
        out.append(cells)
    out.append("time growth exponent of ours (1.0 = linear): " + (", ".join(growth) or "-"))
    out.append(_targets(by.get(100_000, {})))
    if by.get(1_000_000, {}).get(OURS):
        out.append(_million(by[1_000_000]))
    out.append("s = wall seconds; cpu s = user+system CPU incl. workers; MB = the child's own "
               "peak RSS (input + work); wMB = bib-dedupe's largest forked worker")
    return "\n".join(out)


def _targets(at: dict[str, dict]) -> str:
    ours, bib = at.get(OURS), at.get(ANCHOR)
    if not ours or ours["seconds"] is None:
        return "targets at 100k: not run"
    marks = [f"<60 s {'ok' if ours['seconds'] < 60 else 'MISS'} ({ours['seconds']:.1f} s)",
             f"<2 GB {'ok' if ours['peak_rss_mb'] < 2048 else 'MISS'} "
             f"({ours['peak_rss_mb']:.0f} MB)"]
    if bib and bib["seconds"] is not None:
        ratio = bib["seconds"] / ours["seconds"]
        marks.append(f">=5x bib-dedupe {'ok' if ratio >= 5 else 'MISS'} ({ratio:.1f}x wall, "
                     f"{bib['cpu_seconds'] / ours['cpu_seconds']:.1f}x cpu)")
    elif bib:
        bound = _lower_bound(bib, ours)
        verdict = f"ok (> {bound:.1f}x, lower bound)" if bound and bound >= 5 else "not measured"
        marks.append(f">=5x bib-dedupe {verdict}: bib-dedupe {bib['status']}")
    return "targets at 100k: " + "; ".join(marks)


def _million(at: dict[str, dict]) -> str:
    """Issue 18: a million records under 5 minutes and under 4 GB."""
    ours = at[OURS]
    if ours["seconds"] is None:
        return f"targets at 1M: {ours['status']}"
    return (f"targets at 1M (issue 18): <300 s {'ok' if ours['seconds'] < 300 else 'MISS'} "
            f"({ours['seconds']:.1f} s); <4 GB {'ok' if ours['peak_rss_mb'] < 4096 else 'MISS'} "
            f"({ours['peak_rss_mb']:.0f} MB)")


def _lower_bound(bib: dict | None, ours: dict | None) -> float | None:
    """bib-dedupe took longer than its timeout (at this size or a smaller one, and its
    time only grows with size), so the speed-up is at least timeout / ours."""
    if not bib or not bib.get("timeout") or not ours or not ours["seconds"]:
        return None
    return bib["timeout"] / ours["seconds"]


EXPORT_COLUMNS = ("title", "authors", "year", "journal", "volume", "issue", "pages", "doi",
                  "abstract", "issn")


def _export(rows: list[dict], path: Path) -> Path:
    """Rows as a CSV export a person would import (the shared schema's fields)."""
    with path.open("w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(EXPORT_COLUMNS)
        for row in rows:
            out.writerow([row["isbn_issn"] if c == "issn" else row[c] for c in EXPORT_COLUMNS])
    return path


def incremental(size: int, added: int, seed: int, base: list[dict], work: Path) -> dict:
    """A project of ``size`` records, then one more export of ``added``: the dedup after
    that import timed beside a full run over all of them, and their results compared.

    Both exports come from one generated set, so the new file holds duplicates of records
    already in the project. Imports are not timed (they are the import's cost)."""
    import resource

    from reviewkit.dedup.run import last_run, run_dedup
    from reviewkit.io.importer import import_files
    from reviewkit.project import init_project
    from reviewkit.store import open_store

    rows = Generator(seed, base).build(size + added)
    project = init_project(work / f"project_{size}", "Scale", "Incremental dedup")
    store = open_store(project.store_path)
    first = _export(rows[:size], work / f"first_{size}.csv")
    second = _export(rows[size:], work / f"added_{added}.csv")

    def timed(force: bool = False) -> tuple[float, float]:
        t0, c0 = time.perf_counter(), time.process_time()
        run_dedup(project, store, force=force)
        return time.perf_counter() - t0, time.process_time() - c0

    import_files(project, store, [first])
    before, before_cpu = timed()
    import_files(project, store, [second])
    step, step_cpu = timed()
    run = last_run(store)
    got = (store.clusters(), store.dedup_pairs())
    full, full_cpu = timed(force=True)  # from the records, nothing kept
    same = got == (store.clusters(), store.dedup_pairs())
    store.close()
    for path in (first, second):
        path.unlink()
    import shutil

    shutil.rmtree(project.root)
    return {"size": size, "added": added, "first_run_seconds": round(before, 2),
            "first_run_cpu": round(before_cpu, 2), "incremental_seconds": round(step, 2),
            "incremental_cpu": round(step_cpu, 2), "full_run_seconds": round(full, 2),
            "full_run_cpu": round(full_cpu, 2), "load_average": os.getloadavg()[0],
            "mode": run["mode"], "why": run["why"], "compared_pairs": run["compared"],
            "reused_verdicts": run["reused"], "same_as_full_run": same,
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}


def profile(csv_path: Path, top: int = 25) -> None:
    with tempfile.TemporaryDirectory(prefix="rk-prof-") as tmp:
        out = Path(tmp) / "ours.pstats"
        run_tool(OURS, csv_path, timeout=OURS_TIMEOUT, profile=out)
        stats = pstats.Stats(str(out), stream=sys.stderr)
        stats.strip_dirs()
        for key in ("cumulative", "tottime"):
            print(f"\n== cProfile of {OURS} on {csv_path.name}, by {key} ==", file=sys.stderr)
            stats.sort_stats(key).print_stats(top)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default=",".join(str(s) for s in SIZES),
                    help="comma-separated record counts")
    ap.add_argument("--no-anchor", action="store_true", help="skip bib-dedupe")
    ap.add_argument("--anchor-python", default=sys.executable)
    ap.add_argument("--anchor-timeout", type=float, default=ANCHOR_TIMEOUT)
    ap.add_argument("--seed", type=int, default=20240611)
    ap.add_argument("--keep", type=Path, help="write the generated CSVs here")
    ap.add_argument("--profile", type=int, metavar="SIZE", help="cProfile ours at this size")
    ap.add_argument("--incremental", type=int, metavar="SIZE",
                    help="only the incremental run: a SIZE-record project plus --added more")
    ap.add_argument("--added", type=int, default=1000)
    args = ap.parse_args(argv)
    if args.incremental:
        with tempfile.TemporaryDirectory(prefix="rk-inc-") as tmp:
            line = incremental(args.incremental, args.added, args.seed, base_records(),
                               Path(tmp))
        print(json.dumps(line), flush=True)
        ok = line["incremental_seconds"] < 2 and line["same_as_full_run"]
        print(f"adding {args.added} records to {args.incremental}: dedup "
              f"{line['incremental_seconds']:.2f} s, {line['incremental_cpu']:.2f} s CPU "
              f"({line['mode']}) beside a full run's {line['full_run_seconds']:.2f} s, "
              f"{line['full_run_cpu']:.2f} s CPU (load {line['load_average']:.1f}); "
              "same clusters and pairs as the full run: "
              f"{line['same_as_full_run']}; target < 2 s and same: {'ok' if ok else 'MISS'}",
              file=sys.stderr)
        return 0
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    work = args.keep or Path(tempfile.mkdtemp(prefix="rk-scale-"))
    work.mkdir(parents=True, exist_ok=True)
    base = base_records()
    print(f"{len(base)} real base records; inputs in {work}", file=sys.stderr)
    lines = []
    anchor_status = "" if not args.no_anchor else "skipped (--no-anchor)"
    for size in sorted(set(sizes) | ({args.profile} if args.profile else set())):
        t0 = time.perf_counter()
        rows = Generator(args.seed, base).build(size)  # fresh generator: each size stands alone
        path = work / f"scale_{size}.csv"
        write_csv(rows, path)
        print(f"built {size} records in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
        if size in sizes:
            print(f"load average before {size}: {os.getloadavg()[0]:.1f}", file=sys.stderr)
            run = run_tool(OURS, path, timeout=OURS_TIMEOUT, merge=False)
            lines.append(_line(size, OURS, rows, run, "ok" if run else "timed out"))
            print(json.dumps(lines[-1]), flush=True)
            if anchor_status:
                lines.append(_line(size, ANCHOR, rows, None, anchor_status))
                if not args.no_anchor:  # it already took longer than this at a smaller size
                    lines[-1]["timeout"] = args.anchor_timeout
            else:
                run = run_tool(ANCHOR, path, timeout=args.anchor_timeout, merge=False,
                               python=args.anchor_python)
                status = "ok" if run else f"timed out (> {args.anchor_timeout:.0f} s)"
                lines.append(_line(size, ANCHOR, rows, run, status))
                if run is None:  # larger sizes would only take longer
                    anchor_status = f"not tried (timed out at {size})"
                    lines[-1]["timeout"] = args.anchor_timeout
            print(json.dumps(lines[-1]), flush=True)
        if size == args.profile:
            profile(path)
        if not args.keep:
            path.unlink()
    if not args.keep:
        work.rmdir()
    print("\n== dedup scale vs issue 3 targets ==", file=sys.stderr)
    print(table(lines), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
