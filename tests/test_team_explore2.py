"""Team mode as a team would use it, on the real server: logs a crash or an editor left
odd (a torn line, a byte-order mark), pushed and pulled; what the server keeps of them."""

from __future__ import annotations

import json
import shutil

import pytest

from helpers import run_cli
from reviewkit.screening import ScreenSession
from reviewkit.screening.log import BOM, read_jsonl
from reviewkit.team.pull import pull
from reviewkit.team.push import push
from team_support import team_database
from test_screening_support import screening_project

psycopg = pytest.importorskip("psycopg")
TA = "title-abstract"


@pytest.fixture(scope="module")
def team(pg_server):
    return team_database(pg_server, "explore2", {"lee": "lead", "ana": "reviewer",
                                                 "ben": "reviewer", "cy": "reviewer",
                                                 "dee": "reviewer", "eve": "reviewer",
                                                 "fay": "reviewer", "arb": "arbiter",
                                                 "gus": "reviewer"})


def _screen(project, store, reviewer, decisions):
    s = ScreenSession(project, store, reviewer, TA)
    for d in decisions:
        s.decide(d)
    s.close()


def _newest_seq(team):
    with team.owner() as con:
        return con.execute("SELECT coalesce(max(seq), 0) FROM events").fetchone()[0]


def _server_rows(team, log, after, columns="line"):
    """The server's rows of ``log`` stored after seq ``after`` (the tests share a server)."""
    with team.owner() as con:
        rows = con.execute(f"SELECT {columns} FROM events WHERE log = %s AND seq > %s "
                           "ORDER BY seq", (log, after)).fetchall()
    return [r[0] for r in rows] if "," not in columns else rows


def _valid_lines(path):
    data = path.read_bytes().removeprefix(BOM).split(b"\n")
    return [data[n - 1].decode() for n, _ in read_jsonl(path)[0]]


def _fresh_clone(project, dest):
    shutil.copytree(project.root, dest, ignore=shutil.ignore_patterns(".reviewkit"))
    for log in (dest / "screening").glob("*/*.jsonl"):
        log.unlink()
    return project.__class__(dest, project.config)


def test_a_torn_line_is_never_kept_on_the_server_and_nothing_valid_is_lost(team, tmp_path):
    project, store = screening_project(tmp_path / "a")
    _screen(project, store, "ana", ["include", "exclude"])
    log = project.root / "screening" / TA / "ana.jsonl"
    with log.open("ab") as fh:
        fh.write(b'{"v":1,"id":"cut","type":"decision","rec')  # a crash mid-write
    _screen(project, store, "ana", ["maybe"])  # the next sitting starts on a fresh line
    store.close()
    rel = f"screening/{TA}/ana.jsonl"
    valid = _valid_lines(log)
    assert len(valid) == 3 and log.read_bytes().count(b"\n") == 4

    after = _newest_seq(team)
    with team.connect("ana") as con:
        result = push(project, con)
    assert result.sent == 3
    assert any(s.line == 3 and "cut short" in s.why for s in result.skipped), result.skipped
    assert _server_rows(team, rel, after) == valid  # every valid line; no garbage
    with team.connect("ana") as con:
        assert push(project, con).added == 0  # re-running adds nothing

    clone = _fresh_clone(project, tmp_path / "clone")
    with team.connect("ana") as con:
        pull(clone, con)
    assert (clone.root / rel).read_text("utf-8").splitlines() == valid
    before = log.read_bytes()
    with team.connect("ana") as con:
        assert pull(project, con).appended == {}  # the folder has it all already
    assert log.read_bytes() == before


def test_a_torn_line_an_older_reviewkit_pushed_is_not_spread_by_pull(team, tmp_path):
    project, store = screening_project(tmp_path / "b")
    _screen(project, store, "ben", ["include"])
    store.close()
    rel = f"screening/{TA}/ben.jsonl"
    log = project.root / rel
    with team.connect("ben") as con:
        push(project, con)
    torn = '{"v":1,"id":"old-torn","type":"deci'
    with team.connect("ben") as con:  # what the reviewkit before this one sent of it
        con.execute("INSERT INTO events (event_id, log, kind, stage, record, reviewer, "
                    "line) VALUES ('line-oldtorn', %s, 'unreadable', %s, NULL, 'ben', %s)",
                    (rel, TA, torn))
    clone = _fresh_clone(project, tmp_path / "clone")
    with team.connect("ben") as con:
        pull(clone, con)
    assert (clone.root / rel).read_bytes() == log.read_bytes()
    with team.connect("ben") as con:
        assert pull(project, con).appended == {}


def test_a_log_an_editor_saved_with_a_byte_order_mark_loses_no_decision(team, tmp_path):
    project, store = screening_project(tmp_path / "c", reviewers=("cy",))
    _screen(project, store, "cy", ["include", "exclude", "include"])
    store.close()
    rel = f"screening/{TA}/cy.jsonl"
    log = project.root / rel
    log.write_bytes(BOM + log.read_bytes())  # Notepad's "UTF-8"
    ids = [event["id"] for _, event in read_jsonl(log)[0]]
    assert len(ids) == 3

    after = _newest_seq(team)
    with team.connect("cy") as con:
        push(project, con)
    rows = _server_rows(team, rel, after, "event_id, kind")
    assert rows == [(i, "decision") for i in ids]  # the first one too, by its own id
    with team.connect("lee") as con:
        progress = con.execute("SELECT reviewer, decided FROM reviewkit_progress() "
                               "WHERE stage = %s AND reviewer = 'cy'", (TA,)).fetchall()
    assert progress == [("cy", len(ids))]
    before = log.read_bytes()
    with team.connect("cy") as con:
        assert pull(project, con).appended == {}  # nothing appended twice
    assert log.read_bytes() == before


def test_a_torn_line_is_named_by_push_on_the_command_line(team, tmp_path, monkeypatch):
    project, store = screening_project(tmp_path / "d", reviewers=("dee",))
    _screen(project, store, "dee", ["include"])
    log = project.root / "screening" / TA / "dee.jsonl"
    with log.open("ab") as fh:
        fh.write(b'{"v":1,"id":"x","ty')
    _screen(project, store, "dee", ["exclude"])
    store.close()
    monkeypatch.setenv("REVIEWKIT_DATABASE_URL", team.url("dee"))
    done = run_cli("team", "push", cwd=project.root)
    assert done.returncode == 0, done.stderr
    assert f"screening/{TA}/dee.jsonl:2: line cut short" in done.stderr, done.stderr
    assert "sent 2 lines" in done.stdout, done.stdout


def test_the_screeners_outbox_sends_a_first_line_behind_a_byte_order_mark_as_push_does(
        team, tmp_path):
    from reviewkit.team.outbox import Outbox, connector

    project, store = screening_project(tmp_path / "e", reviewers=("ben",))
    store.close()
    rel = f"screening/{TA}/ben.jsonl"
    log = project.root / rel
    line = json.dumps({"v": 1, "id": "bom-first", "type": "note", "stage": TA,
                       "reviewer": "ben", "record": "r1", "note": "n"}, separators=(",", ":"))
    log.parent.mkdir(parents=True, exist_ok=True)
    log.write_bytes(BOM + line.encode() + b"\n")
    after = _newest_seq(team)
    box = Outbox(project.root, TA, "ben", connector(team.url("ben")))
    try:
        assert box.flush(force=True), box.status
    finally:
        box.close()
    assert _server_rows(team, rel, after) == [line]  # the event's line, not the mark
    with team.connect("ben") as con:
        result = push(project, con)
    assert result.added == 0 and result.skipped == [], result.skipped


SECRET = "Sesame42x"


@pytest.mark.parametrize("template", [
    "postgresql://{login}@127.0.0.1:{port}/{db}?password={secret}",   # libpq's own key
    "postgresql://{login}:{secret}@[::1",                             # libpq echoes the URI
    "postgresql://{login}:{secret}%ZZ@127.0.0.1:{port}/{db}",          # ... or the token
    "postgresql://{login}:x@{secret}@127.0.0.1:{port}/{db}",           # an '@' in it
    "host=127.0.0.1 port={port} dbname={db} user={login} password={secret}",  # not a URL
])
def test_a_refused_connection_string_never_shows_its_password(team, tmp_path, monkeypatch,
                                                             template):
    from reviewkit.errors import ReviewkitError
    from reviewkit.project.config import Config, Project
    from reviewkit.team.connect import team_connection

    url = template.format(login=team.logins["ana"], secret=SECRET, port=team.server.port,
                          db=team.dbname)
    monkeypatch.setenv("REVIEWKIT_DATABASE_URL", url)
    with pytest.raises(ReviewkitError) as refused:
        team_connection(Project(tmp_path, Config(review={"title": "t"})))
    message = str(refused.value)
    assert "\n" not in message
    assert SECRET not in message and SECRET[:-1] not in message, message


def test_the_command_line_names_the_server_but_not_the_password(team, tmp_path, monkeypatch):
    from helpers import new_project

    project, store = new_project(tmp_path)
    store.close()
    login = team.logins["ana"]
    monkeypatch.setenv("REVIEWKIT_DATABASE_URL", f"postgresql://{login}@127.0.0.1:"
                       f"{team.server.port}/{team.dbname}?password={SECRET}")
    done = run_cli("team", "status", cwd=project.root)
    assert done.returncode == 2 and done.stderr.count("\n") == 1, done.stderr
    assert f"{login}@127.0.0.1:{team.server.port}/{team.dbname}" in done.stderr
    assert "password authentication failed" in done.stderr and SECRET not in done.stderr


def test_a_decision_whose_note_holds_a_nul_character_reaches_the_server(team, tmp_path):
    """JSON may escape NUL (\\u0000); the server's parse of a screening line (jsonb) refused
    it, so one such note stopped every push (and every send of the outbox) for good."""
    from reviewkit.screening.log import append_events
    from reviewkit.team.outbox import Outbox, connector

    project, store = screening_project(tmp_path / "f", reviewers=("dee",))
    _screen(project, store, "dee", ["include"])
    record = next(e["record"] for _, e in read_jsonl(project.root / "screening" / TA
                                                     / "dee.jsonl")[0])
    store.close()
    rel = f"screening/{TA}/dee.jsonl"
    event = {"v": 1, "id": "nul-note", "type": "decision", "stage": TA, "reviewer": "dee",
             "record": record, "decision": "exclude", "note": "pasted\x00text",
             "reason": ""}
    append_events(project.root / rel, [event])
    assert read_jsonl(project.root / rel)[1] == []  # the folder's readers take it
    after = _newest_seq(team)
    with team.connect("dee") as con:
        result = push(project, con)
    assert result.added == 2, result
    assert _server_rows(team, rel, after) == _valid_lines(project.root / rel)
    with team.owner() as con:  # it counts: the allocation and the blinding see it
        shadow = con.execute("SELECT decision FROM screening_shadow WHERE event_id = %s",
                             ("nul-note",)).fetchall()
    assert shadow == [("exclude",)]

    box = Outbox(project.root, TA, "dee", connector(team.url("dee")))
    try:
        box.record([{**event, "id": "nul-note-2", "note": "\x00"}])
        assert box.status.waiting == 0 and box.status.error == "", box.status
    finally:
        box.close()


def test_a_line_holding_half_a_character_is_pushed_as_no_decision(team, tmp_path):
    """A hand-written \\ud800 escape (half of a character pair): the folder's readers skip
    the line; the server parsed it as a decision and refused it, which stopped the push."""
    project, store = screening_project(tmp_path / "g", reviewers=("gus",))
    _screen(project, store, "gus", ["include"])
    rel = f"screening/{TA}/gus.jsonl"
    record = next(e["record"] for _, e in read_jsonl(project.root / rel)[0])
    store.close()
    with (project.root / rel).open("a", encoding="utf-8") as fh:
        fh.write('{"v":1,"id":"half-char","type":"decision","stage":"' + TA + '","reviewer":'
                 '"gus","record":"' + record + '","decision":"exclude","note":"\\ud800"}\n')
    after = _newest_seq(team)
    with team.connect("gus") as con:
        result = push(project, con)
    assert result.added == 2, result
    kinds = dict(_server_rows(team, rel, after, "event_id, kind"))
    assert kinds["half-char"] == "invalid"  # filed, not counted: as the folder's readers


def test_the_server_counts_a_hand_written_line_as_the_folders_readers_do(team, tmp_path):
    """A decision word in capitals is that decision (the readers match it case-blind); a line
    every reader skips (an unknown word, another stage's decision) is no decision: the server
    counted both as written, so a record in agreement was a conflict there (its decisions
    shown to the arbiter) and a skipped line was a decision."""
    from reviewkit.screening import Screening, conflicts
    from reviewkit.screening.log import append_events
    from reviewkit.store import open_store

    project, store = screening_project(tmp_path / "g", reviewers=("eve", "fay"))
    store.close()
    store = open_store(project.store_path)
    records = Screening(project, store).eligible(TA)[:4]
    store.close()

    def line(who, n, record, decision, **extra):
        return {"v": 1, "id": f"{who}-{n}", "type": "decision", "stage": TA, "reviewer": who,
                "record": record, "decision": decision, "reason": "", **extra}

    append_events(project.root / "screening" / TA / "eve.jsonl", [
        line("eve", 1, records[0], "include"), line("eve", 2, records[1], "Exclude"),
        line("eve", 3, records[2], "yes"), {**line("eve", 4, records[3], "include"),
                                            "stage": "full-text"}])
    append_events(project.root / "screening" / TA / "fay.jsonl", [
        line("fay", 1, records[0], "include"), line("fay", 2, records[1], "exclude"),
        line("fay", 3, records[2], "include"), line("fay", 4, records[3], "exclude")])
    store = open_store(project.store_path)
    screening = Screening(project, store)
    local = {who: len(screening.state(TA).log(who).decided()) for who in ("eve", "fay")}
    assert conflicts(screening, TA) == [] and local["eve"] < 4  # the folder's reading
    store.close()

    for who in ("eve", "fay"):
        with team.connect(who) as con:
            push(project, con)
    with team.connect("lee") as con:
        progress = dict(con.execute("SELECT reviewer, decided FROM reviewkit_progress() "
                                    "WHERE stage = %s AND reviewer IN ('eve', 'fay')",
                                    (TA,)).fetchall())
    assert progress == local
    with team.connect("arb") as con:  # no conflict: the arbiter sees nothing of theirs
        seen = con.execute("SELECT count(*) FROM events WHERE reviewer IN ('eve', 'fay')"
                           ).fetchone()[0]
    assert seen == 0


def test_a_server_upgraded_to_0013_reads_the_decisions_it_holds_case_blind(pg_server,
                                                                          monkeypatch):
    from reviewkit.team import migrate as migrate_module
    from reviewkit.team.migrate import migrate

    url = pg_server.createdb("explore2_upgrade")
    known = migrate_module.migrations()
    with psycopg.connect(url, autocommit=True) as con:
        with monkeypatch.context() as patched:  # a server the reviewkit before set up
            patched.setattr(migrate_module, "migrations",
                            lambda: [m for m in known if m.version < 13])
            migrate(con)
        for who, word in (("ana", "Include"), ("ben", " include")):
            line = json.dumps({"v": 1, "id": f"up-{who}", "type": "decision", "stage": TA,
                               "reviewer": who, "record": "r1", "decision": word})
            con.execute("INSERT INTO events (event_id, log, kind, stage, record, reviewer, "
                        "line) VALUES (%s, %s, 'decision', %s, 'r1', %s, %s)",
                        (f"up-{who}", f"screening/{TA}/{who}.jsonl", TA, who, line))
        before = {d for (d,) in con.execute("SELECT decision FROM screening_shadow")}
        assert len(before) == 2  # a conflict, to that server
        assert [m.version for m in migrate(con)] == [m.version for m in known if m.version >= 13]
        after = {d for (d,) in con.execute("SELECT decision FROM screening_shadow")}
    assert after == {"include"}


def test_a_line_of_another_stage_in_a_log_does_not_block_the_outbox(team, tmp_path):
    """A log copied from another stage's folder (or a hand-edited line) holds an event whose
    own "stage" is not its folder's: push files it under the folder's stage, as 'invalid';
    the outbox sent the event's own stage, which the server's policy refuses, and so every
    decision after it waited for ever."""
    from reviewkit.screening.events import decision_event
    from reviewkit.team.outbox import Outbox, connector

    project, store = screening_project(tmp_path / "h", reviewers=("fay",))
    store.close()
    rel = "screening/full-text/fay.jsonl"
    stray = {"v": 1, "id": "copied-1", "type": "decision", "stage": TA, "reviewer": "fay",
             "record": "r-copied", "decision": "include", "reason": ""}
    (project.root / rel).parent.mkdir(parents=True)
    (project.root / rel).write_text(json.dumps(stray) + "\n", "utf-8")
    after = _newest_seq(team)
    box = Outbox(project.root, "full-text", "fay", connector(team.url("fay")))
    try:
        box.record([decision_event("full-text", "fay", "r-next", "exclude")])
        assert box.status.waiting == 0 and box.status.error == "", box.status
    finally:
        box.close()
    rows = _server_rows(team, rel, after, "event_id, kind, stage")
    assert rows[0] == ("copied-1", "invalid", "full-text") and rows[1][1:] == \
        ("decision", "full-text")


def test_team_report_names_the_servers_line_of_a_decision_naming_no_record(team, tmp_path):
    """team report reads the server's copy of the logs, whose lines need not be numbered as
    the folder's (a torn line is not sent, another machine's lines come in the server's
    order): its refusal named a folder path with the server's line number."""
    from reviewkit.errors import ReviewkitError
    from reviewkit.screening.log import append_events
    from reviewkit.store import open_store
    from reviewkit.team.report import server_report

    project, store = screening_project(tmp_path / "i", reviewers=("gus",))
    _screen(project, store, "gus", ["include"])
    store.close()
    rel = f"screening/{TA}/gus.jsonl"
    with (project.root / rel).open("ab") as fh:
        fh.write(b'{"v":1,"id":"cut-gus","ty')
    append_events(project.root / rel, [
        {"v": 1, "id": "gus-orphan", "type": "decision", "stage": TA, "reviewer": "gus",
         "record": "no-such/record", "decision": "include", "reason": ""}])
    with team.connect("gus") as con:
        push(project, con)
    with team.owner() as con:
        ids = [i for (i,) in con.execute("SELECT event_id FROM events WHERE log = %s "
                                         "ORDER BY seq", (rel,))]
    number = ids.index("gus-orphan") + 1
    store = open_store(project.store_path)
    try:
        with team.connect("gus") as con, pytest.raises(ReviewkitError) as refused:
            server_report(project, store, con, tmp_path / "out", None)
    finally:
        store.close()
    message = str(refused.value)
    assert f"server:{rel}:{number}: screening decision names record" in message, message


def test_a_calibration_sample_drawn_after_allocating_keeps_the_shares_balanced(team):
    """`screen calibrate` after `team allocate`: the pool's records stay as they were (none
    is a calibration record), but allocating again shared out the work as if the sample
    were: each share was too small ("share 36 each" for 41 records, k = 2, 2 reviewers) and
    the records left over went to whoever asked first."""
    from reviewkit.team.allocate import allocate, allocation_summary, next_record, workloads

    stage, records, people = "late-calibration", [f"lc{i}" for i in range(6)], (
        "ana", "ben", "cy")
    with team.owner() as con:
        allocate(con, stage, records, k=2, reviewers=3)
        allocate(con, stage, records, k=2, calibration=records[:2], reviewers=3)
        summary = allocation_summary(con, stage)
        for _ in range(len(records) * 2):
            leased = [(who, next_record(con, who, stage)) for who in people]
            for who, lease in leased:
                if lease is not None:
                    con.execute("SELECT reviewkit_decided(%s, %s, %s)",
                                (stage, who, lease.record))
            if all(lease is None for _, lease in leased):
                break
        work = {who: w["decided"] for who, w in workloads(con, stage).items()}
    ordinary = summary["records"] - summary["calibration"]
    assert summary["share"] == -(-ordinary * 2 // len(people))  # ceil: the pool as it is
    assert sum(work.values()) == ordinary * 2 and max(work.values()) == min(work.values()), \
        work


def test_an_event_an_older_reviewkit_stored_twice_behind_a_mark_is_pulled_once(team, tmp_path):
    """A server an older reviewkit filled holds a first line behind a byte-order mark under
    a derived id, and, once pushed again, the same event under its own id: a fresh clone
    got both lines, the event twice (an undo then took back only one of them)."""
    from reviewkit.team.folder import derived_id

    project, store = screening_project(tmp_path / "j", reviewers=("gus",))
    store.close()
    rel = "screening/full-text/gus.jsonl"
    line = json.dumps({"v": 1, "id": "twice-1", "type": "decision", "stage": "full-text",
                       "reviewer": "gus", "record": "r-twice", "decision": "include",
                       "reason": ""})
    with team.connect("gus") as con:
        for event_id, kind, text in (
                (derived_id(rel, "\ufeff" + line, 0), "unreadable", "\ufeff" + line),
                ("twice-1", "decision", line)):
            con.execute("INSERT INTO events (event_id, log, kind, stage, record, reviewer, "
                        "line) VALUES (%s, %s, %s, 'full-text', 'r-twice', 'gus', %s)",
                        (event_id, rel, kind, text))
        pull(project, con)
    events = read_jsonl(project.root / rel)[0]
    assert [e["id"] for _, e in events] == ["twice-1"]
    assert read_jsonl(project.root / rel)[1] == []
