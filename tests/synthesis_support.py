"""Shared setup of the synthesis tests: two studies, two sources, a codebook."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers import new_project, snapshot
from reviewkit.errors import ReviewkitError
from reviewkit.project import Project
from reviewkit.screening.reviewers import add_reviewer
from reviewkit.synthesis.edit import code_text
from reviewkit.synthesis.sources import add_source

STUDIES = """[[study]]
id = "callanan-2012"
citation = "Callanan et al. (2012)"
reports = ["rec-1"]

[[study]]
id = "smith-2015"
citation = "Smith (2015)"
"""
TEXT_A = ("Participants said they wanted choice.\r\n"
          "One said \"I want control over my life\".\r\nStaff felt rushed.\n")
TEXT_B = "Nurses described time pressure.\nPatients wanted choice too.\n"
CODEBOOK = """# the review's codebook
method: thematic
codes:
  - id: autonomy      # analytical theme
    name: Autonomy
    parent: null
    level: analytical
  - id: choice
    name: Wanting choice
    parent: autonomy
    level: descriptive
  - id: choice-words
    name: Choice
    parent: choice
    level: code
  - id: time
    name: Time pressure
    parent: null
    level: code
"""


def synth_project(tmp_path: Path, codebook: str = CODEBOOK) -> Project:
    """A project with two studies, two sources, reviewers ann and bo, and a codebook."""
    project, store = new_project(tmp_path)
    store.close()
    add_reviewer(project, "ann")
    add_reviewer(project, "bo")
    (project.root / "studies.toml").write_text(STUDIES, "utf-8")
    (tmp_path / "a.txt").write_bytes(TEXT_A.encode("utf-8"))
    (tmp_path / "b.md").write_text(TEXT_B, "utf-8")
    add_source(project, tmp_path / "a.txt", "callanan-2012", "callanan-2012-findings")
    add_source(project, tmp_path / "b.md", "smith-2015")
    (project.root / "synthesis" / "codebook.yaml").write_text(codebook, "utf-8")
    return project


def refuses(project: Project, call, *words: str) -> str:
    """``call`` raises one ReviewkitError naming ``words`` and writes nothing."""
    before = snapshot(project.root)
    with pytest.raises(ReviewkitError) as err:
        call()
    message = str(err.value)
    assert "\n" not in message
    for w in words:
        assert w in message, message
    assert snapshot(project.root) == before
    return message


META = """method: meta-aggregation
codes:
  - {id: s1, name: Synthesised, parent: null, level: synthesised}
  - {id: c1, name: Category, parent: s1, level: category}
  - {id: f1, name: F1, parent: c1, level: finding, credibility: unequivocal}
  - {id: f2, name: F2, parent: c1, level: finding, credibility: unsupported}
"""


def coded(tmp_path: Path) -> Project:
    project = synth_project(tmp_path)
    code_text(project, "callanan-2012-findings", "wanted choice", "choice-words", "ann",
              role="author interpretation")
    code_text(project, "callanan-2012-findings", "I want control over my life", "choice",
              "ann", role="participant quote", page="4")
    code_text(project, "b", "time pressure", "time", "bo", role="participant quote")
    return project
