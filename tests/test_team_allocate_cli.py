"""`reviewkit team allocate` (the lead) on a real server: one line of what was shared out;
a reviewer who is not the lead gets one line, exit 2, and nothing changes anywhere."""

from __future__ import annotations

import zlib

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


@pytest.mark.parametrize(("args", "toml", "says"), [
    (["--reviewers", "-3"], "", "--reviewers is -3: give how many share the work"),
    (["--reviewers", "99999999999"], "", "--reviewers is 99999999999"),
    ([], "\n[team]\nlease_minutes = 100000000\n", "lease_minutes must be a number of minutes "
                                                  "from 1 to 43,200 (30 days)"),
    ([], "\n[team]\nlease_minutes = 0.001\n", "not 0.001"),
    ([], "\n[screening]\nreviewers_per_record = 1000\n",
     "reviewers_per_record is 1000 but 2 reviewer(s) share the work"),
])
def test_allocation_settings_out_of_range_change_nothing(pg_server, tmp_path, monkeypatch,
                                                         args, toml, says):
    db = team_database(pg_server, f"teamload_range_{zlib.crc32(says.encode())}")
    project, store = screening_project(tmp_path)
    store.close()
    config = project.root / "reviewkit.toml"
    config.write_text(config.read_text("utf-8") + toml, "utf-8")
    monkeypatch.setenv("REVIEWKIT_DATABASE_URL", add_member(db, pg_server, "lee", "lead"))
    before = snapshot(project.root)
    done = CliRunner().invoke(app, ["-C", str(project.root), "team", "allocate",
                                    "title-abstract", *args])
    assert done.exit_code == 2, done.output
    lines = done.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and says in lines[0], lines
    if "lease_minutes" in toml:
        at = config.read_text("utf-8").splitlines().index(toml.strip().splitlines()[1]) + 1
        assert f"reviewkit.toml:{at}:" in lines[0]
    assert snapshot(project.root) == before
    with psycopg.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM allocation").fetchone() == (0,)
