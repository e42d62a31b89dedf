"""The kill loops shared by tests/reliability/test_kill.py and bench/killloop.py.

Each loop starts a writer (a forked process of kill_worker.py), lets it save a
random number of actions, SIGKILLs it at a random moment, then checks that
every action it reported saved is in the project's files and that the next
command (`reviewkit status`) exits 0 with no traceback. No pytest here.
"""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from random import Random

import kill_worker as kw
from kill_rig import Rig

from reviewkit.appraisal.checklist import load_checklists
from reviewkit.appraisal.records import appraisal_path, read_appraisal
from reviewkit.dedup.judgements import read_judgements
from reviewkit.dedup.run import run_dedup
from reviewkit.extraction.form import load_forms
from reviewkit.extraction.records import extraction_path, read_extraction
from reviewkit.io.importer import import_files
from reviewkit.project import init_project
from reviewkit.project.config import Project, find_project
from reviewkit.project.session import session
from reviewkit.screening.log import log_path, read_events
from reviewkit.screening.reviewers import add_reviewer
from reviewkit.searches.log import Search, add_search, read_search, search_path
from reviewkit.store import open_store

REVIEWERS = ("ana", "bo")


@dataclass
class Figures:
    writer: str
    kills: int = 0
    saved: int = 0        # actions reported saved, each checked in the files
    lost: int = 0
    failures: list[str] = field(default_factory=list)  # next command failed, child crashed
    done: set[int] = field(default_factory=set)  # steps reported saved, where numbered
    runs: int = 0         # writers started (a kill can come after one has finished)

    def line(self) -> str:
        return (f"{self.writer:<10} kills {self.kills:>4}  saved actions checked "
                f"{self.saved:>5}  lost {self.lost}  failures {len(self.failures)}")


# the base project --------------------------------------------------------------
def build_base(folder: Path, exports: list[Path], repo: Path) -> Project:
    """Reviewers ana and bo, two studies, the CASP checklist and the example form,
    one search holding ``exports``, and dedup switched on."""
    project = init_project(folder, "Kill test", "Does every write survive a kill?")
    for name in REVIEWERS:
        add_reviewer(project, name)
    shutil.copy(repo / "casp" / "casp-qualitative-2018.yaml", project.root / "casp")
    shutil.copy(repo / "extraction" / "characteristics.yaml", project.root / "extraction")
    (project.root / "studies.toml").write_text(
        '[[study]]\nid = "s1"\ncitation = "Smith (2020)"\n\n'
        '[[study]]\nid = "s2"\ncitation = "Jones (2021)"\n', "utf-8")
    add_search(project, Search(id="base", database="Base"))
    (project.root / "dedup").mkdir(exist_ok=True)
    with session(project.root) as (project, store):
        import_files(project, store, exports, "base")
        run_dedup(project, store)
    return find_project(project.root)


def fresh_copy(base: Path, folder: Path) -> Path:
    shutil.copytree(base, folder)
    return folder


def _next_command(rig: Rig, root: Path, fig: Figures) -> None:
    rc, err = rig.cli(root, "status", "--format", "json")
    if rc != 0 or "Traceback" in err:
        fig.failures.append(f"status after kill {fig.kills}: exit {rc}: {err.strip()[-400:]}")


def _more(fig: Figures, kills: int) -> bool:
    """Go on until ``kills`` writers were killed alive (a few may finish first)."""
    fig.runs += 1
    return fig.kills < kills and fig.runs <= 3 * kills


def _child_ok(fig: Figures, status: int, err: str) -> None:
    if status not in (0, -signal.SIGKILL) or "Traceback" in err:
        fig.failures.append(f"writer exited {status}: {err.strip()[-400:]}")


def _failed(fig: Figures, saved: list[str]) -> list[str]:
    """Saved ids; a 'failed ...' report (a command that exited non-zero) is a failure."""
    good = [s for s in saved if not s.startswith("failed ")]
    fig.failures += [f"command {s}" for s in saved if s.startswith("failed ")]
    return good


# one loop per writer -------------------------------------------------------------
def loop_screen(rig: Rig, root: Path, rng: Random, kills: int) -> Figures:
    """The screener's decide/undo (ScreenSession, screening/log.py LogWriter)."""
    fig = Figures("screen")
    saved: dict[str, set[str]] = {r: set() for r in REVIEWERS}
    project = find_project(root)
    n = 0
    while _more(fig, kills):
        n += 1
        reviewer = REVIEWERS[n % 2]
        ids, status, err = rig.kill_run("screen", root, {"reviewer": reviewer, "seed": n},
                                        rng, (0, 6), 0.03)
        _child_ok(fig, status, err)
        saved[reviewer].update(ids)
        fig.kills += status == -signal.SIGKILL  # not a writer that had finished
        fig.lost = sum(len(want - {e.get("id") for e in
                                   read_events(log_path(project, kw.STAGE, r))})
                       for r, want in saved.items())
        _next_command(rig, root, fig)
    fig.saved = sum(len(v) for v in saved.values())
    return fig


def loop_decisions(rig: Rig, root: Path, rng: Random, kills: int, batches: Path) -> Figures:
    """`reviewkit screen import-decisions`, batch after batch (each row's note names its batch)."""
    fig = Figures("decisions")
    project = find_project(root)
    done: list[int] = []
    start = 0
    while _more(fig, kills):
        ids, status, err = rig.kill_run("decisions", root, {"reviewer": "bo", "start": start,
                                        "folder": str(batches)}, rng, (0, 2), 0.6)
        _child_ok(fig, status, err)
        done += [int(k) for k in _failed(fig, ids)]
        start = max(done, default=start - 1) + 1
        fig.kills += status == -signal.SIGKILL  # not a writer that had finished
        events = {(e.get("record"), e.get("decision"), e.get("note"))
                  for e in read_events(log_path(project, kw.STAGE, "bo"))}
        fig.saved, fig.lost = 0, 0
        for k in done:
            rows = _batch_rows(batches / f"batch-{k}.csv")
            fig.saved += len(rows)
            fig.lost += len(rows - events)
        _next_command(rig, root, fig)
    return fig


def _batch_rows(path: Path) -> set[tuple[str, str, str]]:
    import csv

    with path.open(encoding="utf-8", newline="") as fh:
        return {(r["record_id"], r["decision"], r["note"]) for r in csv.DictReader(fh)}


def loop_judge(rig: Rig, root: Path, rng: Random, kills: int) -> Figures:
    """Dedup review judgements (dedup/judgements.py append_judgement)."""
    fig = Figures("judge")
    project = find_project(root)
    store = open_store(project.store_path)
    try:
        ids = sorted(sr.id for sr in store.iter_records())
    finally:
        store.close()
    done: list[int] = []
    while _more(fig, kills):
        start = max(done, default=-1) + 2  # the one after an unreported write: a new pair
        saved, status, err = rig.kill_run("judge", root, {"reviewer": "ana", "start": start},
                                          rng, (0, 6), 0.01)
        _child_ok(fig, status, err)
        done += [int(p) for p in saved]
        fig.kills += status == -signal.SIGKILL  # not a writer that had finished
        try:
            have = read_judgements(project)
        except Exception as exc:  # a torn log that makes every reader fail loses them all
            fig.lost = len(done)
            fig.failures.append(f"reading the judgements: {exc}")
            break
        fig.lost = 0
        for p in done:
            a, b, same = kw.judged_pair(ids, p)
            if have.get((a, b) if a < b else (b, a)) is not same:
                fig.lost += 1
        _next_command(rig, root, fig)
    fig.saved = len(done)
    return fig


def _form_loop(rig: Rig, root: Path, rng: Random, kills: int, writer: str,
               state_of) -> Figures:
    """A form writer saving a known sequence of steps: after a kill the file must hold
    the state after the last step reported saved, or after the one in flight."""
    fig = Figures(writer)
    last = -1
    while _more(fig, kills):
        saved, status, err = rig.kill_run(writer, root, {"reviewer": "ana", "start": last + 1},
                                          rng, (0, 5), 0.02)
        _child_ok(fig, status, err)
        last = max([last, *(int(t) for t in saved)])
        fig.saved += len(saved)
        fig.kills += status == -signal.SIGKILL  # not a writer that had finished
        try:
            have = state_of()
        except Exception as exc:  # a half-written file: the saved steps are gone
            fig.lost += 1
            fig.failures.append(f"reading the {writer} file: {exc}")
            continue
        allowed = [_replay(writer, last), _replay(writer, last + 1)]
        if have not in allowed:
            fig.lost += 1
        _next_command(rig, root, fig)
    return fig


def _replay(writer: str, last: int) -> dict | None:
    if last < 0:
        return None
    out: dict = {}
    for t in range(last + 1):
        if writer == "appraise":
            qid, value, comment = kw.appraisal_step(t)
            out[qid] = (value, comment)
        else:
            out.update(kw.extraction_step(t))
    return out


def loop_appraise(rig: Rig, root: Path, rng: Random, kills: int) -> Figures:
    """Appraisal answers (appraisal/records.py set_answer -> save_appraisal)."""
    project = find_project(root)
    path = appraisal_path(project, kw.STUDY, "ana")

    def state() -> dict | None:
        if not path.exists():
            return None
        a = read_appraisal(project, path, load_checklists(project))
        return {q: (ans.value, ans.comment) for q, ans in a.answers.items()}

    return _form_loop(rig, root, rng, kills, "appraise", state)


def loop_extract(rig: Rig, root: Path, rng: Random, kills: int) -> Figures:
    """Extraction values (extraction/records.py save_extraction)."""
    project = find_project(root)
    path = extraction_path(project, kw.STUDY, "ana")

    def state() -> dict | None:
        if not path.exists():
            return None
        e = read_extraction(project, path, load_forms(project))
        return {k: e.values.get(k) for k in kw.extraction_step(0)}

    return _form_loop(rig, root, rng, kills, "extract", state)


def import_sources(folder: Path, exports: list[Path], n: int) -> list[Path]:
    """n distinct export files (real exports, each with one record of its own added)."""
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for k in range(n):
        base = exports[k % len(exports)].read_bytes().rstrip(b"\r\n")
        extra = (f"\n\nTY  - JOUR\nTI  - Kill test source {k}\nPY  - 2020\nER  - \n").encode()
        path = folder / f"source-{k}.ris"
        path.write_bytes(base + extra)
        out.append(path)
    return out


def loop_import(rig: Rig, root: Path, rng: Random, kills: int, sources: list[Path]) -> Figures:
    """`reviewkit import FILE --search S`: no half file, every saved import logged whole."""
    fig = Figures("import")
    project = find_project(root)
    for k in range(len(sources)):
        add_search(project, Search(id=f"s{k}", database=f"Database {k}"))
    shas = {_sha(p): k for k, p in enumerate(sources)}
    done: set[int] = set()
    while _more(fig, kills):
        runs = [[k, ["import", str(p), "--search", f"s{k}"]]
                for k, p in enumerate(sources) if k not in done][:4]
        if not runs:
            break
        saved, status, err = rig.kill_run("commands", root, {"runs": runs}, rng, (0, 1), 0.25)
        _child_ok(fig, status, err)
        done |= {int(k) for k in _failed(fig, saved)}
        fig.kills += status == -signal.SIGKILL  # not a writer that had finished
        fig.lost = _import_lost(project, sources, shas, done, fig)
        _next_command(rig, root, fig)
        if fig.failures:  # what follows a broken import only repeats it
            break
    fig.saved, fig.done = len(done), done
    return fig


def _import_lost(project: Project, sources: list[Path], shas: dict[str, int], done: set[int],
                 fig: Figures) -> int:
    base_files = set(read_search(search_path(project, "base")).files)
    for p in sorted(project.exports_dir.iterdir()):
        if p.name.startswith(".") or project.relative(p) in base_files:
            continue
        if _sha(p) not in shas:
            fig.failures.append(f"half-imported file left: {p.name} ({p.stat().st_size} bytes)")
    lost = 0
    for k in done:
        files = read_search(search_path(project, f"s{k}")).files
        if not any(_sha(project.root / f) == _sha(sources[k]) for f in files
                   if (project.root / f).is_file()):
            lost += 1
    return lost


def _sha(path: Path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()


def loop_copy(rig: Rig, folder: Path, rng: Random, kills: int, src: Path) -> Figures:
    """copy_atomic killed mid-copy: a copy is whole or absent, never half."""
    fig = Figures("copy")
    want = src.read_bytes()
    done: list[int] = []
    while _more(fig, kills):
        saved, status, err = rig.kill_run("copy", folder, {"src": str(src),
                                          "start": max(done, default=-1) + 1}, rng, (0, 2), 0.05)
        _child_ok(fig, status, err)
        done += [int(k) for k in saved]
        fig.kills += status == -signal.SIGKILL  # not a writer that had finished
        for p in folder.glob("copy-*.bin"):
            if p.read_bytes() != want:
                fig.failures.append(f"half copy: {p.name} ({p.stat().st_size} bytes)")
                p.unlink()
        fig.lost = sum(not (folder / f"copy-{k}.bin").is_file() for k in done)
    fig.saved = len(done)
    return fig


def loop_dedup(rig: Rig, root: Path, rng: Random, kills: int) -> Figures:
    """`reviewkit dedup --force` and a rebuild of a deleted store (the session refresh):
    after a kill the next command works and the store equals a clean rebuild's."""
    fig = Figures("dedup")
    project = find_project(root)
    want = _store_state(project)
    runs = [[n, ["dedup", "--force"]] if n % 2 else [n, ["--fresh-store", "status"]]
            for n in range(6)]
    while _more(fig, kills):
        saved, status, err = rig.kill_run("commands", root, {"runs": runs}, rng, (0, 1), 0.25)
        _child_ok(fig, status, err)
        fig.saved += len(_failed(fig, saved))
        fig.kills += status == -signal.SIGKILL  # not a writer that had finished
        _next_command(rig, root, fig)
        if _store_state(project) != want:
            fig.lost += 1
    return fig


def _store_state(project: Project) -> tuple:
    store = open_store(project.store_path)
    try:
        clusters = sorted(sorted(m) for m in store.clusters().values())
        return store.count_records(), clusters, len(store.dedup_pairs("queued"))
    finally:
        store.close()


def real_status(root: Path) -> tuple[int, str]:
    """`reviewkit status` as a user runs it: a new Python process."""
    res = subprocess.run([sys.executable, "-m", "reviewkit", "status"], cwd=root,
                         capture_output=True, text=True, timeout=120)
    return res.returncode, res.stderr
