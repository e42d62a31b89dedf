"""A server screening on the 0010 schema upgrades to 0011 (lease counters in slots, shares)
mid-stage: its leases, decisions and shares carry over, and screening goes on without a
record over k."""

from __future__ import annotations

from collections import Counter

import pytest

from reviewkit.team import allocate as allocate_module
from reviewkit.team import migrate as migrate_module
from reviewkit.team.allocate import allocate, next_record
from reviewkit.team.migrate import migrate

psycopg = pytest.importorskip("psycopg")

STAGE = "upgrade"


def _decide(conn, reviewer, record):
    conn.execute("SELECT reviewkit_decided(%s, %s, %s)", (STAGE, reviewer, record))


def test_a_stage_half_screened_on_0010_goes_on_after_the_upgrade(pg_server, monkeypatch):
    url = pg_server.createdb("team_upgrade")
    older = [m for m in migrate_module.migrations() if m.version <= 10]
    assert older and max(m.version for m in older) == 10
    with psycopg.connect(url, autocommit=True) as conn:
        with monkeypatch.context() as patched:  # a server set up by the reviewkit before
            patched.setattr(migrate_module, "migrations", lambda: older)
            migrate(conn)
            # that reviewkit had no count of decisions pushed before allocating (0012)
            patched.setattr(allocate_module, "count_decided", lambda *_: 0)
            allocate(conn, STAGE, [f"u{i:02}" for i in range(12)], k=2, reviewers=3)
        held = {name: next_record(conn, name, STAGE).record for name in ("ana", "ben", "cy")}
        for name in ("ana", "ben"):  # two decide, one keeps a lease open across the upgrade
            _decide(conn, name, held[name])
        before = conn.execute("SELECT record, taken, decided FROM pool WHERE stage = %s "
                              "ORDER BY record", (STAGE,)).fetchall()

        applied = migrate(conn)
        assert [m.version for m in applied] == [m.version for m in migrate_module.migrations()
                                                if m.version > 10]
        after = conn.execute("SELECT record, taken, decided FROM pool JOIN slots "
                             "USING (stage, record) WHERE stage = %s ORDER BY record",
                             (STAGE,)).fetchall()
        assert after == before  # every count carried over to its new table
        filled = conn.execute("SELECT record FROM slots WHERE stage = %s AND filled",
                              (STAGE,)).fetchall()
        assert held["ana"] == held["ben"] != held["cy"]  # two on the first record, k = 2
        assert filled == [(held["ana"],)]
        shares = dict(conn.execute("SELECT reviewer, held FROM shares WHERE stage = %s",
                                   (STAGE,)).fetchall())
        assert shares == {"ana": 1, "ben": 1, "cy": 1}

        assert next_record(conn, "cy", STAGE).record == held["cy"]  # her lease survived
        progress = True
        while progress:  # take turns until nobody is given anything
            progress = False
            for name in ("ana", "ben", "cy"):
                lease = next_record(conn, name, STAGE)
                if lease is not None:
                    _decide(conn, name, lease.record)
                    progress = True
        pairs = conn.execute("SELECT record, reviewer FROM assignments WHERE stage = %s "
                             "AND decided_at IS NOT NULL", (STAGE,)).fetchall()
        per_record = Counter(record for record, _ in pairs)
        assert set(per_record.values()) == {2} and len(per_record) == 12
        assert conn.execute("SELECT count(*) FROM pool WHERE stage = %s AND open",
                            (STAGE,)).fetchone() == (0,)
