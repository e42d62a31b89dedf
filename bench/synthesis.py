"""Synthesis benchmark: 100 studies, 300 codes, 20,000 segments over ~5 MB of text.

It builds (in a temporary directory, not timed) a project whose sources are the
shared screening abstracts, ~50 KB a study, one abstract a line; a 3-level
codebook of 300 codes; and 20,000 coded segments (sentences) spread over 2-4 coders a
source, their logs written one write per coder through the library's event format.
Then it measures, each against the issue's target (absolute, so PASS/FAIL):

- the terminal coder's keys (move word, grow sentence, apply, remove, undo): the real
  Textual app driven headless with App.run_test() at 80x24, timed from the key press
  to the screen refreshed (pilot.press + pilot.pause), ~200 presses of each kind
  (apply: the Enter that writes, the picker opened untimed, on a fresh word each time).
  The harness itself takes ~70 ms a key (a key bound to nothing shows it), so each
  key's figures are its wall time less the no-op key's, and its CPU time (process
  time over the same span: the work the key made, harness included);
- the matrix and the quote table as the CLI builds them, cold from the files
  (load_synthesis + theme_matrix, load_synthesis + quote_table), and the CLI
  commands' wall time (`-f csv`, a new process each);
- a .qdpx export and its re-import into an empty project.

Usage: python bench/synthesis.py [--keys 200] [--segments 20000] [--keep DIR]
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from reviewkit.project import init_project
from reviewkit.screening.reviewers import add_reviewer
from reviewkit.synthesis.coding import coding_log, event, segment_event
from reviewkit.synthesis.cursor import SENTENCE_END, paragraphs
from reviewkit.synthesis.matrix import theme_matrix
from reviewkit.synthesis.quotes import quote_table
from reviewkit.synthesis.sources import add_source, load_sources, source_text
from reviewkit.synthesis.state import load_synthesis

SCREENING = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "screening"
SHARED = Path("/work/shared/data/screening")
STUDIES, PER_STUDY = 100, 50_000
CODERS = ("ann", "bo", "cy", "di")
ROLES = ("participant quote", "author interpretation", "field observation", "")
TARGETS = {"key": 0.050, "table": 1.0, "refi": 10.0}


def abstracts() -> list[str]:
    folder = SCREENING if SCREENING.is_dir() else SHARED
    out: list[str] = []
    csv.field_size_limit(10**8)
    for path in sorted(folder.glob("*.csv")):
        with path.open(encoding="utf-8", newline="") as fh:
            out.extend(" ".join(r["abstract"].split()) for r in csv.DictReader(fh)
                       if len(r.get("abstract") or "") > 200)
    if not out:
        sys.exit(f"no abstracts found in {folder}")
    return out


def codebook_yaml() -> tuple[str, list[str]]:
    """10 analytical themes, 40 descriptive, 250 codes: 300 codes; the leaf ids."""
    lines, leaves = ["method: thematic", "codes:"], []
    n = 0
    for a in range(10):
        lines += [f"  - id: theme-{a}", f"    name: Theme {a}", "    parent: null",
                  "    level: analytical"]
        n += 1
        for d in range(4):
            did = f"desc-{a}-{d}"
            lines += [f"  - id: {did}", f"    name: Descriptive {a}.{d}",
                      f"    parent: theme-{a}", "    level: descriptive"]
            n += 1
            for c in range(7 if (a * 4 + d) % 4 == 0 else 6):
                cid = f"code-{a}-{d}-{c}"
                lines += [f"  - id: {cid}", f"    name: Code {a}.{d}.{c} care words",
                          f"    parent: {did}", "    level: code"]
                leaves.append(cid)
                n += 1
    return "\n".join(lines) + "\n", leaves


def build(root: Path, segments: int, rng: random.Random) -> Path:
    """The project; returns its root. Nothing here is timed."""
    project = init_project(root / "review", "Bench review", "Is it fast?")
    for c in CODERS:
        add_reviewer(project, c)
    studies = "".join(f'[[study]]\nid = "study-{i:03d}"\ncitation = "Author {i} (2020)"\n\n'
                      for i in range(STUDIES))
    (project.root / "studies.toml").write_text(studies, "utf-8")
    pool = abstracts()
    rng.shuffle(pool)
    at = 0
    texts = root / "texts"
    texts.mkdir()
    for i in range(STUDIES):
        body, size = [], 0
        while size < PER_STUDY:
            body.append(pool[at % len(pool)])
            size += len(body[-1]) + 1
            at += 1
        (texts / f"s{i:03d}.txt").write_text("\n".join(body) + "\n", "utf-8")
        add_source(project, texts / f"s{i:03d}.txt", f"study-{i:03d}", f"s{i:03d}")
    book, leaves = codebook_yaml()
    (project.root / "synthesis" / "codebook.yaml").write_text(book, "utf-8")
    logs: dict[str, list[dict]] = {c: [] for c in CODERS}
    sources = load_sources(project)
    per_source = segments // len(sources)
    for src in sources:
        text = source_text(project, src)
        spans = []
        for a, b in paragraphs(text):
            start = a
            for m in SENTENCE_END.finditer(text, a, b):
                spans.append((start, m.end()))
                start = m.end() + 1
        picks = sorted(rng.sample(spans, min(per_source, len(spans))))
        coders = CODERS[:rng.randint(2, 4)]
        for n, (a, b) in enumerate(picks):
            coder = coders[n % len(coders)]
            seg = segment_event(coder, src.id, a, b, text[a:b], rng.choice(ROLES),
                                str(rng.randint(1, 30)))
            logs[coder].append(seg)
            for code in rng.sample(leaves, rng.choice((1, 1, 2))):
                logs[coder].append(event("apply", coder, segment=seg["segment"], code=code))
    for coder, events in logs.items():
        path = coding_log(project, coder)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("".join(json.dumps(e) + "\n" for e in events), "utf-8")  # one write
    return project.root


def figures(times: list[float]) -> tuple[float, float]:
    times = sorted(times)
    return statistics.median(times), times[min(len(times) - 1, int(len(times) * 0.95))]


async def drive_keys(root: Path, presses: int) -> dict[str, list[float]]:
    from reviewkit.project import find_project
    from reviewkit.tui.coder import coder_app

    project = find_project(root)
    app = coder_app(project, "ann", "s000")
    out: dict[str, list[float]] = {k: [] for k in ("no-op key (harness)", "move word",
                                                   "grow sentence", "apply", "remove",
                                                   "undo")}
    cpu: dict[str, list[float]] = {k: [] for k in out}
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()

        async def timed(kind: str, key: str) -> None:
            t, c = time.perf_counter(), time.process_time()
            await pilot.press(key)
            await pilot.pause()
            out[kind].append(time.perf_counter() - t)
            cpu[kind].append(time.process_time() - c)

        for _ in range(presses):
            await timed("no-op key (harness)", "z")  # bound to nothing: the harness's own cost
        for _ in range(presses):
            await timed("move word", "right")
        for i in range(presses):
            if i % 4 == 0:
                await pilot.press("escape", "down")
            await timed("grow sentence", "s")
        # each apply on a fresh word (never exactly a sentence segment already there):
        # a new segment with one code, which remove takes off and undo withdraws whole
        for i in range(presses * 2):
            kind = "remove" if i % 2 else "undo"
            await pilot.press("escape", "right", "w", "a")
            await pilot.pause()
            if len(out["apply"]) < presses:
                await timed("apply", "enter")
            else:
                await pilot.press("enter")
                await pilot.pause()
            await timed(kind, "x" if kind == "remove" else "u")
        await pilot.press("q")
    return out, cpu


def timed_call(call) -> tuple[float, object]:
    t = time.perf_counter()
    value = call()
    return time.perf_counter() - t, value


def cli(root: Path, *args: str) -> float:
    t = time.perf_counter()
    subprocess.run([sys.executable, "-m", "reviewkit", *args], cwd=root, check=True,
                   capture_output=True)
    return time.perf_counter() - t


def verdict(value: float, target: float) -> str:
    return "PASS" if value < target else "FAIL"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--keys", type=int, default=200)
    ap.add_argument("--segments", type=int, default=20_000)
    ap.add_argument("--keep", type=Path, help="build the project here and keep it")
    ap.add_argument("--skip", default="", help="comma list of: keys,tables,cli,refi")
    args = ap.parse_args()
    skip = set(filter(None, args.skip.split(",")))
    rng = random.Random(13)
    tmp = Path(tempfile.mkdtemp(prefix="rk-synth-bench-"))
    base = args.keep or tmp
    base.mkdir(parents=True, exist_ok=True)
    try:
        t = time.perf_counter()
        root = build(base, args.segments, rng)
        size = sum(p.stat().st_size for p in (root / "synthesis/sources").iterdir())
        logs = sum(p.stat().st_size for p in (root / "synthesis/coding").iterdir())
        print(f"built in {time.perf_counter() - t:.1f} s (not timed): {STUDIES} studies, "
              f"{size / 1e6:.1f} MB of source text, {logs / 1e6:.1f} MB of coding logs")
        rows: list[tuple[str, float, float | None]] = []  # what, seconds, target
        from reviewkit.project import find_project

        project = find_project(root)
        syn = load_synthesis(project)
        print(f"{len(syn.codebook.codes)} codes, {len(syn.coding.segments)} segments, "
              f"{len({s.coder for s in syn.coding.segments.values()})} coders")
        if "keys" not in skip:
            keys, cpu = asyncio.run(drive_keys(root, args.keys))
            harness = figures(keys["no-op key (harness)"])[0]
            for kind, times in keys.items():
                med, p95 = figures(times)
                target = None if kind.startswith("no-op") else TARGETS["key"]
                rows.append((f"key {kind}: wall median (n={len(times)})", med, None))
                rows.append((f"key {kind}: wall p95", p95, None))
                if target:
                    rows.append((f"key {kind}: wall median - harness", med - harness, target))
                rows.append((f"key {kind}: CPU median", figures(cpu[kind])[0], target))
        if "tables" not in skip:
            for name, build_rows in (("matrix", theme_matrix), ("quotes", quote_table)):
                best = min(timed_call(lambda b=build_rows: b(load_synthesis(project)))[0]
                           for _ in range(3))
                rows.append((f"{name}: load_synthesis + table (best of 3)", best,
                             TARGETS["table"]))
            load = min(timed_call(lambda: load_synthesis(project))[0] for _ in range(3))
            print(f"(of which load_synthesis alone: {load:.3f} s)")
        if "cli" not in skip:
            for name in ("matrix", "quotes", "status"):
                wall = min(cli(root, "synthesis", name, "-f", "csv") for _ in range(2))
                rows.append((f"CLI `synthesis {name} -f csv` wall (best of 2)", wall, None))
        if "refi" not in skip:
            from reviewkit.synthesis.refi.load import import_refi
            from reviewkit.synthesis.refi.write import export_refi

            qdpx = base / "bench.qdpx"
            took, _ = timed_call(lambda: export_refi(project, qdpx))
            rows.append((f".qdpx export ({qdpx.stat().st_size / 1e6:.1f} MB)", took,
                         TARGETS["refi"]))
            other = init_project(base / "again", "Again", "Same?")
            took, report = timed_call(lambda: import_refi(other, qdpx, "ann"))
            rows.append((".qdpx re-import", took, TARGETS["refi"]))
            print(report.summary())
        width = max(len(r[0]) for r in rows)
        print(f"\n{'figure':<{width}}  {'seconds':>9}  {'target':>8}  result")
        for what, value, target in rows:
            print(f"{what:<{width}}  {value:9.4f}  "
                  f"{'< ' + format(target, 'g') if target else '-':>8}  "
                  f"{verdict(value, target) if target else ''}")
        checked = [(v, t) for _, v, t in rows if t]
        failed = sum(1 for v, t in checked if v >= t)
        print(f"\n{len(checked) - failed}/{len(checked)} figures meet their target "
              f"(load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs)")
    finally:
        if args.keep is None:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
