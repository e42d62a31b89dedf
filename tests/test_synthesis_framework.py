"""Framework and best-fit framework synthesis: a priori codes from a file, origin, fit."""

from __future__ import annotations

import pytest
import yaml

from helpers import snapshot
from reviewkit.screening.reviewers import add_reviewer
from reviewkit.synthesis.codebook import add_code, load_codebook
from reviewkit.synthesis.coding import read_coding
from reviewkit.synthesis.edit import code_text, uncode
from reviewkit.synthesis.framework import framework_fit, load_framework, slug
from reviewkit.synthesis.reconcile import reconcile
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
    load = load_framework(project, tmp_path / "fw.csv")
    assert (load.added, load.there) == (["autonomy", "wanting-choice", "workload"], [])
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
    load = load_framework(project, tmp_path / "fw.csv")
    assert (load.added, load.there) == ([], ["autonomy", "wanting-choice", "workload"])
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
    load = load_framework(project, tmp_path / "fw.yaml")
    assert (load.added, load.there) == (["relationships", "trust"], [])
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


RENAMED = FRAMEWORK_CSV.replace("Workload,", "Staff workload,")


def _coded_framework(tmp_path):
    """The framework loaded; 'workload' coded by ann and bo (differently, decided by cy)
    and a data code under it."""
    project = framework_project(tmp_path)
    add_reviewer(project, "cy")
    load_framework(project, tmp_path / "fw.csv")
    code_text(project, "callanan-2012-findings", "Staff felt rushed", "workload", "ann")
    code_text(project, "callanan-2012-findings", "Staff felt", "workload", "bo")
    add_code(project, "rushed", "Feeling rushed", parent="workload")
    unit = reconcile(project, "ann", "bo", "cy").disagreements[0].id
    reconcile(project, "ann", "bo", "cy", {unit: "A"})
    return project


def test_a_category_renamed_in_the_file_keeps_its_codings(tmp_path):
    project = _coded_framework(tmp_path)
    (tmp_path / "fw.csv").write_text(RENAMED, "utf-8")
    load = load_framework(project, tmp_path / "fw.csv", coder="cy")
    assert (load.added, load.renamed, load.missing) == ([], [("workload", "staff-workload")],
                                                        [])
    assert "renamed 1" in load.summary()
    book = load_codebook(project)
    assert "workload" not in book.codes  # the old name does not linger
    new = book.codes["staff-workload"]
    assert (new.name, new.origin, new.description) == ("Staff workload", "framework",
                                                       "Time and staffing")
    assert book.codes["rushed"].parent == "staff-workload"
    coded = {(s.coder, s.text): s.codes for s in load_synthesis(project).coding.segments.values()}
    assert coded == {("ann", "Staff felt rushed"): {"staff-workload"},
                     ("bo", "Staff felt"): {"staff-workload"},
                     ("cy", "Staff felt rushed"): {"staff-workload"}}
    # as a codebook rename is: an event in the acting coder's log, and the decision made
    # under the old id still decides the unit
    events = [e for e, _, _ in read_coding(project)[0] if e["type"] == "rename-code"]
    assert [(e["coder"], e["code"], e["to"]) for e in events] == [("cy", "workload",
                                                                   "staff-workload")]
    again = reconcile(project, "ann", "bo", "cy")
    assert [again.decided.get(u.id) for u in again.disagreements] == ["A"]
    # loading the file again finds the code under its new name: nothing new, nothing written
    before = snapshot(project.root)
    load = load_framework(project, tmp_path / "fw.csv", coder="cy")
    assert (load.added, load.renamed, load.there) == (
        [], [], ["autonomy", "wanting-choice", "staff-workload"])
    assert snapshot(project.root) == before


def test_a_name_changed_under_a_kept_id_is_a_rename_of_the_name(tmp_path):
    project = _coded_framework(tmp_path)
    (tmp_path / "fw.csv").write_text("id,name,description,parent\n"
                                     "workload,Staff workload,Time and staffing,\n", "utf-8")
    load = load_framework(project, tmp_path / "fw.csv")  # no id changes: no log written
    assert load.renamed == [("workload", "workload")]
    assert load_codebook(project).codes["workload"].name == "Staff workload"
    assert {c for s in load_synthesis(project).coding.segments.values()
            for c in s.codes} == {"workload"}


def test_a_rename_needs_a_coder_and_an_unmatched_code_is_reported(tmp_path):
    project = _coded_framework(tmp_path)
    (tmp_path / "fw.csv").write_text(RENAMED, "utf-8")
    refuses(project, lambda: load_framework(project, tmp_path / "fw.csv"), "renames",
            "'workload'", "--reviewer")
    # renamed and described anew: no telling it is the same code, so both are kept, said
    (tmp_path / "fw.csv").write_text(RENAMED.replace("Time and staffing", "Shifts"), "utf-8")
    load = load_framework(project, tmp_path / "fw.csv", coder="cy")
    assert (load.added, load.renamed, load.missing) == (
        ["staff-workload"], [], [("workload", "Workload")])
    assert "'workload' (Workload) is no longer in" in load.summary()
    assert "workload" in load_codebook(project).codes


def test_a_name_edited_in_the_codebook_holds_against_the_file(tmp_path):
    from reviewkit.synthesis.codebook_edit import edit_code

    project = framework_project(tmp_path)
    load_framework(project, tmp_path / "fw.csv")
    edit_code(project, "workload", name="Heavy workload")
    before = snapshot(project.root)
    load = load_framework(project, tmp_path / "fw.csv")  # the file still says "Workload"
    assert (load.added, load.renamed, load.missing) == ([], [], [])
    assert "workload" in load.there
    assert snapshot(project.root) == before
    # the file spelling the same words anew is the file's word
    (tmp_path / "fw.csv").write_text(FRAMEWORK_CSV.replace("Autonomy,\"", "AUTONOMY,\""),
                                     "utf-8")
    assert load_framework(project, tmp_path / "fw.csv").renamed == [("autonomy", "autonomy")]
    assert load_codebook(project).codes["autonomy"].name == "AUTONOMY"
