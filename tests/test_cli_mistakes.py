"""User mistakes found by exploring the command line: each is one line, exit 2, no
traceback, and the project's files unchanged (folders where files belong, bad options,
hand edits that name nothing)."""

from __future__ import annotations

import shutil

import pytest

from helpers import copy_example, run_cli, snapshot

from conftest import REPO, export_file


def one_line_error(res, *expect: str) -> str:
    assert res.returncode == 2, (res.stdout, res.stderr)
    assert "Traceback" not in res.stderr
    # this machine's fontconfig warns about its own config when graphviz runs: not ours
    lines = [x for x in res.stderr.strip().splitlines() if not x.startswith("Fontconfig")]
    assert len(lines) == 1 and lines[0].startswith("error: "), res.stderr
    for text in expect:
        assert text in lines[0], lines[0]
    return lines[0]


@pytest.fixture(scope="module")
def example(tmp_path_factory):
    return copy_example(REPO, tmp_path_factory.mktemp("x") / "example")


@pytest.fixture
def fresh(example, tmp_path):
    dest = tmp_path / "example"
    shutil.copytree(example, dest)
    return dest


LABELLED = ("record_id,title,abstract,label_included\n1,Budgets for drug users,x,1\n"
            "2,Cats,y,0\n3,Dogs,z,0\n4,Birds,w,0\n")


@pytest.mark.parametrize(("args", "expect"), [
    (["--seed", "-1"], "--seed is -1"),
    (["--prior-included", "-1"], "--prior-included is -1"),
    (["--prior-excluded", "-2"], "--prior-excluded is -2"),
    ([], "every relevant record (1) is a prior"),
])
def test_simulate_bad_options(tmp_path, args, expect):
    data = tmp_path / "set.csv"
    data.write_text(LABELLED, "utf-8")
    one_line_error(run_cli("simulate", str(data), *args, cwd=tmp_path), expect)


def test_simulate_out_into_a_missing_folder(tmp_path):
    data = tmp_path / "set.csv"
    data.write_text(LABELLED.replace("4,Birds,w,0", "4,Budgets for alcohol users,w,1"), "utf-8")
    out = tmp_path / "nowhere" / "order.csv"
    one_line_error(run_cli("simulate", str(data), "-o", str(out), cwd=tmp_path),
                   str(out), "no such file or folder")


@pytest.mark.parametrize(("path", "command"), [
    ("studies.toml", ["status"]),
    ("studies.toml", ["doctor"]),
    ("synthesis/sources.toml", ["synthesis", "matrix"]),
    ("synthesis/codebook.yaml", ["synthesis", "matrix"]),
    ("synthesis/codebook.yaml", ["status"]),
    ("synthesis/findings.yaml", ["report", "-o", "{tmp}/report"]),
])
def test_a_folder_where_a_file_belongs(fresh, tmp_path, path, command):
    target = fresh / path
    target.unlink()
    target.mkdir()
    before = snapshot(fresh)
    args = [a.replace("{tmp}", str(tmp_path)) for a in command]
    line = one_line_error(run_cli(*args, cwd=fresh), path.split("/")[-1])
    assert "folder" in line and "no codebook yet" not in line
    assert snapshot(fresh) == before


def test_a_checklist_colour_that_is_not_a_colour(fresh):
    checklist = fresh / "casp" / "casp-qualitative-2018.yaml"
    text = checklist.read_text("utf-8")
    bad = text.replace('colour: "#c62828"', 'colour: "notacolour"')
    assert bad != text
    checklist.write_text(bad, "utf-8")
    line_no = next(n for n, line in enumerate(bad.splitlines(), 1) if "notacolour" in line)
    for command in (["appraisal", "check"], ["appraisal", "plot", str(fresh / "plot")]):
        one_line_error(run_cli(*command, cwd=fresh), f"casp-qualitative-2018.yaml:{line_no}",
                       "'notacolour' is not a colour")
    checklist.write_text(text.replace('colour: "#c62828"', 'colour: "teal"'), "utf-8")
    assert run_cli("appraisal", "check", cwd=fresh).returncode == 0


@pytest.fixture
def imported(tmp_path):
    """A fresh project with one reviewer and one imported export."""
    assert run_cli("init", "review", cwd=tmp_path).returncode == 0
    root = tmp_path / "review"
    assert run_cli("reviewer", "add", "ana", cwd=root).returncode == 0
    res = run_cli("import", str(export_file("ris/scopus_asysd.ris")), cwd=root)
    assert res.returncode == 0, res.stderr
    return root


@pytest.mark.parametrize(("command", "target"), [
    (["export", "-f", "ris", "-o", "{target}"], "reviewkit.toml"),
    (["export", "-f", "ris", "-o", "{target}"], "searches/exports/scopus_asysd.ris"),
    (["export", "-f", "csv", "-o", "{target}"], "searches/file-ids.tsv"),
    (["screen", "export", "-r", "ana", "-o", "{target}"], "studies.toml"),
    (["screen", "export", "-r", "ana", "-o", "{target}"], "extraction/characteristics.yaml"),
])
def test_minus_o_never_writes_over_a_project_file(imported, command, target):
    before = snapshot(imported)
    args = [a.replace("{target}", target) for a in command]
    one_line_error(run_cli(*args, cwd=imported), f"project's own files ({target})")
    assert snapshot(imported) == before


@pytest.mark.parametrize(("command", "target"), [
    (["synthesis", "matrix", "-f", "csv", "-o", "{target}"], "synthesis/codebook.yaml"),
    (["appraisal", "summary", "-f", "csv", "-o", "{target}"], "casp/welch-2013/consensus.yaml"),
    (["appraisal", "plot", "{target}"], "casp/welch-2013/consensus"),
    (["prisma", "-o", "{target}"], "templates/logo.svg"),
])
def test_minus_o_refuses_the_examples_inputs(fresh, command, target):
    before = snapshot(fresh)
    args = [a.replace("{target}", target) for a in command]
    picture = fresh / target if (fresh / target).suffix else (fresh / target).with_suffix(".svg")
    if not picture.exists():  # a team's own picture where the command would write
        picture.write_text("<svg/>", "utf-8")
        before = snapshot(fresh)
    one_line_error(run_cli(*args, cwd=fresh), "project's own files")
    assert snapshot(fresh) == before


def test_an_output_inside_the_project_can_be_rewritten(fresh):
    for _ in range(2):  # re-running a command rewrites its own output
        res = run_cli("synthesis", "matrix", "-f", "csv", "-o", "synthesis/matrix.csv", cwd=fresh)
        assert res.returncode == 0, res.stderr
    assert (fresh / "synthesis" / "matrix.csv").read_text("utf-8").startswith("code,theme")


def test_a_source_naming_no_study_is_said_everywhere(fresh):
    sources = fresh / "synthesis" / "sources.toml"
    text = sources.read_text("utf-8")
    sources.write_text(text.replace('study = "welch-2013"', 'study = "nostudy"', 1), "utf-8")
    doctor = run_cli("doctor", cwd=fresh)
    assert doctor.returncode == 1 and "study 'nostudy'" in doctor.stdout + doctor.stderr
    assert "studies.toml does not list" in doctor.stdout  # the study fix, not the record one
    assert "export file" not in doctor.stdout
    res = run_cli("synthesis", "matrix", "-f", "csv", cwd=fresh)
    assert res.returncode == 0, res.stderr
    assert "names study 'nostudy', which is not in studies.toml" in res.stderr
    res = run_cli("status", cwd=fresh)
    assert res.returncode == 0, res.stderr
    said = [w for w in res.stderr.splitlines() if "'nostudy'" in w]
    assert len(said) == 1 and "which is not in studies.toml" in said[0]  # once, as an orphan
    at = text[:text.index('study = "welch-2013"')].count("\n") + 1
    assert f"sources.toml:{at}:" in said[0]  # the study line, not its block's header


def test_doctor_lists_lines_no_reader_counts(fresh):
    assert run_cli("doctor", cwd=fresh).returncode == 0
    coding = fresh / "synthesis" / "coding"
    (coding / "zed.jsonl").mkdir()
    with (coding / "tompkins.jsonl").open("a", encoding="utf-8") as fh:
        fh.write("not json\n")
    lines = (coding / "tompkins.jsonl").read_text("utf-8").count("\n")
    before = snapshot(fresh)
    res = run_cli("doctor", cwd=fresh)
    assert res.returncode == 1 and "Traceback" not in res.stderr, res.stderr
    skipped = [x for x in res.stdout.splitlines() if x.startswith("skipped: ")]
    assert len(skipped) == 2, res.stdout
    assert any("synthesis/coding/zed.jsonl" in x for x in skipped)
    assert any(f"tompkins.jsonl:{lines}:" in x for x in skipped)
    assert "counted by no command" in res.stdout and "ok:" not in res.stdout
    assert snapshot(fresh) == before


def test_a_file_id_map_in_another_encoding_names_the_line(imported):
    path = imported / "searches" / "file-ids.tsv"
    data = path.read_bytes()
    bad_line = data.count(b"\n") + 1
    path.write_bytes(data + "# edited by caf\u00e9\n".encode("latin-1"))
    before = snapshot(imported)
    one_line_error(run_cli("status", cwd=imported), f"file-ids.tsv:{bad_line}: not UTF-8")
    assert snapshot(imported) == before
