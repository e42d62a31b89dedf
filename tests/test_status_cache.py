"""`reviewkit status` answered from its last output: only when nothing it reads changed.

Each test compares a cached answer with what a run without any cache prints (the cache file
deleted first), so a stale or garbled replay fails."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from helpers import run_cli
from reviewkit.project import statuscache

CACHE = Path(".reviewkit") / "status-cache.json"


def age(root: Path, seconds: float = 3600) -> None:
    """Every file older than the cache's racy window, as files are when one comes back."""
    t = time.time() - seconds
    for f in root.rglob("*"):
        os.utime(f, (t, t))


def status(root: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-X", "importtime", "-m", "reviewkit", *args],
                          cwd=root, capture_output=True, text=True, timeout=120,
                          env={**os.environ, **(env or {})})


def output(res: subprocess.CompletedProcess) -> tuple[int, str, str]:
    err = "".join(line + "\n" for line in res.stderr.splitlines()
                  if not line.startswith("import time:"))
    return res.returncode, res.stdout, err


def imported_typer(res: subprocess.CompletedProcess) -> bool:
    return any(line.startswith("import time:") and line.split("|")[-1].strip() == "typer"
               for line in res.stderr.splitlines())


def fresh(root: Path, *args: str) -> tuple[int, str, str]:
    """What status prints with no cache at all."""
    (root / CACHE).unlink(missing_ok=True)
    res = output(status(root, *args, "status"))
    (root / CACHE).unlink(missing_ok=True)
    return res


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "p"
    assert run_cli("init", str(root), "--title", "Cache test", cwd=tmp_path).returncode == 0
    # a search that claims 5 hits and has no file: status warns about it on stderr
    assert run_cli("search", "add", "--id", "medline", "--database", "MEDLINE", "--hits", "5",
                   cwd=root).returncode == 0
    assert run_cli("reviewer", "add", "ann", cwd=root).returncode == 0
    age(root)
    return root


def test_a_repeated_status_is_replayed_without_loading_typer(project: Path) -> None:
    expected = fresh(project)
    assert expected[0] == 0 and "Cache test" in expected[1] and "warning:" in expected[2]
    first = status(project, "status")
    assert imported_typer(first) and (project / CACHE).is_file()
    again = status(project, "status")
    assert not imported_typer(again)
    assert output(first) == output(again) == expected


def test_each_format_is_its_own_entry(project: Path) -> None:
    status(project, "status")
    res = status(project, "status", "--format", "json")
    assert imported_typer(res) and res.stdout.lstrip().startswith("[")
    again = status(project, "status", "-f", "json")
    assert not imported_typer(again) and output(again) == output(res)


def test_a_changed_file_is_seen(project: Path) -> None:
    status(project, "status")
    assert run_cli("reviewer", "add", "bo", cwd=project).returncode == 0
    age(project)  # even with every mtime moved back, the size of reviewkit.toml changed
    res = status(project, "status")
    assert imported_typer(res) and "ann; bo" in res.stdout
    assert output(res) == fresh(project)


def test_an_edit_of_the_same_size_is_seen_by_its_mtime(project: Path) -> None:
    status(project, "status")
    toml = project / "reviewkit.toml"
    text = toml.read_text()
    toml.write_text(text.replace("Cache test", "Cache tast"))
    age(project, 100)  # a different old mtime
    res = status(project, "status")
    assert imported_typer(res) and "Cache tast" in res.stdout


def test_another_command_since_means_a_miss(project: Path) -> None:
    status(project, "status")
    assert run_cli("export", "-f", "csv", cwd=project).returncode == 0
    assert imported_typer(status(project, "status"))


def test_files_written_just_now_are_not_cached(project: Path) -> None:
    (project / "notes.txt").write_text("written a moment ago\n")
    first = status(project, "status")
    assert first.returncode == 0 and not (project / CACHE).exists()
    assert imported_typer(status(project, "status"))


def test_team_mode_and_the_environment(project: Path) -> None:
    status(project, "status")
    # another REVIEWKIT_ setting is another key
    assert imported_typer(status(project, "status", env={"REVIEWKIT_X": "1"}))
    assert statuscache.probe(["status"], cwd=project,
                             environ={"REVIEWKIT_DATABASE_URL": "postgresql://h/db"}) is None
    with open(project / "reviewkit.toml", "a") as f:
        f.write('\n[team]\ndatabase = "postgresql://localhost/r"\n')
    assert statuscache.probe(["status"], cwd=project, environ={}) is None


def test_a_failing_status_is_not_cached(tmp_path: Path) -> None:
    (tmp_path / "reviewkit.toml").write_text("this is = = not toml\n")
    age(tmp_path)
    res = status(tmp_path, "status")
    assert res.returncode == 2 and not (tmp_path / CACHE).exists()


@pytest.mark.parametrize(("argv", "parsed"), [
    (["status"], (None, "table")),
    (["-C", "x", "status"], ("x", "table")),
    (["--project=x", "status", "--format=csv"], ("x", "csv")),
    (["status", "-f", "md"], (None, "md")),
    (["status", "--format", "yaml"], None),
    (["status", "--help"], None),
    (["screen", "status"], None),
    (["-C"], None),
    ([], None),
])
def test_which_command_lines_are_cached(argv: list[str], parsed: tuple | None) -> None:
    assert statuscache.parse_status_argv(argv) == parsed


def test_help_lists_every_group_without_building_them(tmp_path: Path) -> None:
    from importlib import import_module

    from reviewkit.cli.lazy import GROUPS, HELP

    res = subprocess.run([sys.executable, "-X", "importtime", "-m", "reviewkit", "--help"],
                         cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert res.returncode == 0
    loaded = {line.split("|")[-1].strip() for line in res.stderr.splitlines()}
    for name, (module, attr) in GROUPS.items():
        assert name in HELP, f"cli/lazy.py HELP has no line for {name}"
        assert getattr(import_module(module), attr).info.help == HELP[name]
        assert f"  {name} " in res.stdout
        assert module not in loaded, f"--help imported {module}"
