"""Synthesis core library: anchors, the theme x study matrix, quotes, status, memos."""

from __future__ import annotations

import pytest

from reviewkit.errors import ReviewkitError
from reviewkit.synthesis.anchor import anchor_segments, anchor_text
from reviewkit.synthesis.codebook import rename_code
from reviewkit.synthesis.coding import append_coding, event, fold
from reviewkit.synthesis.edit import add_memo, code_text
from reviewkit.synthesis.matrix import theme_matrix
from reviewkit.synthesis.quotes import quote_table
from reviewkit.synthesis.sources import add_source, load_sources
from reviewkit.synthesis.state import load_synthesis, synthesis_status
from synthesis_support import coded, refuses, synth_project

# --- anchors --------------------------------------------------------------------------

def test_anchor_text_order_of_fallbacks():
    text = "alpha beta gamma beta delta"
    assert anchor_text(text, 6, 10, "beta")[:3] == ("same", 6, 10)
    # shifted: the exact copy nearest the old start wins
    assert anchor_text("xx" + text, 6, 10, "beta")[:3] == ("moved", 8, 12)
    assert anchor_text(text, 15, 19, "beta")[:3] == ("moved", 17, 21)
    status, start, end, score = anchor_text("the patients wanted choise badly",
                                            0, 21, "patients wanted choice")
    assert status == "fuzzy" and score >= 90
    assert "the patients wanted choise badly"[start:end].startswith("patients")
    assert anchor_text("nothing like it", 0, 21, "patients wanted choice")[0] == "lost"


def test_anchor_segments_on_an_edited_source(tmp_path):
    project = synth_project(tmp_path)
    keep = code_text(project, "b", "time pressure", "time", "ann")["segment"]
    gone = code_text(project, "b", "Patients wanted choice too.", "choice-words",
                     "ann")["segment"]
    syn = load_synthesis(project)
    segs = list(syn.coding.segments.values())
    assert {a.status for a in anchor_segments(project, segs, syn.sources)} == {"same"}
    (project.root / "synthesis/sources/b.md").write_text(
        "Added first.\nNurses described time pressure.\n", "utf-8")
    got = {a.segment: a for a in anchor_segments(project, segs, syn.sources)}
    assert (got[keep].status, got[keep].start) == ("moved", 30)
    assert got[gone].status == "lost" and got[gone].start is None
    assert synthesis_status(project)["segments lost"] == 1


def test_segment_outside_an_unchanged_source_is_an_error(tmp_path):
    project = synth_project(tmp_path)
    bad = event("segment", "ann", segment="a" * 16, source="b", start=50, end=70,
                text="x" * 20, role="", page="")
    append_coding(project, "ann", [bad])
    syn = load_synthesis(project)
    refuses(project, lambda: anchor_segments(project, list(syn.coding.segments.values()),
                                             syn.sources),
            "synthesis/coding/ann.jsonl:1", "outside source 'b'")


# --- matrix and quotes ----------------------------------------------------------------

def test_matrix_counts_descendants_per_study(tmp_path):
    syn = load_synthesis(coded(tmp_path))
    rows = {r["code"]: r for r in theme_matrix(syn)}
    assert (rows["autonomy"]["callanan-2012"], rows["autonomy"]["smith-2015"]) == (2, 0)
    assert (rows["choice-words"]["callanan-2012"], rows["choice-words"]["studies"]) == (1, 1)
    assert (rows["time"]["smith-2015"], rows["time"]["studies"]) == (1, 1)
    assert [(r["code"], r["depth"]) for r in theme_matrix(syn)] == [
        ("autonomy", 0), ("choice", 1), ("choice-words", 2), ("time", 0)]
    only = theme_matrix(syn, "descriptive")
    assert [r["code"] for r in only] == ["choice"] and only[0]["callanan-2012"] == 2
    with pytest.raises(ReviewkitError, match="not a level of thematic"):
        theme_matrix(syn, "finding")


def test_quote_table_rows_and_role_filter(tmp_path):
    syn = load_synthesis(coded(tmp_path))
    rows = quote_table(syn)
    assert [(r["index"], r["study"], r["text"], r["code"]) for r in rows] == [
        (1, "callanan-2012", "wanted choice", "Autonomy > Wanting choice > Choice"),
        (2, "callanan-2012", "I want control over my life", "Autonomy > Wanting choice"),
        (3, "smith-2015", "time pressure", "Time pressure")]
    quotes = quote_table(syn, "participant quote")
    assert [(r["text"], r["page"]) for r in quotes] == [("I want control over my life", "4"),
                                                        ("time pressure", "")]


def test_undoing_a_segment_takes_its_codings_without_warnings(tmp_path):
    project = synth_project(tmp_path)
    seg = code_text(project, "b", "Nurses", "time", "ann")
    append_coding(project, "ann", [event("undo", "ann", target=seg["id"])])
    coding = fold(project)
    assert coding.segments == {} and coding.problems == []


def test_overlapping_occurrences_count_as_more_than_once(tmp_path):
    project = synth_project(tmp_path)
    (tmp_path / "o.txt").write_text("we said aaa then\n", "utf-8")
    add_source(project, tmp_path / "o.txt", "smith-2015")
    refuses(project, lambda: code_text(project, "o", "aa", "time", "ann"), "occurs 2 times")


def test_a_folder_or_an_empty_file_is_not_a_source(tmp_path):
    project = synth_project(tmp_path)
    (tmp_path / "folder.txt").mkdir()
    (tmp_path / "empty.md").write_text("  \n", "utf-8")
    refuses(project, lambda: add_source(project, tmp_path / "folder.txt", "smith-2015"),
            "is a folder")
    refuses(project, lambda: add_source(project, tmp_path / "empty.md", "smith-2015"),
            "no text to code")


def test_status_of_a_project_without_a_codebook(tmp_path):
    project = synth_project(tmp_path)
    (project.root / "synthesis" / "codebook.yaml").unlink()
    info = synthesis_status(project)
    assert (info["method"], info["codes"], info["sources"], info["segments"]) == ("", 0, 2, 0)
    with pytest.raises(ReviewkitError, match="no codebook yet"):
        load_synthesis(project)


def test_a_coding_stamped_before_its_segment_still_counts(tmp_path):
    project = synth_project(tmp_path)
    seg = code_text(project, "b", "Nurses", "time", "ann")["segment"]
    early = {**event("apply", "bo", segment=seg, code="choice"), "at": "2000-01-01T00:00:00Z"}
    append_coding(project, "bo", [early])
    coding = fold(project)
    assert coding.segments[seg].codes == {"time", "choice"} and coding.problems == []


def test_sources_toml_mistakes_name_the_line(tmp_path):
    project = synth_project(tmp_path)
    path = project.root / "synthesis" / "sources.toml"
    good = path.read_text("utf-8")
    (tmp_path / "outside.txt").write_text("secret\n", "utf-8")
    path.write_text(good.replace('file = "synthesis/sources/b.md"',
                                 'file = "../outside.txt"'), "utf-8")
    line = good.count("\n", 0, good.index("[[source]]", good.index("[[source]]") + 1)) + 1
    refuses(project, lambda: load_sources(project), f"sources.toml:{line}:", "outside the project")
    bad = good.replace('study = "smith-2015"', 'study = "smith-2015"\nstudyy = "x"')
    path.write_text(bad, "utf-8")
    at = bad.count("\n", 0, bad.index("studyy")) + 1  # the field's own line
    refuses(project, lambda: load_sources(project), f"sources.toml:{at}:", "studyy")


def test_a_memo_on_a_renamed_code_follows_it(tmp_path):
    project = synth_project(tmp_path)
    add_memo(project, "code", "time", "pressure of time, or of tasks?", "ann")
    rename_code(project, "time", "time-pressure", "bo")
    assert [(m.on, m.target) for m in fold(project).memos] == [("code", "time-pressure")]


def test_a_rename_logged_but_not_written_to_the_codebook_keeps_the_old_code(tmp_path):
    # the crash window of rename_code: its event is logged, the codebook still has the old id
    project = synth_project(tmp_path)
    seg = code_text(project, "b", "Nurses", "time", "ann")["segment"]
    append_coding(project, "ann", [event("rename-code", "ann", code="time", to="later")])
    syn = load_synthesis(project)
    assert syn.coding.segments[seg].codes == {"time"} and syn.problems == []


def test_listings_indent_the_tree_only_for_the_terminal_table(tmp_path):
    from reviewkit.synthesis.listing import codebook_rows, matrix_rows

    syn = load_synthesis(coded(tmp_path))
    table = [r["theme"] for r in matrix_rows(syn, None, indent=True)]
    plain = [r["theme"] for r in matrix_rows(syn, None, indent=False)]
    assert [len(t) - len(p) for t, p in zip(table, plain, strict=True)] == [0, 2, 4, 0]
    assert all("depth" not in r for r in matrix_rows(syn, "descriptive", indent=True))
    assert [r["theme"] for r in matrix_rows(syn, "descriptive", indent=True)] == \
        [syn.codebook.codes["choice"].name]  # one level: nothing to indent
    rows, cols = codebook_rows(syn.codebook, indent=True)
    assert cols == ["id", "name", "level", "path"]
    assert [r["name"].startswith("  ") for r in rows] == [False, True, True, False]
    assert not any(r["name"].startswith(" ")
                   for r in codebook_rows(syn.codebook, indent=False)[0])


def test_a_memo_whose_target_was_deleted_by_hand_is_kept_and_named(tmp_path):
    project = synth_project(tmp_path)
    add_memo(project, "code", "time", "pressure of time, or of tasks?", "ann")
    add_memo(project, "source", "b", "a ward study", "ann")
    assert load_synthesis(project).problems == []
    book = project.root / "synthesis" / "codebook.yaml"
    text = book.read_text("utf-8")
    start = text.index("  - id: time")
    end = text.find("\n  - id:", start + 1)
    book.write_text(text[:start] + (text[end + 1:] if end != -1 else ""), "utf-8")
    sources = project.root / "synthesis" / "sources.toml"
    sources.write_text(sources.read_text("utf-8").replace('id = "b"', 'id = "b2"'), "utf-8")
    syn = load_synthesis(project)
    assert len(syn.coding.memos) == 2  # kept
    said = [p.message for p in syn.problems]
    assert any("memo on code 'time'" in m and "kept" in m for m in said), said
    assert any("memo on source 'b'" in m for m in said), said
    assert all(p.file == "synthesis/coding/ann.jsonl" and p.line for p in syn.problems
               if "memo" in p.message)
