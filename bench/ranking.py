"""Ranking benchmark: our default model beside ASReview's default (elas_u4), same priors.

For every labelled CSV in ../shared/data/screening/ (plus any --dataset CSV with
record_id, title, abstract, label_included columns) and every prior seed, it
draws 1 relevant + 1 irrelevant prior record with reviewkit.ranking.draw_priors,
runs our simulation and ASReview's own `asreview simulate --prior-idx ...` with
those same priors, and scores both orders with the same metric code (priors
excluded). It prints, per dataset and model: mean WSS@95, recall@10%, ATD (as
a fraction of the records after the priors), seconds per retrain and seconds
per whole simulation; the mean over datasets; the issue's targets as checks;
and the time of one retrain + rerank at 50,000 records built from the shared
records.

ASReview is not a reviewkit dependency. Install it in another environment
(its pins clash with ours) and pass --asreview PATH/TO/asreview; without it,
or with --no-anchor, the ASReview columns are skipped with a note.

--cache DIR keeps each ASReview result, keyed by (dataset file hash, priors,
seed, ASReview version), so tuning does not rerun it; --anchor-only [--part I/N]
only fills that cache, seed by seed. --loo also runs presets.yaml's
`candidates` and prints each one's WSS@95 delta to ASReview per dataset and the
leave-one-dataset-out table (pick by worst set on the other datasets).

Usage: python bench/ranking.py [--seeds 5] [--no-anchor] [--asreview CMD]
                               [--dataset X.csv ...] [--only NAME] [--scale 50000]
                               [--cache DIR] [--loo] [--anchor-only [--part I/N]]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import numpy as np

from reviewkit.ranking import draw_priors, load_labelled, simulate
from reviewkit.ranking.features import TextFeatures
from reviewkit.ranking.metrics import leave_one_out, summary
from reviewkit.ranking.models import feature_params, preset, presets
from reviewkit.ranking.ranker import Ranker
from reviewkit.reporting.tables import render

SCREENING = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "screening"
KEYS = ("wss@95", "recall@10%", "atd_fraction", "retrain_s", "sim_s")


def asreview_version(cmd: str) -> str:
    with tempfile.TemporaryDirectory() as tmp:  # it leaves a cache file in its cwd
        out = subprocess.run([cmd, "--version"], check=True, capture_output=True, text=True,
                             cwd=tmp)
    return out.stdout.strip().split()[-1]


def cached_asreview(cmd: str, path: Path, priors: list[int], seed: int, n: int,
                    cache: Path | None, version: str) -> dict:
    """asreview_run, read from ``cache`` when this (file hash, priors, seed, version) ran before.

    ASReview is the slow part of a run; its result depends only on those four.
    """
    if cache is None:
        return asreview_run(cmd, path, priors, seed, n)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()[:16]
    key = f"{path.stem}-{digest}-p{'_'.join(map(str, priors))}-s{seed}-asreview{version}"
    file = cache / f"{key}.json"
    if file.exists():
        return json.loads(file.read_text("utf-8"))
    load = os.getloadavg()[0]
    result = asreview_run(cmd, path, priors, seed, n)
    result["load_before"] = load  # a timing taken on a busy machine is worth less
    cache.mkdir(parents=True, exist_ok=True)
    tmp = file.with_suffix(".tmp")
    tmp.write_text(json.dumps(result), "utf-8")
    tmp.replace(file)
    return result


def asreview_run(cmd: str, path: Path, priors: list[int], seed: int, n: int) -> dict:
    """One `asreview simulate`; its order (dataset rows) is read back from the project file."""
    with tempfile.TemporaryDirectory() as tmp:
        project = Path(tmp) / "sim.asreview"
        t = time.perf_counter()
        subprocess.run([cmd, "simulate", str(path), "--prior-idx", *map(str, priors),
                        "--seed", str(seed), "-o", str(project)], check=True,
                       capture_output=True, cwd=tmp)  # it leaves a cache file in its cwd
        wall = time.perf_counter() - t
        result = read_asreview_project(project, priors, n, tmp)
    return {**result, "sim_s": wall}


def read_asreview_project(project: Path, priors: list[int], n: int, tmp: str) -> dict:
    """The screening order (dataset rows) and seconds per retrain in an .asreview file."""
    with zipfile.ZipFile(project) as z:
        db = z.extract(next(m for m in z.namelist() if m.endswith("results.db")), tmp)
    con = sqlite3.connect(db)
    rows = con.execute("SELECT record_id, time, training_set FROM results ORDER BY rowid"
                       ).fetchall()
    con.close()
    order = [int(r[0]) for r in rows]
    if order[:len(priors)] != priors:
        raise RuntimeError(f"ASReview did not start from the priors {priors}: {order[:4]}")
    # time column: when each record was labelled; the model steps are the rows with a training set
    times = [r[1] for r in rows if r[2] is not None]
    per = (times[-1] - times[0]) / max(1, len(times) - 1) if len(times) > 1 else float("nan")
    seen = set(order)
    order += [i for i in range(n) if i not in seen]  # after the last relevant: all irrelevant
    return {"order": order, "retrain_s": per}


def scale_check(paths: list[Path], size: int, model: str | None) -> list[dict]:
    """Retrain + rerank time at ``size`` records made by repeating the shared records.

    Timed as in the screener: after the first fit, one decision is added and the
    model refitted (warm-started) and every record reranked; the median of three.
    """
    sets = [load_labelled(p) for p in paths]
    records = [r for s in sets for r in s.records]
    labels = [lab for s in sets for lab in s.labels]
    reps = -(-size // len(records))
    records, labels = (records * reps)[:size], (labels * reps)[:size]
    t = time.perf_counter()
    X = TextFeatures(**feature_params(model)).fit_transform(records)
    t_feat = time.perf_counter() - t
    ranker = Ranker(model, random_state=0).prepare(records, list(range(size)), features=X)
    rng = np.random.default_rng(0)
    rows = []
    for n_lab in (1_000, 5_000, 20_000):
        idx = rng.choice(size, n_lab + 3, replace=False)
        lab = {int(i): labels[i] for i in idx[:n_lab]}
        cold = ranker.order(lab).seconds  # the first fit of a sitting starts from nothing
        times = []
        for i in idx[n_lab:]:  # then each decision: one more label, refit, rerank
            lab[int(i)] = labels[i]
            times.append(ranker.order(lab).seconds)
        best = float(np.median(times))
        rows.append({"records": size, "labelled": n_lab, "features_s (once)": round(t_feat, 1),
                     "first fit_s": round(cold, 2), "retrain+rerank_s": round(best, 3),
                     "target": "< 0.5 s", "ok": "yes" if best < 0.5 else "NO"})
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--model", default=None, help="our preset (default: the default preset)")
    ap.add_argument("--no-anchor", action="store_true", help="skip ASReview")
    ap.add_argument("--asreview", default=shutil.which("asreview"), help="asreview command")
    ap.add_argument("--dataset", type=Path, action="append", default=[], help="extra CSV")
    ap.add_argument("--only", action="append", default=[], help="dataset name(s) to run")
    ap.add_argument("--scale", type=int, default=50_000, help="0 skips the scale check")
    ap.add_argument("--cache", type=Path, default=None,
                    help="directory caching ASReview's results (e.g. /tmp/rank-cache)")
    ap.add_argument("--loo", action="store_true",
                    help="also run presets.yaml's candidates and print the leave-one-dataset-out "
                         "table (needs the ASReview anchor)")
    ap.add_argument("--anchor-only", action="store_true",
                    help="only run ASReview (fills --cache), print nothing else")
    ap.add_argument("--part", default="1/1", help="with --anchor-only: run share I of N")
    args = ap.parse_args()
    paths = sorted(SCREENING.glob("*.csv")) if SCREENING.is_dir() else []
    paths += args.dataset
    if args.only:
        paths = [p for p in paths if p.stem in args.only]
    if not paths:
        sys.exit(f"no datasets: expected CSVs in {SCREENING} or --dataset")
    anchor = None if args.no_anchor else args.asreview
    if not args.no_anchor and not anchor:
        print("note: ASReview not found (pip install asreview in another environment and pass "
              "--asreview PATH); running without the anchor\n")
    version = asreview_version(anchor) if anchor else ""
    if args.anchor_only:  # seed by seed, so a short run still covers every dataset
        part, parts = map(int, args.part.split("/"))
        jobs = [(seed, path) for seed in range(args.seeds) for path in paths]
        for seed, path in jobs[part - 1::parts]:
            data = load_labelled(path)
            priors = draw_priors(data.labels, 1, 1, seed)
            a = cached_asreview(anchor, path, priors, seed, len(data), args.cache, version)
            print(f"{data.name} seed {seed}: {a['sim_s']:.1f} s", flush=True)
        return
    ours = preset(args.model)[0]
    others = [c for c in presets().get("candidates", []) if c != ours] if args.loo else []
    rows, cand_wss = [], {c: {} for c in [ours, *others]}
    loads: list[float | None] = []  # 1-min load average before each ASReview run
    load_start = os.getloadavg()[0]
    for path in paths:
        data = load_labelled(path)
        t = time.perf_counter()
        X = TextFeatures(**feature_params(ours)).fit_transform(data.records)
        t_feat = time.perf_counter() - t
        runs: dict[str, list[dict]] = {f"reviewkit:{ours}": []}
        if anchor:
            runs["asreview:elas_u4"] = []
        for seed in range(args.seeds):
            priors = draw_priors(data.labels, 1, 1, seed)
            sim = simulate(data.records, data.labels, ours, seed, priors=priors, features=X)
            m = sim.metrics()
            m["retrain_s"] = float(np.mean(sim.retrain_seconds))
            m["sim_s"] = sim.wall_seconds + t_feat  # features are part of a whole simulation
            runs[f"reviewkit:{ours}"].append(m)
            if anchor:
                a = cached_asreview(anchor, path, priors, seed, len(data), args.cache,
                                    version)
                m = summary([data.labels[i] for i in a["order"]], len(priors))
                m.update(retrain_s=a["retrain_s"], sim_s=a["sim_s"])
                runs["asreview:elas_u4"].append(m)
                loads.append(a.get("load_before"))
            print(f"  {data.name} seed {seed}: " + ", ".join(
                f"{k} wss@95 {v[-1]['wss@95']:.3f} ({v[-1]['sim_s']:.1f} s)"
                for k, v in runs.items()), file=sys.stderr, flush=True)
        cand_wss[ours][data.name] = float(np.mean([m["wss@95"] for m in runs[f"reviewkit:{ours}"]]))
        for cand in others:
            cand_wss[cand][data.name] = candidate_wss(cand, path, data, args.seeds, args.cache)
        for model, ms in runs.items():
            rows.append({"dataset": data.name, "records": len(data), "model": model,
                         **{k: float(np.mean([m[k] for m in ms])) for k in KEYS}})
    models = list(dict.fromkeys(r["model"] for r in rows))
    for model in models:
        mine = [r for r in rows if r["model"] == model]
        rows.append({"dataset": "MEAN", "records": "", "model": model,
                     **{k: float(np.mean([r[k] for r in mine])) for k in KEYS}})
    print(f"Ranking benchmark: {args.seeds} prior seeds (1 relevant + 1 irrelevant prior), "
          "priors excluded from metrics; ATD as a fraction of records after the priors\n")
    known = [x for x in loads if x is not None]
    print(f"load average (1 min): {load_start:.1f} at the start of our runs, "
          f"{os.getloadavg()[0]:.1f} at the end; before the ASReview runs (cached ones: when "
          f"they ran): {', '.join(f'{x:.1f}' for x in known) or 'n/a'}"
          f"{f' ({len(loads) - len(known)} unknown)' if len(known) < len(loads) else ''}\n")
    print(render([{**r, **{k: _f(r[k], k) for k in KEYS}} for r in rows], "md"))
    if anchor:
        print(render(checks(rows, models), "md", "Targets"))
    if anchor and args.loo:
        print(loo_report(rows, cand_wss, ours))
    if args.scale:
        print(render(scale_check(paths, args.scale, ours), "md", "Retrain + rerank at scale"))


def candidate_wss(name: str, path: Path, data, seeds: int, cache: Path | None) -> float:
    """Mean WSS@95 of one candidate preset over the prior seeds (cached: only its
    ranking matters here, its time is not reported)."""
    spec = json.dumps(preset(name)[1], sort_keys=True)
    key = hashlib.sha256((spec + hashlib.sha256(path.read_bytes()).hexdigest()).encode()
                         ).hexdigest()[:16]
    file = cache / f"ours-{name}-{path.stem}-{key}-seeds{seeds}.json" if cache else None
    if file is not None and file.exists():
        return json.loads(file.read_text("utf-8"))["wss@95"]
    X = TextFeatures(**feature_params(name)).fit_transform(data.records)
    wss = float(np.mean([
        simulate(data.records, data.labels, name, seed, features=X,
                 priors=draw_priors(data.labels, 1, 1, seed)).metrics()["wss@95"]
        for seed in range(seeds)]))
    print(f"  {data.name} candidate {name}: wss@95 {wss:.3f}", file=sys.stderr, flush=True)
    if file is not None:
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_text(json.dumps({"wss@95": wss}), "utf-8")
    return wss


def loo_report(rows: list[dict], cand_wss: dict[str, dict[str, float]], ours: str) -> str:
    """Every candidate's WSS@95 delta to ASReview per set, then leave-one-dataset-out."""
    base = {r["dataset"]: r["wss@95"] for r in rows if r["model"] == "asreview:elas_u4"}
    deltas = {c: {s: w - base[s] for s, w in per.items()} for c, per in cand_wss.items()}
    sets = sorted(next(iter(deltas.values())))
    table = [{"dataset": s, **{c: f"{deltas[c][s]:+.3f}" for c in deltas}} for s in sets]
    table.append({"dataset": "MEAN", **{c: f"{np.mean(list(d.values())):+.3f}"
                                        for c, d in deltas.items()}})
    table.append({"dataset": "WORST", **{c: f"{min(d.values()):+.3f}" for c, d in deltas.items()}})
    loo = leave_one_out(deltas)
    if not loo:
        return render(table, "md", "Candidates: WSS@95 minus ASReview's") + \
            "\n(leave one dataset out needs at least two datasets)\n"
    held = [r["delta on held-out set"] for r in loo]
    out = [{**r, "delta on held-out set": f"{r['delta on held-out set']:+.3f}",
            f"default ({ours}) delta": f"{deltas[ours][r['held out']]:+.3f}"} for r in loo]
    out.append({"held out": "MEAN", "picked on the other sets": "",
                "delta on held-out set": f"{np.mean(held):+.3f}",
                f"default ({ours}) delta": f"{np.mean(list(deltas[ours].values())):+.3f}"})
    out.append({"held out": "WORST", "picked on the other sets": "",
                "delta on held-out set": f"{min(held):+.3f}",
                f"default ({ours}) delta": f"{min(deltas[ours].values()):+.3f}"})
    return (render(table, "md", "Candidates: WSS@95 minus ASReview's, per dataset") +
            "\n" + render(out, "md", "Leave one dataset out: pick the candidate with the best "
                           "worst-set delta (then mean) on the other sets; its delta on the "
                           "held-out set"))


def _f(v: float, key: str) -> str:
    return f"{v:.3f}" if key != "retrain_s" else f"{v * 1000:.1f} ms"


def checks(rows: list[dict], models: list[str]) -> list[dict]:
    ours, theirs = models
    by = {(r["dataset"], r["model"]): r for r in rows}
    names = [r["dataset"] for r in rows if r["model"] == ours and r["dataset"] != "MEAN"]
    d_wss = by["MEAN", ours]["wss@95"] - by["MEAN", theirs]["wss@95"]
    d_r10 = by["MEAN", ours]["recall@10%"] - by["MEAN", theirs]["recall@10%"]
    worst = min(names, key=lambda n: by[n, ours]["wss@95"] - by[n, theirs]["wss@95"])
    d_worst = by[worst, ours]["wss@95"] - by[worst, theirs]["wss@95"]
    speed = {n: by[n, theirs]["sim_s"] / by[n, ours]["sim_s"] for n in names}
    slow = min(speed, key=speed.get)
    return [
        {"target": "mean WSS@95 >= ASReview + 0.02", "measured": f"{d_wss:+.3f}",
         "ok": _ok(d_wss >= 0.02)},
        {"target": "mean recall@10% >= ASReview", "measured": f"{d_r10:+.3f}",
         "ok": _ok(d_r10 >= 0)},
        {"target": "no dataset WSS@95 more than 0.03 worse", "measured":
         f"worst {worst} {d_worst:+.3f}", "ok": _ok(d_worst >= -0.03)},
        {"target": "whole simulation >= 3x faster (every dataset)", "measured":
         f"slowest ratio {speed[slow]:.1f}x ({slow})", "ok": _ok(speed[slow] >= 3)},
    ]


def _ok(flag: bool) -> str:
    return "yes" if flag else "NO"


if __name__ == "__main__":
    main()
