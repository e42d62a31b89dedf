"""Allocation on a real PostgreSQL server: k reviewers per record under concurrent leasing,
balanced shares, calibration first, leases that resume and expire, ranked order, rights."""

from __future__ import annotations

import threading
import time
from collections import Counter

import pytest

from reviewkit.errors import ReviewkitError
from reviewkit.team.allocate import (
    allocate,
    allocate_project,
    balanced_quota,
    next_record,
    rank_project,
    set_ranks,
    workloads,
)
from teamload_support import add_member, team_database

psycopg = pytest.importorskip("psycopg")


@pytest.fixture(scope="module")
def db(pg_server):
    return team_database(pg_server, "teamload_allocate")


def _conn(url):
    return psycopg.connect(url, autocommit=True)


def _decide(conn, stage, reviewer, record):
    conn.execute("SELECT reviewkit_decided(%s, %s, %s)", (stage, reviewer, record))


def _decided_pairs(conn, stage):
    return conn.execute("SELECT record, reviewer FROM assignments WHERE stage = %s AND "
                        "decided_at IS NOT NULL", (stage,)).fetchall()


def test_concurrent_reviewers_never_exceed_k_and_cover_every_record(db):
    stage, records, names = "concurrent", [f"c{i:03}" for i in range(60)], \
        [f"rev{i}" for i in range(8)]
    with _conn(db) as conn:
        assert allocate(conn, stage, records, k=3) == 60
    errors = []
    start = threading.Barrier(len(names))

    def screen(name):
        try:
            with _conn(db) as conn:
                start.wait()
                while (lease := next_record(conn, name, stage)) is not None:
                    _decide(conn, stage, name, lease.record)
        except Exception as exc:  # noqa: BLE001 - reported below, not swallowed
            errors.append(exc)

    threads = [threading.Thread(target=screen, args=(n,)) for n in names]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    with _conn(db) as conn:
        pairs = _decided_pairs(conn, stage)
    assert len(pairs) == len(set(pairs))  # nobody twice on a record
    per_record = Counter(r for r, _ in pairs)
    assert set(per_record) == set(records)
    assert set(per_record.values()) == {3}


def test_shares_are_balanced_and_calibration_goes_to_everyone_first(db):
    stage, records = "balanced", [f"b{i:02}" for i in range(33)]
    sample = ["b07", "b20", "b31"]
    with _conn(db) as conn:
        allocate(conn, stage, records, k=2, calibration=sample, reviewers=3)
        quota = balanced_quota(33, 3, 2, 3)
        assert quota == 20  # 30 records x 2 reviewers / 3 people
        got = {n: [] for n in ("ana", "ben", "cy")}
        for _ in range(40):  # take turns, as three people at their screens would
            for name, taken in got.items():
                lease = next_record(conn, name, stage)
                if lease is not None:
                    taken.append((lease.record, lease.calibration))
                    _decide(conn, stage, name, lease.record)
        for taken in got.values():
            assert [r for r, _ in taken[:3]] == sorted(sample)
            assert all(c for _, c in taken[:3]) and not any(c for _, c in taken[3:])
            assert len(taken) == 3 + quota
        assert {n: w["decided"] for n, w in workloads(conn, stage).items()} == \
            {"ana": 20, "ben": 20, "cy": 20}
        per_record = Counter(r for r, _ in _decided_pairs(conn, stage))
        assert all(per_record[r] == 3 for r in sample)
        assert all(per_record[r] == 2 for r in records if r not in sample)


def test_a_held_lease_comes_back_and_an_expired_one_goes_to_someone_else(db):
    stage = "leases"
    with _conn(db) as conn:
        allocate(conn, stage, ["l1", "l2", "l3"], k=1, lease=1)
        assert next_record(conn, "ana", stage).record == "l1"
        assert next_record(conn, "ana", stage).record == "l1"  # a restarted screener resumes
        assert next_record(conn, "cy", stage).record == "l2"  # l1 is held: k = 1
        time.sleep(1.2)
        assert next_record(conn, "ben", stage).record == "l1"  # ana's lease ran out
        _decide(conn, stage, "ben", "l1")
        # ana's screener asks again: l1 is ben's now; cy's lease on l2 has run out too
        assert next_record(conn, "ana", stage).record == "l2"
        assert next_record(conn, "cy", stage).record == "l3"
        taken = conn.execute("SELECT record, taken, decided, open FROM pool JOIN slots "
                             "USING (stage, record) WHERE stage = %s ORDER BY record",
                             (stage,)).fetchall()
    assert taken[0] == ("l1", 1, 1, False)


def test_an_undo_gives_the_record_back_to_its_reviewer(db):
    stage = "undo"
    with _conn(db) as conn:
        allocate(conn, stage, ["u1", "u2"], k=1)
        assert next_record(conn, "ana", stage).record == "u1"
        _decide(conn, stage, "ana", "u1")
        conn.execute("SELECT reviewkit_undecided(%s, %s, %s)", (stage, "ana", "u1"))
        assert next_record(conn, "ben", stage).record == "u2"  # u1 is still ana's
        assert next_record(conn, "ana", stage).record == "u1"


def test_leases_follow_the_ranking(db):
    stage = "ranked"
    records = [f"k{i}" for i in range(6)]
    with _conn(db) as conn:
        allocate(conn, stage, records, k=1)
        assert set_ranks(conn, stage, ["k4", "k1", "k5"]) == 3
        order = []
        while (lease := next_record(conn, "ana", stage)) is not None:
            order.append(lease.record)
            _decide(conn, stage, "ana", lease.record)
    assert order == ["k4", "k1", "k5", "k0", "k2", "k3"]  # unranked after, by id


def test_rights_and_unknown_stages_are_one_line_errors(db, pg_server):
    with _conn(db) as conn:
        allocate(conn, "rights", ["x1"], k=2)
    dora = add_member(db, pg_server, "dora")
    viewer = add_member(db, pg_server, "vic", role="viewer")
    with _conn(dora) as conn:
        assert next_record(conn, "dora", "rights").record == "x1"
        with pytest.raises(ReviewkitError, match="may not screen as ana"):
            next_record(conn, "ana", "rights")
        with pytest.raises(ReviewkitError, match="stage nowhere has not been allocated"):
            next_record(conn, "dora", "nowhere")
    with _conn(viewer) as conn, pytest.raises(ReviewkitError, match="permission denied"):
        next_record(conn, "vic", "rights")
    with _conn(viewer) as conn:  # the lead's view: who holds what
        rows = conn.execute("SELECT reviewer FROM assignments WHERE stage = 'rights'").fetchall()
    assert rows == [("dora",)]
    with _conn(dora) as conn:  # a reviewer sees the pool's counts, not who holds what
        assert conn.execute("SELECT count(*) FROM pool WHERE stage = 'rights'").fetchone() == (1,)
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("SELECT count(*) FROM assignments")
    # a login of another review on this server (same group role, not a member here)
    dbname = db.rsplit("/", 1)[1]
    with _conn(db) as conn:
        conn.execute(f"CREATE ROLE {dbname}_stranger LOGIN PASSWORD 'pw' IN ROLE "
                     "reviewkit_reviewer")
    with _conn(pg_server.url(f"{dbname}_stranger", "pw", dbname)) as conn:
        assert conn.execute("SELECT count(*) FROM pool").fetchone() == (0,)
        with pytest.raises(ReviewkitError, match="may not screen as dora"):
            next_record(conn, "dora", "rights")


def test_a_project_stage_is_allocated_from_its_own_settings(db, tmp_path):
    from reviewkit.screening.calibration import draw_calibration
    from reviewkit.screening.data import Screening
    from test_screening_support import screening_project

    project, store = screening_project(tmp_path)
    screening = Screening(project, store)
    units = screening.eligible("title-abstract")
    sample = draw_calibration(screening, "title-abstract", 4)
    with _conn(db) as conn:
        assert allocate_project(conn, project, store, "title-abstract") == len(units)
        k, quota, lease = conn.execute("SELECT k, quota, lease_seconds FROM allocation "
                                       "WHERE stage = 'title-abstract'").fetchone()
        assert (k, quota, lease) == (2, len(units) - 4, 15 * 60)  # 2 reviewers share all
        flagged = conn.execute("SELECT record FROM pool WHERE stage = 'title-abstract' AND "
                               "calibration ORDER BY record").fetchall()
        assert [r for (r,) in flagged] == sorted(sample)
        assert rank_project(conn, project, store, "title-abstract") == len(units)
        first = next_record(conn, "ana", "title-abstract")
    from reviewkit.screening.ranked import ranked_order

    order = ranked_order(project, store, "title-abstract", units)  # the ranker's own order
    assert first.calibration and first.record == min(sample, key=order.index)
    store.close()


def test_past_the_quota_a_reviewer_finishes_what_nobody_under_it_can_take(db):
    stage = "endgame"
    with _conn(db) as conn:
        allocate(conn, stage, ["e1", "e2", "e3"], k=2, reviewers=3)  # quota: 3 x 2 / 3 = 2
        got = {name: [] for name in ("ana", "ben", "cy")}
        for name, turns in (("ana", 2), ("ben", 2), ("cy", 1)):
            for _ in range(turns):
                got[name].append(next_record(conn, name, stage).record)
                _decide(conn, stage, name, got[name][-1])
        assert got == {"ana": ["e1", "e2"], "ben": ["e1", "e2"], "cy": ["e3"]}
        assert next_record(conn, "cy", stage) is None  # e1, e2 are full; e3 is hers
        # e3 still needs a second reviewer and cy, the only one under quota, is on it
        assert next_record(conn, "ana", stage).record == "e3"
        _decide(conn, stage, "ana", "e3")
        assert next_record(conn, "ben", stage) is None
        counts = conn.execute("SELECT record, decided FROM pool WHERE stage = %s "
                              "ORDER BY record", (stage,)).fetchall()
    assert counts == [("e1", 2), ("e2", 2), ("e3", 2)]


def test_a_folder_screened_offline_and_pushed_counts_in_the_allocation(db, pg_server, tmp_path):
    from reviewkit.screening.events import decision_event, undo_event
    from reviewkit.screening.log import append_events, log_path
    from reviewkit.screening.session import ScreenSession
    from reviewkit.team.push import push
    from test_screening_support import screening_project

    project, store = screening_project(tmp_path)
    with _conn(db) as conn:
        conn.execute("DELETE FROM assignments WHERE stage = 'title-abstract'")
        conn.execute("DELETE FROM pool WHERE stage = 'title-abstract'")
        conn.execute("DELETE FROM shares WHERE stage = 'title-abstract'")  # kept with them
        allocate_project(conn, project, store, "title-abstract")
    session = ScreenSession(project, store, "ana", "title-abstract")
    done = []
    for _ in range(3):  # no server: the screener's own order, as today
        done.append(session.current())
        session.decide("include")
    session.close()
    # a changed decision then undone: the first one stands, so the record stays decided
    changed = decision_event("title-abstract", "ana", done[0], "exclude",
                             reason=session.conf.reasons[0])
    append_events(log_path(project, "title-abstract", "ana"),
                  [changed, undo_event("title-abstract", "ana", changed)])
    ana = add_member(db, pg_server, "ana")
    with _conn(ana) as conn:
        assert push(project, conn).added == 5
        assert push(project, conn).added == 0  # twice: nothing new, nothing counted twice
        nxt = next_record(conn, "ana", "title-abstract")
    with _conn(db) as conn:
        decided = conn.execute("SELECT record FROM assignments WHERE stage = 'title-abstract' "
                               "AND reviewer = 'ana' AND decided_at IS NOT NULL").fetchall()
        counts = conn.execute("SELECT sum(decided) FROM pool WHERE stage = 'title-abstract'"
                              ).fetchone()
    assert sorted(r for (r,) in decided) == sorted(done) and counts == (3,)
    assert nxt.record not in done
    store.close()


def test_decisions_pushed_before_the_stage_is_allocated_count(pg_server, tmp_path):
    """The lead pushes the folder, then allocates: a record is never leased to who decided
    it, nor to a further reviewer once it has its k decisions."""
    from reviewkit.screening.session import ScreenSession
    from reviewkit.team.push import push
    from test_screening_support import screening_project

    stage = "title-abstract"
    db = team_database(pg_server, "teamload_pushed_first")
    project, store = screening_project(tmp_path)
    done = {}
    for name in ("ana", "ben"):
        session = ScreenSession(project, store, name, stage)
        done[name] = []
        for _ in range(3):
            done[name].append(session.current())
            session.decide("exclude")
        session.close()
    urls = {name: add_member(db, pg_server, name) for name in ("ana", "ben", "dan")}
    for name in ("ana", "ben"):
        with _conn(urls[name]) as conn:
            assert push(project, conn).added == 3
    with _conn(db) as conn:
        allocate_project(conn, project, store, stage)
        assert allocate_project(conn, project, store, stage) == 0  # again: nothing twice
        decided = dict(conn.execute("SELECT record, decided FROM pool WHERE stage = %s "
                                    "AND decided > 0", (stage,)).fetchall())
        k = conn.execute("SELECT k FROM allocation WHERE stage = %s", (stage,)).fetchone()[0]
    both = set(done["ana"]) & set(done["ben"])
    assert both and k == 2  # the same file order for both: records with their k decisions
    assert decided == {r: (2 if r in both else 1) for r in {*done["ana"], *done["ben"]}}
    with _conn(urls["ana"]) as conn:
        lease = next_record(conn, "ana", stage)
    assert lease is not None and lease.record not in done["ana"]
    with _conn(urls["dan"]) as conn:
        lease = next_record(conn, "dan", stage)
    assert lease is not None and lease.record not in both
    store.close()
