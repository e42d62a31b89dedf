"""Credibility (and origin) of codes through REFI: written as Sets, valid, read back."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest

from reviewkit.synthesis.codebook import KEYS, load_codebook
from reviewkit.synthesis.refi.load import import_refi
from reviewkit.synthesis.refi.validate import schema_errors
from reviewkit.synthesis.refi.write import codebook_qdc, export_refi, project_qdpx
from test_synthesis_refi import NS, _fresh

META = """method: meta-aggregation
codes:
  - {id: s1, name: Synthesised one, parent: null, level: synthesised}
  - {id: c1, name: Category one, parent: s1, level: category}
  - {id: f1, name: Finding one, parent: c1, level: finding, credibility: unequivocal}
  - {id: f2, name: Finding two, parent: c1, level: finding, credibility: credible}
  - {id: f3, name: Finding three, parent: c1, level: finding, credibility: unsupported}
  - {id: f4, name: Finding four, parent: c1, level: finding}
"""


def _meta(tmp_path: Path, name: str = "meta"):
    project = _fresh(tmp_path / name, "ann")
    (project.root / "synthesis").mkdir(exist_ok=True)
    (project.root / "synthesis" / "codebook.yaml").write_text(META, "utf-8")
    return project


def _cred(project) -> dict[str, str]:
    return {c.name: c.credibility for c in load_codebook(project).codes.values()}


def test_credibility_is_a_set_per_level_in_valid_files(tmp_path: Path) -> None:
    project = _meta(tmp_path)
    qdc = codebook_qdc(project)
    assert schema_errors(qdc, "codebook") == []
    sets = {s.get("name"): len(s) for s in ET.fromstring(qdc).findall("c:Sets/c:Set", NS)}
    assert sets["reviewkit credibility: unequivocal"] == 1
    assert sets["reviewkit credibility: credible"] == 1
    assert sets["reviewkit credibility: unsupported"] == 1
    qde = zipfile.ZipFile(io.BytesIO(project_qdpx(project)[0])).read("project.qde")
    assert schema_errors(qde, "project") == []
    names = [s.get("name") for s in ET.fromstring(qde).findall("q:Sets/q:Set", NS)]
    assert names.count("reviewkit credibility: credible") == 1


@pytest.mark.parametrize("suffix", [".qdc", ".qdpx"])
def test_credibility_survives_the_round_trip(tmp_path: Path, suffix: str) -> None:
    project = _meta(tmp_path)
    export_refi(project, tmp_path / f"m{suffix}")
    fresh = _fresh(tmp_path / "fresh", "ann")
    import_refi(fresh, tmp_path / f"m{suffix}", "ann")
    assert _cred(fresh) == _cred(project) == {
        "Synthesised one": "", "Category one": "", "Finding one": "unequivocal",
        "Finding two": "credible", "Finding three": "unsupported", "Finding four": ""}
    assert load_codebook(fresh).method == "meta-aggregation"


def test_a_thematic_codebook_writes_no_credibility_sets(tmp_path: Path) -> None:
    project = _fresh(tmp_path / "t", "ann")
    (project.root / "synthesis").mkdir(exist_ok=True)
    (project.root / "synthesis" / "codebook.yaml").write_text(
        "method: thematic\ncodes:\n  - {id: a, name: A, parent: null, level: code}\n", "utf-8")
    names = [s.get("name") for s in ET.fromstring(codebook_qdc(project)).findall(
        "c:Sets/c:Set", NS)]
    assert names == ["reviewkit method: thematic", "reviewkit level: code"]


def test_origin_survives_the_round_trip(tmp_path: Path) -> None:
    if "origin" not in KEYS:
        pytest.skip("codebook.py has no `origin` key yet (another branch adds it)")
    project = _fresh(tmp_path / "o", "ann")
    (project.root / "synthesis").mkdir(exist_ok=True)
    (project.root / "synthesis" / "codebook.yaml").write_text(
        "method: framework\ncodes:\n"
        "  - {id: a, name: A, parent: null, level: framework, origin: framework}\n"
        "  - {id: b, name: B, parent: null, level: emergent, origin: data}\n", "utf-8")
    export_refi(project, tmp_path / "o.qdc")
    fresh = _fresh(tmp_path / "fresh", "ann")
    import_refi(fresh, tmp_path / "o.qdc", "ann")
    assert {c.name: c.origin for c in load_codebook(fresh).codes.values()} == \
        {"A": "framework", "B": "data"}
