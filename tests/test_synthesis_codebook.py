"""Codebook edits (move, merge, split, delete, edit) and the method in reviewkit.toml."""

from __future__ import annotations

import json

import pytest
import yaml

from reviewkit.project.config import load_config
from reviewkit.synthesis.codebook import add_code, load_codebook, rename_code, retired_ids
from reviewkit.synthesis.codebook_edit import (
    delete_code,
    edit_code,
    merge_code,
    move_code,
    split_code,
)
from reviewkit.synthesis.coding import append_coding, event, fold, read_coding
from reviewkit.synthesis.edit import add_memo, code_text, uncode
from synthesis_support import CODEBOOK, META, refuses, synth_project


def book_text(project) -> str:
    return (project.root / "synthesis" / "codebook.yaml").read_text("utf-8")


def keeps_comments(before: str, after: str) -> bool:
    """Every comment of ``before`` is still in ``after``."""
    return all(line[line.index("#"):] in after for line in before.splitlines() if "#" in line)


def codes_of(project) -> dict[str, set[str]]:
    """segment text -> its codes now."""
    return {s.text: s.codes for s in fold(project).segments.values()}


CONTROL = "  - {id: control, name: Control, parent: autonomy, level: descriptive}  # flow\n"


def logged(project, kind: str) -> list[dict]:
    return [e for e, _, _ in read_coding(project)[0] if e["type"] == kind]


# --- move ------------------------------------------------------------------------------

def test_move_changes_only_the_parent_line(tmp_path):
    project = synth_project(tmp_path)
    before = book_text(project)
    move_code(project, "time", "choice")
    after = book_text(project)
    pairs = zip(before.splitlines(), after.splitlines(), strict=True)
    changed = [(a, b) for a, b in pairs if a != b]
    assert changed == [("    parent: null", "    parent: choice")]
    assert load_codebook(project).path("time") == "Autonomy > Wanting choice > Time pressure"
    move_code(project, "time", None)
    assert book_text(project) == before


def test_move_refuses_cycles_rules_and_unknown_parents(tmp_path):
    project = synth_project(tmp_path)
    refuses(project, lambda: move_code(project, "autonomy", "choice-words"),
            "cannot move 'autonomy' under 'choice-words'", "cycle")
    refuses(project, lambda: move_code(project, "autonomy", "autonomy"), "cycle")
    # an analytical theme cannot sit under a code in thematic synthesis
    refuses(project, lambda: move_code(project, "autonomy", "time"),
            "cannot move 'autonomy'", "cannot sit under 'time'", "synthesis/codebook.yaml")
    refuses(project, lambda: move_code(project, "time", "nobody"), "'nobody' is not in")
    refuses(project, lambda: move_code(project, "ghost", None), "'ghost' is not in")


# --- merge -----------------------------------------------------------------------------

def test_merge_moves_codings_memos_and_children_and_retires_the_id(tmp_path):
    project = synth_project(tmp_path, CODEBOOK + CONTROL)
    code_text(project, "b", "Nurses", "choice", "ann")
    code_text(project, "b", "time pressure", "time", "bo")
    add_memo(project, "code", "choice", "wanting, not having", "ann")
    before = book_text(project)
    used, children = merge_code(project, "choice", "control", "bo")
    assert (used.segments, used.memos, children) == (1, 1, ["choice-words"])
    book = load_codebook(project)
    assert "choice" not in book.codes and book.codes["choice-words"].parent == "control"
    assert codes_of(project) == {"Nurses": {"control"}, "time pressure": {"time"}}
    assert [(m.target, m.text) for m in fold(project).memos] == [
        ("control", "wanting, not having")]
    # the event is in the acting coder's log; the comment lines are all still there
    assert [(e["coder"], e["code"], e["into"]) for e in logged(project, "merge-code")] == [
        ("bo", "choice", "control")]
    assert keeps_comments(before, book_text(project))
    assert "choice" in retired_ids(project)
    refuses(project, lambda: add_code(project, "choice", "Again"), "never reused")
    refuses(project, lambda: rename_code(project, "time", "choice", "ann"), "never reused")


def test_merge_refusals_write_nothing(tmp_path):
    project = synth_project(tmp_path)
    refuses(project, lambda: merge_code(project, "autonomy", "choice", "ann"),
            "'choice' sits under 'autonomy'", "move it out first")
    refuses(project, lambda: merge_code(project, "time", "time", "ann"), "into itself")
    refuses(project, lambda: merge_code(project, "time", "ghost", "ann"), "'ghost' is not")
    # the children of an analytical theme (descriptive) cannot sit under a code
    refuses(project, lambda: merge_code(project, "autonomy", "time", "ann"),
            "cannot merge 'autonomy' into 'time'", "cannot sit under 'time'")
    refuses(project, lambda: merge_code(project, "time", "autonomy", "nobody"), "nobody")


def test_merge_keeps_meta_aggregation_rules(tmp_path):
    ok = META + ("  - {id: f3, name: F3, parent: c1, level: finding, credibility: credible}\n"
                 "  - {id: c2, name: C2, parent: s1, level: category}\n"
                 "  - {id: f4, name: F4, parent: c2, level: finding, credibility: credible}\n"
                 "  - {id: f5, name: F5, parent: c2, level: finding, credibility: credible}\n")
    project = synth_project(tmp_path, ok)
    # f1 into f3 leaves c1 with one supported finding (f2 is unsupported)
    refuses(project, lambda: merge_code(project, "f1", "f3", "ann"), "aggregates 1 finding")
    merge_code(project, "c2", "c1", "ann")  # f4, f5 join c1: one-line flow rows edited
    book = load_codebook(project)
    assert sorted(c.id for c in book.children("c1")) == ["f1", "f2", "f3", "f4", "f5"]
    assert "c2" not in book_text(project)


def test_a_merge_logged_before_a_crash_still_leaves_codings_on_a_code(tmp_path):
    project = synth_project(tmp_path)
    code_text(project, "b", "Nurses", "time", "ann")
    append_coding(project, "ann", [event("merge-code", "ann", code="time", into="choice")])
    # the codebook was not rewritten: both codes are there; codings follow the merge
    assert codes_of(project) == {"Nurses": {"choice"}}
    merge_code(project, "time", "choice", "ann")  # running it again finishes the job
    assert "time" not in load_codebook(project).codes
    assert codes_of(project) == {"Nurses": {"choice"}}


# --- split -----------------------------------------------------------------------------

def test_split_adds_siblings_and_leaves_codings_for_a_person(tmp_path):
    project = synth_project(tmp_path)
    code_text(project, "b", "time pressure", "choice-words", "ann")
    used = split_code(project, "choice-words", ["choice-said", "choice-shown"], "bo",
                      {"choice-said": "Choice said out loud"})
    assert used.segments == 1
    book = load_codebook(project)
    said, shown = book.codes["choice-said"], book.codes["choice-shown"]
    assert (said.name, said.parent, said.level) == ("Choice said out loud", "choice", "code")
    assert (shown.name, shown.parent) == ("Choice: choice-shown", "choice")
    assert codes_of(project) == {"time pressure": {"choice-words"}}  # nothing moved by guess
    assert [(e["code"], e["to"]) for e in logged(project, "split-code")] == [
        ("choice-words", "choice-said"), ("choice-words", "choice-shown")]
    assert book_text(project).startswith(CODEBOOK)  # the old lines as they were


def test_split_refusals_write_nothing(tmp_path):
    project = synth_project(tmp_path)
    rename_code(project, "time", "pressure", "ann")
    refuses(project, lambda: split_code(project, "choice", ["time", "x"], "ann"),
            "'time'", "never reused")
    refuses(project, lambda: split_code(project, "choice", ["choice-words"], "ann"),
            "already in the codebook")
    refuses(project, lambda: split_code(project, "choice", ["a", "a"], "ann"), "twice")
    refuses(project, lambda: split_code(project, "choice", ["Bad Id"], "ann"), "lower-case")
    refuses(project, lambda: split_code(project, "choice", ["a"], "ann", {"b": "B"}),
            "'b' is not one of --into")
    refuses(project, lambda: split_code(project, "choice", [], "ann"), "--into")


# --- delete ----------------------------------------------------------------------------

def test_delete_is_refused_while_used_and_retires_the_id(tmp_path):
    project = synth_project(tmp_path)
    seg = code_text(project, "b", "Nurses", "time", "ann")["segment"]
    code_text(project, "b", "time pressure", "time", "bo")
    message = refuses(project, lambda: delete_code(project, "time", "ann"),
                      "used by 2 coding(s) and 0 memo(s)", "codebook merge time --into")
    assert message.startswith("synthesis/codebook.yaml:16:"), message
    refuses(project, lambda: delete_code(project, "choice", "ann"), "1 child code",
            "choice-words")
    add_memo(project, "code", "choice-words", "a memo", "ann")
    refuses(project, lambda: delete_code(project, "choice-words", "ann"), "1 memo(s)")
    uncode(project, seg, "time", "ann")
    segs = {s.text: s.id for s in fold(project).segments.values()}
    uncode(project, segs["time pressure"], "time", "bo")
    delete_code(project, "time", "ann")
    assert book_text(project) == CODEBOOK.replace(
        "  - id: time\n    name: Time pressure\n    parent: null\n    level: code\n", "")
    assert "time" in retired_ids(project)
    refuses(project, lambda: add_code(project, "time", "Time"), "never reused")
    refuses(project, lambda: delete_code(project, "time", "ann"),
            "not in the codebook (it was deleted)")


# --- edit ------------------------------------------------------------------------------

def test_edit_sets_fields_in_block_and_flow_layouts(tmp_path):
    text = CODEBOOK + """  - {id: flow, name: "Flow, style", parent: null, level: code}  # kept
  - id: folded
    name: Folded
    description: >
      over two
      lines
    parent: null
    level: code
"""
    project = synth_project(tmp_path, text)
    edit_code(project, "time", name='Time "pressure" # not a comment', colour="#ff0000")
    edit_code(project, "flow", name="Flow: renamed", description="new")
    edit_code(project, "folded", description="one line now")
    data = yaml.safe_load(book_text(project))
    expected = yaml.safe_load(text)
    expected["codes"][3].update(name='Time "pressure" # not a comment', colour="#ff0000")
    expected["codes"][4].update(name="Flow: renamed", description="new")
    expected["codes"][5]["description"] = "one line now"
    assert data == expected
    assert keeps_comments(text, book_text(project))


def test_edit_refusals_write_nothing(tmp_path):
    project = synth_project(tmp_path)
    refuses(project, lambda: edit_code(project, "choice", level="code"),
            "cannot edit 'choice'", "cannot sit under 'autonomy'")
    refuses(project, lambda: edit_code(project, "time", credibility="credible"),
            "meta-aggregation findings only")
    refuses(project, lambda: edit_code(project, "time", name=""), "has no name")
    refuses(project, lambda: edit_code(project, "time", origin="dream"), "origin 'dream'")
    refuses(project, lambda: edit_code(project, "time"), "nothing to change")


# --- the method ------------------------------------------------------------------------

def set_toml(project, extra: str) -> None:
    path = project.root / "reviewkit.toml"
    path.write_text(path.read_text("utf-8") + extra, "utf-8")
    project.config = load_config(project.root)


def test_method_in_reviewkit_toml(tmp_path):
    no_method = CODEBOOK.replace("method: thematic\n", "")
    project = synth_project(tmp_path, no_method)
    assert load_codebook(project).method == "thematic"  # neither file names one
    set_toml(project, '\n[synthesis]\nmethod = "thematic"\n')
    assert load_codebook(project).method == "thematic"
    framework = no_method.replace("level: analytical", "level: framework").replace(
        "level: descriptive", "level: framework").replace("level: code", "level: emergent")
    (project.root / "synthesis/codebook.yaml").write_text(framework, "utf-8")
    refuses(project, lambda: load_codebook(project), "not a level of thematic")
    toml = project.root / "reviewkit.toml"
    toml.write_text(toml.read_text("utf-8").replace('"thematic"', '"framework"'), "utf-8")
    project.config = load_config(project.root)
    assert load_codebook(project).codes["time"].origin == "data"  # emergent: from the data
    # both files name a method and they disagree: one line naming both
    (project.root / "synthesis/codebook.yaml").write_text(CODEBOOK, "utf-8")
    message = refuses(project, lambda: load_codebook(project), "'thematic'", "'framework'",
                      "reviewkit.toml [synthesis]")
    assert message.startswith("synthesis/codebook.yaml:2:"), message
    toml.write_text(toml.read_text("utf-8").replace('"framework"', '"grounded"'), "utf-8")
    project.config = load_config(project.root)
    message = refuses(project, lambda: load_codebook(project), "unknown method 'grounded'")
    assert message.startswith("reviewkit.toml:"), message


def test_a_new_codebook_writes_its_method_to_reviewkit_toml(tmp_path):
    project = synth_project(tmp_path)
    (project.root / "synthesis/codebook.yaml").unlink()
    toml = project.root / "reviewkit.toml"
    before = toml.read_text("utf-8")
    add_code(project, "f1", "First finding", method="meta-aggregation")
    after = toml.read_text("utf-8")
    assert after.startswith(before)  # comments and layout kept: the section is added
    assert 'method = "meta-aggregation"' in after[len(before):]
    assert "method" not in yaml.safe_load(book_text(project))
    book = load_codebook(project)
    assert (book.method, book.codes["f1"].level) == ("meta-aggregation", "finding")
    # a second codebook started with another method disagrees with the toml
    (project.root / "synthesis/codebook.yaml").unlink()
    refuses(project, lambda: add_code(project, "a", "A", method="thematic"),
            "--method thematic disagrees", "reviewkit.toml")
    add_code(project, "a", "A")  # the toml's method
    assert load_codebook(project).codes["a"].level == "finding"
    refuses(project, lambda: add_code(project, "b", "B", method="thematic"),
            "method is meta-aggregation; --method thematic is for a new codebook only")


def test_codes_show_origin_once_any_has_one(tmp_path):
    from reviewkit.synthesis.listing import codebook_rows

    project = synth_project(tmp_path)
    rows, cols = codebook_rows(load_codebook(project), indent=False)
    assert "origin" not in cols
    edit_code(project, "time", origin="framework")
    add_code(project, "later", "Added later")  # once a framework code exists: from data
    rows, cols = codebook_rows(load_codebook(project), indent=False)
    assert cols[-1] == "origin"
    assert {r["id"]: r["origin"] for r in rows} == {
        "autonomy": "", "choice": "", "choice-words": "", "time": "framework",
        "later": "data"}
    assert json.dumps(rows)  # plain data for --format json


@pytest.mark.parametrize("bad", ["origin: sky", "origin: 3"])
def test_a_bad_origin_names_its_line(tmp_path, bad):
    project = synth_project(tmp_path, CODEBOOK + f"    {bad}\n")
    message = refuses(project, lambda: load_codebook(project), "origin")
    assert message.startswith("synthesis/codebook.yaml:20:"), message
