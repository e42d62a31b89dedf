"""The checklists shipped in the package: each valid, licensed, and there after `pip install`."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from reviewkit.appraisal.checklist import load_checklist, shipped_checklist_files

REPO = Path(__file__).resolve().parents[1]
FOLDER = REPO / "src" / "reviewkit" / "appraisal" / "checklists"
EXPECTED = {"casp-qualitative", "casp-cohort", "casp-case-control", "casp-rct",
            "casp-systematic-review", "jbi-qualitative", "rob2", "mmat"}


def shipped() -> dict:
    return {c.id: c for c in map(load_checklist, shipped_checklist_files())}


def test_every_tool_the_issue_names_is_shipped_with_its_licence_and_notice() -> None:
    checklists = shipped()
    assert set(checklists) == EXPECTED
    notice = (FOLDER / "NOTICE").read_text("utf-8")
    for path in shipped_checklist_files():
        c = load_checklist(path)
        assert c.licence and c.attribution and c.source, path.name
        assert path.name in notice, f"NOTICE does not name {path.name}"


def test_rob2_has_five_domains_each_judged_low_some_concerns_or_high() -> None:
    rob2 = shipped()["rob2"]
    assert [s.id for s in rob2.sections] == ["d1", "d2", "d3", "d4", "d5"]
    # signalling questions per domain in the RoB 2 template (parallel trials, assignment)
    assert [len(s.questions) - 1 for s in rob2.sections] == [3, 7, 4, 5, 3]
    for s in rob2.sections:
        verdict = s.questions[-1]
        assert verdict.judgement
        assert [o.value for o in rob2.options(verdict)] == ["low", "some_concerns", "high"]
    assert rob2.overall is not None and rob2.overall.judgement
    assert [q.id for q in rob2.plotted()] == [f"d{i}_judgement" for i in range(1, 6)] + \
        ["overall"]


def test_mmat_has_two_screening_questions_and_five_criteria_per_category() -> None:
    mmat = shipped()["mmat"]
    first, *categories = mmat.sections
    assert all(q.screening for q in first.questions) and len(first.questions) == 2
    assert [len(s.questions) for s in categories] == [5, 5, 5, 5, 5]
    assert "not_applicable" in [o.value for o in mmat.answers]  # only one category applies


def test_casp_forms_have_their_sections() -> None:
    checklists = shipped()
    assert [s.id for s in checklists["casp-rct"].sections] == ["a", "b", "c", "d"]
    for cid in ("casp-cohort", "casp-case-control", "casp-systematic-review"):
        assert [s.id for s in checklists[cid].sections] == ["a", "b", "c"]
        assert [q.screening for q in checklists[cid].questions[:2]] == [True, True]


@pytest.mark.skipif(not (REPO / "pyproject.toml").exists(), reason="needs the source tree")
def test_a_wheel_installed_elsewhere_lists_every_shipped_checklist(tmp_path: Path) -> None:
    wheels = tmp_path / "wheels"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps",
                    "-w", str(wheels), str(REPO)], check=True, capture_output=True, timeout=300)
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    # the dependencies come from this interpreter's site-packages; reviewkit from the wheel
    site = Path(sysconfig.get_paths(vars={"base": str(venv), "platbase": str(venv)})["purelib"])
    site.mkdir(parents=True, exist_ok=True)
    wheel = next(wheels.glob("reviewkit-*.whl"))
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target",
                    str(site), str(wheel)], check=True, capture_output=True, timeout=300)
    deps = sysconfig.get_paths()["purelib"]
    (site / "deps.pth").write_text(deps + "\n")
    py = venv / "bin" / "python"
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    out = subprocess.run([str(py), "-c", "import reviewkit, sys; print(reviewkit.__file__)"],
                         capture_output=True, text=True, env=env, cwd=tmp_path, check=True)
    assert str(site) in out.stdout  # the installed copy, not the source tree
    r = subprocess.run([str(py), "-m", "reviewkit", "init", "x"], capture_output=True,
                       text=True, env=env, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert all(cid in r.stdout for cid in EXPECTED)  # init offers them
    r = subprocess.run([str(py), "-m", "reviewkit", "-C", "x", "appraisal", "checklists",
                        "--format", "csv"], capture_output=True, text=True, env=env,
                       cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    assert {row["id"] for row in rows} == EXPECTED
    assert {row["from"] for row in rows} == {"reviewkit"}
