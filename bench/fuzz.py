"""Long randomised fuzz runs of every reader over the whole shared export corpus.

Each input is a real export from ../shared/data/exports/ with one to three
mutations (tests/reliability/fuzz_mutators.py, the same ones CI runs), read
with detection, with its own format forced and with another format forced.
An outcome is clean (records), a clear error (a ReviewkitError on one line
naming the file), or a crash: any other exception, an unclear message, or a
read using more than --timeout CPU seconds. Each crash is saved with its traceback
under bench/out/fuzz/ for replay, and so is each input slower than --slow.

Usage: python bench/fuzz.py [--minutes 10] [--seed 1] [--timeout 20]
"""

from __future__ import annotations

import argparse
import random
import signal
import sys
import tempfile
import time
import traceback
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests" / "reliability"))

from fuzz_mutators import corpus, huge_line, mutate, outcome  # noqa: E402

from reviewkit.io.detect import FORMATS  # noqa: E402

EXPORTS = HERE.parent.parent / "shared" / "data" / "exports"
OUT = HERE / "out" / "fuzz"


class Hang(Exception):
    pass


def _alarm(signum: int, frame: object) -> None:
    raise Hang("read took longer than the timeout")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--minutes", type=float, default=10.0)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--timeout", type=float, default=20.0, help="CPU seconds per read")
    ap.add_argument("--slow", type=float, default=3.0, help="keep inputs slower (CPU s)")
    ap.add_argument("--exports", type=Path, default=EXPORTS)
    args = ap.parse_args()
    files = corpus(args.exports)
    if not files:
        sys.exit(f"no export corpus in {args.exports}")
    seeds = [(p, fmt, p.read_bytes()) for p, fmt in files]
    pool = [data for _, _, data in seeds]
    rnd = random.Random(args.seed)
    signal.signal(signal.SIGVTALRM, _alarm)  # CPU time: other load is not a hang
    counts = {"inputs": 0, "reads": 0, "clean": 0, "clear errors": 0, "crashes": 0,
              "slow": 0}
    slowest = (0.0, "")
    OUT.mkdir(parents=True, exist_ok=True)
    end = time.monotonic() + args.minutes * 60
    with tempfile.TemporaryDirectory() as tmp:
        while time.monotonic() < end:
            source, own, data = rnd.choice(seeds)
            if rnd.random() < 0.02:
                data, names = huge_line(data, rnd), ["huge_line"]
            else:
                data, names = mutate(data, rnd, pool)
            path = Path(tmp) / f"{counts['inputs']}{source.suffix}"
            path.write_bytes(data)
            counts["inputs"] += 1
            other = rnd.choice([f for f in FORMATS if f != own])
            for fmt in (None, own, other):
                counts["reads"] += 1
                started = time.process_time()
                signal.setitimer(signal.ITIMER_VIRTUAL, args.timeout)
                try:
                    result = outcome(path, fmt)
                except Exception:  # a crash, a hang or an unclear message: keep it
                    counts["crashes"] += 1
                    _save(counts["crashes"], data, source, fmt, names, traceback.format_exc())
                    continue
                finally:
                    signal.setitimer(signal.ITIMER_VIRTUAL, 0)
                took = time.process_time() - started
                if took > slowest[0]:
                    slowest = (took, f"{source.name} {names} format={fmt}")
                if took > args.slow:
                    counts["slow"] += 1
                    _save(counts["slow"], data, source, fmt, names, f"took {took:.2f} s\n",
                          "slow")
                counts["clean" if result == "clean" else "clear errors"] += 1
            path.unlink()
    print(f"seed {args.seed}, {args.minutes:g} min, {len(files)} corpus files")
    print(f"inputs tried: {counts['inputs']} (each read 3 ways: detected, its own format, "
          f"another format = {counts['reads']} reads)")
    print(f"clean:        {counts['clean']} reads")
    print(f"clear errors: {counts['clear errors']} reads")
    print(f"crashes:      {counts['crashes']}")
    print(f"slow (> {args.slow:g} CPU s): {counts['slow']}; slowest {slowest[0]:.2f} s "
          f"({slowest[1]})")
    if counts["crashes"]:
        print(f"crashing inputs and tracebacks: {OUT}")
        sys.exit(1)


def _save(n: int, data: bytes, source: Path, fmt: str | None, names: list[str],
          trace: str, kind: str = "crash") -> None:
    stem = OUT / f"{kind}-{n:04d}"
    stem.with_suffix(".bin").write_bytes(data)
    stem.with_suffix(".txt").write_text(
        f"seed file: {source}\nmutations: {', '.join(names)}\nformat: {fmt or 'detect'}\n"
        f"replay: reviewkit.io.read_file('{stem}.bin', {fmt!r})\n\n{trace}", "utf-8")


if __name__ == "__main__":
    main()
