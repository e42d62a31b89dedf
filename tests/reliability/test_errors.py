"""Bad input to search, report and prisma: exit 2, one line on stderr, and the project's
files byte-identical afterwards. Commands run in-process (CliRunner) so the set stays fast;
one case per group also runs as a real subprocess."""

from __future__ import annotations

import csv
import io
import os
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from helpers import run_cli, snapshot
from reviewkit.cli.main import app
from reviewkit.project import init_project
from reviewkit.searches.log import Search, add_search

from conftest import export_file

RIS = "ris/scopus_asysd.ris"


def cli(root: Path, *args: str):
    return CliRunner().invoke(app, ["-C", str(root), *args])


def fails_cleanly(root: Path, *args: str, says: tuple[str, ...] = ()) -> str:
    """Run a command that must be refused; return its one error line."""
    before = snapshot(root)
    res = cli(root, *args)
    assert res.exit_code == 2, (res.exception, res.stdout, res.stderr)
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1, res.stderr
    assert lines[0].startswith("error: ")
    for words in says:
        assert words in lines[0], lines[0]
    assert snapshot(root) == before
    return lines[0]


@pytest.fixture
def root(tmp_path) -> Path:
    project = init_project(tmp_path / "review", "Errors", "Do they fail cleanly?")
    add_search(project, Search(id="wos", database="Web of Science", hits=10))
    return project.root


# --- search add: all or nothing ------------------------------------------------------

@pytest.mark.parametrize(("make", "says"), [
    (lambda d: d / "missing.ris", ("missing.ris", "no such file")),
    (lambda d: _write(d / "paper.pdf", b"%PDF-1.7\n\x00\x01\x02 binary"), ("paper.pdf",)),
    (lambda d: _write(d / "empty.ris", b""), ("empty.ris",)),
    (lambda d: d, ("expected an export file",)),
])
def test_search_add_with_a_bad_file_leaves_no_search(root, tmp_path, make, says):
    bad = make(tmp_path)
    fails_cleanly(root, "search", "add", "--id", "embase", "--database", "Embase",
                  "--file", str(bad), says=says)
    assert not (root / "searches" / "embase.toml").exists()
    # the id is free again, and the diagram's counts name Embase once
    res = cli(root, "search", "add", "--id", "embase", "--database", "Embase",
              "--file", str(export_file(RIS)))
    assert res.exit_code == 0, res.stderr
    out = tmp_path / "counts.csv"
    assert cli(root, "prisma", "--export-counts", str(out)).exit_code == 0
    rows = {r["data"]: r["n"] for r in csv.DictReader(io.StringIO(out.read_text("utf-8")))}
    assert rows["database_specific_results"].count("Embase") == 1
    assert "xxx" not in rows["database_specific_results"]


def test_search_add_bad_file_as_a_user_meets_it(root, tmp_path):
    before = snapshot(root)
    res = run_cli("search", "add", "--id", "embase", "--database", "Embase", "--file",
                  str(tmp_path / "missing.ris"), cwd=root)
    assert res.returncode == 2 and "Traceback" not in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1
    assert snapshot(root) == before


def test_search_add_one_bad_file_keeps_the_good_one_out_too(root, tmp_path):
    # the second file fails to parse after the first was read: neither is kept
    bad = _write(tmp_path / "bad.ris", b"TY  - JOUR\nTI  - no end record\n")
    fails_cleanly(root, "search", "add", "--id", "embase", "--database", "Embase",
                  "--file", str(export_file(RIS)), "--file", str(bad))
    assert list((root / "searches" / "exports").iterdir()) == []


@pytest.mark.parametrize("sid", ["../evil", "a/b", "/etc/passwd", "..", "Embase", ""])
def test_search_ids_that_are_not_plain_names_are_refused(root, sid):
    fails_cleanly(root, "search", "add", "--id", sid, "--database", "X", says=("id",))
    assert sorted(p.name for p in (root / "searches").glob("*.toml")) == ["wos.toml"]


def test_search_add_twice_with_one_id_is_refused(root):
    fails_cleanly(root, "search", "add", "--id", "wos", "--database", "Web of Science",
                  says=("wos.toml", "exists"))


@pytest.mark.parametrize("name", ["../outside.ris", "/etc/passwd",
                                  "searches/exports/../../../outside.ris"])
def test_search_files_outside_the_project_are_refused_when_loaded(root, name):
    path = root / "searches" / "wos.toml"
    path.write_text(f'database = "Web of Science"\n\nfiles = [\n  "{name}",\n]\n', "utf-8")
    line = fails_cleanly(root, "search", "list", says=("outside the project", "files"))
    assert line.startswith(f"error: {path}:4: ")  # the line holding the bad entry
    fails_cleanly(root, "status", says=("outside the project",))


def test_a_link_out_of_the_project_is_refused(root, tmp_path):
    outside = _write(tmp_path / "secret.ris", export_file(RIS).read_bytes())
    os.symlink(outside, root / "searches" / "exports" / "link.ris")
    path = root / "searches" / "wos.toml"
    path.write_text('database = "WoS"\nfiles = ["searches/exports/link.ris"]\n', "utf-8")
    fails_cleanly(root, "search", "list", says=("outside the project",))


# --- dates ------------------------------------------------------------------------------

@pytest.mark.parametrize("value", ['"2024-02-30"', '"2023-13-01"', '"21/04/2017"',
                                   '"2017-4-21"', '"0000"', '"April 2017"'])
def test_impossible_or_wrong_dates_name_file_line_and_form(root, value):
    path = root / "searches" / "wos.toml"
    path.write_text(f'database = "Web of Science"\nplatform = "Clarivate"\n'
                    f"date_run = {value}\n", "utf-8")
    fails_cleanly(root, "search", "list",
                  says=(f"{path}:3:", "date_run", "YYYY-MM-DD"))


def test_date_on_the_command_line_is_checked_before_writing(root):
    fails_cleanly(root, "search", "add", "--id", "embase", "--database", "Embase",
                  "--date-run", "2024-02-30", says=("date_run", "YYYY-MM-DD"))


@pytest.mark.parametrize("value", ["2024", "2024-02", "2024-02-29", "2024-02-03T10:00:00"])
def test_real_dates_in_every_allowed_form_pass(root, value):
    path = root / "searches" / "wos.toml"
    quoted = value if "T" in value else f'"{value}"'
    path.write_text(f'database = "Web of Science"\ndate_run = {quoted}\n', "utf-8")
    res = cli(root, "search", "list", "--format", "json")
    assert res.exit_code == 0, res.stderr
    assert value[:10] in res.stdout


# --- -C ---------------------------------------------------------------------------------

def test_project_option_naming_no_folder(tmp_path):
    line = fails_cleanly(tmp_path, "-C", str(tmp_path / "nope"), "status",
                         says=("does not exist",))
    assert "nope" in line and "no reviewkit.toml" not in line


def test_project_option_naming_a_file(root, tmp_path):
    fails_cleanly(root, "-C", str(root / "studies.toml"), "status",
                  says=("studies.toml", "a file, not a folder"))
    res = cli(root, "-C", str(root / "reviewkit.toml"), "search", "list", "-f", "json")
    assert res.exit_code == 0 and '"wos"' in res.stdout  # the config file names its project


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


# --- report -o / prisma -o --------------------------------------------------------------

def test_report_into_an_existing_file(root):
    target = _write(root / "notes.txt", b"mine")
    fails_cleanly(root, "report", "-o", str(target), says=("notes.txt", "is a file"))
    res = run_cli("report", "-o", str(target), cwd=root)  # as a user meets it
    assert res.returncode == 2 and "Traceback" not in res.stderr


@pytest.mark.parametrize("command", [("report", "-o", "{f}/sub"),
                                     ("prisma", "-o", "{f}/flow.svg"),
                                     ("prisma", "--export-counts", "{f}/counts.csv")])
def test_output_under_a_file(root, command):
    parent = _write(root / "notes.txt", b"mine")
    args = [a.format(f=parent) for a in command]
    fails_cleanly(root, *args, says=(args[-1], "is a file, not a folder"))


def test_prisma_output_that_is_a_folder(root):
    (root / "flow.svg").mkdir()
    fails_cleanly(root, "prisma", "-o", str(root / "flow.svg"), says=("is a folder",))


def _unwritable(tmp_path: Path) -> Path:
    """A folder this process cannot write in: read-only for a user, /sys for root."""
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        (folder / "probe").touch()
    except OSError:
        return folder
    (folder / "probe").unlink()
    try:  # root writes anywhere but in /sys
        (Path("/sys") / "reviewkit-probe").touch()
    except OSError:
        return Path("/sys")
    pytest.skip("no folder here refuses this user's writes")


def test_report_under_a_folder_that_cannot_be_written(root, tmp_path):
    folder = _unwritable(tmp_path)
    fails_cleanly(root, "report", "-o", str(folder / "report"),
                  says=(str(folder / "report"), "cannot write"))
    fails_cleanly(root, "prisma", "-o", str(folder / "flow.svg"), says=("cannot write",))


# --- paths in reviewkit.toml ------------------------------------------------------------

@pytest.mark.parametrize("value", ["/etc/passwd", "../counts.csv", "searches/../../x.csv"])
def test_report_counts_outside_the_project_is_not_read(root, tmp_path, value):
    _write(tmp_path / "counts.csv", b"root:x:0:0:SECRET-FIRST-LINE\n")
    config = root / "reviewkit.toml"
    config.write_text(config.read_text("utf-8") + f'\n[report]\ncounts = "{value}"\n', "utf-8")
    line = fails_cleanly(root, "report", says=("reviewkit.toml", "report.counts",
                                               "outside the project"))
    assert "SECRET" not in line and "root:x" not in line
    fails_cleanly(root, "report", "-o", str(tmp_path / "out"), says=("report.counts",))
    assert not (tmp_path / "out").exists()


def test_a_counts_file_that_is_not_one_is_not_quoted(root, tmp_path):
    _write(root / "counts.csv", b"root:x:0:0:SECRET-FIRST-LINE\n")
    config = root / "reviewkit.toml"
    config.write_text(config.read_text("utf-8") + '\n[report]\ncounts = "counts.csv"\n',
                      "utf-8")
    line = fails_cleanly(root, "report", says=("counts.csv:1", "header"))
    assert "SECRET" not in line


@pytest.mark.parametrize(("section", "key", "value"), [
    ("report", "counts", "/etc/passwd"), ("screening", "fulltext_dir", "../../"),
    ("screening", "fulltext_dir", "/home")])
def test_paths_in_reviewkit_toml_stay_inside_for_every_command(root, section, key, value):
    config = root / "reviewkit.toml"
    text = config.read_text("utf-8") + f'\n[{section}]\n{key} = "{value}"\n'
    config.write_text(text, "utf-8")
    line_no = text.splitlines().index(f'{key} = "{value}"') + 1
    for command in (["status"], ["search", "list"]):
        fails_cleanly(root, *command, says=(f"reviewkit.toml:{line_no}:", f"{section}.{key}",
                                            "outside the project"))


def test_a_folder_named_like_a_search_file(root):
    (root / "searches" / "extra.toml").mkdir()
    fails_cleanly(root, "search", "list", says=("extra.toml", "is a folder"))


def test_an_export_already_logged_under_another_search(root):
    res = cli(root, "search", "add", "--id", "embase", "--database", "Embase",
              "--file", str(export_file(RIS)))
    assert res.exit_code == 0, res.stderr
    fails_cleanly(root, "search", "add", "--id", "scopus", "--database", "Scopus",
                  "--file", str(export_file(RIS)), says=("already logged", "'embase'"))
    assert cli(root, "status").exit_code == 0


def test_an_empty_export_file_name(root):
    (root / "searches" / "wos.toml").write_text('database = "WoS"\nfiles = [""]\n', "utf-8")
    fails_cleanly(root, "search", "list", says=("wos.toml:2:", "empty export file name"))


def test_prisma_without_graphviz_writes_neither_file(root, monkeypatch):
    monkeypatch.setenv("REVIEWKIT_DOT", "no-such-dot-program")
    monkeypatch.setitem(sys.modules, "pygraphviz", None)  # nor the wheel's Graphviz
    fails_cleanly(root, "prisma", "-o", str(root / "flow.svg"), "--export-counts",
                  str(root / "counts.csv"), says=("Graphviz", "-o "))
    res = cli(root, "prisma", "-o", str(root / "flow.dot"))  # DOT needs no Graphviz
    assert res.exit_code == 0 and (root / "flow.dot").read_text("utf-8").startswith("// PRISMA")


def test_negative_reported_duplicates(root):
    config = root / "reviewkit.toml"
    config.write_text(config.read_text("utf-8") + "\n[report]\nduplicates = { wos = -3 }\n",
                      "utf-8")
    fails_cleanly(root, "report", "-o", str(root.parent / "out"),
                  says=("reviewkit.toml", "report.duplicates.wos", "greater than or equal to 0"))
    assert not (root.parent / "out").exists()
