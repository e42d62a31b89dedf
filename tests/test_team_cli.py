"""team add-reviewer and members through the real command: one login role per person, the
password shown once (or read from stdin) and written nowhere in the folder."""

from __future__ import annotations

import subprocess
import sys

import psycopg
import pytest

from helpers import new_project, run_cli, snapshot


def test_add_reviewer_makes_a_login_whose_password_is_shown_once(pg_server, tmp_path,
                                                                  monkeypatch):
    project, store = new_project(tmp_path)
    store.close()
    monkeypatch.setenv("REVIEWKIT_DATABASE_URL", pg_server.createdb("cli"))
    assert run_cli("team", "init", cwd=project.root).returncode == 0
    before = snapshot(project.root)
    done = run_cli("team", "add-reviewer", "ana", "--login", "cli_ana", cwd=project.root)
    assert done.returncode == 0, done.stderr
    first, second = done.stdout.splitlines()
    assert first == "added ana as reviewer (login cli_ana)"
    password = second.rsplit(": ", 1)[1]
    assert len(password) >= 20
    # she logs in with it; nothing of it is in the folder
    with psycopg.connect(pg_server.url("cli_ana", password, "cli")) as con:
        assert con.execute("SELECT reviewkit_me(), reviewkit_my_role()").fetchone() == \
            ("ana", "reviewer")
    assert snapshot(project.root) == before
    assert not any(password.encode() in data for data in snapshot(project.root).values())

    typed = subprocess.run([sys.executable, "-m", "reviewkit", "team", "add-reviewer", "cy",
                            "--role", "arbiter", "--login", "cli_cy", "--password-stdin"],
                           input="chosen by cy\n", capture_output=True, text=True,
                           cwd=project.root, timeout=120)
    assert typed.stdout == "added cy as arbiter (login cli_cy)\n", typed.stderr
    with psycopg.connect(pg_server.url("cli_cy", "chosen%20by%20cy", "cli")) as con:
        assert con.execute("SELECT reviewkit_my_role()").fetchone() == ("arbiter",)

    for args, says in ((["ana", "--login", "cli_ana2"], "ana is already a member"),
                       (["bo", "--login", "cli_ana"], "ana is already a member (login cli_ana)"),
                       (["bo", "--login", "postgres"], "a login role 'postgres' exists"),
                       (["bo", "--role", "boss"], "unknown role 'boss'"),
                       (["bo", "--login", "Bad-Name"], "is not a plain PostgreSQL name"),
                       (["../x"], "reviewer name '../x' must be")):
        refused = run_cli("team", "add-reviewer", *args, cwd=project.root)
        assert refused.returncode == 2 and refused.stderr.count("\n") == 1, refused.stderr
        assert says in refused.stderr, refused.stderr
    members = run_cli("team", "members", "--format", "csv", cwd=project.root)
    assert members.stdout.splitlines() == ["reviewer,login,role,can_log_in",
                                           "ana,cli_ana,reviewer,yes", "cy,cli_cy,arbiter,yes"]


def test_remove_reviewer_takes_access_away_keeps_the_name_and_can_restore(pg_server, tmp_path,
                                                                          monkeypatch):
    project, store = new_project(tmp_path)
    store.close()
    monkeypatch.setenv("REVIEWKIT_DATABASE_URL", pg_server.createdb("rm"))
    assert run_cli("team", "init", cwd=project.root).returncode == 0
    added = run_cli("team", "add-reviewer", "ana", "--login", "rm_ana", cwd=project.root)
    password = added.stdout.splitlines()[1].rsplit(": ", 1)[1]
    url = pg_server.url("rm_ana", password, "rm")
    open_before = psycopg.connect(url, autocommit=True)
    assert open_before.execute("SELECT reviewkit_my_role()").fetchone() == ("reviewer",)
    before = snapshot(project.root)

    done = run_cli("team", "remove-reviewer", "ana", cwd=project.root)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("removed ana (login rm_ana): they can no longer log in")
    with pytest.raises(psycopg.OperationalError, match="not permitted to log in"):
        psycopg.connect(url)
    with pytest.raises(psycopg.errors.InsufficientPrivilege):  # the open session too
        open_before.execute("SELECT count(*) FROM events").fetchone()
    open_before.close()
    members = run_cli("team", "members", "--format", "csv", cwd=project.root)
    assert members.stdout.splitlines() == ["reviewer,login,role,can_log_in",
                                           "ana,rm_ana,reviewer,no"]
    again = run_cli("team", "add-reviewer", "ana", "--login", "rm_ana2", cwd=project.root)
    assert again.returncode == 2 and "ana is already a member" in again.stderr  # name kept
    unknown = run_cli("team", "remove-reviewer", "bo", cwd=project.root)
    assert unknown.returncode == 2 and unknown.stderr.count("\n") == 1, unknown.stderr
    assert "'bo' is not a member of this review (members: ana)" in unknown.stderr

    back = run_cli("team", "remove-reviewer", "ana", "--restore", cwd=project.root)
    assert back.returncode == 0 and back.stdout.startswith("restored ana"), back.stderr
    with psycopg.connect(url) as con:
        assert con.execute("SELECT count(*) FROM events").fetchone() == (0,)
    assert snapshot(project.root) == before
