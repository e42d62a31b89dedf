"""Start-up benchmark: how long the everyday commands take, beside `import typer, rich`.

It builds (in a temporary directory, not timed) a small project: two logged searches,
--records records imported from RIS (a few of them duplicates), two reviewers with
title/abstract decisions, one synthesis source and code. Then it runs each command
--runs times, each a fresh process, interleaved with the baseline
`python -c "import typer, rich"` so that both see the same machine load, and prints the
median wall time, the ratio to the baseline's median, and for `--help` and `status` the
issue's target (within 2x the baseline: PASS/FAIL). A two-command Typer app is timed
too: what any Typer CLI costs to start, the floor under every reviewkit command (Typer
0.29 coerces options through pydantic: 2.5x; reviewkit pins typer<0.29). `--help` is
plain (Click-style) text; Rich's help (TYPER_USE_RICH=1) is timed beside it.

`status` is answered from its last output when no file it reads has changed
(reviewkit.project.statuscache), so it is timed twice: as run again on an unchanged
project, and with reviewkit.toml's mtime changed before every run (the cache misses:
what the first `status` after any change costs).

Bytecode is cached (PYTHONPYCACHEPREFIX in the temporary directory, one warm-up run of
each command first), as for an installed package: with PYTHONDONTWRITEBYTECODE every
run would compile the sources again.

Then, from one `python -X importtime` run of each command, the packages it imports that
the baseline does not, by their own import time (summed over their modules).

Usage: python bench/startup.py [--runs 9] [--records 10] [--top 6] [--keep DIR]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

COMMANDS = (("--help",), ("status",), ("search", "list"), ("screen", "agreement"),
            ("export",), ("synthesis", "status"))
TARGET = {"--help": 2.0, "status": 2.0}  # issue 18: within 2x the baseline
BASELINE = ("-c", "import typer, rich")
TYPER_APP = '''import typer
app = typer.Typer()
@app.command()
def one(n: int = 1) -> None:
    """One."""
@app.command()
def two(name: str = "") -> None:
    """Two."""
app()
'''
WORDS = ("budget", "care", "home", "choice", "carer", "policy", "older", "people", "health",
         "personal", "direct", "payment", "outcome", "trial", "cost", "service")


def ris(n: int) -> list[str]:
    """n RIS records; every fifth one repeats the record before it (a duplicate to link)."""
    out = []
    for i in range(n):
        j = i - 1 if i % 5 == 4 else i
        title = " ".join(WORDS[(j * 7 + k * 3) % len(WORDS)] for k in range(6))
        out.append(f"TY  - JOUR\nTI  - {title.capitalize()} {j}\nAU  - Author{j}, A\n"
                   f"PY  - {2010 + j % 10}\nJO  - Health Policy\nVL  - {j}\nSP  - {10 * j}\n"
                   "ER  - \n\n")
    return out


def run(env: dict, cwd: Path, *args: str, check: bool = True,
        extra: dict | None = None) -> subprocess.CompletedProcess:
    res = subprocess.run([sys.executable, *args], cwd=cwd, env={**env, **(extra or {})},
                         capture_output=True, text=True, timeout=300)
    if check and res.returncode != 0:
        sys.exit(f"{' '.join(args)} failed:\n{res.stderr}")
    return res


def build(tmp: Path, records: int, env: dict) -> Path:
    """The project; returns its root. Nothing here is timed."""
    root = tmp / "review"
    cli = ("-m", "reviewkit")
    run(env, tmp, *cli, "init", "review", "--title", "Start-up bench")
    for sid, name in (("medline", "Medline"), ("embase", "Embase")):
        run(env, root, *cli, "search", "add", "--id", sid, "--database", name,
            "--hits", str(records // 2))
    recs = ris(records)
    (root / "a.ris").write_text("".join(recs[: records // 2]), "utf-8")
    (root / "b.ris").write_text("".join(recs[records // 2:]), "utf-8")
    run(env, root, *cli, "import", "a.ris", "--search", "medline", "-q")
    run(env, root, *cli, "import", "b.ris", "--search", "embase", "-q")
    ids = [line.split(",")[0] for line in
           run(env, root, *cli, "export", "-f", "csv", "--unique").stdout.splitlines()[1:]
           if line]  # one row per record screened: a duplicate shares its decision
    for n, who in enumerate(("ann", "bo")):
        run(env, root, *cli, "reviewer", "add", who)
        rows = ["record_id,decision,reason,note"]
        rows += [f"{rid},{'include' if (i + n) % 3 else 'exclude'},," for i, rid in
                 enumerate(ids)]
        (tmp / f"{who}.csv").write_text("\n".join(rows) + "\n", "utf-8")
        run(env, root, *cli, "screen", "import-decisions", str(tmp / f"{who}.csv"),
            "-r", who)
    (root / "studies.toml").write_text('[[study]]\nid = "s1"\ncitation = "A (2020)"\n',
                                       "utf-8")
    (tmp / "s1.txt").write_text("People chose their own care at home.\n", "utf-8")
    run(env, root, *cli, "synthesis", "source", "add", str(tmp / "s1.txt"), "--study", "s1")
    run(env, root, *cli, "synthesis", "codebook", "add", "choice", "--name", "Choice",
        "--method", "thematic")
    return root


def imported(env: dict, cwd: Path, *args: str,
             extra: dict | None = None) -> list[tuple[str, int]]:
    """(module, own import time in microseconds) from python -X importtime."""
    res = run(env, cwd, "-X", "importtime", *args, check=False, extra=extra)
    out = []
    for line in res.stderr.splitlines():
        if line.startswith("import time:") and line.count("|") == 2:
            own, _, name = line[len("import time:"):].split("|")
            if own.strip().isdigit():
                out.append((name.strip(), int(own)))
    return out


def offenders(modules: list[tuple[str, int]], baseline: set[str], top: int) -> str:
    per_package: Counter = Counter()
    for name, own in modules:
        if name not in baseline:
            per_package[name.split(".")[0]] += own
    total = sum(per_package.values()) / 1000
    shown = ", ".join(f"{pkg} {us / 1000:.0f}" for pkg, us in per_package.most_common(top))
    return f"{total:.0f} ms beyond the baseline: {shown}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=9)
    ap.add_argument("--records", type=int, default=10)
    ap.add_argument("--top", type=int, default=6, help="Packages shown per command")
    ap.add_argument("--keep", type=Path, help="Build the project here and keep it")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="rk-startup-"))
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(tmp / "pycache")
    try:
        where = args.keep or tmp
        where.mkdir(parents=True, exist_ok=True)
        t = time.perf_counter()
        root = build(where, args.records, env)
        (tmp / "typer_app.py").write_text(TYPER_APP, "utf-8")
        print(f"built in {time.perf_counter() - t:.1f} s (not timed): {args.records} records, "
              f"2 searches, 2 reviewers, 1 synthesis source; python {sys.version.split()[0]}")
        jobs = {"import typer, rich (baseline)": BASELINE,
                "two-command Typer app": (str(tmp / "typer_app.py"), "one")}
        jobs.update({"reviewkit " + " ".join(c): ("-m", "reviewkit", *c) for c in COMMANDS})
        rich_help, changed = "reviewkit --help, Rich help", "reviewkit status, a file changed"
        jobs[rich_help] = ("-m", "reviewkit", "--help")
        jobs[changed] = ("-m", "reviewkit", "status")
        extra = {rich_help: {"TYPER_USE_RICH": "1"}}
        config = root / "reviewkit.toml"

        def before(name: str) -> None:
            if name == changed:  # an older, new mtime: a change, and not a "racy" one
                t = time.time() - 3600 - len(times[changed])
                os.utime(config, (t, t))

        times: dict[str, list[float]] = {name: [] for name in jobs}
        for name, argv in jobs.items():  # warm-up: bytecode written, dedup up to date
            before(name)
            run(env, root, *argv, extra=extra.get(name))
        old = time.time() - 7200  # the built files, older than the cache's racy window
        for f in root.rglob("*"):
            os.utime(f, (old, old))
        run(env, root, "-m", "reviewkit", "status")  # the cache is written now
        for _ in range(args.runs):
            for name, argv in jobs.items():
                before(name)
                t = time.perf_counter()
                run(env, root, *argv, extra=extra.get(name))
                times[name].append(time.perf_counter() - t)
        base = statistics.median(times["import typer, rich (baseline)"])
        width = max(len(n) for n in jobs)
        print(f"\n{'command':<{width}}  {'median s':>8}  {'min s':>6}  {'x base':>6}  target")
        failed = 0
        for name, ts in times.items():
            median = statistics.median(ts)
            ratio = median / base
            target = TARGET.get(name.removeprefix("reviewkit "))
            verdict = ""
            if target is not None:
                verdict = f"<= {target:.0f}x {'PASS' if ratio <= target else 'FAIL'}"
                failed += ratio > target
            print(f"{name:<{width}}  {median:8.3f}  {min(ts):6.3f}  {ratio:6.2f}  {verdict}")
        print(f"({args.runs} runs each, fresh processes, interleaved)")
        baseline_modules = {m for m, _ in imported(env, root, *BASELINE)}
        print("\nimports beyond `import typer, rich` (python -X importtime, own ms a package):")
        for name, argv in jobs.items():
            if argv is not BASELINE:
                found = imported(env, root, *argv, extra=extra.get(name))
                print(f"{name:<{width}}  {offenders(found, baseline_modules, args.top)}")
        print(f"\n{len(TARGET) - failed}/{len(TARGET)} start-up targets met")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
