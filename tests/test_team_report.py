"""`team report`: the report built from what the server shows this connection. The lead's
equals the folder's own report; a blind reviewer's rests on their own decisions only; the
folder's logs are not touched."""

from __future__ import annotations

import json
import shutil

import pytest

from helpers import run_cli
from reviewkit.screening import ScreenSession
from reviewkit.team.folder import log_files
from team_support import team_database
from test_screening_support import screening_project

TA = "title-abstract"


@pytest.fixture(scope="module")
def team(pg_server):
    return team_database(pg_server, "report", {"lee": "lead", "ana": "reviewer",
                                               "ben": "reviewer"})


def _screen(project, store, reviewer, decisions):
    s = ScreenSession(project, store, reviewer, TA)
    for d in decisions:
        s.decide(d)
    s.close()


def _report(root, out, *command):
    done = run_cli(*command, "-o", str(out), cwd=root)
    assert done.returncode == 0, done.stderr
    return (out / "report.md").read_text("utf-8")


def test_team_report_is_the_servers_view(team, tmp_path, monkeypatch):
    project, store = screening_project(tmp_path / "p", reviewers=("ana", "ben"))
    _screen(project, store, "ana", ["include", "exclude", "include"])
    _screen(project, store, "ben", ["include", "include", "exclude", "exclude"])
    store.close()
    logs = log_files(project)
    before = {rel: (project.root / rel).read_bytes() for rel in logs}
    monkeypatch.setenv("REVIEWKIT_DATABASE_URL", team.url("lee"))
    assert run_cli("team", "push", cwd=project.root).returncode == 0

    folder = _report(project.root, tmp_path / "folder", "report")
    lead = _report(project.root, tmp_path / "lead", "team", "report")
    assert lead == folder
    assert "ben" in lead and "ana" in lead

    # ana, blind: the server returns her rows only, so her report is the report of a
    # folder that holds her log alone
    monkeypatch.setenv("REVIEWKIT_DATABASE_URL", team.url("ana"))
    mine = _report(project.root, tmp_path / "ana", "team", "report")
    alone = tmp_path / "alone"
    shutil.copytree(project.root, alone, ignore=shutil.ignore_patterns(".reviewkit"))
    (alone / "screening" / TA / "ben.jsonl").unlink()
    monkeypatch.delenv("REVIEWKIT_DATABASE_URL")
    expected = _report(alone, tmp_path / "alone-report", "report")
    assert mine == expected
    assert mine != lead

    # the folder's logs are as they were: the server's rows went to a private view
    assert {rel: (project.root / rel).read_bytes() for rel in logs} == before


def test_team_report_names_the_servers_lines_it_skipped(team, tmp_path, monkeypatch):
    """A line the readers skip (here a decision no reader knows) is reported as the
    folder's `report` reports its own, named as the server's log, never dropped silently."""
    from reviewkit.team.connect import team_connection
    from reviewkit.team.report import server_report

    project, store = screening_project(tmp_path / "p", reviewers=("ana", "ben"))
    _screen(project, store, "ana", ["include", "exclude"])
    log = project.root / "screening" / TA / "ana.jsonl"
    first = json.loads(log.read_text("utf-8").splitlines()[0])
    odd = {**first, "id": first["id"] + "-odd", "decision": "perhaps"}
    with log.open("a", encoding="utf-8") as fh:
        fh.write(json.dumps(odd) + "\n")
    monkeypatch.setenv("REVIEWKIT_DATABASE_URL", team.url("lee"))
    assert run_cli("team", "push", cwd=project.root).returncode == 0
    local = run_cli("report", "-o", str(tmp_path / "local"), cwd=project.root)
    served = run_cli("team", "report", "-o", str(tmp_path / "served"), cwd=project.root)
    assert local.returncode == served.returncode == 0, served.stderr
    mine = [ln for ln in local.stderr.splitlines() if ln.startswith("warning: skipped:")]
    theirs = [ln for ln in served.stderr.splitlines() if "skipped:" in ln]
    assert mine and len(theirs) == len(mine)
    assert all("server:screening/" in ln and "perhaps" in ln for ln in theirs), theirs
    con = team_connection(project)
    try:
        *_, skipped = server_report(project, store, con, tmp_path / "lib", None)
    finally:
        con.close()
        store.close()
    assert len(skipped) == len(mine) and skipped[0].startswith("server:screening/")


def test_team_report_of_a_project_with_a_synthesis_is_the_folders(pg_server, tmp_path,
                                                                   monkeypatch):
    """The demo: searches, screening, appraisal, extraction and a synthesis whose sources
    are files checked to lie inside the project. The lead's team report is the folder's."""
    assert run_cli("demo", "demo", cwd=tmp_path).returncode == 0
    root = tmp_path / "demo"
    team = team_database(pg_server, "report_demo", {"lee": "lead"})  # its own review
    monkeypatch.setenv("REVIEWKIT_DATABASE_URL", team.url("lee"))
    pushed = run_cli("team", "push", cwd=root)
    assert pushed.returncode == 0, pushed.stderr
    folder = _report(root, tmp_path / "folder", "report")
    lead = _report(root, tmp_path / "lead", "team", "report")
    assert lead == folder and "Synthesis" in lead
    assert not list((root / ".reviewkit").glob("team-view-*"))  # the view is gone
