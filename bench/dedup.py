"""Deduplication accuracy: reviewkit beside bib-dedupe on labelled CSVs.

Usage: python bench/dedup.py [--no-anchor] [FILE.csv ...]

Each FILE is a CSV in the schema of ../shared/data/dedup/ (see its MANIFEST);
with no FILE every CSV in that folder is run. For every file and tool one JSON
line goes to stdout:

  dataset, tool, records, pair_precision, pair_recall, pair_f1,
  removal_sensitivity, removal_specificity, maybe_pairs, seconds, peak_rss_mb

plus membership metrics (member_*) for files that carry only dup_label (copper;
the pairwise and removal figures are null there) and a few extras:
maybe_pairs_raw, merge_seconds (bib-dedupe's merge step, timed apart),
workers_peak_rss_mb, base_rss_mb. Pairs left for a person ("possible" for us,
"maybe" for bib-dedupe) count as not merged. A table comparing the two against
the targets of issue 3 follows on stderr.

How it is measured: each tool runs on each file in a fresh child process (this
script with --child) so imports and earlier files do not pollute the figures.
  seconds             wall time of the tool's work, to clusters: our
                      find_duplicates, reading the CSV row by row inside the
                      clock (the records are never all in memory at once);
                      bib-dedupe from its DataFrame in memory: prep + block
                      + match + cluster (its merge is timed apart, as
                      merge_seconds, since we build no merged records either)
  cpu_seconds         user + system CPU over that same span, the child's and its
                      workers' (robust to other jobs on a shared machine; with
                      parallel workers it can exceed seconds)
  peak_rss_mb         the child's own peak RSS (getrusage RUSAGE_SELF): the
                      interpreter, imports, the tool's input (bib-dedupe's
                      DataFrame; ours streamed) and the work
  workers_peak_rss_mb the largest peak RSS of any process the tool itself
                      forked (getrusage RUSAGE_CHILDREN inside the child):
                      bib-dedupe's prep/block/sim pools; 0 for reviewkit
  base_rss_mb         the child's RSS just before the timed work started
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # dedup_data, also when imported

from dedup_data import as_record, iter_rows, read_rows, score  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
# same override as the tests (tests/conftest.py)
SHARED = Path(os.environ.get("REVIEWKIT_SHARED", REPO.parent / "shared"))
DEFAULT_DIR = SHARED / "data" / "dedup"
OURS, ANCHOR = "reviewkit", "bib-dedupe"
KEYS = ("dataset", "tool", "records", "pair_precision", "pair_recall", "pair_f1",
        "removal_sensitivity", "removal_specificity", "maybe_pairs", "seconds", "peak_rss_mb")
# Targets from issue 3 ("Must show")
MIN_SPECIFICITY = 0.998
MAX_F1_GAP = 0.01
MAX_MAYBE_SHARE = 0.02


# ---------------------------------------------------------------- child side

def _rss_mb() -> float:
    # current RSS from /proc (Linux); getrusage only knows the peak
    try:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except OSError:
        return 0.0


def _cpu() -> float:
    # user + system CPU of this process and of the workers it has reaped: unlike
    # wall time it hardly moves when other jobs share the machine
    total = 0.0
    for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
        usage = resource.getrusage(who)
        total += usage.ru_utime + usage.ru_stime
    return total


def run_reviewkit(records: Iterable[dict]) -> dict:
    from reviewkit.dedup.engine import find_duplicates

    base = _rss_mb()
    t0 = time.perf_counter()
    result = find_duplicates(records)  # an iterator: read row by row inside the clock
    seconds = time.perf_counter() - t0
    return {"clusters": [c for c in result.clusters if len(c) > 1],
            "maybe_pairs": len(result.queued), "maybe_pairs_raw": len(result.queued),
            "seconds": seconds, "merge_seconds": None, "base_rss_mb": base}


def bib_dedupe_frame(rows: Iterable[dict]):  # -> pandas.DataFrame (pandas imported lazily)
    """Our schema in the columns bib_dedupe.prep reads (REQUIRED_FIELDS + OPTIONAL_FIELDS)."""
    import pandas as pd

    ours = ("authors", "title", "year", "journal", "volume", "issue", "pages", "doi", "abstract")
    theirs = ("author", "title", "year", "journal", "volume", "number", "pages", "doi", "abstract")
    columns: dict[str, list[str]] = {"ID": [], "ENTRYTYPE": []} | {c: [] for c in theirs}
    for i, row in enumerate(rows):
        columns["ID"].append(f"r{i}")  # row index as ID: clusters map straight back to rows
        columns["ENTRYTYPE"].append("article")
        for a, b in zip(ours, theirs, strict=True):
            columns[b].append(row.get(a, ""))
    return pd.DataFrame(columns)


def run_bib_dedupe(records_df, merge: bool = True) -> dict:
    import bib_dedupe.bib_dedupe as bd
    from bib_dedupe import verbose_print

    verbose_print.verbosity_level = 0  # its progress lines would interleave with ours
    base = _rss_mb()
    t0 = time.perf_counter()
    prepped = bd.prep(records_df, verbosity_level=0)
    blocked = bd.block(prepped, verbosity_level=0)
    matched = bd.match(blocked, verbosity_level=0)
    id_sets = bd.cluster(matched, verbosity_level=0)  # "duplicate" pairs only, maybes left out
    seconds = time.perf_counter() - t0
    merge_seconds = None
    if merge:
        t1 = time.perf_counter()
        bd.merge(records_df, duplicate_id_sets=id_sets, verbosity_level=0)
        merge_seconds = time.perf_counter() - t1
    clusters = [sorted(int(i[1:]) for i in ids) for ids in id_sets]
    where = {i: c for c, members in enumerate(clusters) for i in members}
    maybe = matched[matched["duplicate_label"] == "maybe"]
    raw = len(maybe)
    # a maybe pair whose records an automatic merge already joined needs no person
    left = sum(1 for a, b in zip(maybe["ID_1"], maybe["ID_2"], strict=True)
               if where.get(int(a[1:]), -1) != where.get(int(b[1:]), -2))
    return {"clusters": clusters, "maybe_pairs": left, "maybe_pairs_raw": raw,
            "seconds": seconds, "merge_seconds": merge_seconds, "base_rss_mb": base}


def child(tool: str, csv_path: Path, out_path: Path, merge: bool, profile: Path | None) -> None:
    # imports and the tool's input (built straight from the CSV, never holding its
    # rows) come before the clock starts
    if tool == OURS:
        import reviewkit.dedup.engine  # noqa: F401

        # streamed: find_duplicates keeps features, never the records (as from the store)
        data = (as_record(r) for r in iter_rows(csv_path))
    else:
        import bib_dedupe.bib_dedupe  # noqa: F401

        data = bib_dedupe_frame(iter_rows(csv_path))
    work = (lambda: run_reviewkit(data)) if tool == OURS else (lambda: run_bib_dedupe(data, merge))
    before = _cpu()
    if profile:
        import cProfile

        prof = cProfile.Profile()
        out = prof.runcall(work)
        prof.dump_stats(str(profile))
    else:
        out = work()
    out["cpu_seconds"] = _cpu() - before
    out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    out["workers_peak_rss_mb"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    out_path.write_text(json.dumps(out), encoding="utf-8")


# --------------------------------------------------------------- parent side

def run_tool(tool: str, csv_path: Path, timeout: float | None = None, merge: bool = True,
             python: str = sys.executable, profile: Path | None = None) -> dict | None:
    """Run ``tool`` on ``csv_path`` in a fresh process; None if it exceeded ``timeout``."""
    with tempfile.TemporaryDirectory(prefix="rk-dedup-") as tmp:
        out = Path(tmp) / "result.json"
        cmd = [python, __file__, "--child", tool, str(csv_path), str(out)]
        if not merge:
            cmd.append("--no-merge")
        if profile:
            cmd += ["--profile", str(profile)]
        # own session: on timeout the whole group goes, bib-dedupe's pool workers too
        proc = subprocess.Popen(cmd, start_new_session=True, stdout=subprocess.DEVNULL)
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            return None
        except BaseException:  # Ctrl-C: its own session would outlive us otherwise
            os.killpg(proc.pid, signal.SIGKILL)
            raise
        if proc.returncode != 0 or not out.exists():
            raise RuntimeError(f"{tool} failed on {csv_path} (exit {proc.returncode})")
        return json.loads(out.read_text(encoding="utf-8"))


def with_singletons(n: int, clusters: list[list[int]]) -> list[list[int]]:
    seen = {i for c in clusters for i in c}
    return clusters + [[i] for i in range(n) if i not in seen]


def result_line(dataset: str, tool: str, rows: list[dict], run: dict) -> dict:
    metrics = score(rows, with_singletons(len(rows), run["clusters"]))
    line: dict = {"dataset": dataset, "tool": tool, "records": len(rows)}
    for key in ("pair_precision", "pair_recall", "pair_f1",
                "removal_sensitivity", "removal_specificity"):
        line[key] = _round(metrics.get(key))  # null where only dup_label exists
    for key in ("member_sensitivity", "member_specificity", "member_precision"):
        if key in metrics:
            line[key] = _round(metrics[key])
    line["maybe_pairs"] = run["maybe_pairs"]
    line["maybe_pairs_raw"] = run["maybe_pairs_raw"]
    line["clusters_merged"] = len(run["clusters"])
    line["seconds"] = round(run["seconds"], 3)
    line["cpu_seconds"] = round(run["cpu_seconds"], 3)
    line["merge_seconds"] = None if run["merge_seconds"] is None else round(run["merge_seconds"], 3)
    line["peak_rss_mb"] = round(run["peak_rss_mb"], 1)
    line["workers_peak_rss_mb"] = round(run["workers_peak_rss_mb"], 1)
    line["base_rss_mb"] = round(run["base_rss_mb"], 1)
    return line


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def _fmt(value: float | None, spec: str = ".3f") -> str:
    return "-" if value is None else format(value, spec)


def table(lines: list[dict]) -> str:
    """Per dataset: both tools' figures and a pass/fail per target of issue 3."""
    by: dict[str, dict[str, dict]] = {}
    for line in lines:
        by.setdefault(line["dataset"], {})[line["tool"]] = line
    head = (f"{'dataset':<22}{'tool':<11}{'F1':>7}{'P':>7}{'R':>7}{'rm-sens':>8}{'rm-spec':>8}"
            f"{'maybe':>7}{'maybe%':>7}{'secs':>8}{'MB':>7}{'wMB':>6}   targets")
    out = [head, "-" * len(head)]
    for dataset, tools in by.items():
        ours, anchor = tools.get(OURS), tools.get(ANCHOR)
        for tool, line in tools.items():
            share = line["maybe_pairs"] / line["records"] if line["records"] else 0.0
            verdict = _verdict(line, anchor, share) if tool == OURS else ""
            if line["pair_f1"] is None:  # membership labels only
                f1 = f"mem sens {_fmt(line.get('member_sensitivity'))} " \
                     f"spec {_fmt(line.get('member_specificity'))}"
                cells = f"{f1:<36}"
            else:
                cells = (f"{_fmt(line['pair_f1']):>7}{_fmt(line['pair_precision']):>7}"
                         f"{_fmt(line['pair_recall']):>7}{_fmt(line['removal_sensitivity']):>8}"
                         f"{_fmt(line['removal_specificity'], '.4f'):>8}")
            out.append(f"{dataset:<22}{tool:<11}{cells}{line['maybe_pairs']:>7}"
                       f"{share:>7.1%}{line['seconds']:>8.2f}{line['peak_rss_mb']:>7.0f}"
                       f"{line['workers_peak_rss_mb']:>6.0f}   {verdict}")
        if ours and anchor and ours["pair_f1"] is not None:
            out.append(f"{'':<22}{'F1 gap':<11}{ours['pair_f1'] - anchor['pair_f1']:>+7.3f}")
    out.append(f"targets: removal specificity >= {MIN_SPECIFICITY}; pairwise F1 >= bib-dedupe - "
               f"{MAX_F1_GAP}; maybe pairs <= {MAX_MAYBE_SHARE:.0%} of records. "
               "MB = child's own peak RSS, wMB = largest forked worker's.")
    return "\n".join(out)


def _verdict(ours: dict, anchor: dict | None, share: float) -> str:
    marks = []
    if ours["removal_specificity"] is not None:
        ok = ours["removal_specificity"] >= MIN_SPECIFICITY
        marks.append(f"spec {'ok' if ok else 'MISS'}")
    if ours["pair_f1"] is not None and anchor is not None:
        ok = ours["pair_f1"] >= anchor["pair_f1"] - MAX_F1_GAP
        marks.append(f"F1 {'ok' if ok else 'MISS'}")
    marks.append(f"maybe {'ok' if share <= MAX_MAYBE_SHARE else 'MISS'}")
    return ", ".join(marks)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("files", nargs="*", type=Path)
    ap.add_argument("--no-anchor", action="store_true", help="skip bib-dedupe")
    ap.add_argument("--anchor-python", default=sys.executable,
                    help="interpreter that has bib-dedupe (default: this one)")
    ap.add_argument("--child", nargs=3, metavar=("TOOL", "CSV", "OUT"), help=argparse.SUPPRESS)
    ap.add_argument("--no-merge", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--profile", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        tool, csv_path, out = args.child
        child(tool, Path(csv_path), Path(out), not args.no_merge, args.profile)
        return 0
    files = args.files or sorted(DEFAULT_DIR.glob("*.csv"))
    if not files:
        ap.error(f"no CSV given and none in {DEFAULT_DIR}")
    tools = [(OURS, sys.executable)]
    if not args.no_anchor:
        probe = subprocess.run([args.anchor_python, "-c", "import bib_dedupe"],
                               capture_output=True)
        if probe.returncode == 0:
            tools.append((ANCHOR, args.anchor_python))
        else:  # say so in one line and go on with ours (pip install '.[bench]' adds it)
            print(f"note: bib-dedupe is not installed for {args.anchor_python}; running "
                  "reviewkit only (pip install '.[bench]' for the side-by-side run)",
                  file=sys.stderr)
    lines = []
    for path in files:
        rows = read_rows(path)
        for tool, python in tools:
            line = result_line(path.stem, tool, rows, run_tool(tool, path, python=python))
            print(json.dumps(line), flush=True)
            lines.append(line)
    print("\n== dedup accuracy vs issue 3 targets ==", file=sys.stderr)
    print(table(lines), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
