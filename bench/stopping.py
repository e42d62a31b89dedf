"""Stopping-rule validation: does recall at stopping reach the target as often as promised?

For every labelled CSV in ../shared/data/screening/ (plus --dataset CSVs) and every
seed, simulate screening with the default ranker (1 relevant + 1 irrelevant prior),
then apply each rule as if checked after every screened record (the scheduled rule:
at its checkpoints only):

  with a stated guarantee (each under its own assumption, docs/stopping.md)
  - today's hypergeometric test: Callaghan & Müller-Hansen 2020, every urn size, at
    --confidence (95%): the rule the issue compares against;
  - the default rule (reviewkit.ranking.stopping defaults: confidence, smallest urn);
  - the previous default (95%, urns of at least a fifth of the records screened) and
    the same test at 99% with every urn size (an earlier default);
  - the test on a fixed schedule of --checks checkpoints with Bonferroni over every
    test made (honest about repeated use);
  - an anytime-valid test martingale (honest about repeated use, Ville's inequality);
  - the target method (a random sample holding 59 relevant records for 95% at 95%);
  heuristics (no guarantee): N consecutive irrelevant (--heuristic), a SAFE-like procedure.

It prints per dataset and rule the runs reaching the target recall, the lowest and mean
recall at stopping and the mean work saved (share of the pile left unscreened); the
default and today's test side by side on the old eight sets, the four newest and all
twelve; a grid of smallest urn × confidence (× --bias, the odds ratio the test assumes)
with its worst dataset and its worst flat-tail shape (--flat-runs orders each: a setting
stopping short in more than 5% of them is not chosen); leave-one-dataset-out
for that grid (the setting chosen on eleven sets, scored on the twelfth); how often the
test stops short in random order on synthetic piles (its assumption met exactly: what
is left is the cost of testing after every record, no dataset involved) and on
synthetic ranked orders whose tail is flat (the same, with sparse urns: the shapes the
default was chosen by); the same with relevant records buried at the end (outside the
assumption: what breaking it costs, never used to choose); and the cost of one
StoppingMonitor update at 100k records and 20k decisions.

Simulated orders are cached under --cache (keyed by dataset, default preset and its
parameters, priors and seed), so a rerun only evaluates the rules.

Usage: nice python bench/stopping.py [--seeds 10] [--target 0.95] [--confidence 0.95]
        [--urn 0 --urn 0.1 ...] [--level 0.95 --level 0.99 ...] [--bias 1.25 ...]
        [--checks 10] [--null-runs 400] [--flat-runs 400]
        [--heuristic 50 ...] [--dataset X.csv] [--only NAME] [--cached-only] [--cache DIR]
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
from reviewkit.ranking.stopping import StoppingMonitor
from reviewkit.ranking.stopping_defaults import (
    DEFAULT_CONFIDENCE,
    DEFAULT_MIN_URN,
    DEFAULT_PROMISE,
)
from reviewkit.ranking.stopping_rules import (
    first_anytime_stop,
    first_scheduled_stop,
    safe_heuristic,
    target_method,
    target_size,
)
from reviewkit.ranking.stopping_sim import (
    first_heuristic_stop,
    first_stop,
    flat_tail_misses,
    outcome,
    random_order_misses,
)
from reviewkit.reporting.tables import render

SCREENING = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "screening"
# The eight sets the team had before the four newest Cohen reviews were added
# (../shared/data/screening/MANIFEST.md): today's 20.5% is measured on these.
OLD_EIGHT = ("Cohen_2006_ADHD", "Cohen_2006_Antihistamines", "Cohen_2006_BetaBlockers",
             "Cohen_2006_ProtonPumpInhibitors", "Cohen_2006_UrinaryIncontinence",
             "Kitchenham_2010", "Nagtegaal_2019", "Kwok_2020")
GUARANTEE, HEURISTIC = "guarantee", "heuristic"


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


def sampled(rule, labels: np.ndarray, seed: int) -> dict:
    """outcome() for a rule that draws a random sample: (screened, found) -> the same keys."""
    screened, found = rule(labels, np.random.default_rng(1000 + seed))
    return {"stopped": screened < len(labels), "screened": screened,
            "recall": found / labels.sum(), "work_saved": 1 - screened / len(labels)}


def rules(args: argparse.Namespace) -> dict[str, tuple[str, object]]:
    """Rule name -> (kind, function(labels, seed) -> outcome dict)."""
    tau, conf = args.target, args.confidence
    out: dict[str, tuple[str, object]] = {
        TODAY: (GUARANTEE, lambda lab, s: outcome(lab, first_stop(lab, None, tau, conf))),
        DEFAULT: (GUARANTEE, lambda lab, s: outcome(lab, first_stop(
            lab, None, tau, DEFAULT_CONFIDENCE, min_urn=DEFAULT_MIN_URN))),
        PREVIOUS: (GUARANTEE, lambda lab, s: outcome(lab, first_stop(
            lab, None, tau, 0.95, min_urn=0.2))),
        "test at 99%, every urn (an earlier default)": (GUARANTEE, lambda lab, s: outcome(
            lab, first_stop(lab, None, tau, 0.99))),
        f"{args.checks} checkpoints, Bonferroni ({conf:.0%})": (GUARANTEE, lambda lab, s: outcome(
            lab, first_scheduled_stop(lab, None, tau, conf, args.checks))),
        f"anytime-valid martingale ({conf:.0%})": (GUARANTEE, lambda lab, s: outcome(
            lab, first_anytime_stop(lab, None, tau, conf))),
        f"target method ({target_size(tau, conf)} relevant in a random sample)": (
            GUARANTEE, lambda lab, s: sampled(
                lambda x, rng: target_method(x, rng, tau, conf), lab, s)),
        "SAFE-like (1% random, 50 + 50 irrelevant)": (
            HEURISTIC, lambda lab, s: sampled(safe_heuristic, lab, s)),
    }
    for n in args.heuristic:
        out[f"{n} consecutive irrelevant"] = (
            HEURISTIC, lambda lab, s, n=n: outcome(lab, first_heuristic_stop(lab, n)))
    return out


TODAY = "today's test (95%, every urn)"
DEFAULT = (f"default rule ({DEFAULT_CONFIDENCE:.0%}, urn >= {DEFAULT_MIN_URN:.0%} of "
           "screened)")
PREVIOUS = "95%, urn >= 20% of screened (the previous default)"


def reach(results: list[dict], target: float) -> float:
    return float(np.mean([r["recall"] >= target for r in results])) if results else 0.0


def saved(results: list[dict]) -> float:
    return float(np.mean([r["work_saved"] for r in results])) if results else 0.0


def row(dataset: str, rule: str, kind: str, results: list[dict], target: float) -> dict:
    recalls = [r["recall"] for r in results]
    return {"dataset": dataset, "rule": rule, "kind": kind, "runs": len(results),
            "recall >= target": f"{reach(results, target):.1%}",
            "min recall": f"{min(recalls):.3f}", "mean recall": f"{np.mean(recalls):.3f}",
            "work saved": f"{saved(results):.1%}"}


def pooled(per: dict[str, list[dict]], sets) -> list[dict]:
    return [r for s in sets if s in per for r in per[s]]


def choose(grid: dict, sets: list[str], target: float,
           flat: dict | None = None) -> tuple | None:
    """The grid setting (urn, confidence, bias) saving most (mean over runs) with every
    set in ``sets`` at >= DEFAULT_PROMISE of runs reaching the target and, given
    ``flat`` (setting -> (worst share stopping short over the flat-tail shapes, its
    largest one-sided 95% upper bound)), that share at most 1 - DEFAULT_PROMISE on every
    shape (the bound is printed: at 400 orders a shape cannot tell 2.5% from 5% apart,
    docs/stopping.md); among equal savings the larger
    urn, the higher confidence, the smaller bias."""
    ok = [key for key, per in grid.items()
          if all(reach(per[s], target) >= DEFAULT_PROMISE for s in sets)
          and (flat is None or flat[key][0] <= 1 - DEFAULT_PROMISE)]
    # equal savings (to 0.01 point): the more conservative setting, larger urn first
    return max(ok, key=lambda k: (round(saved(pooled(grid[k], sets)), 4), k[0], k[1], -k[2]),
               default=None)


def setting(key: tuple) -> str:
    return f"urn {key[0]:.0%}, {key[1]:.0%}" + (f", bias {key[2]:g}" if key[2] != 1 else "")


def monitor_cost(n_total: int = 100_000, decided: int = 20_000, relevant: int = 1_500,
                 updates: int = 20) -> tuple[float, float]:
    """Median and max seconds of one StoppingMonitor.update at the screener's scale
    (a synthetic prioritised order: relevant records thinning out), default rule."""
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


NULL_PILES = ((1000, 100), (1000, 300), (2000, 100))   # (records, relevant)
# Ranked, then a flat tail (stopping_sim.flat_tail_order): (records, first record's
# chance of being relevant, decay length as a share of the pile, the tail's rate).
FLAT_SHAPES = ((1000, 0.6, 0.05, 0.02), (1000, 0.6, 0.15, 0.05), (2000, 0.6, 0.15, 0.05),
               (2000, 0.6, 0.05, 0.005), (2000, 0.3, 0.05, 0.01), (5000, 0.6, 0.02, 0.002),
               (3000, 0.9, 0.02, 0.005))
# Outside the assumption (stopping_sim.buried_order): a flat-tail shape whose last share
# of the pile is richer (share, rate): relevant records the ranker buried. Printed to
# show what breaking the assumption costs; never used to choose a setting.
BURIED_SHAPES = ((1000, 0.6, 0.05, 0.01, 0.2, 0.03), (2000, 0.6, 0.05, 0.005, 0.1, 0.02),
                 (2000, 0.6, 0.15, 0.02, 0.1, 0.05))


def synthetic_settings(args: argparse.Namespace) -> list[tuple[str, float, float]]:
    """(label, smallest urn, confidence) for the random-order and flat-tail tables."""
    return [("published test (every urn)", 0.0, args.confidence),
            *((f"smallest urn {u:.0%}", u, args.confidence) for u in args.urn if u > 0),
            ("published test (every urn)", 0.0, 0.99),
            (f"default (smallest urn {DEFAULT_MIN_URN:.0%})", DEFAULT_MIN_URN,
             DEFAULT_CONFIDENCE)]


def synthetic_rows(args: argparse.Namespace, columns: dict) -> list[dict]:
    """One row per synthetic_settings entry: column name -> share stopping short, from
    ``columns`` (name -> function(urn, confidence) -> share)."""
    rows = []
    for label, urn, conf in synthetic_settings(args):
        line = {"setting": label, "confidence": f"{conf:.0%}"}
        line.update({name: f"{miss(urn, conf):.1%}" for name, miss in columns.items()})
        rows.append(line)
    return rows


def null_rows(args: argparse.Namespace) -> list[dict]:
    """Random-order check: the share of runs stopping short, per pile and setting."""
    print(f"Random order, {args.null_runs} runs per pile (the test's assumption holds "
          "exactly; stopping short comes from testing after every record):\n")
    return synthetic_rows(args, {
        f"{rel} of {n}: stopped short": lambda u, c, n=n, rel=rel: random_order_misses(
            n, rel, args.null_runs, np.random.default_rng(n + rel), args.target, c, u)
        for n, rel in NULL_PILES})


def wilson(share: float, runs: int, z: float = 1.645) -> tuple[float, float]:
    """One-sided 95% Wilson bounds (lower, upper) of a share measured over ``runs``."""
    centre = (share + z * z / (2 * runs)) / (1 + z * z / runs)
    half = z * math.sqrt(share * (1 - share) / runs + z * z / (4 * runs * runs)) / (
        1 + z * z / runs)
    return max(0.0, centre - half), min(1.0, centre + half)


def flat_worst(key: tuple, runs: int, target: float) -> tuple[float, float]:
    """(worst share of runs stopping short, the largest upper bound of it) over
    FLAT_SHAPES for a grid setting. A shape first gets a quarter of the runs: if even
    its lower bound is over 1 - DEFAULT_PROMISE, the setting fails there and then;
    otherwise the same generator draws the other three quarters (nothing drawn twice)."""
    u, c, b = key
    worst = (0.0, 0.0)
    for i, shape in enumerate(FLAT_SHAPES):
        rng = np.random.default_rng(i)
        first = max(1, runs // 4)
        short = round(flat_tail_misses(shape, first, rng, target, c, u, bias=b) * first)
        if wilson(short / first, first)[0] > 1 - DEFAULT_PROMISE:
            return max(worst[0], short / first), 1.0
        rest = runs - first
        if rest > 0:
            short += round(flat_tail_misses(shape, rest, rng, target, c, u, bias=b) * rest)
        share = short / max(runs, first)
        worst = (max(worst[0], share), max(worst[1], wilson(share, max(runs, first))[1]))
    return worst


def shape_rows(args: argparse.Namespace, shapes: tuple, heading: str) -> list[dict]:
    """Synthetic ranked orders (stopping_sim.flat_tail_misses): the share of runs
    stopping short, per shape and setting."""
    print(f"{heading}\n")
    return synthetic_rows(args, {
        "/".join(f"{x:g}" for x in shape): lambda u, c, shape=shape: flat_tail_misses(
            shape, args.null_runs, np.random.default_rng(sum(int(x * 1000) for x in shape)),
            args.target, c, u)
        for shape in shapes})


def flat_rows(args: argparse.Namespace) -> list[dict]:
    return shape_rows(args, FLAT_SHAPES, f"Ranked, then a flat tail: {args.null_runs} "
                      "synthetic orders per shape (records, first rate, decay as a share of "
                      "the pile, tail rate); in the tail the urn is a true random draw, sparse "
                      "and tested for long:")


def buried_rows(args: argparse.Namespace) -> list[dict]:
    return shape_rows(args, BURIED_SHAPES, f"Outside the assumption: {args.null_runs} orders "
                      "per shape, a flat tail whose last share of the pile is richer (records, "
                      "first rate, decay, tail rate, buried share of the pile, its rate); the "
                      "records screened last are poorer than those left:")


def parse() -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seeds", type=int, default=10)
    ap.add_argument("--target", type=float, default=0.95)
    ap.add_argument("--confidence", type=float, default=0.95,
                    help="Level of today's test and of the other rules with a guarantee")
    ap.add_argument("--urn", type=float, action="append", default=None,
                    help="Smallest urn (share of the records screened) for the grid")
    ap.add_argument("--level", type=float, action="append", default=None,
                    help="Confidence levels for the grid")
    ap.add_argument("--bias", type=float, action="append", default=None,
                    help="Odds ratios for the grid (1: the published test's assumption)")
    ap.add_argument("--checks", type=int, default=10)
    ap.add_argument("--null-runs", type=int, default=400,
                    help="Random orders per synthetic pile for the repeated-testing check "
                         "(0: skip it)")
    ap.add_argument("--flat-runs", type=int, default=400,
                    help="Flat-tail orders per shape for screening the grid (0: skip)")
    ap.add_argument("--heuristic", type=int, action="append", default=None)
    ap.add_argument("--dataset", type=Path, action="append", default=[])
    ap.add_argument("--only", action="append", default=[])
    ap.add_argument("--cache", type=Path, default=Path("/tmp/stop-cache"))
    ap.add_argument("--cached-only", action="store_true",
                    help="Evaluate only the simulations already cached (partial figures)")
    args = ap.parse_args()
    args.heuristic = args.heuristic or [50, 100]
    args.urn = sorted(set(args.urn or [0.0, 0.05, 0.1, 0.2]) | {DEFAULT_MIN_URN})
    args.level = sorted(set(args.level or [0.95, 0.99]) | {DEFAULT_CONFIDENCE})
    args.bias = sorted(set(args.bias or [1.0]) | {1.0})
    return args


def side_by_side(per_rule: dict[str, dict[str, list[dict]]], names: list[str],
                 target: float) -> list[dict]:
    groups = [("old eight", [s for s in names if s in OLD_EIGHT]),
              ("four newest", [s for s in names if s not in OLD_EIGHT]), ("all", names)]
    out = []
    for rule, per in per_rule.items():
        line = {"rule": rule}
        for label, sets in groups:
            res = pooled(per, sets)
            line[f"{label}: runs at target"] = (f"{reach(res, target):.1%} of {len(res)}"
                                                if res else "-")
            line[f"{label}: saved"] = f"{saved(res):.1%}" if res else "-"
        worst = min(names, key=lambda s: (reach(per[s], target), s))
        line["worst set"] = f"{worst} ({reach(per[worst], target):.0%})"
        out.append(line)
    return out


def main() -> None:
    args = parse()
    paths = (sorted(SCREENING.glob("*.csv")) if SCREENING.is_dir() else []) + args.dataset
    if args.only:
        paths = [p for p in paths if p.stem in args.only]
    if not paths:
        sys.exit(f"no datasets: expected CSVs in {SCREENING} or --dataset")
    table = rules(args)
    per_rule: dict[str, dict[str, list[dict]]] = {name: {} for name in table}
    grid: dict[tuple[float, float, float], dict[str, list[dict]]] = {
        (u, c, b): {} for u in args.urn for c in args.level for b in args.bias}
    t0 = time.perf_counter()
    for path in paths:
        runs = orders(path, args.seeds, args.cache, args.cached_only)
        if not runs:
            print(f"  {path.stem}: nothing cached, skipped", file=sys.stderr)
            continue
        for name, (_, rule) in table.items():
            per_rule[name][path.stem] = [rule(lab, seed) for seed, lab in enumerate(runs)]
        for (u, c, b), per in grid.items():
            per[path.stem] = [outcome(lab, first_stop(lab, None, args.target, c, bias=b,
                                                      min_urn=u)) for lab in runs]
        print(f"  {path.stem}: {len(runs)} runs ({time.perf_counter() - t0:.0f} s)",
              file=sys.stderr, flush=True)
    names = list(per_rule[TODAY])
    n_runs = len(pooled(per_rule[TODAY], names))
    print(f"Stopping rules: target recall {args.target:.0%}; {len(names)} datasets, up to "
          f"{args.seeds} seeds each, {n_runs} runs in all (1 relevant + 1 irrelevant prior, "
          f"default ranker {model_tag()}); recall and work saved over the whole pile, "
          "priors and random samples included\n")
    rows = [row(s, name, table[name][0], per_rule[name][s], args.target)
            for s in names for name in table]
    print(render(rows, "md"))
    print("Side by side (runs reaching the target, mean work saved):\n")
    print(render(side_by_side(per_rule, names, args.target), "md"))
    for name in (TODAY, DEFAULT):
        res = pooled(per_rule[name], names)
        rate = reach(res, args.target)
        conf = args.confidence if name == TODAY else DEFAULT_PROMISE
        verdict = "meets" if rate >= conf else "DOES NOT meet"
        worst = min(names, key=lambda s: reach(per_rule[name][s], args.target))
        what = "its stated confidence" if name == TODAY else "the promised share of reviews"
        print(f"{name}: target reached in {rate:.1%} of {len(res)} runs ({verdict} {what} "
              f"of {conf:.0%}; worst set {worst} "
              f"{reach(per_rule[name][worst], args.target):.0%}); mean work saved "
              f"{saved(res):.1%}, old eight {saved(pooled(per_rule[name], OLD_EIGHT)):.1%}")
    flat = ({key: flat_worst(key, args.flat_runs, args.target) for key in grid}
            if args.flat_runs else None)
    print("\nSmallest urn x confidence x bias (choose by the WORST dataset, and by the "
          "worst flat-tail shape: the test's assumption met, no dataset involved):\n")
    grid_rows = []
    for (u, c, b), per in grid.items():
        worst = min(names, key=lambda s: (reach(per[s], args.target), s))
        every = pooled(per, names)
        grid_rows.append({
            "smallest urn": f"{u:.0%}", "confidence": f"{c:.1%}", "bias": f"{b:g}",
            "worst set": worst,
            "worst set at target": f"{reach(per[worst], args.target):.0%}",
            "all runs at target": f"{reach(every, args.target):.1%}",
            "min recall": f"{min(r['recall'] for r in every):.3f}",
            "saved, old eight": f"{saved(pooled(per, OLD_EIGHT)):.1%}",
            "saved, all": f"{saved(every):.1%}",
            "flat tails: worst short (upper bound)": "-" if flat is None else
            f"{flat[(u, c, b)][0]:.1%} ({flat[(u, c, b)][1]:.1%})"})
    print(render(grid_rows, "md"))
    best = choose(grid, names, args.target, flat)
    rule = f"every dataset at >= {DEFAULT_PROMISE:.0%} of runs reaching the target"
    if flat is not None:
        rule += (f" and every flat-tail shape stopping short in <= "
                 f"{1 - DEFAULT_PROMISE:.0%} of runs")
    print(f"Setting saving most with {rule}: " + ("none" if best is None else setting(best))
          + "\n")
    print("Leave one dataset out (the grid setting chosen on the other sets, then scored "
          "on the one left out):\n")
    lodo = []
    for held in names:
        key = choose(grid, [s for s in names if s != held], args.target, flat)
        res = grid[key][held] if key else []
        lodo.append({"left out": held, "chosen on the rest": "none" if key is None else
                     setting(key),
                     "left-out runs at target": f"{reach(res, args.target):.0%}" if res
                     else "-", "left-out saved": f"{saved(res):.1%}" if res else "-"})
    print(render(lodo, "md"))
    if args.null_runs:
        print(render(null_rows(args), "md"))
        print(render(flat_rows(args), "md"))
        print(render(buried_rows(args), "md"))
    med, worst_t = monitor_cost()
    print(f"StoppingMonitor.update (default rule) at 100,000 records, 20,000 decisions, "
          f"1,500 relevant: median {1000 * med:.0f} ms, max {1000 * worst_t:.0f} ms over 20 "
          f"updates (load average {os.getloadavg()[0]:.1f})")


if __name__ == "__main__":
    main()
