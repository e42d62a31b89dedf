"""The command line as a user meets it: exit codes, one-line errors, nothing written."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
import sys

import pytest

from helpers import run_cli, snapshot

from conftest import REPO, export_file


@pytest.fixture
def project(tmp_path):
    res = run_cli("init", "review", "--title", "CLI test", cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    root = tmp_path / "review"
    res = run_cli("search", "add", "--id", "wos", "--database", "Web of Science",
                  "--platform", "Clarivate", "--date-run", "2024-01-02", "--hits", "50", cwd=root)
    assert res.returncode == 0, res.stderr
    return root


def _malformed(tmp_path, kind: str):
    path = tmp_path / f"{kind}.ris"
    real = export_file("ris/scopus_asysd.ris").read_bytes()
    if kind == "truncated":
        path.write_bytes(real[: len(real) // 2])
    elif kind == "binary":
        path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4)
    elif kind == "utf16-no-bom":
        path.write_bytes(real.decode("utf-8-sig").encode("utf-16-le"))
    elif kind == "missing-er":
        text = real.decode("utf-8-sig")
        first_er = text.index("\nER  -")
        path.write_text(text[:first_er] + text[text.index("\n", first_er + 1):], "utf-8")
    elif kind == "empty":
        path.write_bytes(b"")
    return path


@pytest.mark.parametrize(("kind", "expect"), [
    ("truncated", "truncated"), ("binary", "binary"), ("utf16-no-bom", "UTF-16"),
    ("missing-er", "no 'ER  -' line"), ("empty", "empty")])
def test_malformed_input_one_line_exit_2_nothing_written(project, tmp_path, kind, expect):
    bad = _malformed(tmp_path, kind)
    before = snapshot(project)
    res = run_cli("import", str(bad), "--search", "wos", cwd=project)
    assert res.returncode == 2
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in res.stderr
    assert lines[0].startswith(f"error: {bad}") and expect in lines[0]
    assert snapshot(project) == before
    status = json.loads(run_cli("status", "--format", "json", cwd=project).stdout)
    assert status[0]["records"] == 0


def test_import_status_list_export(project, tmp_path):
    res = run_cli("import", str(export_file("ris/wos_asysd.ris")), "--search", "wos",
                  "--quiet", cwd=project)
    assert res.returncode == 0 and res.stdout == ""
    status = json.loads(run_cli("status", "-f", "json", cwd=project).stdout)[0]
    assert status["records"] == 50 and status["warnings"] == []
    rows = list(csv.DictReader(io.StringIO(
        run_cli("search", "list", "--format", "csv", cwd=project).stdout)))
    assert rows[0]["id"] == "wos" and rows[0]["imported"] == "50" and rows[0]["check"] == "ok"
    md = run_cli("search", "list", "--format", "md", cwd=project).stdout
    assert md.splitlines()[2].startswith("| id |")
    out = tmp_path / "all.ris"
    res = run_cli("export", "--format", "ris", "--output", str(out), cwd=project)
    assert res.returncode == 0
    assert out.read_text("utf-8").count("\nER  - ") == 50


def test_mismatch_warns_on_import(project):
    res = run_cli("import", str(export_file("ris/wos-ris-txtext_asreview.txt")), "-s", "wos",
                  cwd=project)
    assert res.returncode == 0
    assert "reported 50 hits but the export files hold 10" in res.stderr


def test_unknown_search_and_missing_project(project, tmp_path):
    res = run_cli("import", str(export_file("ris/wos_asysd.ris")), "--search", "nope",
                  cwd=project)
    assert res.returncode == 2 and "no search with id 'nope'" in res.stderr
    res = run_cli("status", cwd=tmp_path)
    assert res.returncode == 2 and "reviewkit init" in res.stderr


def test_store_rebuilds_after_deletion(project):
    run_cli("import", str(export_file("ris/scopus_asysd.ris")), "-s", "wos", "-q", cwd=project)
    first = run_cli("export", "-f", "csv", cwd=project).stdout
    shutil.rmtree(project / ".reviewkit")
    assert run_cli("export", "-f", "csv", cwd=project).stdout == first
    assert first.count("\n") > 10


def test_worked_example_at_repo_root():
    res = run_cli("search", "list", "--format", "json", cwd=REPO)
    assert res.returncode == 0, res.stderr
    rows = {r["id"]: r for r in json.loads(res.stdout)}
    databases = [r for r in rows.values() if r["kind"] == "database"]
    assert len(databases) == 6
    assert sum(r["hits"] for r in databases) == 6693
    assert rows["medline"]["platform"] == "Ovid"
    assert "Personal health budget*" in rows["medline"]["search_string"]


def test_starting_a_command_does_not_load_the_ranker():
    """Every command imports the CLI; scikit-learn, spaCy and scipy.stats (over a second
    together) load only when something is ranked or tested for stopping."""
    code = ("import sys, reviewkit.cli.main; "
            "print(sorted(m for m in ('sklearn', 'spacy', 'scipy.stats') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == "[]"


HEAVY = ("numpy", "scipy", "sklearn", "spacy", "matplotlib", "textual", "docx", "jinja2",
         "pygraphviz", "xmlschema", "rapidfuzz")
TINY_RIS = "".join(
    f"TY  - JOUR\nTI  - {title}\nAU  - Smith, Jane\nPY  - 2020\nJO  - Health Policy\n"
    f"VL  - 12\nSP  - {page}\nER  - \n\n"
    for title, page in (("Budgets held by patients", "1"), ("Budgets held by patients", "1"),
                        ("Care at home for older people", "40")))


def _imported(*args: str, cwd) -> set[str]:
    """Every module `reviewkit ARGS` imports, read from python -X importtime."""
    res = subprocess.run([sys.executable, "-X", "importtime", "-m", "reviewkit", *args],
                         cwd=cwd, capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr[-2000:]
    return {line.rsplit("|", 1)[1].strip() for line in res.stderr.splitlines()
            if line.startswith("import time:") and line.count("|") == 2}


def _heavy(modules: set[str]) -> list[str]:
    return sorted(m for m in modules if m.split(".")[0] in HEAVY)


def test_help_and_status_load_no_heavy_library(project):
    """--help and status (nothing changed since the last command) answer without numpy,
    scikit-learn, spaCy, matplotlib, Textual, python-docx, Jinja2, Graphviz, xmlschema or
    rapidfuzz: each command imports its library in its body."""
    (project / "tiny.ris").write_text(TINY_RIS, encoding="utf-8")
    assert run_cli("import", "tiny.ris", "--search", "wos", "-q", cwd=project).returncode == 0
    (project / "studies.toml").write_text('[[study]]\nid = "s1"\ncitation = "A (2020)"\n',
                                          encoding="utf-8")
    (project / "s1.txt").write_text("People chose their own care.\n", encoding="utf-8")
    added = run_cli("synthesis", "source", "add", "s1.txt", "--study", "s1", cwd=project)
    assert added.returncode == 0, added.stderr  # status then checks the synthesis too
    first = run_cli("status", "-f", "json", cwd=project)  # dedups the new records
    assert first.returncode == 0, first.stderr
    assert json.loads(first.stdout)[0]["duplicates_linked"] == 1
    helped = _imported("--help", cwd=project)
    status = _imported("status", cwd=project)
    # the parse sees real imports: the CLI, and for status the status code itself
    assert {"typer", "reviewkit.cli.main"} <= helped
    assert {"reviewkit.project.status", "reviewkit.dedup.run", "reviewkit.synthesis.anchor"
            } <= status
    assert _heavy(helped) == []
    assert _heavy(status) == []


def test_recomputing_dedup_still_loads_the_engine(project):
    """The other side of the lazy import: records that changed are clustered, so the
    method (rapidfuzz) loads then."""
    (project / "tiny.ris").write_text(TINY_RIS, encoding="utf-8")
    assert run_cli("import", "tiny.ris", "--search", "wos", "-q", cwd=project).returncode == 0
    assert "rapidfuzz" in _heavy(_imported("status", cwd=project))
