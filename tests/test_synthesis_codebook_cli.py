"""`reviewkit synthesis codebook ...` and `framework-fit` as a user runs them."""

from __future__ import annotations

import csv
import io
import json

from helpers import run_cli, snapshot
from synthesis_support import CODEBOOK, synth_project


def ok(*args: str, cwd) -> str:
    r = run_cli(*args, cwd=cwd)
    assert r.returncode == 0, (args, r.stderr)
    return r.stdout


def one_line_error(root, args: tuple[str, ...], words: str) -> None:
    """Exit 2, one line on stderr naming ``words``, every project file as it was."""
    before = snapshot(root)
    r = run_cli(*args, cwd=root)
    assert r.returncode == 2, (args, r.stdout, r.stderr)
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), r.stderr
    assert words in lines[0], lines[0]
    assert snapshot(root) == before, args


def test_edits_from_the_command_line(tmp_path):
    root = synth_project(tmp_path).root
    ok("synthesis", "code", "b", "--text", "Nurses", "--code", "choice-words", "-r", "ann",
       cwd=root)
    out = ok("synthesis", "codebook", "split", "choice-words", "--into", "said,shown",
             "--name", "said=Said out loud", "-r", "ann", cwd=root)
    assert out.splitlines() == [
        "split code choice-words: added said, shown",
        "1 coding(s) stay on choice-words: recode them onto the new codes, then "
        "`reviewkit synthesis codebook delete choice-words` (or merge it)"]
    assert ok("synthesis", "codebook", "move", "time", "--parent", "choice", cwd=root) \
        .strip() == "moved code time under choice"
    ok("synthesis", "codebook", "delete", "shown", "-r", "bo", cwd=root)
    out = ok("synthesis", "codebook", "merge", "choice-words", "--into", "said", "-r", "ann",
             cwd=root)
    assert out.strip() == "merged code choice-words into said: 1 coding(s) and 0 memo(s) " \
                          "follow it"
    rows = json.loads(ok("synthesis", "codebook", "show", "-f", "json", cwd=root))
    assert [(r["id"], r["path"]) for r in rows] == [
        ("autonomy", "Autonomy"), ("choice", "Autonomy > Wanting choice"),
        ("time", "Autonomy > Wanting choice > Time pressure"),
        ("said", "Autonomy > Wanting choice > Said out loud")]
    quotes = list(csv.DictReader(io.StringIO(ok("synthesis", "quotes", "-f", "csv",
                                                cwd=root))))
    assert [(q["text"], q["code"]) for q in quotes] == [
        ("Nurses", "Autonomy > Wanting choice > Said out loud")]


def test_codebook_mistakes_are_one_line_exit_2(tmp_path):
    root = synth_project(tmp_path).root
    ok("synthesis", "code", "b", "--text", "Nurses", "--code", "time", "-r", "ann", cwd=root)
    for args, words in [
        (("move", "autonomy", "--parent", "choice-words"), "a cycle"),
        (("move", "time"), "give --parent P or --top"),
        (("delete", "time", "-r", "ann"), "used by 1 coding(s)"),
        (("edit", "choice", "--level", "code"), "cannot edit 'choice'"),
        (("framework", str(tmp_path / "none.csv")), "no such framework file"),
    ]:
        one_line_error(root, ("synthesis", "codebook", *args), words)


def test_a_code_deleted_by_hand_stops_the_commands_that_read_codings(tmp_path):
    root = synth_project(tmp_path).root
    ok("synthesis", "code", "b", "--text", "Nurses", "--code", "time", "-r", "ann", cwd=root)
    (root / "synthesis/codebook.yaml").write_text(CODEBOOK.replace(
        "  - id: time\n    name: Time pressure\n    parent: null\n    level: code\n", ""),
        "utf-8")
    for cmd in (("matrix",), ("quotes",), ("status",), ("export", str(root / "out.qdpx"))):
        one_line_error(root, ("synthesis", *cmd),
                       "synthesis/codebook.yaml: field 'codes': code 'time' is not in the "
                       "codebook but synthesis/coding/ann.jsonl:2 codes a segment with it")
    assert not (root / "out.qdpx").exists()


def test_framework_from_the_command_line(tmp_path):
    project = synth_project(tmp_path)
    root = project.root
    (root / "synthesis/codebook.yaml").unlink()
    (tmp_path / "fw.csv").write_text("name,description,parent\nWorkload,Time,\n", "utf-8")
    assert ok("synthesis", "codebook", "framework", str(tmp_path / "fw.csv"), cwd=root) \
        .strip() == "added 1 framework code(s)"
    ok("synthesis", "codebook", "add", "nurses", "--name", "Nurses", cwd=root)
    rows = list(csv.DictReader(io.StringIO(ok("synthesis", "codebook", "show", "-f", "csv",
                                              cwd=root))))
    assert [(r["id"], r["level"], r["origin"]) for r in rows] == [
        ("workload", "framework", "framework"), ("nurses", "emergent", "data")]
    ok("synthesis", "code", "b", "--text", "time pressure", "--code", "workload", "-r", "ann",
       cwd=root)
    ok("synthesis", "code", "b", "--text", "Nurses", "--code", "nurses", "-r", "ann",
       cwd=root)
    fit = json.loads(ok("synthesis", "framework-fit", "-f", "json", cwd=root))
    assert [(r["text"], r["codes"]) for r in fit] == [("Nurses", "nurses")]
    # the category renamed in the file: renamed in the codebook, its coding kept
    (tmp_path / "fw.csv").write_text("name,description,parent\nStaff workload,Time,\n",
                                     "utf-8")
    res = run_cli("synthesis", "codebook", "framework", str(tmp_path / "fw.csv"), cwd=root)
    assert res.returncode == 2 and "renames 'workload'" in res.stderr, res.stderr
    assert ok("synthesis", "codebook", "framework", str(tmp_path / "fw.csv"), "-r", "bo",
              cwd=root).strip() == "added 0 framework code(s), renamed 1 (workload -> " \
        "staff-workload)"
    fit = json.loads(ok("synthesis", "framework-fit", "-f", "json", cwd=root))
    assert [(r["text"], r["codes"]) for r in fit] == [("Nurses", "nurses")]
