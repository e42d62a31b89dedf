"""Fork server for the kill tests: import reviewkit once, fork one writer per request.

Starting Python and importing reviewkit costs about a second; a fork costs a few
milliseconds, so a test can kill a hundred real writer processes in seconds.
Each forked child is a separate process doing the real library or CLI calls;
the test SIGKILLs it by pid at a random moment.

Protocol: one JSON request per stdin line, replies one line each on stdout.
  {"op": "spawn", "writer": W, "root": DIR, "arg": ...}  -> "pid N"
      the child prints "saved N ID" right after each action has returned
  {"op": "reap", "pid": N}                               -> "reaped N STATUS"
      every line the child printed comes before this one (same pipe, it is dead)
  {"op": "cli", "root": DIR, "args": [...]}              -> "cli RC ERR"
      one command in a fresh fork; ERR is its stderr as a JSON string
`python kill_worker.py run WRITER ROOT ARG-JSON` runs one writer in its own process.
"""

from __future__ import annotations

import csv
import json
import os
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

import typer

from reviewkit.appraisal.checklist import get_checklist
from reviewkit.appraisal.records import open_appraisal, set_answer
from reviewkit.cli.main import app
from reviewkit.dedup.judgements import append_judgement
from reviewkit.extraction.form import get_form
from reviewkit.extraction.records import open_extraction, save_extraction
from reviewkit.project.atomic import copy_atomic
from reviewkit.project.session import session
from reviewkit.screening.data import Screening
from reviewkit.screening.session import ScreenSession
from reviewkit.store import open_store

STAGE = "title-abstract"
STUDY, CHECKLIST, FORM = "s1", "casp-qualitative", "characteristics"
ANSWERS = ("yes", "no", "cant_tell")
COMMAND = typer.main.get_command(app)  # what app() builds on every call: built once here


def appraisal_step(t: int) -> tuple[str, str, str]:
    """The t-th answer the appraisal writer gives: (question, value, comment)."""
    return f"q{t % 10 + 1}", ANSWERS[(t // 10 + t) % 3], " ".join([f"step {t}"] * 120)


def extraction_step(t: int) -> dict:
    """The values the extraction writer saves at step t (the aim is long: slow writes)."""
    return {"year": 2000 + t % 20, "location": f"place {t}", "aim": " ".join([f"aim {t}"] * 600)}


def judged_pair(ids: list[str], p: int) -> tuple[str, str, bool]:
    """The p-th pair the judgement writer judges: a different unordered pair for every p."""
    n, i, k = len(ids), 0, p
    while k >= n - 1 - i:  # row i holds the pairs (i, i+1 .. n-1)
        k -= n - 1 - i
        i += 1
    return ids[i], ids[i + 1 + k], p % 3 == 0


def _say(fd: int, text: str) -> None:
    os.write(fd, (text + "\n").encode())  # one write: never interleaved with others


def _cli(root: str, args: list[str]) -> int:
    os.chdir(root)
    try:
        rc = COMMAND.main(args, prog_name="reviewkit", standalone_mode=False)
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else 1
    except BaseException as exc:  # a bug: show it like the real program would
        import traceback

        traceback.print_exception(exc)
        return 1
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
    return rc if isinstance(rc, int) else 0


# writers: each loops over actions and says "saved ID" after each -------------
def screen(root: str, arg: dict, say) -> None:
    """Like the screener: refresh under the lock, then read and decide without holding it.

    arg: reviewer, seed; optional actions (a cap), stop (a file whose appearance ends
    the loop once min actions are done) and pause (seconds between keys).
    """
    with session(Path(root)) as (project, _):
        pass
    store = open_store(project.store_path)
    s = ScreenSession(project, store, arg["reviewer"], STAGE)
    rng = random.Random(arg["seed"])
    for n in range(arg.get("actions", 10**6)):
        if _stopped(arg, n):
            break
        unit = s.current()
        event = s.undo() if unit is None or rng.random() < 0.2 else None
        if event is None:
            if unit is None:
                break  # nothing to screen and nothing to undo
            s.record(unit)  # what is on screen comes from the store
            event = s.decide(rng.choice(["include", "exclude", "maybe"]))
        say(event["id"])
        time.sleep(arg.get("pause", 0))
    s.close()
    store.close()


def _stopped(arg: dict, n: int) -> bool:
    return "stop" in arg and n >= arg.get("min", 0) and Path(arg["stop"]).exists()


def judge(root: str, arg: dict, say) -> None:
    with session(Path(root)) as (project, store):
        ids = sorted(sr.id for sr in store.iter_records())
    for p in range(arg["start"], arg["start"] + 10**6):
        a, b, same = judged_pair(ids, p)
        append_judgement(project, a, b, same, arg["reviewer"])
        say(str(p))


def appraise(root: str, arg: dict, say) -> None:
    with session(Path(root), sync=False) as (project, _):
        checklist = get_checklist(project, CHECKLIST)
    a = open_appraisal(project, STUDY, arg["reviewer"], checklist)
    for t in range(arg["start"], arg["start"] + 10**6):
        qid, value, comment = appraisal_step(t)
        set_answer(project, a, checklist, qid, value, comment)
        say(str(t))


def extract(root: str, arg: dict, say) -> None:
    with session(Path(root), sync=False) as (project, _):
        form = get_form(project, FORM)
    e = open_extraction(project, STUDY, arg["reviewer"], form)
    for t in range(arg["start"], arg["start"] + 10**6):
        e.values.update(extraction_step(t))
        save_extraction(project, e, form)
        say(str(t))


def commands(root: str, arg: dict, say) -> None:
    """Real CLI commands one after another: arg["runs"] = [[ID, [args...]], ...].

    A run starting with "--fresh-store" deletes the store first (a user may, any time).
    """
    for run_id, args in arg["runs"]:
        if args[:1] == ["--fresh-store"]:
            Path(root, ".reviewkit", "store.sqlite").unlink(missing_ok=True)
            args = args[1:]
        rc = _cli(root, args)
        say(str(run_id) if rc == 0 else f"failed {run_id} rc={rc}")
        if rc:
            break


def decisions(root: str, arg: dict, say) -> None:
    """`screen import-decisions` of batch after batch; each batch's note names it."""
    with session(Path(root)) as (project, store):
        units = Screening(project, store).eligible(STAGE)
    for k in range(arg["start"], arg["start"] + 10**6):
        if _stopped(arg, k - arg["start"]):
            break
        rng = random.Random(k)
        path = Path(arg["folder"]) / f"batch-{k}.csv"
        with path.open("w", encoding="utf-8", newline="") as fh:
            out = csv.writer(fh)
            out.writerow(["record_id", "decision", "note"])
            for unit in rng.sample(units, min(25, len(units))):
                out.writerow([unit, rng.choice(["include", "exclude"]), f"batch {k}"])
        rc = _cli(root, ["screen", "import-decisions", str(path), "--reviewer", arg["reviewer"]])
        say(str(k) if rc == 0 else f"failed {k} rc={rc}")
        if rc:
            break


def copy(root: str, arg: dict, say) -> None:
    """project/atomic.py copy_atomic of a large file, again and again (aimed at the copy)."""
    for k in range(arg["start"], arg["start"] + 10**6):
        copy_atomic(Path(arg["src"]), Path(root, f"copy-{k}.bin"))
        say(str(k))


WRITERS = {f.__name__: f for f in (screen, judge, appraise, extract, commands, decisions, copy)}


# the server -------------------------------------------------------------------
def _child_io(folder: str) -> int:
    """Point stdout/stderr at files; return a copy of the protocol pipe."""
    proto = os.dup(1)
    for fd, name in ((1, "out"), (2, "err")):
        target = os.open(os.path.join(folder, f"{os.getpid()}.{name}"),
                         os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        os.dup2(target, fd)
        os.close(target)
    return proto


def _spawn(req: dict, logs: str) -> int:
    sys.stdout.flush()
    pid = os.fork()
    if pid:
        return pid
    code = 0
    try:
        proto = _child_io(logs)
        WRITERS[req["writer"]](req["root"], req.get("arg") or {},
                               lambda text: _say(proto, f"saved {os.getpid()} {text}"))
    except BaseException as exc:  # a failure the test must see, not a silent exit
        import traceback

        traceback.print_exception(exc)
        code = 1
    finally:
        sys.stderr.flush()
        os._exit(code)


def _run_cli(req: dict, logs: str) -> tuple[int, str]:
    sys.stdout.flush()
    pid = os.fork()
    if pid == 0:
        _child_io(logs)
        os._exit(_cli(req["root"], req["args"]))
    _, status = os.waitpid(pid, 0)
    err = Path(logs, f"{pid}.err")
    text = err.read_text("utf-8", "replace")
    err.unlink()
    Path(logs, f"{pid}.out").unlink()
    return os.waitstatus_to_exitcode(status), text


def run(writer: str, root: str, arg: dict) -> None:
    """One writer in this process (no fork): `python kill_worker.py run W ROOT ARG-JSON`."""
    WRITERS[writer](root, arg, lambda text: print(f"saved {os.getpid()} {text}", flush=True))


def main() -> None:
    if sys.argv[1:2] == ["run"]:
        run(sys.argv[2], sys.argv[3], json.loads(sys.argv[4]))
        return
    logs = tempfile.mkdtemp(prefix="kill-worker-")
    print("ready", flush=True)
    for line in sys.stdin:
        req = json.loads(line)
        if req["op"] == "spawn":
            print(f"pid {_spawn(req, logs)}", flush=True)
        elif req["op"] == "reap":
            _, status = os.waitpid(req["pid"], 0)
            err = Path(logs, f"{req['pid']}.err")
            text = err.read_text("utf-8", "replace") if err.exists() else ""
            for name in ("err", "out"):
                Path(logs, f"{req['pid']}.{name}").unlink(missing_ok=True)
            print(f"reaped {req['pid']} {os.waitstatus_to_exitcode(status)} "
                  f"{json.dumps(text)}", flush=True)
        elif req["op"] == "cli":
            rc, text = _run_cli(req, logs)
            print(f"cli {rc} {json.dumps(text)}", flush=True)
    shutil.rmtree(logs, ignore_errors=True)  # the test closed our stdin: done


if __name__ == "__main__":
    main()
