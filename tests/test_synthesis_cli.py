"""`reviewkit synthesis ...` as a user runs it: output, warnings, one-line errors, exit 2."""

from __future__ import annotations

import csv
import io
import json

from helpers import run_cli, snapshot
from synthesis_support import TEXT_B, synth_project


def test_scripted_coding_to_matrix_quotes_and_status(tmp_path):
    project = synth_project(tmp_path)
    root = project.root
    (tmp_path / "c.md").write_text("Carers wanted choice as well.\n", "utf-8")
    r = run_cli("synthesis", "source", "add", str(tmp_path / "c.md"), "--study", "smith-2015",
                "--id", "smith-extra", "--title", "Extra", cwd=root)
    assert r.returncode == 0, r.stderr
    assert "added source smith-extra" in r.stdout
    r = run_cli("synthesis", "codebook", "add", "carers", "--name", "Carers", "--parent",
                "choice", cwd=root)
    assert (r.returncode, r.stdout.strip()) == (0, "added code carers (code)"), r.stderr
    r = run_cli("synthesis", "code", "smith-extra", "--text", "Carers wanted choice",
                "--code", "carers", "-r", "ann", "--role", "participant quote", "--page", "7",
                cwd=root)
    assert r.returncode == 0, r.stderr
    segment = r.stdout.split()[1]
    r = run_cli("synthesis", "code", "b", "--text", "time pressure", "--code", "time",
                "-r", "bo", cwd=root)
    assert r.returncode == 0, r.stderr
    r = run_cli("synthesis", "matrix", "--format", "json", cwd=root)
    assert r.returncode == 0, r.stderr
    rows = {row["code"]: row for row in json.loads(r.stdout)}
    assert (rows["autonomy"]["smith-2015"], rows["autonomy"]["callanan-2012"]) == (1, 0)
    assert rows["time"]["studies"] == 1
    assert rows["choice"]["theme"] == "Wanting choice" and "depth" not in rows["choice"]
    r = run_cli("synthesis", "codebook", "rename", "carers", "carers-voice", "-r", "bo",
                cwd=root)
    assert r.returncode == 0, r.stderr
    r = run_cli("synthesis", "quotes", "--role", "participant quote", "-f", "csv", cwd=root)
    assert r.returncode == 0, r.stderr
    quotes = list(csv.DictReader(io.StringIO(r.stdout)))
    assert [(q["text"], q["page"], q["code"]) for q in quotes] == [
        ("Carers wanted choice", "7", "Autonomy > Wanting choice > Carers")]
    r = run_cli("synthesis", "memo", "--on", "segment", segment, "carers speak for them",
                "-r", "ann", cwd=root)
    assert r.returncode == 0, r.stderr
    # an edited source: reported by source check, its segment re-anchored, not lost
    (root / "synthesis/sources/b.md").write_text("New first line.\n" + TEXT_B, "utf-8")
    r = run_cli("synthesis", "source", "check", cwd=root)
    assert r.returncode == 1 and "source 'b' changed since it was added" in r.stdout
    r = run_cli("synthesis", "status", "-f", "json", cwd=root)
    assert r.returncode == 0, r.stderr
    info = json.loads(r.stdout)[0]
    assert (info["segments"], info["memos"], info["segments moved"],
            info["segments lost"], info["coders"]) == (2, 1, 1, 0, "ann, bo")


def test_user_mistakes_are_one_line_exit_2_and_write_nothing(tmp_path):
    project = synth_project(tmp_path)
    root = project.root
    (tmp_path / "c.txt").write_text("x\n", "utf-8")
    cases = [
        (("synthesis", "code", "b", "--text", "absent words", "--code", "time", "-r", "ann"),
         "the text does not occur in source 'b'"),
        (("synthesis", "code", "b", "--text", "ti", "--code", "time", "-r", "ann"),
         "occurs 2 times"),
        (("synthesis", "source", "add", str(tmp_path / "c.txt"), "--study", "nobody"),
         "study 'nobody' is not in studies.toml"),
        (("synthesis", "codebook", "add", "time", "--name", "Again"),
         "synthesis/codebook.yaml:16: field 'id': code 'time' is already"),
        (("synthesis", "uncode", "0123456789abcdef", "--code", "time", "-r", "ann"),
         "no segment '0123456789abcdef'"),
    ]
    before = snapshot(root)
    for args, words in cases:
        r = run_cli(*args, cwd=root)
        assert r.returncode == 2, (args, r.stdout, r.stderr)
        lines = r.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: "), r.stderr
        assert words in lines[0], lines[0]
        assert snapshot(root) == before, args


def _coded(tmp_path, coder: str):
    """(project root, segment): "Nurses" of source b coded time by ``coder``, by command."""
    root = synth_project(tmp_path).root
    r = run_cli("synthesis", "code", "b", "--text", "Nurses", "--code", "time", "-r", coder,
                cwd=root)
    return root, r.stdout.split()[1]


def test_bad_codebook_and_torn_log_as_a_user_sees_them(tmp_path):
    root, segment = _coded(tmp_path, "ann")
    with (root / "synthesis/coding/ann.jsonl").open("ab") as fh:
        fh.write(b'{"v": 1, "id": "torn", "type": "apply"')
    r = run_cli("synthesis", "quotes", cwd=root)
    assert r.returncode == 0, r.stderr
    assert "Nurses" in r.stdout
    assert ("warning: synthesis/coding/ann.jsonl:3: line cut short" in r.stderr), r.stderr
    # a command that writes warns too, and its event lands on a fresh line after the torn one
    r = run_cli("synthesis", "uncode", segment, "--code", "time", "-r", "ann", cwd=root)
    assert r.returncode == 0 and "warning: synthesis/coding/ann.jsonl:3:" in r.stderr
    assert (root / "synthesis/coding/ann.jsonl").read_text("utf-8").splitlines()[3].startswith(
        '{"v":1')
    book = root / "synthesis/codebook.yaml"
    book.write_text(book.read_text("utf-8").replace("level: descriptive", "level: theme"),
                    "utf-8")
    before = snapshot(root)
    r = run_cli("synthesis", "matrix", cwd=root)
    assert r.returncode == 2
    assert r.stderr.startswith("error: synthesis/codebook.yaml:11: field 'level': level "
                               "'theme' is not a level of thematic"), r.stderr
    assert snapshot(root) == before


def test_project_status_names_a_coded_segment_an_edit_lost(tmp_path):
    assert run_cli("init", "review", cwd=tmp_path).returncode == 0
    root = tmp_path / "review"
    assert run_cli("reviewer", "add", "ann", cwd=root).returncode == 0
    (root / "studies.toml").write_text('[[study]]\nid = "s1"\ncitation = "Smith (2020)"\n',
                                       "utf-8")
    text = tmp_path / "s1.txt"
    text.write_text("Participants valued choice. Staff worried about relapse.\n", "utf-8")
    steps = [("synthesis", "source", "add", str(text), "--study", "s1", "--id", "s1-findings"),
             ("synthesis", "codebook", "add", "choice", "--name", "Choice", "--level",
              "descriptive"),
             ("synthesis", "code", "s1-findings", "--text", "Participants valued choice.",
              "--code", "choice", "-r", "ann")]
    for args in steps:
        res = run_cli(*args, cwd=root)
        assert res.returncode == 0, (args, res.stderr)
    res = run_cli("status", "-f", "json", cwd=root)
    assert not [w for w in json.loads(res.stdout)[0]["warnings"] if w.startswith("synthesis")]
    kept = root / "synthesis" / "sources" / "s1-findings.txt"
    kept.write_text("Staff worried about relapse.\n", "utf-8")  # the coded words are gone
    warnings = json.loads(run_cli("status", "-f", "json", cwd=root).stdout)[0]["warnings"]
    lost = [w for w in warnings if w.startswith("synthesis:") and "lost" in w]
    assert len(lost) == 1


def test_uncoding_another_coders_coding_needs_others(tmp_path):
    root, segment = _coded(tmp_path, "bo")
    before = snapshot(root)
    r = run_cli("synthesis", "uncode", segment, "--code", "time", "-r", "ann", cwd=root)
    assert r.returncode == 2
    assert len(r.stderr.strip().splitlines()) == 1 and "made by bo" in r.stderr, r.stderr
    assert "--others" in r.stderr
    assert snapshot(root) == before
    r = run_cli("synthesis", "uncode", segment, "--code", "time", "-r", "ann", "--others",
                cwd=root)
    assert r.returncode == 0, r.stderr
    # the removal is in ann's own log; bo's log is as it was
    assert (root / "synthesis/coding/bo.jsonl").read_bytes() == \
        before["synthesis/coding/bo.jsonl"]
    mine = [json.loads(x) for x in (root / "synthesis/coding/ann.jsonl").read_text(
        "utf-8").splitlines()]
    assert [(e["type"], e["coder"], e["segment"], e["code"]) for e in mine] == [
        ("remove", "ann", segment, "time")]
