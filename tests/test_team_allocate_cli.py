"""`reviewkit team allocate` (the lead) on a real server: one line of what was shared out;
a reviewer who is not the lead gets one line, exit 2, and nothing changes anywhere."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

import reviewkit.cli.team_allocate  # noqa: F401 - registers the command (cli/team.py imports it)
from helpers import snapshot
from reviewkit.cli.main import app
from teamload_support import add_member, team_database
from test_screening_support import screening_project

psycopg = pytest.importorskip("psycopg")


def test_the_lead_allocates_and_a_reviewer_cannot(pg_server, tmp_path, monkeypatch):
    db = team_database(pg_server, "teamload_cli")
    project, store = screening_project(tmp_path)
    store.close()
    runner = CliRunner()
    monkeypatch.setenv("REVIEWKIT_DATABASE_URL", add_member(db, pg_server, "ana"))
    before = snapshot(project.root)
    refused = runner.invoke(app, ["-C", str(project.root), "team", "allocate",
                                  "title-abstract"])
    assert refused.exit_code == 2
    assert refused.output.strip().splitlines() == [
        "error: field 'stage': only the lead (or the database owner) allocates a stage"]
    assert snapshot(project.root) == before
    with psycopg.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM pool").fetchone() == (0,)
    monkeypatch.setenv("REVIEWKIT_DATABASE_URL", add_member(db, pg_server, "lee", "lead"))
    done = runner.invoke(app, ["-C", str(project.root), "team", "allocate", "title-abstract",
                               "--rank"])
    assert done.exit_code == 0, done.output
    with psycopg.connect(db) as conn:
        records, ranked = conn.execute("SELECT count(*), count(rank) FROM pool").fetchone()
    assert records == ranked > 0
    assert done.output == (f"title-abstract: {records} records added, {records} in all "
                           f"(0 calibration, {records} ranked); k = 2, share {records} each, "
                           "leases of 15 min\n")
    again = runner.invoke(app, ["-C", str(project.root), "team", "allocate", "title-abstract"])
    assert again.output.startswith(f"title-abstract: 0 records added, {records} in all")
