"""Test support for appraisal and extraction: the published facts and small projects.

``section`` reads one top-level section of ../shared/example/tompkins-2018.yaml.

The file as a whole is not valid YAML: a few notes are written as `key: value`
lines inside lists (e.g. `databases_total` under `searches`,
`per_study_answers` under `casp_summary`). Each section is parsed on its own,
without those stray lines, so a test compares against exactly what it lists.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import yaml

from reviewkit.project import Project, init_project
from reviewkit.screening import add_reviewer

from conftest import REPO

_NOTE_IN_LIST = re.compile(r"^  [A-Za-z_]+:")


def section(path: Path, key: str) -> object:
    lines = path.read_text("utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(f"{key}:"))
    block = [lines[start]]
    for line in lines[start + 1:]:
        if line and not line[0].isspace() and not line.startswith("#"):
            break
        if _NOTE_IN_LIST.match(line):
            continue
        block.append(line)
    return _plain_keys(yaml.safe_load("\n".join(block))[key])


def _plain_keys(value: object) -> object:
    """YAML 1.1 reads the keys `yes:` and `no:` as booleans; give them back their names."""
    if isinstance(value, list):
        return [_plain_keys(v) for v in value]
    if isinstance(value, dict):
        names = {True: "yes", False: "no"}
        return {names.get(k, k) if isinstance(k, bool) else k: _plain_keys(v)
                for k, v in value.items()}
    return value


# --- small projects built from the repository's own data files -----------------

CHECKLIST = REPO / "casp" / "casp-qualitative-2018.yaml"
FORM = REPO / "extraction" / "characteristics.yaml"


def mini_project(tmp_path: Path, citations: dict[str, str] | None = None) -> Project:
    """A project with the CASP checklist, the example form and a few studies."""
    project = init_project(tmp_path / "review", "Test review")
    for name in ("ann", "bob"):  # appraisals and extractions are signed by project reviewers
        add_reviewer(project, name)
    shutil.copy(CHECKLIST, project.root / "casp")
    shutil.copy(FORM, project.root / "extraction")
    citations = citations or {"s1": "Smith (2020)", "s2": "Jones (2021)"}
    (project.root / "studies.toml").write_text("".join(
        f'[[study]]\nid = "{sid}"\ncitation = {json.dumps(c)}\n\n'
        for sid, c in citations.items()), "utf-8")
    return project


def appraisal_text(answers: dict[str, str], status: str = "final") -> str:
    lines = ["checklist: casp-qualitative", f"status: {status}", "answers:"]
    lines += [f'  {q}: "{a}"' for q, a in answers.items()]
    return "\n".join(lines) + "\n"


def all_answers(value: str = "yes", **overrides: str) -> dict[str, str]:
    return {f"q{i}": overrides.get(f"q{i}", value) for i in range(1, 11)}


def write(project: Project, relative: str, text: str) -> Path:
    path = project.root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, "utf-8")
    return path


def refused(project: Project, args: tuple[str, ...], message: str) -> None:
    """The command exits 2 with exactly ``message`` and leaves every file as it was."""
    from helpers import run_cli, snapshot

    kept = snapshot(project.root)
    r = run_cli(*args, cwd=project.root)
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert r.stderr.strip() == message
    assert snapshot(project.root) == kept


def project_with(tmp_path: Path, files: dict[str, str]) -> Project:
    """``mini_project`` with these files written (relative path -> text)."""
    project = mini_project(tmp_path)
    for relative, text in files.items():
        write(project, relative, text)
    return project


def consensus_over_draft(tmp_path: Path, stage: str, files: dict[str, str], bad: str,
                         good: str, field: str) -> dict:
    """A draft consensus typed by hand beside two reviewers' records: ``--set bad`` is
    refused naming ``field``; ``--set good`` is written. The written record's data."""
    from helpers import run_cli

    project = project_with(tmp_path, files)
    folder = "casp" if stage == "appraisal" else "extraction"
    refused(project, (stage, "consensus", "s1", "--set", bad),
            f"error: {folder}/s1/consensus.yaml: already holds a consensus that differs on "
            f"{field}: give --replace to overwrite it")
    r = run_cli(stage, "consensus", "s1", "--set", good, cwd=project.root)
    assert r.returncode == 0 and r.stdout.strip() == f"wrote {folder}/s1/consensus.yaml", \
        r.stderr
    return yaml.safe_load((project.root / folder / "s1/consensus.yaml").read_text("utf-8"))
