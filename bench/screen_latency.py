"""Key latency of the ranked screener at 100k records and 20k decisions, while it learns.

Builds (once, kept in --dir and reused) a project of --records RIS records made from
the shared labelled screening sets (each real record repeated with a new accession),
with ``[screening] order = "ranked"`` and --decisions decisions already in the logs:
ana's (three quarters) and ben's (the rest, all on records ana also decided, so most
are settled by agreement). Labels come from the sets' own include labels.

Then it runs the real Textual screener in this process with Textual's pilot, at 80x24,
as ana: after each key the background refit and the stopping test start on their worker
threads; the next key comes after a short, random pause (--pause seconds at most), so
most keys land while a refit or a test is running. A key's latency is the time from
the key press until the first frame painted that shows the next record (a hook on the
compositor's refresh; a top-line update from the background does not count). Keys go
through the headless driver as the pilot sends them, without the pilot's wait for the
process to go idle (which would wait out every refit, so no key would land during one).

Why the pilot and not tmux: tmux's capture-pane, polled from another process, sees a
frame only 5-15 ms after it is written (each poll spawns a tmux client) and adds the
terminal's own parsing; the pilot times the app's own frames to the microsecond, with
the refits and stopping tests running in the screener's own worker process, as they
do for a reviewer. tests/test_screener_live_tmux.py drives the real command in
tmux at 80x24 for what a person sees.

Prints the median, p99 and worst key latency (wall, and the UI thread's own CPU), how
many keys landed during background work, and the refit and stopping-test times; the
targets are < 50 ms median and < 100 ms p99 (PASS/FAIL). A baseline sitting in random
order (no refit, no test in the background) runs first in the same run, so a loaded
machine shows in both: the ratio says what learning live costs a key. The first run also computes
the records' features (minutes at 100k: cached in the project's .reviewkit/). Before
the sittings it times opening a ranked sitting twice: once ranking first (no ranking
kept) and once on the ranking that sitting kept (the worker refitting beside it).

Usage: python bench/screen_latency.py [--records 100000] [--decisions 20000] [--keys 150]
       [--pause 0.4] [--dir /tmp/live-cache/screen-bench]
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import os
import random
import statistics
import sys
import time
from pathlib import Path

SETS = ("Kwok_2020.csv", "Nagtegaal_2019.csv", "Cohen_2006_BetaBlockers.csv")
SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "screening"


def _rows() -> list[dict]:
    csv.field_size_limit(1 << 24)
    rows = []
    for name in SETS:
        with (SHARED / name).open(encoding="utf-8", newline="") as fh:
            rows += list(csv.DictReader(fh))
    return rows


def build(folder: Path, n_records: int, n_decisions: int) -> tuple[Path, dict[str, bool]]:
    """The project (reused when already built for these sizes) and each unit's truth."""
    from reviewkit.io.importer import import_files
    from reviewkit.project import find_project, init_project
    from reviewkit.screening import Screening, add_reviewer
    from reviewkit.screening.events import decision_event
    from reviewkit.screening.log import append_events, log_path
    from reviewkit.searches.log import Search, add_search
    from reviewkit.store import open_store

    rows = _rows()
    root = folder / f"review-{n_records}-{n_decisions}"
    if not (root / "built").is_file():
        if root.exists():
            import shutil

            shutil.rmtree(root)
        project = init_project(root, "Latency bench", "Does the screener keep up?")
        add_search(project, Search(id="big", database="Big"))
        ris = folder / f"big-{n_records}.ris"
        with ris.open("w", encoding="utf-8") as fh:
            for n in range(n_records):
                r = rows[n % len(rows)]
                fh.write(f"TY  - JOUR\nTI  - {r['title']}\n")
                fh.writelines(f"AU  - {a.strip()}\n" for a in r["authors"].split(";")
                              if a.strip())
                fh.write(f"PY  - {r['year']}\nAB  - {r['abstract']}\nAN  - big{n:07d}\n"
                         "ER  - \n\n")
        t = time.perf_counter()
        store = open_store(project.store_path)
        import_files(project, store, [ris], "big")
        print(f"imported {n_records} records in {time.perf_counter() - t:.0f} s", flush=True)
        ris.unlink()
        conf = root / "reviewkit.toml"
        conf.write_text(conf.read_text() + '\n[screening]\norder = "ranked"\n')
        for name in ("ana", "ben"):
            add_reviewer(project, name)
        project = find_project(root)
        units = Screening(project, store).eligible("title-abstract")
        truth = _truth(units, rows)
        rng = random.Random(7)
        ana_n = n_decisions * 3 // 4
        ana = rng.sample(units, ana_n)
        ben = ana[:n_decisions - ana_n]
        for who, mine in (("ana", ana), ("ben", ben)):
            append_events(log_path(project, "title-abstract", who),
                          [decision_event("title-abstract", who, u,
                                          "include" if truth[u] else "exclude") for u in mine])
        store.close()
        size = log_path(project, "title-abstract", "ana").stat().st_size
        (root / "built").write_text(f"{size}\n")
    from reviewkit.project import find_project

    project = find_project(root)
    store = open_store(project.store_path)
    units = Screening(project, store).eligible("title-abstract")
    store.close()
    return root, _truth(units, rows)


def reset(root: Path) -> None:
    """Back to the built decisions: each sitting's own keys are taken back (a scratch
    project), so every sitting of every run screens the same queue."""
    from reviewkit.project import find_project
    from reviewkit.screening.log import log_path

    built = (root / "built").read_text().strip()
    if built.isdigit():
        with log_path(find_project(root), "title-abstract", "ana").open("r+b") as fh:
            fh.truncate(int(built))


def _truth(units: list[str], rows: list[dict]) -> dict[str, bool]:
    # accession big0001234 is record 1234 of the repeated sets
    return {u: rows[int(u.rsplit("big", 1)[1]) % len(rows)]["label_included"] == "1"
            for u in units}


def drive(root: Path, truth: dict[str, bool], keys: int, pause: float, seed: int,
          random_order: bool = False) -> dict:
    """One sitting of ``keys`` keys; ``random_order``: the baseline, nothing in the background."""
    from textual import events
    from textual.screen import Screen

    from reviewkit.project import find_project
    from reviewkit.screening import ScreenSession
    from reviewkit.store import open_store
    from reviewkit.tui.screener import screener

    project = find_project(root)
    from reviewkit.screening.order import order_source

    order = order_source("random") if random_order else None
    session = ScreenSession(project, open_store(project.store_path), "ana", order=order)
    app = screener(session, highlight=False)
    frames: list[tuple[float, float, str | None]] = []
    original = Screen._compositor_refresh

    def painted(self):
        result = original(self)
        frames.append((time.perf_counter(), time.thread_time(), app.shown))
        return result

    wall, cpu, busy, elapsed = [], [], 0, []
    rng = random.Random(seed)

    def press(key: str) -> None:
        # as the pilot sends a key (through the driver, like a terminal's), without its
        # wait for the process to go idle: that would wait out every refit
        event = events.Key(key, key)
        event.set_sender(app)
        app._driver.send_message(event)

    async def run() -> None:
        nonlocal busy
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            end = time.monotonic() + 600
            while session.live and (session.live.ranking_busy() or session.live.stopping_busy()):
                await asyncio.sleep(0.1)  # the first live ranking of the sitting
                if time.monotonic() > end or session.live.error:
                    raise SystemExit(f"no ranking within 10 minutes {session.live.error}")
            began = time.perf_counter()
            for _ in range(keys):
                before = app.shown
                key = "i" if truth.get(before) else "x"
                busy += bool(session.live and (session.live.ranking_busy()
                                               or session.live.stopping_busy()))
                frames.clear()
                start, start_cpu = time.perf_counter(), time.thread_time()
                press(key)
                deadline = time.monotonic() + 5
                while not any(f[2] != before for f in frames) and time.monotonic() < deadline:
                    await asyncio.sleep(0.001)
                frame = next(f for f in frames if f[2] != before)
                wall.append(1000 * (frame[0] - start))
                cpu.append(1000 * (frame[1] - start_cpu))
                await asyncio.sleep(rng.uniform(0.02, pause))  # the reviewer reads on
            elapsed.append(time.perf_counter() - began)

    Screen._compositor_refresh = painted
    try:
        asyncio.run(run())
    finally:
        Screen._compositor_refresh = original
    live = session.live
    refits, tests = (list(live.refits), list(live.tests)) if live else ([], [])
    n_labels = live.latest.n_labelled if live and live.latest else 0
    session.close()
    return {"wall": wall, "cpu": cpu, "busy": busy, "refits": refits, "tests": tests,
            "labels": n_labels, "total": session.total,
            "elapsed": elapsed[0]}


def open_times(root: Path) -> tuple[float, float, float]:
    """Seconds to open a ranked sitting when it ranks first (no kept ranking: features
    from .reviewkit and a first fit in the screener's process), when it opens on the
    ranking the last sitting kept (live_resume.py), and until the worker's first live
    ranking of that second sitting is in."""
    from reviewkit.project import find_project
    from reviewkit.screening import ScreenSession
    from reviewkit.screening.live_resume import queue_file
    from reviewkit.store import open_store

    project = find_project(root)
    queue_file(project, "title-abstract", "ana").unlink(missing_ok=True)
    times = []
    for _ in range(2):
        t = time.perf_counter()
        session = ScreenSession(project, open_store(project.store_path), "ana")
        times.append(time.perf_counter() - t)
        session.go_live()
        session.live.wait(600)
        times.append(time.perf_counter() - t)
        session.close()
    return times[0], times[2], times[3]


def _p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--records", type=int, default=100_000)
    ap.add_argument("--decisions", type=int, default=20_000)
    ap.add_argument("--keys", type=int, default=150)
    ap.add_argument("--pause", type=float, default=0.4, help="longest pause between keys (s)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--dir", type=Path, default=Path("/tmp/live-cache/screen-bench"))
    args = ap.parse_args()
    if not SHARED.is_dir():
        sys.exit(f"shared screening sets not found in {SHARED}")
    args.dir.mkdir(parents=True, exist_ok=True)
    root, truth = build(args.dir, args.records, args.decisions)
    load = os.getloadavg()[0]
    reset(root)
    ranks_first, resumed, caught_up = open_times(root)
    base = drive(root, truth, args.keys, args.pause, args.seed + 1000, random_order=True)
    reset(root)
    r = drive(root, truth, args.keys, args.pause, args.seed)
    reset(root)
    wall = r["wall"]
    med, p99 = statistics.median(wall), _p(wall, 0.99)
    print(f"screener, ranked order: {r['total']} records, {args.decisions} decisions in the "
          f"logs, ana's queue learns from {r['labels']} labels")
    print(f"ranked sitting opened in {ranks_first:.1f} s when it ranks first (features "
          f"from .reviewkit, a first fit), in {resumed:.1f} s on the ranking the last "
          f"sitting kept (the worker's first live ranking {caught_up - resumed:.1f} s later)")
    print(f"{len(wall)} keys in {r['elapsed']:.0f} s, {r['busy']} of them pressed while a "
          "refit or stopping test ran")
    for name, run in (("ranked, learning", r), ("random, nothing in the background", base)):
        w, c = run["wall"], run["cpu"]
        print(f"{name}: key -> next record painted: median {statistics.median(w):.1f} ms, "
              f"p99 {_p(w, 0.99):.1f} ms, worst {max(w):.1f} ms (wall); UI thread CPU median "
              f"{statistics.median(c):.1f} ms, p99 {_p(c, 0.99):.1f} ms")
    print(f"ratio ranked/random (same run): median {med / statistics.median(base['wall']):.2f}"
          f", p99 {p99 / _p(base['wall'], 0.99):.2f}")
    print("worst 5 keys (wall ms):", ", ".join(f"{x:.0f}" for x in sorted(wall)[-5:]))
    if r["refits"]:
        print(f"refits: {len(r['refits'])}, median {statistics.median(r['refits']):.2f} s"
              f", worst {max(r['refits']):.2f} s")
    if r["tests"]:
        print(f"stopping tests: {len(r['tests'])}, median {statistics.median(r['tests']):.2f} s"
              f", worst {max(r['tests']):.2f} s")
    print(f"load average {load:.2f} before, {os.getloadavg()[0]:.2f} after "
          f"({os.cpu_count()} cores; figures are trustworthy below 2.5)")
    ok = med < 50 and p99 < 100
    print(f"target median < 50 ms and p99 < 100 ms: {'PASS' if ok else 'FAIL'}")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
