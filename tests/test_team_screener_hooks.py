"""The screener's team hooks on a real ScreenSession and a real server: the leased record is
shown next, every key's event goes to the local log and then to the server, an undo gives
the record back, and the allocation follows the decisions."""

from __future__ import annotations

import pytest

from reviewkit.screening.log import read_jsonl
from reviewkit.screening.session import ScreenSession
from reviewkit.team.allocate import allocate_project
from reviewkit.team.screener_hooks import TeamScreening, attach, lease_into
from teamload_support import add_member, team_database
from test_screening_support import screening_project

psycopg = pytest.importorskip("psycopg")
TA = "title-abstract"


def test_a_screen_session_in_team_mode(pg_server, tmp_path):
    db = team_database(pg_server, "teamload_hooks")
    project, store = screening_project(tmp_path)
    with psycopg.connect(db, autocommit=True) as conn:
        allocate_project(conn, project, store, TA)
    ana = add_member(db, pg_server, "ana")
    session = ScreenSession(project, store, "ana", TA)
    team = TeamScreening(project, "ana", TA, ana)
    attach(session, team)
    leased = [lease_into(session)]
    assert leased[0] is not None and session.current() == leased[0]
    session.decide("include")
    leased.append(lease_into(session))
    assert session.current() == leased[1] != leased[0]
    session.decide("exclude", reason=session.conf.reasons[0])
    session.undo()  # takes back leased[1]: shown again, and hers again on the server
    assert session.current() == leased[1]
    assert lease_into(session) == leased[1]
    session.decide("include")
    lease_into(session)
    session.close()
    log = tmp_path / "review" / "screening" / TA / "ana.jsonl"
    data = log.read_bytes().split(b"\n")
    local = [data[n - 1].decode() for n, _ in read_jsonl(log)[0]]
    assert [e["type"] for _, e in read_jsonl(log)[0]] == ["decision", "decision", "undo",
                                                          "decision"]
    with psycopg.connect(db, autocommit=True) as conn:
        lines = [line for (line,) in conn.execute(
            "SELECT line FROM events WHERE log = %s ORDER BY seq", (f"screening/{TA}/ana.jsonl",))]
        decided = conn.execute("SELECT record FROM assignments WHERE stage = %s AND reviewer = "
                               "'ana' AND decided_at IS NOT NULL ORDER BY record",
                               (TA,)).fetchall()
        held = conn.execute("SELECT count(*) FROM assignments WHERE stage = %s AND "
                            "decided_at IS NULL", (TA,)).fetchone()
    assert lines == local
    assert [r for (r,) in decided] == sorted(leased)
    assert held == (1,)  # the lease of the record on screen when she closed
    assert team.status_line() == "team: online"
    store.close()


def test_attach_refuses_a_session_of_another_log(pg_server, tmp_path):
    project, store = screening_project(tmp_path)
    session = ScreenSession(project, store, "ben", TA)
    team = TeamScreening(project, "ana", TA, "postgresql://127.0.0.1:1/none")
    with pytest.raises(ValueError, match="different logs"):
        attach(session, team)
    session.close()
    store.close()


def test_the_projects_own_server_and_one_that_is_not_usable(pg_server, tmp_path, monkeypatch):
    db = team_database(pg_server, "teamload_hooks_env")
    project, store = screening_project(tmp_path)
    with psycopg.connect(db, autocommit=True) as conn:
        allocate_project(conn, project, store, TA)
    ben = add_member(db, pg_server, "ben")
    monkeypatch.setenv("REVIEWKIT_DATABASE_URL", ben)  # a person's own URL, not the folder's
    session = ScreenSession(project, store, "ben", TA)
    team = TeamScreening(project, "ben", TA)
    attach(session, team)
    first = lease_into(session)
    session.add_note("read the methods first")  # saved and sent at once, like a decision
    assert team.outbox.pending == [] and team.lease.record == first  # still hers to decide
    assert team.retry() is True
    session.close()
    with psycopg.connect(db, autocommit=True) as conn:
        kinds = conn.execute("SELECT kind, record FROM events ORDER BY seq").fetchall()
    assert kinds[0] == ("note", first)
    # a stage not allocated: no lease, and why; the decision sent with the ask still lands
    later = TeamScreening(project, "ben", "full-text")
    later.outbox.save([{"v": 1, "id": "ft1", "type": "note", "stage": "full-text",
                        "reviewer": "ben", "record": first, "note": "n"}])
    assert later.next_record() is None
    assert later.lease_error == "stage full-text has not been allocated"
    assert later.outbox.pending == []
    later.close()
    # a database without the reviewkit schema: the status says why, nothing is lost
    bare = pg_server.createdb("teamload_hooks_bare")
    monkeypatch.setenv("REVIEWKIT_DATABASE_URL", bare)
    other = TeamScreening(project, "ana", TA)
    assert other.next_record() is None
    other.record_decision({"v": 1, "id": "x1", "type": "note", "stage": TA, "reviewer": "ana",
                           "record": first, "note": "kept"})
    line = other.status_line()
    assert line.startswith("team server unavailable (this database holds no reviewkit schema")
    assert line.endswith("1 decision kept locally, sent when it is back") and "\n" not in line
    other.close()
    assert (tmp_path / "review" / "screening" / TA / "ana.jsonl").read_text().count("x1") == 1
    store.close()
