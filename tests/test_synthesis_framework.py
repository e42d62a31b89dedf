"""Framework and best-fit framework synthesis: a priori codes from a file, origin, fit."""

from __future__ import annotations

import pytest
import yaml

from reviewkit.synthesis.codebook import add_code, load_codebook
from reviewkit.synthesis.edit import code_text, uncode
from reviewkit.synthesis.framework import framework_fit, load_framework, slug
from reviewkit.synthesis.state import load_synthesis
from synthesis_support import refuses, synth_project

FRAMEWORK_CSV = """name,description,parent
Autonomy,"Control over one's life, and choice",
Wanting choice,Choosing services,Autonomy
Workload,Time and staffing,
"""


def framework_project(tmp_path):
    """The two-source project with no codebook yet and the framework file beside it."""
    project = synth_project(tmp_path)
    (project.root / "synthesis/codebook.yaml").unlink()
    (tmp_path / "fw.csv").write_text(FRAMEWORK_CSV, "utf-8")
    return project


def test_slug_is_stable_and_plain():
    assert slug("Wanting choice") == "wanting-choice"
    assert slug("  Ärzte & Pflege ") == "arzte-pflege"
    assert slug("???") == "code"


def test_a_framework_loads_with_origin_and_reloads_to_nothing_new(tmp_path):
    project = framework_project(tmp_path)
    added, there = load_framework(project, tmp_path / "fw.csv")
    assert (added, there) == (["autonomy", "wanting-choice", "workload"], [])
    assert 'method = "framework"' in (project.root / "reviewkit.toml").read_text("utf-8")
    book = load_codebook(project)
    assert [(c.id, c.parent, c.level, c.origin) for c in book.codes.values()] == [
        ("autonomy", None, "framework", "framework"),
        ("wanting-choice", "autonomy", "framework", "framework"),
        ("workload", None, "framework", "framework")]
    data = yaml.safe_load((project.root / "synthesis/codebook.yaml").read_text("utf-8"))
    assert [c["origin"] for c in data["codes"]] == ["framework"] * 3  # the file says it
    assert book.codes["autonomy"].description == "Control over one's life, and choice"
    before = (project.root / "synthesis/codebook.yaml").read_bytes()
    assert load_framework(project, tmp_path / "fw.csv") == ([], ["autonomy",
                                                                  "wanting-choice",
                                                                  "workload"])
    assert (project.root / "synthesis/codebook.yaml").read_bytes() == before
    # a code added afterwards emerged from the data
    add_code(project, "rushed", "Feeling rushed", parent="workload")
    rushed = load_codebook(project).codes["rushed"]
    assert (rushed.level, rushed.origin) == ("emergent", "data")


def test_a_yaml_framework_into_a_thematic_codebook(tmp_path):
    project = synth_project(tmp_path)  # thematic, four codes
    (tmp_path / "fw.yaml").write_text("""codes:
  - {name: Relationships, description: With staff}
  - {name: Trust, parent: relationships, level: code}
""", "utf-8")
    assert load_framework(project, tmp_path / "fw.yaml") == (["relationships", "trust"], [])
    book = load_codebook(project)
    assert (book.method, book.codes["trust"].parent, book.codes["trust"].origin) == (
        "thematic", "relationships", "framework")
    assert book.codes["relationships"].level == "code"  # the method's first level
    assert book.codes["time"].origin == ""  # codes from before say nothing


BAD = [
    ("name,description,parent\nAccess to care,,\nAccess-to-care,,\n", "again (line 2",
     "fw.csv:3"),
    ("name,description,parent\nA,,Nowhere\n", "parent 'Nowhere'", "fw.csv:2"),
    ("name,notes\nA,x\n", "unknown column 'notes'", "fw.csv:1"),
    ("name,description\n,empty\n", "needs a name", "fw.csv:2"),
    ("name,description\nTime,clash\n", "already the codebook's code", "fw.csv:2"),
]


@pytest.mark.parametrize(("text", "words", "where"), BAD)
def test_a_bad_framework_names_file_and_line_and_writes_nothing(tmp_path, text, words, where):
    project = synth_project(tmp_path)
    (tmp_path / "fw.csv").write_text(text, "utf-8")
    refuses(project, lambda: load_framework(project, tmp_path / "fw.csv"), words, where)


def test_data_the_framework_does_not_fit(tmp_path):
    project = framework_project(tmp_path)
    load_framework(project, tmp_path / "fw.csv")
    add_code(project, "rushed", "Feeling rushed", parent="workload")  # data under framework
    add_code(project, "nurses-voice", "Nurses speak")  # data, on its own
    code_text(project, "callanan-2012-findings", "wanted choice.", "wanting-choice", "ann")
    code_text(project, "callanan-2012-findings", "Staff felt rushed", "rushed", "bo")
    code_text(project, "b", "Nurses described", "nurses-voice", "ann")
    gone = code_text(project, "b", "Patients wanted choice too.", "wanting-choice", "ann")
    uncode(project, gone["segment"], "wanting-choice", "ann")
    rows = framework_fit(load_synthesis(project))
    assert [(r["source"], r["study"], r["text"], r["codes"]) for r in rows] == [
        ("b", "smith-2015", "Nurses described", "nurses-voice"),
        ("b", "smith-2015", "Patients wanted choice too.", "(none)")]



def test_fit_needs_framework_codes(tmp_path):
    project = synth_project(tmp_path)
    refuses(project, lambda: framework_fit(load_synthesis(project)), "no framework codes",
            "codebook framework FILE")
