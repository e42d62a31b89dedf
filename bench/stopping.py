"""Stopping-rule validation: does recall at stopping reach the target as often as promised?

For every labelled CSV in ../shared/data/screening/ (plus --dataset CSVs) and every
seed, simulate screening with the default ranker (1 relevant + 1 irrelevant prior),
then apply, as if checked after every screened record,

  - the hypergeometric test (Callaghan & Müller-Hansen 2020), bias 1: today's rule;
  - the default rule: the same test assuming the records screened last had odds of
    being relevant at least --bias times those of the unscreened ones (Fisher's
    noncentral hypergeometric; reviewkit.ranking.stopping.DEFAULT_BIAS);
  - the heuristic "N consecutive irrelevant" for each --heuristic N (no guarantee).

It prints, per dataset and rule, how often recall at stopping reached the target, the
lowest and mean recall at stopping, how often the rule stopped before the end of the
pile and the mean work saved (share of the pile left unscreened); then, for each odds
ratio in --sweep, the WORST dataset's share of runs reaching the target (the default
is chosen by that worst set, never by the mean); what a random-sample rule would cost
(QBCB / target method: 59 relevant records in a random sample for 95% at 95%); and the
cost of one StoppingMonitor update at 100k records and 20k decisions.

Simulated orders are cached under --cache (keyed by dataset, default preset and its
parameters, priors and seed), so a rerun only evaluates the rules.

Usage: nice python bench/stopping.py [--seeds 10] [--target 0.95] [--confidence 0.95]
        [--bias B] [--sweep 1.5 --sweep 2 ...] [--heuristic 50 --heuristic 100]
        [--dataset X.csv] [--only NAME] [--cached-only] [--cache DIR]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np

from reviewkit.ranking import load_labelled, simulate
from reviewkit.ranking.features import TextFeatures
from reviewkit.ranking.models import feature_params, preset
from reviewkit.ranking.stopping import (
    DEFAULT_BIAS,
    StoppingMonitor,
    first_heuristic_stop,
    first_stop,
    outcome,
)
from reviewkit.reporting.tables import render

SCREENING = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "screening"


def model_tag() -> str:
    """The default preset's name and a hash of its parameters: the cache's key."""
    name, spec = preset(None)
    digest = hashlib.sha1(json.dumps(spec, sort_keys=True, default=str).encode()).hexdigest()
    return f"{name}-{digest[:8]}"


def orders(path: Path, seeds: int, cache: Path, cached_only: bool) -> list[np.ndarray]:
    """Simulated label orders for seeds 0..seeds-1, from the cache or simulated now."""
    cache.mkdir(parents=True, exist_ok=True)
    tag, out, data, features = model_tag(), [], None, None
    for seed in range(seeds):
        f = cache / f"{path.stem}-{tag}-p1-{seed}.npy"
        if not f.exists():
            if cached_only:
                continue
            if data is None:
                data = load_labelled(path)
                name, _ = preset(None)
                features = TextFeatures(**feature_params(name)).fit_transform(data.records)
            labels = simulate(data.records, data.labels, seed=seed, features=features).labels
            np.save(f, np.asarray(labels, dtype=np.int8))
        out.append(np.load(f).astype(np.int64))
    return out


def row(dataset: str, rule: str, results: list[dict], target: float) -> dict:
    recalls = [r["recall"] for r in results]
    return {"dataset": dataset, "rule": rule, "runs": len(results),
            "recall >= target": f"{np.mean([x >= target for x in recalls]):.1%}",
            "min recall": f"{min(recalls):.3f}", "mean recall": f"{np.mean(recalls):.3f}",
            "stopped early": f"{np.mean([r['stopped'] for r in results]):.0%}",
            "work saved": f"{np.mean([r['work_saved'] for r in results]):.1%}"}


def reach(results: list[dict], target: float) -> float:
    return float(np.mean([r["recall"] >= target for r in results]))


def monitor_cost(n_total: int = 100_000, decided: int = 20_000, relevant: int = 1_500,
                 updates: int = 20) -> tuple[float, float]:
    """Median and max seconds of one StoppingMonitor.update at the screener's scale
    (a synthetic prioritised order: relevant records thinning out)."""
    rng = np.random.default_rng(0)
    weight = np.linspace(1, 0.01, decided)
    ones = rng.choice(decided, relevant, replace=False, p=weight / weight.sum())
    labels = np.zeros(decided, dtype=int)
    labels[ones] = 1
    mon = StoppingMonitor(n_total)
    mon.update(labels[:-updates])
    times = []
    for x in labels[-updates:]:
        t = time.perf_counter()
        mon.update([x])
        times.append(time.perf_counter() - t)
    return statistics.median(times), max(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seeds", type=int, default=10)
    ap.add_argument("--target", type=float, default=0.95)
    ap.add_argument("--confidence", type=float, default=0.95)
    ap.add_argument("--bias", type=float, default=DEFAULT_BIAS)
    ap.add_argument("--sweep", type=float, action="append", default=None)
    ap.add_argument("--strict", type=float, action="append", default=None,
                    help="Also sweep at these confidence levels (the test checked after "
                         "every record is many tests: a stricter level pays for that)")
    ap.add_argument("--heuristic", type=int, action="append", default=None)
    ap.add_argument("--dataset", type=Path, action="append", default=[])
    ap.add_argument("--only", action="append", default=[])
    ap.add_argument("--cache", type=Path, default=Path("/tmp/stop-cache"))
    ap.add_argument("--cached-only", action="store_true",
                    help="Evaluate only the simulations already cached (partial figures)")
    args = ap.parse_args()
    heuristics = args.heuristic or [50, 100]
    biases = sorted(set(args.sweep or [1.0, 1.5, 2.0, 3.0]) | {1.0, args.bias})
    levels = sorted(set(args.strict or [0.99, 0.999]) | {args.confidence})
    sweep = [(b, c) for c in levels for b in biases]
    paths = (sorted(SCREENING.glob("*.csv")) if SCREENING.is_dir() else []) + args.dataset
    if args.only:
        paths = [p for p in paths if p.stem in args.only]
    if not paths:
        sys.exit(f"no datasets: expected CSVs in {SCREENING} or --dataset")
    old, new = "hypergeometric test (today)", f"default rule (bias {args.bias:g})"
    rules = [old, new, *(f"{n} consecutive irrelevant (heuristic)" for n in heuristics)]
    rows, pooled = [], {r: [] for r in rules}
    per_bias: dict[tuple[float, float], dict[str, list[dict]]] = {key: {} for key in sweep}
    sample_rows = []
    t0 = time.perf_counter()
    for path in paths:
        runs = orders(path, args.seeds, args.cache, args.cached_only)
        if not runs:
            print(f"  {path.stem}: nothing cached, skipped", file=sys.stderr)
            continue
        per = {r: [] for r in rules}
        for labels in runs:
            for b, c in sweep:
                stop = first_stop(labels, None, args.target, c, bias=b)
                per_bias[b, c].setdefault(path.stem, []).append(outcome(labels, stop))
            per[old].append(per_bias[1.0, args.confidence][path.stem][-1])
            per[new].append(per_bias[args.bias, args.confidence][path.stem][-1])
            for n, rule in zip(heuristics, rules[2:], strict=True):
                per[rule].append(outcome(labels, first_heuristic_stop(labels, n)))
        for rule in rules:
            rows.append(row(path.stem, rule, per[rule], args.target))
            pooled[rule] += per[rule]
        lab = runs[0]
        # a random-sample rule needs ceil(log(1 - confidence) / log(target)) relevant
        # records in a simple random sample: 59 for 95% at 95% (QBCB with j = r, or the
        # target method's target set)
        need = math.ceil(math.log(1 - args.confidence) / math.log(args.target))
        sample_rows.append({"dataset": path.stem, "records": len(lab),
                            "relevant": int(lab.sum()),
                            "random sample for the target set": (
                                f"{need * len(lab) / lab.sum():,.0f} "
                                f"({min(1, need / lab.sum()):.0%} of the pile)")})
        print(f"  {path.stem}: {len(runs)} runs ({time.perf_counter() - t0:.0f} s)",
              file=sys.stderr, flush=True)
    rows += [row("ALL", rule, pooled[rule], args.target) for rule in rules]
    n_runs = len(pooled[old])
    print(f"Stopping rules: target recall {args.target:.0%}, confidence {args.confidence:.0%}, "
          f"up to {args.seeds} seeds per dataset, {n_runs} runs in all (1 relevant + 1 "
          f"irrelevant prior, default ranker {model_tag()}); recall and work saved over the "
          "whole pile, priors included\n")
    print(render(rows, "md"))
    for rule in (old, new):
        rate = reach(pooled[rule], args.target)
        verdict = "meets" if rate >= args.confidence else "DOES NOT meet"
        saved = np.mean([r["work_saved"] for r in pooled[rule]])
        print(f"{rule}: target reached in {rate:.1%} of {n_runs} runs ({verdict} the stated "
              f"confidence of {args.confidence:.0%}); mean work saved {saved:.1%}")
    print("\nOdds ratio and confidence sweep (choose by the WORST dataset):\n")
    sweep_rows = []
    for b, c in sweep:
        sets = per_bias[b, c]
        worst = min(sets, key=lambda s: (reach(sets[s], args.target), s))
        every = [r for res in sets.values() for r in res]
        sweep_rows.append({"bias": f"{b:g}", "confidence": f"{c:.1%}", "worst set": worst,
                           "worst set reaches target": f"{reach(sets[worst], args.target):.0%}",
                           "all runs reach target": f"{reach(every, args.target):.1%}",
                           "min recall": f"{min(r['recall'] for r in every):.3f}",
                           "work saved": f"{np.mean([r['work_saved'] for r in every]):.1%}"})
    print(render(sweep_rows, "md"))
    ok = [b for b in biases if all(reach(res, args.target) >= args.confidence
                                   for res in per_bias[b, args.confidence].values())]
    print(f"Largest odds ratio whose worst dataset reaches the target in >= "
          f"{args.confidence:.0%} of runs at the stated confidence: "
          f"{max(ok) if ok else 'none'}")
    best = max((key for key in sweep if all(reach(res, args.target) >= args.confidence
                                            for res in per_bias[key].values())),
               key=lambda key: np.mean([r["work_saved"] for res in per_bias[key].values()
                                        for r in res]), default=None)
    print("Setting that saves most while every dataset reaches the target in >= "
          f"{args.confidence:.0%} of runs: "
          f"{'none' if best is None else f'bias {best[0]:g} at confidence {best[1]:.1%}'}\n")
    print("What a random-sample rule (QBCB, target method) would screen first:\n")
    print(render(sample_rows, "md"))
    med, worst_t = monitor_cost()
    print(f"StoppingMonitor.update at 100,000 records, 20,000 decisions, 1,500 relevant: "
          f"median {1000 * med:.0f} ms, max {1000 * worst_t:.0f} ms over 20 updates "
          f"(load average {os.getloadavg()[0]:.1f})")


if __name__ == "__main__":
    main()
