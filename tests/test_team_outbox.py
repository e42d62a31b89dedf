"""The outbox on a real server: local log first, then sent; the server's copy is the folder's
lines; a retry adds nothing; the server restarted mid-screening; reviewers SIGKILLed while
deciding lose nothing shown as saved."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from random import Random

import pytest

from reviewkit.project.config import Config, Project
from reviewkit.screening.events import (
    decision_event,
    note_event,
    resolution_event,
    undo_event,
)
from reviewkit.screening.log import read_jsonl
from reviewkit.team.allocate import allocate
from reviewkit.team.outbox import Outbox, connector
from reviewkit.team.screener_hooks import TeamScreening
from teamload_support import add_member, team_database

psycopg = pytest.importorskip("psycopg")
WORKER = Path(__file__).with_name("team_kill_worker.py")


@pytest.fixture(scope="module")
def db(pg_server):
    url = team_database(pg_server, "teamload_outbox")
    with psycopg.connect(url, autocommit=True) as conn:
        for stage, n in (("send", 10), ("restart", 12), ("kill", 80), ("refused", 2),
                         ("isolate", 4)):
            allocate(conn, stage, [f"{stage}{i:02}" for i in range(n)], k=1)
    return url


@pytest.fixture(scope="module")
def members(db, pg_server):
    return {name: add_member(db, pg_server, name, role) for name, role in
            (("ana", "reviewer"), ("ben", "reviewer"), ("vic", "viewer"),
             ("cleo", "arbiter"))}


def _project(root: Path) -> Project:
    root.mkdir(parents=True, exist_ok=True)
    return Project(root, Config(review={"title": "outbox test"}))


def _server_lines(db, log):
    with psycopg.connect(db, autocommit=True) as conn:
        return [line for (line,) in conn.execute(
            "SELECT line FROM events WHERE log = %s ORDER BY seq", (log,))]


def _local_lines(path: Path) -> list[str]:
    data = path.read_bytes().split(b"\n")
    return [data[n - 1].decode() for n, _ in read_jsonl(path)[0]]


def test_the_server_keeps_the_folders_lines_and_a_resend_adds_nothing(db, members, tmp_path):
    team = TeamScreening(_project(tmp_path / "ana"), "ana", "send", members["ana"])
    unit = team.next_record()
    first = decision_event("send", "ana", unit, "exclude", note="naïve 🙂 \u2028 quotes \"")
    assert team.record_decision(first) is True
    assert team.record_decision(note_event("send", "ana", unit, "second thoughts"))
    assert team.record_decision(undo_event("send", "ana", first))
    assert team.next_record() == unit  # undone: hers to decide again
    assert team.record_decision(decision_event("send", "ana", unit, "include"))
    assert team.next_record() != unit
    team.close()
    log = "screening/send/ana.jsonl"
    local = _local_lines(tmp_path / "ana" / log)
    assert len(local) == 4 and _server_lines(db, log) == local
    assert str(team.status) == "team: online"
    # every acknowledgement lost: the next sitting sends all four again, the server adds none
    (tmp_path / "ana" / ".reviewkit" / "outbox" / "send" / "ana.sent").unlink()
    again = Outbox(tmp_path / "ana", "send", "ana", connector(members["ana"]))
    assert len(again.pending) == 4
    assert again.flush() is True and again.pending == []
    again.close()
    assert _server_lines(db, log) == local
    with psycopg.connect(db, autocommit=True) as conn:
        assert conn.execute("SELECT decided FROM pool WHERE stage = 'send' AND record = %s",
                            (unit,)).fetchone() == (1,)


def test_a_server_restart_mid_screening_keeps_every_decision(db, members, pg_server, tmp_path):
    team = TeamScreening(_project(tmp_path / "ben"), "ben", "restart", members["ben"],
                         retry_seconds=0.2)
    units, saved = [], []
    for _ in range(3):
        units.append(team.next_record())
        saved.append(decision_event("restart", "ben", units[-1], "include"))
        assert team.record_decision(saved[-1])
    pg_server.stop("fast")
    try:
        # the server is gone: no lease, and the screener is told so; it goes on locally
        assert team.next_record() is None
        offline = ["restart10", "restart11"]  # in the screener's own order, not leased
        for unit in offline:
            saved.append(decision_event("restart", "ben", unit, "exclude"))
            assert team.record_decision(saved[-1]) is False
        line = team.status_line()
        assert line.startswith("team server unavailable") and \
            "2 decisions kept locally, sent when it is back" in line
        log = tmp_path / "ben" / "screening" / "restart" / "ben.jsonl"
        assert [e["id"] for _, e in read_jsonl(log)[0]] == [e["id"] for e in saved]
    finally:
        pg_server.start()
    time.sleep(0.25)
    assert team.retry() is True
    assert team.status_line() == "team: online"
    nxt = team.next_record()
    assert nxt not in units + offline
    team.close()
    assert _server_lines(db, "screening/restart/ben.jsonl") == _local_lines(log)
    with psycopg.connect(db, autocommit=True) as conn:
        decided = conn.execute("SELECT record FROM assignments WHERE stage = 'restart' AND "
                               "decided_at IS NOT NULL ORDER BY record").fetchall()
    assert [r for (r,) in decided] == sorted(units + offline)


def test_a_send_the_server_refuses_waits_and_says_why(db, members, tmp_path):
    team = TeamScreening(_project(tmp_path / "vic"), "vic", "refused", members["vic"])
    assert team.record_decision(decision_event("refused", "vic", "refused00", "include")) \
        is False
    assert "refused" in team.status_line() and "1 waiting" in team.status_line()
    assert "\n" not in team.status_line()
    team.close()
    assert _server_lines(db, "screening/refused/vic.jsonl") == []
    assert len(_local_lines(tmp_path / "vic" / "screening" / "refused" / "vic.jsonl")) == 1


def test_one_refused_event_holds_back_only_what_follows_it_on_its_record(db, members, tmp_path):
    """cleo decided isolate00, so her resolution of it is refused; her decisions on the
    other records still reach the server, a later note on isolate00 waits behind the refused
    one (the server's order per record stays the folder's), and the status says why."""
    box = Outbox(tmp_path / "cleo", "isolate", "cleo", connector(members["cleo"]))
    assert box.record([decision_event("isolate", "cleo", "isolate00", "include")])
    assert not box.record([resolution_event("isolate", "cleo", "isolate00", "exclude")])
    assert "may not resolve it" in str(box.status)
    later = [decision_event("isolate", "cleo", "isolate01", "exclude"),
             note_event("isolate", "cleo", "isolate00", "asked ben"),
             decision_event("isolate", "cleo", "isolate02", "include")]
    assert box.record(later[:1])  # sent: only the refused one waits, and leases go on
    assert not box.record(later[1:])  # the note on isolate00 waits behind the refusal
    on_server = [json.loads(line)["record"] for line in
                 _server_lines(db, "screening/isolate/cleo.jsonl")]
    assert on_server == ["isolate00", "isolate01", "isolate02"]
    assert [row["kind"] for row in box.pending] == ["resolution", "note"]
    assert "1 waiting" not in str(box.status) and "2 waiting" in str(box.status)
    box.close()
    # a new sitting: the same two wait, nothing is sent twice
    again = Outbox(tmp_path / "cleo", "isolate", "cleo", connector(members["cleo"]))
    assert not again.flush(force=True) and len(again.pending) == 2
    assert len(_server_lines(db, "screening/isolate/cleo.jsonl")) == 3
    again.close()


def _kill_loop(root: Path, url: str, reviewer: str, rng: Random, kills: int,
               saved: dict[str, str], unsent: list[int]) -> None:
    for _ in range(kills):
        proc = subprocess.Popen([sys.executable, str(WORKER), str(root), url, "kill", reviewer],
                                stdout=subprocess.PIPE, text=True)
        want = rng.randint(1, 12)
        for line in proc.stdout:
            if line.startswith("start "):
                unsent.append(int(line.split()[1]))
            if line.startswith("saved "):
                _, event_id, unit = line.split()
                saved[event_id] = unit
                want -= 1
            if want <= 0 or line.startswith("done"):
                break
        time.sleep(rng.uniform(0, 0.03))  # mid-decision: between fsync and send, or in one
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        for line in proc.stdout:  # what it printed before dying counts as shown
            if line.startswith("saved "):
                _, event_id, unit = line.split()
                saved[event_id] = unit


def test_reviewers_killed_mid_decision_lose_nothing_and_duplicate_nothing(db, members, tmp_path):
    saved, unsent = {"ana": {}, "ben": {}}, {"ana": [], "ben": []}
    loops = [threading.Thread(target=_kill_loop, args=(
        tmp_path / name, members[name], name, Random(seed), 6, saved[name], unsent[name]))
        for seed, name in enumerate(saved)]
    for t in loops:
        t.start()
    for t in loops:
        t.join(120)
    for name in saved:  # the next sitting sends whatever the kills left waiting
        outbox = Outbox(tmp_path / name, "kill", name, connector(members[name]))
        unsent[name].append(len(outbox.pending))
        print(f"{name}: 6 kills, {len(saved[name])} decisions shown saved, kills that left "
              f"one unsent (sent by the next sitting): {sum(n > 0 for n in unsent[name][1:])}")
        assert outbox.flush() is True
        outbox.close()
    with psycopg.connect(db, autocommit=True) as conn:
        rows = conn.execute("SELECT event_id, record, reviewer FROM events WHERE stage = 'kill' "
                            "AND kind = 'decision'").fetchall()
    on_server = {event_id: (record, reviewer) for event_id, record, reviewer in rows}
    for name, shown in saved.items():
        assert shown, "each loop saw decisions saved before its kills"
        log = tmp_path / name / "screening" / "kill" / f"{name}.jsonl"
        local = {e["id"]: e["record"] for _, e in read_jsonl(log)[0]}
        assert shown.items() <= local.items()  # every decision shown as saved is in the log
        assert {i: (r, name) for i, r in local.items()}.items() <= on_server.items()
        assert _server_lines(db, f"screening/kill/{name}.jsonl") == _local_lines(log)
    per_record = Counter(record for record, _ in on_server.values())
    assert max(per_record.values()) == 1  # k = 1: no record decided twice, no retry doubled
