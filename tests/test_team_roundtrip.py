"""Folder → server → folder: `team push` then `team pull` into a fresh clone gives every log
and document byte for byte, and the commands that count (status, prisma, conflicts,
agreement) print the same from the clone as from the original."""

from __future__ import annotations

import shutil

import pytest

from helpers import copy_example, run_cli
from reviewkit.dedup.judgements import append_judgement
from reviewkit.screening import Screening, ScreenSession, conflicts, resolve
from reviewkit.store import open_store
from reviewkit.team.folder import document_files, log_files
from team_support import team_database
from test_screening_support import screening_project

from conftest import REPO

TA = "title-abstract"


def _screen(project, store, reviewer, decisions):
    s = ScreenSession(project, store, reviewer, TA)
    events = [s.undo() if d == "undo" else s.decide(d) for d in decisions]
    s.close()
    return events


def _clone(src, dest, project_like):
    """The folder as a fresh checkout of its definition would be: no logs, no documents."""
    shutil.copytree(src, dest, ignore=shutil.ignore_patterns(".reviewkit"))
    for rel in [*log_files(project_like), *document_files(project_like)]:
        (dest / rel).unlink()
    return dest


def _files(root, rels):
    return {rel: (root / rel).read_bytes() for rel in rels}


def _as(monkeypatch, team, who):
    monkeypatch.setenv("REVIEWKIT_DATABASE_URL", team.url(who))


@pytest.fixture(scope="module")
def team(pg_server):
    return team_database(pg_server, "roundtrip", {"lee": "lead", "ana": "reviewer",
                                                  "ben": "reviewer", "cy": "arbiter"})


def test_push_then_pull_into_a_fresh_clone_is_byte_identical(team, tmp_path, monkeypatch):
    project, store = screening_project(tmp_path / "a", reviewers=("ana", "ben", "cy"))
    _screen(project, store, "ana", ["include", "exclude", "include", "undo", "exclude"])
    _screen(project, store, "ben", ["include", "include", "exclude"])
    ben_log = project.root / "screening" / TA / "ben.jsonl"
    with ben_log.open("ab") as fh:
        fh.write(b'{"v": 1, "id": "torn", "ty')  # a write a crash cut short...
    _screen(project, store, "ben", ["maybe"])     # ...and the next one on a fresh line
    screening = Screening(project, store)
    record = conflicts(screening, TA)[0]["record_id"]
    resolve(screening, TA, record, "include", "cy")
    other = next(u for u in sorted(screening.state(TA).units_judged()) if u != record)
    append_judgement(project, record, other, False, "ana")
    store.close()
    logs = log_files(project)
    assert len(logs) == 4
    lines = sum((project.root / rel).read_bytes().count(b"\n") for rel in logs)

    _as(monkeypatch, team, "lee")
    first = run_cli("team", "push", cwd=project.root)
    assert first.returncode == 0, first.stderr
    lines -= 1  # the torn line is not pushed: the server would keep it for ever
    assert f"sent {lines} lines: {lines} new" in first.stdout
    assert "ben.jsonl:4: line cut short" in first.stderr, first.stderr
    again = run_cli("team", "push", cwd=project.root)
    assert f"sent {lines} lines: 0 new, {lines} on the server already" in again.stdout
    torn = b'{"v": 1, "id": "torn", "ty\n'
    expected = {rel: data.replace(torn, b"") for rel, data in _files(project.root, logs).items()}
    assert sum(data != expected[rel] for rel, data in _files(project.root, logs).items()) == 1

    clone = _clone(project.root, tmp_path / "clone", project)
    assert not log_files(project.__class__(clone, project.config))
    pulled = run_cli("team", "pull", cwd=clone)
    assert pulled.returncode == 0, pulled.stderr
    assert _files(clone, logs) == expected
    assert log_files(project.__class__(clone, project.config)) == logs
    ben_log.write_bytes(expected[f"screening/{TA}/ben.jsonl"])  # the folders now agree
    for command in (["status"], ["screen", "conflicts", "--stage", TA],
                    ["screen", "agreement", "--stage", TA]):
        here, there = run_cli(*command, cwd=project.root), run_cli(*command, cwd=clone)
        assert here.returncode == 0, (command, here.stderr)
        assert here.stdout == there.stdout, command
        # warnings name the file: the same file, in the other folder
        assert here.stderr.replace(str(project.root), "ROOT") == \
            there.stderr.replace(str(clone), "ROOT"), command
    for root, out in ((project.root, tmp_path / "here"), (clone, tmp_path / "there")):
        done = run_cli("prisma", "--export-counts", str(out) + ".csv", cwd=root)
        assert done.returncode == 0, done.stderr
        done = run_cli("report", "-o", str(out), cwd=root)
        assert done.returncode == 0, done.stderr
    assert (tmp_path / "here.csv").read_bytes() == (tmp_path / "there.csv").read_bytes()
    for name in ("report.md", "report.html"):
        assert (tmp_path / "here" / name).read_bytes() == \
            (tmp_path / "there" / name).read_bytes(), name

    # a pull appends what the clone lacks and keeps what it has not pushed yet
    with (clone / "screening" / TA / "ana.jsonl").open("a") as fh:
        fh.write('{"v": 1, "id": "local-only", "type": "note", "record": "x", "note": "n"}\n')
    store = open_store(project.store_path)
    _screen(project, store, "ben", ["exclude"])
    store.close()
    assert run_cli("team", "push", cwd=project.root).returncode == 0
    again = run_cli("team", "pull", cwd=clone)
    assert "appended 1 lines to 1 logs" in again.stdout, again.stdout
    assert (clone / "screening" / TA / "ben.jsonl").read_bytes() == ben_log.read_bytes()
    assert (clone / "screening" / TA / "ana.jsonl").read_bytes() == \
        (project.root / "screening" / TA / "ana.jsonl").read_bytes() + \
        b'{"v": 1, "id": "local-only", "type": "note", "record": "x", "note": "n"}\n'


def test_the_example_projects_coding_log_and_documents_round_trip(team, tmp_path,
                                                                  monkeypatch):
    root = copy_example(REPO, tmp_path / "example")
    from reviewkit.project import find_project

    project = find_project(root)
    rels = [*log_files(project), *document_files(project)]
    assert "synthesis/coding/tompkins.jsonl" in rels and "casp/croft-2016/consensus.yaml" \
        in rels and "extraction/croft-2016/consensus.yaml" in rels
    _as(monkeypatch, team, "lee")
    pushed = run_cli("team", "push", cwd=root)
    assert pushed.returncode == 0, pushed.stderr
    docs = len(document_files(project))
    assert f"{docs} document versions added" in pushed.stdout
    clone = _clone(root, tmp_path / "clone", project)
    assert run_cli("team", "pull", cwd=clone).returncode == 0
    assert _files(clone, rels) == _files(root, rels)

    # a document changed and pushed replaces the clone's older copy; one changed only in
    # the clone is kept, with a warning
    croft = "casp/croft-2016/consensus.yaml"
    (root / croft).write_bytes((root / croft).read_bytes() + b"# checked again\n")
    assert "1 document versions added" in run_cli("team", "push", cwd=root).stdout
    welch = "extraction/welch-2013/consensus.yaml"
    (clone / welch).write_bytes(b"# edited in the clone\n")
    pulled = run_cli("team", "pull", cwd=clone)
    assert (clone / croft).read_bytes() == (root / croft).read_bytes()
    assert (clone / welch).read_bytes() == b"# edited in the clone\n"
    assert f"warning: {welch}: differs from the server's newest version" in pulled.stderr
