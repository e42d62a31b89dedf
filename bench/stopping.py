"""Stopping-rule validation: does recall at stopping reach the target as often as promised?

For every labelled CSV in ../shared/data/screening/ (plus --dataset CSVs) and
every seed, simulate screening with our default ranker (1 relevant + 1
irrelevant prior), then apply, after every screened record,

  - the hypergeometric test (Callaghan & Müller-Hansen 2020) for --target
    recall at --confidence: stop at the first p < 1 - confidence;
  - the heuristic "N consecutive irrelevant" for each --heuristic N (no guarantee).

It prints, per dataset and rule, how often recall at stopping reached the
target, the lowest and mean recall at stopping, how often the rule stopped
before the end of the pile, and the mean work saved (share of the pile left
unscreened). The test's rate must be at least the confidence level.

Usage: python bench/stopping.py [--seeds 20] [--target 0.95] [--confidence 0.95]
                                [--heuristic 50 --heuristic 100] [--dataset X.csv]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

from reviewkit.ranking import load_labelled, simulate
from reviewkit.ranking.features import TextFeatures
from reviewkit.ranking.models import feature_params
from reviewkit.ranking.stopping import first_heuristic_stop, first_stop, outcome
from reviewkit.reporting.tables import render

SCREENING = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "screening"


def row(dataset: str, rule: str, results: list[dict], target: float) -> dict:
    recalls = [r["recall"] for r in results]
    return {"dataset": dataset, "rule": rule, "runs": len(results),
            "recall >= target": f"{np.mean([x >= target for x in recalls]):.1%}",
            "min recall": f"{min(recalls):.3f}", "mean recall": f"{np.mean(recalls):.3f}",
            "stopped early": f"{np.mean([r['stopped'] for r in results]):.0%}",
            "work saved": f"{np.mean([r['work_saved'] for r in results]):.1%}"}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seeds", type=int, default=20)
    ap.add_argument("--target", type=float, default=0.95)
    ap.add_argument("--confidence", type=float, default=0.95)
    ap.add_argument("--heuristic", type=int, action="append", default=None)
    ap.add_argument("--dataset", type=Path, action="append", default=[])
    ap.add_argument("--only", action="append", default=[])
    args = ap.parse_args()
    heuristics = args.heuristic or [50, 100]
    paths = (sorted(SCREENING.glob("*.csv")) if SCREENING.is_dir() else []) + args.dataset
    if args.only:
        paths = [p for p in paths if p.stem in args.only]
    if not paths:
        sys.exit(f"no datasets: expected CSVs in {SCREENING} or --dataset")
    rules = ["hypergeometric test", *(f"{n} consecutive irrelevant (heuristic)"
                                      for n in heuristics)]
    rows, pooled = [], {r: [] for r in rules}
    t0 = time.perf_counter()
    for path in paths:
        data = load_labelled(path)
        X = TextFeatures(**feature_params(None)).fit_transform(data.records)
        per = {r: [] for r in rules}
        for seed in range(args.seeds):
            labels = simulate(data.records, data.labels, seed=seed, features=X).labels
            stop = first_stop(labels, len(labels), args.target, args.confidence)
            per[rules[0]].append(outcome(labels, stop))
            for n, rule in zip(heuristics, rules[1:], strict=True):
                per[rule].append(outcome(labels, first_heuristic_stop(labels, n)))
        for rule in rules:
            rows.append(row(data.name, rule, per[rule], args.target))
            pooled[rule] += per[rule]
        print(f"  {data.name}: done ({time.perf_counter() - t0:.0f} s)", file=sys.stderr,
              flush=True)
    rows += [row("ALL", rule, pooled[rule], args.target) for rule in rules]
    print(f"Stopping rules: target recall {args.target:.0%}, confidence {args.confidence:.0%}, "
          f"{args.seeds} seeds per dataset (1 relevant + 1 irrelevant prior, default ranker); "
          "recall and work saved over the whole pile, priors included\n")
    print(render(rows, "md"))
    rate = np.mean([r["recall"] >= args.target for r in pooled[rules[0]]])
    verdict = "meets" if rate >= args.confidence else "DOES NOT meet"
    print(f"The hypergeometric test reached the target in {rate:.1%} of {len(pooled[rules[0]])} "
          f"runs: it {verdict} the stated confidence of {args.confidence:.0%}.")


if __name__ == "__main__":
    main()
