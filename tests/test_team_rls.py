"""Blinding by the database: each connection logs in as the person's own role (never the
superuser, which bypasses row-level security) on the real throw-away server.

One review per module; the tests run in file order and the later ones add to it (cy's
decision and resolution, then the lead lifting blinding), so each states what it expects
from the rows before it."""

from __future__ import annotations

import json

import psycopg
import pytest

from helpers import run_cli, snapshot
from reviewkit.errors import ReviewkitError
from reviewkit.project import init_project
from reviewkit.screening import Screening, ScreenSession, agreement, conflicts
from reviewkit.screening.ranked import stopping
from reviewkit.team.members import unblind
from reviewkit.team.pull import pull
from reviewkit.team.push import push
from reviewkit.team.status import team_status, team_stopping
from reviewkit.team.view import server_agreement, server_conflicts, server_screening
from team_support import team_database
from test_screening_support import screening_project

TA = "title-abstract"
PEOPLE = {"ana": "reviewer", "ben": "reviewer", "cy": "arbiter", "lee": "lead",
          "vi": "viewer"}
INSERT = ("INSERT INTO events (event_id, log, kind, stage, record, reviewer, line) "
          "VALUES (%s, %s, %s, %s, %s, %s, %s)")


def _screen(project, store, reviewer, decisions):
    s = ScreenSession(project, store, reviewer, TA)
    events = [s.decide(d) for d in decisions]
    s.close()
    return events


@pytest.fixture(scope="module")
def review(pg_server, tmp_path_factory):
    """ana and ben screen six records blind in their own folders and push; two conflicts."""
    team = team_database(pg_server, "rls", PEOPLE)
    project, store = screening_project(tmp_path_factory.mktemp("rls"),
                                       reviewers=tuple(PEOPLE))
    said = {"ana": _screen(project, store, "ana", ["include", "include", "exclude",
                                                   "include", "exclude", "include"]),
            "ben": _screen(project, store, "ben", ["include", "exclude", "exclude",
                                                   "exclude", "exclude", "include"])}
    for name in ("ana", "ben"):
        with team.connect(name) as con:
            result = push(project, con)
        assert result.added == 6 and result.not_yours == 6  # each sends only their own
    yield team, project, store, said
    store.close()


def test_while_blind_a_reviewer_gets_none_of_the_others_rows(review, tmp_path):
    team, project, _, said = review
    ben_ids = {e["id"] for e in said["ben"]}
    with team.connect("ana") as con:
        rows = con.execute("SELECT event_id, reviewer, line FROM events").fetchall()
        assert {r[0] for r in rows} == {e["id"] for e in said["ana"]}
        # hand-written queries aimed at ben's rows return nothing either
        assert con.execute("SELECT count(*) FROM events WHERE reviewer = 'ben' "
                           "OR log LIKE '%ben%' OR line LIKE '%ben%'").fetchone()[0] == 0
        assert con.execute("SELECT count(*) FROM events WHERE event_id = ANY(%s)",
                           (list(ben_ids),)).fetchone()[0] == 0
        # what the blinding rules read is closed to her outright
        for query in ("SELECT * FROM screening_shadow",
                      "SELECT * FROM reviewkit_current_decisions()",
                      "SELECT * FROM reviewkit_conflict_keys()"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                con.execute(query)
        # the tool's own queries: pull gives her log and no line of ben's
        clone = tmp_path / "clone"
        (clone / "screening" / TA).mkdir(parents=True)
        pulled = pull(project.__class__(clone, project.config), con)
        assert pulled.written == [f"screening/{TA}/ana.jsonl"]
        assert (clone / "screening" / TA / "ana.jsonl").read_bytes() == \
            (project.root / "screening" / TA / "ana.jsonl").read_bytes()
        # status counts decisions per reviewer, says nothing of conflicts to a reviewer
        info = team_status(con)
        assert info["me"] == "ana" and info["role"] == "reviewer"
        assert {(p["reviewer"], p["decided"]) for p in info["progress"]} == \
            {("ana", 6), ("ben", 6)}
        assert {p["conflicts"] for p in info["progress"]} == {""}


def test_a_reviewer_writes_only_as_themselves_into_their_own_log(review):
    team, _, _, said = review
    line = json.dumps({"id": "forged", "type": "decision", "decision": "include"})
    with team.connect("ana") as con:
        for log, reviewer in ((f"screening/{TA}/ben.jsonl", "ben"),
                              (f"screening/{TA}/ben.jsonl", "ana"),
                              (f"screening/{TA}/ana.jsonl", "ben")):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                con.execute(INSERT, ("forged", log, "decision", TA, "r", reviewer, line))
        with pytest.raises(psycopg.errors.InsufficientPrivilege):  # author is the login
            con.execute("INSERT INTO events (event_id, log, kind, reviewer, line, author) "
                        "VALUES ('x', 'synthesis/coding/ana.jsonl', 'apply', 'ana', '{}', "
                        "'rls_ben')")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):  # resolving: arbiters
            con.execute(INSERT, ("res", f"screening/{TA}/ana.jsonl", "resolution", TA, "r",
                                 "ana", json.dumps({"id": "res", "decision": "include"})))
        # a resolution in ben's name on a record he decided is refused by the policy, not by
        # the party check, whose message would tell her that he decided it
        ben_record = said["ben"][0]["record"]
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            con.execute(INSERT, ("res", f"screening/{TA}/ben.jsonl", "resolution", TA,
                                 ben_record, "ben", json.dumps({"id": "res"})))
        with pytest.raises(psycopg.errors.InsufficientPrivilege):  # append-only
            con.execute("UPDATE events SET line = '{}'")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            con.execute("DELETE FROM events")
    assert "forged" not in {r[0] for r in team.server_rows()}


def test_tables_of_her_own_cannot_stand_in_for_the_servers(review):
    """A session's TEMP tables come first on its search path: named like the members and
    unblinded tables, they must not make her the lead or unblind a stage."""
    team, _, _, said = review
    with team.connect("ana") as con:
        con.execute("CREATE TEMP TABLE members (reviewer text, login name, role text)")
        con.execute("INSERT INTO members VALUES ('ben', current_user, 'lead')")
        con.execute("CREATE TEMP TABLE unblinded (stage text)")
        con.execute("INSERT INTO unblinded VALUES (%s)", (TA,))
        assert con.execute("SELECT reviewkit_me(), reviewkit_my_role()").fetchone() == \
            ("ana", "reviewer")
        seen = {r[0] for r in con.execute("SELECT event_id FROM events")}
    assert seen == {e["id"] for e in said["ana"]}


def test_the_arbiter_sees_the_conflicts_only(review):
    team, project, store, said = review
    # the conflicts as the folder computes them, with both logs at hand
    expected = {row["record_id"] for row in conflicts(Screening(project, store), TA)}
    assert len(expected) == 2
    both = [e for who in ("ana", "ben") for e in said[who]]
    with team.connect("cy") as con:
        seen = con.execute("SELECT event_id, record FROM events").fetchall()
        assert {r[0] for r in seen} == {e["id"] for e in both if e["record"] in expected}
        assert set(con.execute("SELECT record FROM reviewkit_conflict_keys()")
                   .fetchall()) == {(r,) for r in expected}
        info = team_status(con)
        assert {p["waiting"] for p in info["progress"]} == {2}


def test_conflicts_and_agreement_read_through_each_connection(review, monkeypatch):
    """The same conflicts and agreement functions, fed by the server instead of the folder
    (which holds both logs): the arbiter's connection gives the folder's conflicts, ana's
    gives none (she sees no one else), the lead's the folder's agreement."""
    team, project, store, _ = review
    folder = Screening(project, store)
    with team.connect("cy") as con, server_screening(project, store, con) as seen:
        assert conflicts(seen, TA) == conflicts(folder, TA) != []
    with team.connect("ana") as con, server_screening(project, store, con) as seen:
        assert conflicts(seen, TA) == [] and agreement(seen, TA) == []
    with team.connect("lee") as con, server_screening(project, store, con) as seen:
        assert agreement(seen, TA) == agreement(folder, TA) != []
    # the library calls behind `team conflicts` / `team agreement`: the same rows, the
    # default stage, and no problem in the server's logs
    with team.connect("cy") as con:
        assert server_conflicts(project, store, con, None) == (conflicts(folder, TA), [])
    with team.connect("lee") as con:
        assert server_agreement(project, store, con, TA) == (agreement(folder, TA), [])
    # the stopping test: ana's own only; the lead's, everyone's, as the folder gives them
    with team.connect("ana") as con:
        assert team_stopping(project, store, con) == [stopping(folder, TA, "ana")]
    with team.connect("lee") as con:
        assert team_stopping(project, store, con) == [stopping(folder, TA, name)
                                                      for name in ("ana", "ben")]
    with team.connect("cy") as con:  # cy decided nothing yet; sees only conflicts of others
        assert team_stopping(project, store, con) == []
    monkeypatch.setenv("REVIEWKIT_DATABASE_URL", team.url("lee"))
    shown = run_cli("team", "status", "--stopping", "--format", "json", cwd=project.root)
    assert shown.returncode == 0, shown.stderr
    assert json.loads(shown.stdout)[0]["stopping"] == json.loads(json.dumps(
        [stopping(folder, TA, name) for name in ("ana", "ben")]))
    monkeypatch.setenv("REVIEWKIT_DATABASE_URL", team.url("cy"))
    served = run_cli("team", "conflicts", "--format", "csv", cwd=project.root)
    local = run_cli("screen", "conflicts", "--format", "csv", cwd=project.root)
    assert served.returncode == 0, served.stderr
    assert served.stdout == local.stdout and served.stdout.count("\n") == 3


def test_a_resolver_may_not_resolve_a_conflict_they_are_party_to(review):
    team, project, store, said = review
    record = said["ana"][0]["record"]  # ana and ben both included it
    assert said["ben"][0]["record"] == record and said["ben"][0]["decision"] == "include"
    decided = json.dumps({"id": "cy-d", "type": "decision", "decision": "exclude"})
    resolution = json.dumps({"id": "cy-r", "type": "resolution", "decision": "include"})
    log = f"screening/{TA}/cy.jsonl"
    with team.connect("cy") as con:
        con.execute(INSERT, ("cy-d", log, "decision", TA, record, "cy", decided))
        with pytest.raises(psycopg.errors.RaiseException, match="may not resolve"):
            con.execute(INSERT, ("cy-r", log, "resolution", TA, record, "cy", resolution))
        # a conflict cy is not party to: resolved
        other = sorted(r["record_id"] for r in conflicts(Screening(project, store), TA))[0]
        con.execute(INSERT, ("cy-r2", log, "resolution", TA, other, "cy",
                             resolution.replace("cy-r", "cy-r2")))
        # cy's exclusion made a third conflict (cy's own); one of the three is resolved
        progress = team_status(con)["progress"]
        assert {(p["conflicts"], p["waiting"]) for p in progress} == {(3, 2)}
    assert "cy-r" not in {r[0] for r in team.server_rows()}


def test_who_resolved_a_record_may_not_decide_it_afterwards(review):
    team, project, store, said = review
    record = sorted(r["record_id"] for r in conflicts(Screening(project, store), TA))[0]
    resolution = json.dumps({"id": "cy-r9", "type": "resolution", "decision": "include"})
    decided = json.dumps({"id": "cy-d9", "type": "decision", "decision": "exclude"})
    log = f"screening/{TA}/cy.jsonl"
    with team.connect("cy") as con:
        con.execute(INSERT, ("cy-r9", log, "resolution", TA, record, "cy", resolution))
        with pytest.raises(psycopg.errors.RaiseException, match="may not decide it"):
            con.execute(INSERT, ("cy-d9", log, "decision", TA, record, "cy", decided))
    assert "cy-d9" not in {r[0] for r in team.server_rows()}


def test_a_row_written_under_anothers_name_tells_nothing_about_their_decisions(review):
    """The party checks speak only for rows their sender may store: otherwise which message
    came back would say whether the arbiter resolved a record, so that it was a conflict."""
    team, project, store, said = review
    resolved = {e["record"] for e in [*said["ana"], *said["ben"]]} & {
        r["record_id"] for r in conflicts(Screening(project, store), TA)}
    with team.owner() as con:
        by_cy = {r for (r,) in con.execute(
            "SELECT record FROM screening_shadow WHERE kind = 'resolution' AND reviewer = 'cy'")}
    hit = sorted(resolved & by_cy)[0]                      # cy resolved it (the tests above)
    miss = sorted({e["record"] for e in said["ana"]} - by_cy)[0]
    before = team.server_rows()
    messages = []
    for i, record in enumerate((hit, miss)):
        line = json.dumps({"id": f"probe{i}", "type": "decision", "decision": "include"})
        with team.connect("ana") as con, pytest.raises(
                psycopg.errors.InsufficientPrivilege) as err:
            con.execute(INSERT, (f"probe{i}", f"screening/{TA}/cy.jsonl", "decision", TA,
                                 record, "cy", line))
        messages.append(str(err.value))
    assert messages[0] == messages[1] and "row-level security" in messages[0]
    assert team.server_rows() == before
    # the check itself still holds for the one who may write the row
    with team.connect("cy") as con, pytest.raises(psycopg.errors.RaiseException,
                                                  match="may not decide it"):
        con.execute(INSERT, ("cy-d10", f"screening/{TA}/cy.jsonl", "decision", TA, hit, "cy",
                             json.dumps({"id": "cy-d10", "type": "decision"})))


def test_a_viewer_cannot_write_and_sees_no_blinded_decision(review, tmp_path):
    team, project, *_ = review
    before = snapshot(project.root)
    with team.connect("vi") as con:
        assert con.execute("SELECT count(*) FROM events").fetchone()[0] == 0
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            con.execute(INSERT, ("v", f"screening/{TA}/vi.jsonl", "decision", TA, "r", "vi",
                                 "{}"))
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            con.execute("INSERT INTO documents (path, reviewer, content, sha256) "
                        "VALUES ('casp/x/vi.yaml', 'vi', '', '')")
        with pytest.raises(ReviewkitError, match="viewer cannot write"):
            push(project, con)
    assert snapshot(project.root) == before


def test_the_lead_lifts_blinding_for_a_stage(review):
    team, _, _, said = review
    with team.connect("ana") as con:
        with pytest.raises(ReviewkitError, match="only the lead"):
            unblind(con, TA)
    with team.connect("lee") as con:
        assert unblind(con, TA) and not unblind(con, TA)
    with team.connect("ana") as con:
        seen = {r[0] for r in con.execute("SELECT event_id FROM events WHERE reviewer = 'ben'")}
    assert seen == {e["id"] for e in said["ben"]}


def test_appraisal_files_are_blind_too_and_a_consensus_is_shared(review, tmp_path):
    team, *_ = review
    folder = init_project(tmp_path / "docs", "Documents")
    for name in ("ana", "ben", "consensus"):
        path = folder.root / "casp" / "smith-2019" / f"{name}.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"by: {name}\n")
    sent = {}
    for name in ("ana", "ben", "cy"):  # cy, the arbiter, sends the consensus
        with team.connect(name) as con:
            sent[name] = push(folder, con).documents
    assert sent == {"ana": 1, "ben": 1, "cy": 1}
    with team.connect("ana") as con:
        paths = {p for (p,) in con.execute("SELECT path FROM documents")}
        assert paths == {"casp/smith-2019/ana.yaml", "casp/smith-2019/consensus.yaml"}
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            con.execute("INSERT INTO documents (path, reviewer, content, sha256) VALUES "
                        "('casp/smith-2019/ben.yaml', 'ben', 'by: ana', 'x')")
