"""Kill loop, long run: SIGKILL every writer at random moments, N kills in all.

The same loops as tests/reliability/test_kill.py (tests/reliability/kill_loops.py),
with more kills: screening decisions (library and `screen import-decisions`),
dedup judgements, appraisal and extraction saves, `reviewkit import`, the
atomic copy, and the dedup run / store rebuild. After every kill: every action
reported saved is in the files, and `reviewkit status` exits 0.

Prints kills per writer, saved actions checked, lost, failures; exits 1 if any
action was lost or a command failed.

Usage: python bench/killloop.py [--kills 1000] [--seed 1] [--keep DIR]
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path
from random import Random

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO / "tests" / "reliability")]

import kill_loops as kl  # noqa: E402

EXPORTS = REPO.parent / "shared" / "data" / "exports" / "ris"
BASE = ["bluelight-endnote_reflib.ris", "ovid-medline_citesource.ris"]
SMALL = ["cinahl-via-rayyan_asreview.ris", "scopus_asysd.ris", "embase-com_asreview.ris",
         "ovid-psycinfo_asreview.ris", "proquest-ptsdpubs_asreview.ris"]
# share of the kills each writer gets (the test's proportions)
SHARE = {"screen": 24, "decisions": 10, "judge": 16, "appraise": 14, "extract": 14,
         "import": 12, "copy": 12, "dedup": 10}


def run(kills: int, seed: int, folder: Path) -> list[kl.Figures]:
    if not EXPORTS.is_dir():
        sys.exit(f"needs the shared export corpus in {EXPORTS}")
    base = kl.build_base(folder / "base", [EXPORTS / f for f in BASE], REPO).root
    total = sum(SHARE.values())
    plan = {w: max(1, round(kills * n / total)) for w, n in SHARE.items()}
    rig = kl.Rig()
    out = []
    try:
        for n, (writer, k) in enumerate(plan.items()):
            rng = Random(seed * 100 + n)
            root = kl.fresh_copy(base, folder / writer)
            started = time.perf_counter()
            if writer == "screen":
                fig = kl.loop_screen(rig, root, rng, k)
            elif writer == "decisions":
                (folder / "batches").mkdir()
                fig = kl.loop_decisions(rig, root, rng, k, folder / "batches")
            elif writer == "judge":
                fig = kl.loop_judge(rig, root, rng, k)
            elif writer == "appraise":
                fig = kl.loop_appraise(rig, root, rng, k)
            elif writer == "extract":
                fig = kl.loop_extract(rig, root, rng, k)
            elif writer == "import":
                sources = kl.import_sources(folder / "sources", [EXPORTS / f for f in SMALL],
                                            8 * k)
                fig = kl.loop_import(rig, root, rng, k, sources)
            elif writer == "copy":
                src = folder / "big.bin"
                src.write_bytes(rng.randbytes(8 << 20))
                fig = kl.loop_copy(rig, root, rng, k, src)
            else:
                fig = kl.loop_dedup(rig, root, rng, k)
            print(f"{fig.line()}  ({time.perf_counter() - started:.1f} s)", flush=True)
            for failure in fig.failures[:3]:
                print(f"    {failure[-300:]}")
            out.append(fig)
    finally:
        rig.close()
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--kills", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--keep", type=Path, help="build the projects here and keep them")
    args = ap.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="killloop-"))
    folder.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    try:
        figs = run(args.kills, args.seed, folder)
    finally:
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)
    kills = sum(f.kills for f in figs)
    lost = sum(f.lost for f in figs)
    failures = sum(len(f.failures) for f in figs)
    print(f"total: {kills} kills, {sum(f.saved for f in figs)} saved actions checked, "
          f"lost {lost}, failures {failures}, {time.perf_counter() - started:.0f} s")
    sys.exit(1 if lost or failures else 0)


if __name__ == "__main__":
    main()
