"""findings.yaml names themes by code id: a rename or merge of the code must not break it."""

from __future__ import annotations

from pathlib import Path

from helpers import copy_example, run_cli
from reviewkit.project.config import find_project
from reviewkit.synthesis.confidence.findings import load_findings

ROOT = Path(__file__).resolve().parents[1]


def _example(tmp_path: Path):
    return find_project(copy_example(ROOT, tmp_path / "example"))


def test_a_renamed_theme_keeps_its_finding(tmp_path: Path) -> None:
    project = _example(tmp_path)
    before = load_findings(project).findings["awareness"]
    r = run_cli("synthesis", "codebook", "rename", "awareness", "budget-awareness",
                "-r", "tompkins", cwd=project.root)
    assert r.returncode == 0, r.stderr
    after = load_findings(find_project(project.root)).findings["awareness"]
    assert after.themes == ["budget-awareness"]
    assert after.studies == before.studies
    assert [s.id for s in after.segments] == [s.id for s in before.segments]
    r = run_cli("synthesis", "soqf", "-f", "csv", cwd=project.root)
    assert r.returncode == 0, r.stderr


def test_a_merged_theme_moves_its_finding_onto_the_code_it_joined(tmp_path: Path) -> None:
    project = _example(tmp_path)
    old = load_findings(project).findings
    both = {s.id for s in old["awareness"].segments} | {s.id for s in old["managing"].segments}
    r = run_cli("synthesis", "codebook", "merge", "awareness", "--into", "managing",
                "-r", "tompkins", cwd=project.root)
    assert r.returncode == 0, r.stderr
    now = load_findings(find_project(project.root)).findings
    assert now["awareness"].themes == ["managing"]
    assert {s.id for s in now["awareness"].segments} == both


def test_a_theme_that_never_was_a_code_is_still_refused(tmp_path: Path) -> None:
    project = _example(tmp_path)
    path = project.root / "synthesis" / "findings.yaml"
    text = path.read_text("utf-8")
    path.write_text(text.replace("themes: [awareness]", "themes: [awarenes]"), "utf-8")
    r = run_cli("synthesis", "findings", cwd=project.root)
    assert r.returncode == 2 and "'awarenes' is not a code" in r.stderr, r.stderr
    assert "synthesis/findings.yaml:" in r.stderr


def test_an_old_code_id_leads_to_the_code_it_became(tmp_path: Path) -> None:
    project = _example(tmp_path)
    for cmd in (["rename", "awareness", "budget-awareness"],
                ["merge", "budget-awareness", "--into", "managing"]):
        r = run_cli("synthesis", "codebook", *cmd, "-r", "tompkins", cwd=project.root)
        assert r.returncode == 0, r.stderr
    source = next(p.stem for p in (project.root / "synthesis" / "sources").glob("*.txt"))
    for args in (["memo", "awareness", "a note", "--on", "code", "-r", "tompkins"],
                 ["code", source, "--text", "the", "--code", "awareness", "-r", "tompkins"],
                 ["codebook", "edit", "awareness", "--name", "X"]):
        r = run_cli("synthesis", *args, cwd=project.root)
        assert r.returncode == 2 and "Traceback" not in r.stderr, args
        assert "'awareness' is not in the codebook (it is now 'managing'" in r.stderr, args
