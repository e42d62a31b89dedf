"""Two reviewers and an importer writing one project at once: nothing lost, no
"database is locked", every process exits 0, and `status` counts every decision.

ana screens through the library as the screener does (the lock only while the
store is refreshed, then reading records and appending decisions without it);
bo imports decision batches with `reviewkit screen import-decisions`; meanwhile
`reviewkit import` adds another database's export.
"""

from __future__ import annotations

import csv
import json
import sqlite3
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))  # kill_loops, kill_worker beside this file

import kill_loops as kl  # noqa: E402
from kill_rig import WORKER  # noqa: E402

from helpers import run_cli  # noqa: E402
from reviewkit.project.config import find_project  # noqa: E402
from reviewkit.records.model import Record  # noqa: E402
from reviewkit.screening.log import log_path, read_events  # noqa: E402
from reviewkit.searches.log import Search, add_search, read_search, search_path  # noqa: E402
from reviewkit.store import open_store  # noqa: E402
from reviewkit.store.base import FileRow  # noqa: E402

from conftest import REPO, export_file  # noqa: E402


def _writer(writer: str, root: Path, arg: dict, out: Path) -> subprocess.Popen:
    # output to files, not pipes: a writer must never stall on a full pipe mid-test
    with out.with_suffix(".out").open("w") as fh, out.with_suffix(".err").open("w") as err:
        return subprocess.Popen([sys.executable, str(WORKER), "run", writer, str(root),
                                 json.dumps(arg)], stdout=fh, stderr=err)


def _saved(out: Path) -> list[str]:
    """What the writer reported saved so far (its other output is the CLI's own)."""
    return [line.split(" ", 2)[2] for line in out.with_suffix(".out").read_text().splitlines()
            if line.startswith("saved ") and line.count(" ") >= 2]


def _wait_saved(proc: subprocess.Popen, out: Path, more_than: int) -> int:
    """Wait until the writer has reported more than ``more_than`` saves; how many now."""
    deadline = time.monotonic() + 120
    while (n := len(_saved(out))) <= more_than:
        if proc.poll() is not None or time.monotonic() > deadline:
            raise AssertionError(f"writer stopped: {proc.poll()} "
                                 f"{out.with_suffix('.err').read_text()}")
        time.sleep(0.02)
    return n


def _now() -> str:
    """The time as the logs write it (UTC, milliseconds, Z)."""
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _active(events: list[dict]) -> set[str]:
    """Records with a decision not undone, replayed from the raw log lines."""
    live: dict[str, list[str]] = {}
    for e in events:
        if e.get("type") == "decision":
            live.setdefault(e["record"], []).append(e["id"])
        elif e.get("type") == "undo" and e.get("target") in live.get(e["record"], []):
            live[e["record"]].remove(e["target"])
    return {r for r, ids in live.items() if ids}


def test_two_reviewers_and_an_importer_at_once(tmp_path):
    exports = [export_file("ris/bluelight-endnote_reflib.ris"),
               export_file("ris/ovid-medline_citesource.ris")]
    project = kl.build_base(tmp_path / "p", exports, REPO)
    root = project.root
    add_search(project, Search(id="wos", database="Web of Science"))
    stops = {"ana": tmp_path / "stop-ana", "bo": tmp_path / "stop-bo"}
    batches = tmp_path / "batches"
    batches.mkdir()
    outs = {"ana": tmp_path / "ana", "bo": tmp_path / "bo"}
    procs = {"ana": _writer("screen", root, {"reviewer": "ana", "seed": 1, "min": 40,
                                             "stop": str(stops["ana"]), "pause": 0.005},
                            outs["ana"]),
             "bo": _writer("decisions", root, {"reviewer": "bo", "start": 0, "min": 2,
                                               "folder": str(batches), "stop": str(stops["bo"])},
                           outs["bo"])}
    for name, p in procs.items():
        _wait_saved(p, outs[name], 0)  # both are writing
    source = export_file("endnote-xml/bluelight-endnote_reflib.xml")
    began = _now()
    importer = subprocess.run([sys.executable, "-m", "reviewkit", "import", str(source),
                               "--search", "wos"], cwd=root, capture_output=True, text=True,
                              timeout=120)
    ended = _now()
    stops["ana"].touch()
    _wait_saved(procs["bo"], outs["bo"], len(_saved(outs["bo"])))  # bo goes on afterwards
    stops["bo"].touch()
    for p in procs.values():
        p.wait(timeout=120)
    codes = {**{n: p.returncode for n, p in procs.items()}, "import": importer.returncode}
    errs = {**{n: o.with_suffix(".err").read_text() for n, o in outs.items()},
            "import": importer.stderr}
    saved = {n: _saved(o) for n, o in outs.items()}

    assert not [n for n, e in errs.items() if "database is locked" in e], errs
    assert not [n for n, e in errs.items() if "Traceback" in e], errs
    assert codes == {"ana": 0, "bo": 0, "import": 0}, errs

    # every decision reported saved is in its reviewer's log
    project = find_project(root)
    ana_log = read_events(log_path(project, "title-abstract", "ana"))
    bo_log = read_events(log_path(project, "title-abstract", "bo"))
    assert len(saved["ana"]) >= 40 and set(saved["ana"]) <= {e["id"] for e in ana_log}
    assert len(saved["bo"]) >= 2
    rows = set()
    for k in saved["bo"]:
        with (batches / f"batch-{k}.csv").open(encoding="utf-8", newline="") as fh:
            rows |= {(r["record_id"], r["decision"], r["note"]) for r in csv.DictReader(fh)}
    assert rows <= {(e["record"], e["decision"], e.get("note")) for e in bo_log}
    # and they really wrote while the import ran (the timestamps in the logs say so)
    assert any(began < e["at"] < ended for e in ana_log)
    assert any(e["at"] < began for e in bo_log) and any(e["at"] > began for e in bo_log)

    # the import happened whole, and status (a new process) counts every decision
    assert read_search(search_path(project, "wos")).files == [f"searches/exports/{source.name}"]
    res = run_cli("status", "--format", "json", cwd=root)
    assert res.returncode == 0, res.stderr
    status = json.loads(res.stdout)[0]
    done = {r["reviewer"]: r["done"] for r in status["screening"]
            if r["stage"] == "title-abstract"}
    assert done == {"ana": len(_active(ana_log)), "bo": len(_active(bo_log))}
    assert done["ana"] > 0 and done["bo"] > 0


def test_a_screener_reads_while_a_big_import_is_being_written(tmp_path):
    project = kl.build_base(tmp_path / "p", [export_file("ris/wos_asysd.ris")], REPO)
    writer, screener = open_store(project.store_path), open_store(project.store_path)
    shown = next(iter(screener.clusters()))  # a record the screener has on screen
    seen: dict[str, object] = {}

    def big_source():
        # the first 30,000 records of a large export; the screener reads meanwhile
        # (the rest of a 1 GB import takes longer than SQLite's 5 s busy timeout)
        for k in range(30_000):
            yield f"big/{k}", Record(title=f"Title of record {k} " * 6, abstract="words " * 80)
        try:
            seen["record"] = screener.get_record(shown)
        except sqlite3.OperationalError as exc:
            seen["error"] = str(exc)

    row = FileRow("searches/exports/big.ris", "big", "big", "0" * 64, 1, 1, "ris", "", "utf-8",
                  30_000)
    try:
        writer.replace_source("big", "big", "fingerprint", [(row, big_source())])
    finally:
        writer.close()
        screener.close()
    assert seen.get("error") is None, seen
    assert seen["record"].id == shown
