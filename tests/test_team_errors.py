"""Bad input in team mode: a wrong URL, a refused password, a missing role or database, an
unreachable server, a schema of another version, a row the server refuses. Each is one
line on stderr, exit 2, and nothing written in the folder or on the server."""

from __future__ import annotations

import json
import socket

import psycopg
import pytest

from helpers import new_project, run_cli, snapshot
from reviewkit.screening.log import append_events
from reviewkit.team.migrate import migrations
from team_support import team_database

TA = "title-abstract"


@pytest.fixture(scope="module")
def team(pg_server):
    return team_database(pg_server, "errs", {"ana": "reviewer", "lee": "lead",
                                             "cy": "arbiter"})


@pytest.fixture()
def project(tmp_path):
    project, store = new_project(tmp_path)
    store.close()
    append_events(project.root / "screening" / TA / "ana.jsonl",
                  [{"v": 1, "id": "ana-1", "type": "decision", "stage": TA, "reviewer": "ana",
                    "record": "r1", "decision": "include"}])
    return project


def _refused(monkeypatch, project, team, url, *command, says):
    """Run ``command`` with ``url``; assert one line naming ``says``, exit 2, no change."""
    if url is None:
        monkeypatch.delenv("REVIEWKIT_DATABASE_URL", raising=False)
    else:
        monkeypatch.setenv("REVIEWKIT_DATABASE_URL", url)
    before, rows = snapshot(project.root), team.server_rows()
    done = run_cli("team", *command, cwd=project.root)
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr, done.stderr
    assert says in done.stderr, done.stderr
    assert snapshot(project.root) == before and team.server_rows() == rows
    return done.stderr


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_wrong_url(monkeypatch, project, team):
    _refused(monkeypatch, project, team, "mysql://127.0.0.1/review", "push",
             says="error: field 'REVIEWKIT_DATABASE_URL': expected a URL such as postgresql://")
    bad = team.url("ana") + "?no_such_option=1"
    err = _refused(monkeypatch, project, team, bad, "push",
                   says="not a database URL libpq can read")
    assert team.passwords["ana"] not in err
    _refused(monkeypatch, project, team, team.server.url(dbname="no_such_db"), "pull",
             says='database "no_such_db" does not exist')


def test_an_unreachable_server(monkeypatch, project, team):
    url = f"postgresql://ana@127.0.0.1:{_closed_port()}/errs"
    for command in ("push", "report"):  # the report's folder is not made either
        _refused(monkeypatch, project, team, url, command,
                 says=f"cannot connect to {url}: ")


def test_a_refused_password_never_shown(monkeypatch, project, team):
    url = team.server.url(team.logins["ana"], "not-her-password", "errs")
    err = _refused(monkeypatch, project, team, url, "push",
                   says=f'password authentication failed for user "{team.logins["ana"]}"')
    assert "not-her-password" not in err


def test_a_missing_role(monkeypatch, project, team):
    # no such login: the server does not say which of name and password was wrong
    url = team.server.url("nobody_here", "x", "errs")
    _refused(monkeypatch, project, team, url, "pull",
             says='password authentication failed for user "nobody_here" (wrong password, '
                  "or no such login role)")
    # a login of this server that is not a member of this review (another review's)
    with team.owner() as con:
        con.execute("CREATE ROLE errs_outsider LOGIN PASSWORD 'pw' IN ROLE reviewkit_lead")
    url = team.server.url("errs_outsider", "pw", "errs")
    _refused(monkeypatch, project, team, url, "push",
             says="login 'errs_outsider' is not a member of this review")
    with psycopg.connect(url) as con:  # and by hand it sees nothing either
        assert con.execute("SELECT count(*) FROM events").fetchone()[0] == 0


def test_a_password_in_the_shared_folder_is_refused(monkeypatch, project, team):
    config = project.root / "reviewkit.toml"
    config.write_text(config.read_text() + f'\n[team]\ndatabase = "{team.url("ana")}"\n')
    line = config.read_text().splitlines().index(f'database = "{team.url("ana")}"') + 1
    err = _refused(monkeypatch, project, team, None, "push",
                   says=f"reviewkit.toml:{line}: field 'team.database': the shared folder "
                        "must not hold a password")
    assert team.passwords["ana"] not in err


def test_team_mode_off(monkeypatch, project, team):
    _refused(monkeypatch, project, team, None, "status", says="team mode is off")
    config = project.root / "reviewkit.toml"
    config.write_text(config.read_text() + "\n[team]\ndatabase = 42\n")
    line = config.read_text().splitlines().index("database = 42") + 1
    _refused(monkeypatch, project, team, None, "status",
             says=f"reviewkit.toml:{line}: field 'team.database': expected the server's URL "
                  "as text in quotes")


def test_a_schema_of_another_version(monkeypatch, project, team, pg_server):
    known = [m.version for m in migrations()]
    bare = pg_server.createdb("errs_bare")
    _refused(monkeypatch, project, team, bare, "push", says="holds no reviewkit schema")
    newer = team_database(pg_server, "errs_newer", {"lee": "lead"})
    with newer.owner() as con:
        con.execute("INSERT INTO schema_migrations (version, name) VALUES (9999, 'future')")
    for command in ("push", "pull", "status", "init", "report"):
        _refused(monkeypatch, project, newer, newer.url("lee"), command,
                 says=f"newer than this reviewkit knows ({known[-1]}): upgrade reviewkit")
    older = team_database(pg_server, "errs_older", {"lee": "lead"})
    with older.owner() as con:  # a server set up by the reviewkit before the newest migration
        con.execute("DELETE FROM schema_migrations WHERE version = %s", (known[-1],))
    _refused(monkeypatch, project, older, older.url("lee"), "push",
             says=f"(it lacks migration {known[-1]:04d}): the database owner runs "
                  "'reviewkit team init'")


def test_a_row_the_server_refuses_sends_nothing(monkeypatch, project, team):
    # cy, an arbiter, decided r1 and resolved it too (a hand-edited log: `screen resolve`
    # refuses that): the server's trigger refuses the whole push, her decision line too
    append_events(project.root / "screening" / TA / "cy.jsonl",
                  [{"v": 1, "id": f"cy-{i}", "type": kind, "stage": TA, "reviewer": "cy",
                    "record": "r1", "decision": "include"}
                   for i, kind in enumerate(("decision", "resolution"))])
    _refused(monkeypatch, project, team, team.url("cy"), "push",
             says="error: the server refused: cy decided r1 at title-abstract and may not "
                  "resolve it; ask an arbiter")
    monkeypatch.setenv("REVIEWKIT_DATABASE_URL", team.url("ana"))
    done = run_cli("team", "unblind", TA, cwd=project.root)
    assert (done.returncode, done.stderr) == (2, "error: only the lead may lift blinding\n")


def test_a_resolution_in_a_reviewers_log_is_named_by_file_and_line(monkeypatch, project, team):
    log = project.root / "screening" / TA / "ana.jsonl"
    append_events(log, [{"v": 1, "id": "ana-2", "type": "resolution", "stage": TA,
                         "reviewer": "ana", "record": "r1", "decision": "include"}])
    _refused(monkeypatch, project, team, team.url("ana"), "push",
             says=f"error: {log}:2: a resolution is sent by an arbiter or the lead, not by a "
                  "reviewer (ana)")


def test_the_cli_does_its_job_when_all_is_right(monkeypatch, project, team, pg_server):
    """The counterpart of the refusals above: the same commands with a right login work."""
    monkeypatch.setenv("REVIEWKIT_DATABASE_URL", pg_server.createdb("errs_fresh"))
    first = run_cli("team", "init", cwd=project.root)
    names = ", ".join(f"{m.version:04d}_{m.name}" for m in migrations())
    assert first.stdout == f"applied {names}\n", first.stderr
    assert names.startswith("0001_events, 0002_roles_policies")
    assert run_cli("team", "init", cwd=project.root).stdout == "the schema is up to date\n"
    monkeypatch.setenv("REVIEWKIT_DATABASE_URL", team.url("ana"))
    done = run_cli("team", "push", cwd=project.root)
    assert done.returncode == 0 and "sent 1 lines: 1 new" in done.stdout, done.stderr
    status = run_cli("team", "status", "--format", "json", cwd=project.root)
    assert json.loads(status.stdout) == [{"stage": TA, "reviewer": "ana", "decided": 1,
                                          "conflicts": "", "waiting": ""}]


def test_init_by_a_login_that_may_not_create_the_schema_changes_nothing(monkeypatch, project,
                                                                        team, pg_server):
    url = pg_server.createdb("errs_plain")
    with psycopg.connect(url, autocommit=True) as con:
        con.execute("CREATE ROLE errs_plain LOGIN PASSWORD 'pw'")
    _refused(monkeypatch, project, team, pg_server.url("errs_plain", "pw", "errs_plain"),
             "init", says="team init needs the database owner with the right to create roles")
    with psycopg.connect(url) as con:
        assert con.execute("SELECT to_regclass('schema_migrations'), to_regclass('events')"
                           ).fetchone() == (None, None)


def test_a_server_row_naming_a_file_reviewkit_does_not_write_pulls_nothing(monkeypatch, project,
                                                                           pg_server):
    evil = team_database(pg_server, "errs_evil", {"lee": "lead"})
    with evil.owner() as con:
        for i, log in enumerate(("screening/title-abstract/lee.jsonl", "reviewkit.toml")):
            con.execute("INSERT INTO events (event_id, log, kind, reviewer, line) "
                        "VALUES (%s, %s, 'decision', 'lee', '{}')", (f"e{i}", log))
    _refused(monkeypatch, project, evil, evil.url("lee"), "pull",
             says="the server holds a file reviewkit does not write: 'reviewkit.toml'")


@pytest.mark.parametrize("groups", ["", "IN ROLE reviewkit_reviewer"])
def test_a_login_of_no_member_is_refused_by_every_command(monkeypatch, project, team, groups,
                                                          tmp_path):
    """A login of this server with no reviewkit role (it may not even read the schema), or
    with the group role another review on the server gave it: refused, never a traceback
    or another review's member list."""
    name = "errs_stranger" + ("_r" if groups else "")
    with team.owner() as con:
        con.execute(f"CREATE ROLE {name} LOGIN PASSWORD 'pw' {groups}")
    url = team.server.url(name, "pw", "errs")
    for command in (["status"], ["status", "--stopping"], ["members"], ["push"], ["pull"],
                    ["conflicts"], ["agreement"], ["unblind", TA], ["allocate", TA],
                    ["report", "-o", str(tmp_path / "out")]):
        _refused(monkeypatch, project, team, url, *command,
                 says=f"login '{name}' is not a member of this review: the database owner "
                      f"runs 'reviewkit team add-reviewer NAME --login {name}'")


def test_a_connection_lost_in_the_middle_of_a_command_is_one_line(monkeypatch, project, team):
    """The server ends the session (an administrator, a restart) while a pull waits: one
    line saying so and that a re-run is safe; the folder unchanged."""
    import os
    import subprocess
    import sys
    import time

    monkeypatch.setenv("REVIEWKIT_DATABASE_URL", team.url("ana"))
    before = snapshot(project.root)
    with team.owner() as holder, holder.transaction():
        holder.execute("LOCK TABLE events IN ACCESS EXCLUSIVE MODE")  # the pull waits here
        proc = subprocess.Popen([sys.executable, "-m", "reviewkit", "team", "pull"],
                                cwd=project.root, env=dict(os.environ), text=True,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        with team.owner() as admin:
            waiting = []
            for _ in range(300):
                waiting = admin.execute(
                    "SELECT pid FROM pg_stat_activity WHERE application_name = 'reviewkit' "
                    "AND wait_event_type = 'Lock'").fetchall()
                if waiting or proc.poll() is not None:
                    break
                time.sleep(0.1)
            assert waiting, proc.communicate()
            admin.execute("SELECT pg_terminate_backend(%s)", (waiting[0][0],))
        out, err = proc.communicate(timeout=60)
    assert proc.returncode == 2 and "Traceback" not in err, (out, err)
    assert err.count("\n") == 1 and err.startswith("error: lost the connection to the team's "
                                                   "server (terminating connection"), err
    assert "run the command again" in err
    assert snapshot(project.root) == before


def test_unblinding_a_stage_the_project_does_not_have_is_refused(monkeypatch, project, team,
                                                                 tmp_path):
    """A lift cannot be taken back: a misspelt stage would stay on the server for good."""
    for stage in ("title-abstrct", "", "x" * 3000):
        _refused(monkeypatch, project, team, team.url("lee"), "unblind", stage,
                 says="unknown stage")
    elsewhere = tmp_path / "not-a-project"  # the server alone: the name must be a stage's
    elsewhere.mkdir()
    monkeypatch.setenv("REVIEWKIT_DATABASE_URL", team.url("lee"))
    rows = team.server_rows()
    done = run_cli("team", "unblind", "bad stage/..", cwd=elsewhere)
    assert done.returncode == 2 and "is not a stage name" in done.stderr, done.stderr
    assert team.server_rows() == rows


def test_a_line_edited_after_it_was_sent_is_named_at_the_next_push(monkeypatch, project,
                                                                  pg_server):
    team = team_database(pg_server, "errs_edited", {"ana": "reviewer"})
    monkeypatch.setenv("REVIEWKIT_DATABASE_URL", team.url("ana"))
    assert run_cli("team", "push", cwd=project.root).returncode == 0
    log = project.root / "screening" / TA / "ana.jsonl"
    log.write_text(log.read_text("utf-8").replace('"include"', '"exclude"'), "utf-8")
    rows = team.server_rows()
    done = run_cli("team", "push", cwd=project.root)
    assert done.returncode == 0 and "0 new" in done.stdout, done.stderr
    assert f"{TA}/ana.jsonl:1: event ana-1 differs from the server's copy" in done.stderr
    assert team.server_rows() == rows  # append-only: the server keeps its own
