"""Team mode under load: R reviewer processes x N decisions each, all at once, against a
loopback PostgreSQL server started like tests/pgserver.py (initdb in /tmp, fsync on).

Each reviewer is a separate process with its own folder, its own login role (RLS on), and
does what the screener does in team mode (TeamScreening.decide_next): save the decision to
its local log (fdatasync), then in one transaction send it (the event and the allocation)
and lease the next record (FOR UPDATE SKIP LOCKED). Afterwards the folders and the server
are compared:

- lost: decisions shown as saved that are missing from the server or from the local log
- duplicated: a reviewer with two decisions on one record, or a server line not in a log
- over k: a record decided by more than k reviewers

Prints p50/p99 of the decision latency (local save + send + next lease, as one key does in
the screener: what a reviewer waits for between keys), decisions/s, and the load average.
Then the floor in the same run: the same processes doing only a durable append (fdatasync)
and one loopback commit per key, and the ratio of the two p99s (the machine is shared: the ratio
says what reviewkit adds whatever the load). Exits 1 when anything was lost, duplicated or
over k.

With --pace SECONDS, a second figure after those: the same reviewers on a second stage,
each waiting SECONDS between keys (a very fast human; the wait is not counted), checked
for the same losses. The saturated figure above stays the headline.

Usage: python bench/team_load.py [--reviewers 20] [--decisions 500] [--k 2] [--pace S]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
STAGE = "title-abstract"


def worker(root: str, url: str, reviewer: str, start_at: float, out: str, limit: int,
           stage: str = STAGE, pace: float = 0.0) -> None:
    """One reviewer: lease, decide, send, until nothing is left; latencies to ``out``.
    ``pace``: seconds of thinking before each key (not part of its latency)."""
    from reviewkit.project.config import Config, Project
    from reviewkit.screening.events import decision_event
    from reviewkit.team.screener_hooks import TeamScreening

    project = Project(Path(root), Config(review={"title": "load"}))
    team = TeamScreening(project, reviewer, stage, url)
    team.outbox.connection()  # connected before the start, as an open screener is
    time.sleep(max(0.0, start_at - time.time()))
    begun, cpu_begun = time.perf_counter(), time.process_time()
    whole, n, waited = [], 0, 0.0
    unit = team.next_record()
    while True:
        if unit is None:  # nothing for me now: done, or the end game is with the others
            t = time.perf_counter()
            while unit is None and team.open_elsewhere() and time.perf_counter() - t < 60:
                time.sleep(0.2)
                unit = team.next_record()
            waited += time.perf_counter() - t
            if unit is None:
                break
        if pace:
            time.sleep(pace)
        t0 = time.perf_counter()
        unit = team.decide_next(decision_event(stage, reviewer, unit,
                                               ("include", "exclude", "exclude")[n % 3]))
        t1 = time.perf_counter()
        if team.outbox.pending or team.lease_error:
            raise SystemExit(f"{reviewer}: a send failed: {team.status_line()} "
                             f"{team.lease_error}")
        if unit is not None:  # the end game's waits are not a decision's latency
            whole.append(t1 - t0)
        n += 1
        if n > limit:  # the same record over and over: the allocation missed a decision
            raise SystemExit(f"{reviewer}: {n} decisions, more than any share; stopped")
    ended = time.perf_counter()
    cpu = time.process_time() - cpu_begun
    team.close()
    Path(out).write_text(json.dumps({"whole": whole, "begun": begun,
                                     "ended": ended, "decided": n, "waited": waited,
                                     "cpu": cpu}))


def floor_worker(root: str, url: str, start_at: float, out: str, count: int) -> None:
    """The floor: what any durable client pays per key here, a local append made durable
    (fdatasync, as reviewkit's logs are) and one loopback commit (no reviewkit, no triggers,
    no lease), as many, as concurrently."""
    import uuid

    import psycopg

    Path(root).mkdir(parents=True, exist_ok=True)
    fd = os.open(Path(root) / "floor.jsonl", os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    conn = psycopg.connect(url, autocommit=True)
    time.sleep(max(0.0, start_at - time.time()))
    whole = []
    for _ in range(count):
        t0 = time.perf_counter()
        key = uuid.uuid4().hex
        os.write(fd, f'{{"id":"{key}"}}\n'.encode())
        getattr(os, "fdatasync", os.fsync)(fd)
        conn.execute("INSERT INTO floor VALUES (%s)", (key,))
        whole.append(time.perf_counter() - t0)
    conn.close()
    os.close(fd)
    Path(out).write_text(json.dumps({"whole": whole}))


def _floor(cluster, url: str, folder: Path, reviewers: int, decisions: int) -> list[float]:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CREATE TABLE floor (id text PRIMARY KEY)")
    start_at = time.time() + 2.0 + 0.1 * reviewers
    procs = [subprocess.Popen([sys.executable, __file__, "--floor", str(folder / f"f{i}"), url,
                               repr(start_at), str(folder / f"f{i}.json"), str(decisions)])
             for i in range(reviewers)]
    for p in procs:
        p.wait()
    return [x for i in range(reviewers) if (folder / f"f{i}.json").exists()
            for x in json.loads((folder / f"f{i}.json").read_text())["whole"]]


def _server_cpu(cluster) -> float:
    """CPU seconds used by the server and its finished backends (postmaster's children)."""
    time.sleep(0.2)  # backends of closed connections are reaped into cutime/cstime
    pid = (cluster.data / "postmaster.pid").read_text().split()[0]
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return sum(int(f) for f in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def _pct(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] * 1000


def _screen(cluster, url: str, urls: dict, folder: Path, stage: str, decisions: int, k: int,
            pace: float = 0.0) -> dict:
    """Every reviewer process screening ``stage`` at once; what they measured, and what the
    folders and the server say was lost, duplicated or over k."""
    import psycopg

    from reviewkit.screening.log import read_jsonl
    from reviewkit.team.allocate import allocate

    names = sorted(urls)
    with psycopg.connect(url, autocommit=True) as conn:
        allocate(conn, stage, [f"{stage}{i:06}" for i in range(len(names) * decisions // k)],
                 k, reviewers=len(names))
    start_at = time.time() + 3.0 + 0.15 * len(names)  # every process up and connected
    server_cpu = _server_cpu(cluster)
    procs = [subprocess.Popen([sys.executable, __file__, "--worker", str(folder / n),
                               urls[n], n, repr(start_at), str(folder / f"{n}-{stage}.json"),
                               str(3 * decisions), stage, repr(pace)])
             for n in names]
    failed = sum(p.wait() != 0 for p in procs)
    server_cpu = _server_cpu(cluster) - server_cpu
    results = [json.loads((folder / f"{n}-{stage}.json").read_text()) for n in names
               if (folder / f"{n}-{stage}.json").exists()]
    with psycopg.connect(url, autocommit=True) as conn:
        rows = conn.execute("SELECT event_id, record, reviewer, log, line FROM events "
                            "WHERE kind = 'decision' AND stage = %s", (stage,)).fetchall()
        short = conn.execute(
            "SELECT p.record, s.taken, p.decided, array_agg(a.reviewer || ':' || "
            "(a.decided_at IS NOT NULL)) FROM pool p JOIN slots s USING (stage, record) "
            "LEFT JOIN assignments a USING (stage, record) WHERE p.stage = %s "
            "AND p.decided < %s GROUP BY p.record, s.taken, p.decided",
            (stage, k)).fetchall()
    if short:  # never yet: then say which, with who holds them
        print("records short of k (record, taken, decided, reviewer:decided):", short)
    server = {event_id: (record, reviewer) for event_id, record, reviewer, _, _ in rows}
    server_lines = Counter((log, line) for *_, log, line in rows)
    local, local_lines = {}, Counter()
    for n in names:
        path = folder / n / "screening" / stage / f"{n}.jsonl"
        data = path.read_bytes().split(b"\n") if path.exists() else []
        for number, event in read_jsonl(path)[0]:
            local[event["id"]] = (event["record"], n)
            local_lines[(f"screening/{stage}/{n}.jsonl", data[number - 1].decode())] += 1
    pairs = Counter(server.values())
    per_record = Counter(record for record, _ in set(server.values()))
    return {"results": results, "failed": failed, "server_cpu": server_cpu,
            "server": len(server), "local": len(local),
            "lost": len(set(local) - set(server)),
            "duplicated": sum(c - 1 for c in pairs.values() if c > 1)
            + sum((server_lines - local_lines).values()),
            "over_k": sum(1 for c in per_record.values() if c > k),
            "load": os.getloadavg()[0]}


def run(reviewers: int, decisions: int, k: int, pace: float = 0.0) -> int:
    sys.path.insert(0, str(REPO / "tests"))
    import psycopg

    from pgserver import start_cluster
    from reviewkit.team.members import add_member
    from reviewkit.team.migrate import migrate

    records = reviewers * decisions // k
    cluster = start_cluster()
    folder = Path(tempfile.mkdtemp(prefix="team-load-", dir="/tmp"))
    try:
        url = cluster.createdb("load")
        names = [f"r{i:02}" for i in range(reviewers)]
        urls = {}
        with psycopg.connect(url, autocommit=True) as conn:
            migrate(conn)
            for name in names:
                urls[name] = cluster.url(name, add_member(conn, name, login=name), "load")
            version = conn.execute("SHOW server_version").fetchone()[0].split()[0]
        got = _screen(cluster, url, urls, folder, STAGE, decisions, k)
        results, failed = got["results"], got["failed"]
        if not results:
            print(f"every reviewer process failed ({failed})")
            return 1
        whole = [x for r in results for x in r["whole"]]
        wall = max(r["ended"] for r in results) - min(r["begun"] for r in results)
        waited = [r["waited"] for r in results]
        shares = sorted(r["decided"] for r in results)
        print(f"team load: {reviewers} reviewer processes x {decisions} decisions, k = {k}, "
              f"{records} records, loopback PostgreSQL {version}, fsync on, "
              f"{os.cpu_count()} CPUs")
        print(f"decisions: {got['server']} on the server, {got['local']} in the local logs "
              f"(expected {reviewers * decisions}); lost {got['lost']}, duplicated "
              f"{got['duplicated']}, records over k {got['over_k']}, failed processes {failed}")
        print(f"decision latency (save + send + next lease): p50 {_pct(whole, 50):.1f} ms, "
              f"p99 {_pct(whole, 99):.1f} ms, max {max(whole) * 1000:.1f} ms")
        print(f"decisions per reviewer: {shares[0]}..{shares[-1]} (quota {decisions}); "
              f"waiting for the others at the end: up to {max(waited):.1f} s")
        client_cpu = sum(r["cpu"] for r in results)
        print(f"CPU per decision: {client_cpu / got['server'] * 1000:.2f} ms in the reviewer "
              f"processes (start-up left out), {got['server_cpu'] / got['server'] * 1000:.2f} "
              "ms in PostgreSQL")
        print(f"throughput: {len(whole) / wall:.0f} decisions/s over {wall:.1f} s; "
              f"load average at the end {got['load']:.1f}")
        floor = _floor(cluster, url, folder, reviewers, decisions)
        print(f"the floor, same run (a durable append + one loopback commit, {reviewers} "
              f"processes at once): p50 {_pct(floor, 50):.1f} ms, p99 {_pct(floor, 99):.1f} "
              f"ms; reviewkit's p99 is {_pct(whole, 99) / _pct(floor, 99):.2f}x the floor's")
        print(f"load average at the end: {os.getloadavg()[0]:.1f}")
        bad = [got[key] for key in ("lost", "duplicated", "over_k", "failed")] + \
            [got["server"] != reviewers * decisions]
        if pace:
            paced = _screen(cluster, url, urls, folder, "paced", decisions, k, pace)
            timed = [x for r in paced["results"] for x in r["whole"]] or [0.0]
            span = max(r["ended"] for r in paced["results"]) - \
                min(r["begun"] for r in paced["results"])
            print(f"second figure, paced (each reviewer thinks {pace} s before each key, not "
                  f"counted): p50 {_pct(timed, 50):.1f} ms, p99 {_pct(timed, 99):.1f} ms, "
                  f"{len(timed) / span:.0f} decisions/s; {paced['server']} on the server, "
                  f"lost {paced['lost']}, duplicated {paced['duplicated']}, over k "
                  f"{paced['over_k']}, failed {paced['failed']}; load average "
                  f"{paced['load']:.1f}")
            bad += [paced[key] for key in ("lost", "duplicated", "over_k", "failed")] + \
                [paced["server"] != reviewers * decisions]
        return 1 if any(bad) else 0
    finally:
        cluster.destroy()
        subprocess.run(["rm", "-rf", str(folder)], check=False)


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--floor":
        root, url, start_at, out, count = sys.argv[2:7]
        floor_worker(root, url, float(start_at), out, int(count))
        return
    if len(sys.argv) > 1 and sys.argv[1] == "--worker":
        root, url, reviewer, start_at, out, limit, stage, pace = sys.argv[2:10]
        worker(root, url, reviewer, float(start_at), out, int(limit), stage, float(pace))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reviewers", type=int, default=20)
    parser.add_argument("--decisions", type=int, default=500)
    parser.add_argument("--k", type=int, default=2)
    parser.add_argument("--pace", type=float, default=0.0,
                        help="also a second, paced figure: seconds between keys")
    args = parser.parse_args()
    print(f"load average before: {os.getloadavg()[0]:.1f}")
    sys.exit(run(args.reviewers, args.decisions, args.k, args.pace))


if __name__ == "__main__":
    main()
