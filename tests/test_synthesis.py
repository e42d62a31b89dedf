"""Synthesis core library: codebook rules, sources, coding logs, anchors, matrix, quotes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from helpers import new_project, snapshot
from reviewkit.errors import ReviewkitError
from reviewkit.project import Project
from reviewkit.screening.reviewers import add_reviewer
from reviewkit.synthesis.anchor import anchor_segments, anchor_text
from reviewkit.synthesis.codebook import add_code, load_codebook, rename_code
from reviewkit.synthesis.coding import append_coding, coding_log, event, fold, read_coding
from reviewkit.synthesis.edit import add_memo, code_text, uncode
from reviewkit.synthesis.matrix import theme_matrix
from reviewkit.synthesis.quotes import quote_table
from reviewkit.synthesis.sources import add_source, check_sources, load_sources
from reviewkit.synthesis.state import load_synthesis, synthesis_status

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


# --- codebook -------------------------------------------------------------------------

def test_codebook_tree_paths_and_descendants(tmp_path):
    book = load_codebook(synth_project(tmp_path))
    assert book.method == "thematic"
    assert book.path("choice-words") == "Autonomy > Wanting choice > Choice"
    assert book.descendants("autonomy") == {"choice", "choice-words"}
    assert book.descendants("time") == set()
    assert [(d, c.id) for d, c in book.tree()] == [(0, "autonomy"), (1, "choice"),
                                                   (2, "choice-words"), (0, "time")]


BAD_CODEBOOKS = [
    # (replace this, with this, expected words, line)
    ("  - id: choice\n", "  - id: autonomy\n", "used twice", 8),
    ("parent: autonomy", "parent: nobody", "parent 'nobody' of 'choice' is not a code", 10),
    ("level: analytical", "level: theme", "not a level of thematic", 7),
    # a descriptive theme under a code: thematic allows only codes there
    ("  - id: time\n    name: Time pressure\n    parent: null\n    level: code\n",
     "  - id: time\n    name: Time pressure\n    parent: choice-words\n    level: descriptive\n",
     "cannot sit under 'choice-words'", 18),
    ("method: thematic", "method: grounded", "unknown method 'grounded'", 2),
]


@pytest.mark.parametrize(("old", "new", "words", "line"), BAD_CODEBOOKS)
def test_codebook_rules_name_file_and_line(tmp_path, old, new, words, line):
    project = synth_project(tmp_path, CODEBOOK.replace(old, new))
    message = refuses(project, lambda: load_codebook(project), words)
    assert message.startswith(f"synthesis/codebook.yaml:{line}:"), message


def test_codebook_cycle_is_refused(tmp_path):
    text = CODEBOOK.replace("parent: null\n    level: analytical",
                            "parent: choice-words\n    level: analytical")
    project = synth_project(tmp_path, text.replace("level: analytical", "level: code"))
    # autonomy (code) under choice-words would also break the level rule: use framework
    framework = """method: framework
codes:
  - {id: a, name: A, parent: b, level: framework}
  - {id: b, name: B, parent: a, level: emergent}
"""
    (project.root / "synthesis" / "codebook.yaml").write_text(framework, "utf-8")
    refuses(project, lambda: load_codebook(project), "its own ancestor", "codebook.yaml:3")


META = """method: meta-aggregation
codes:
  - {id: s1, name: Synthesised, parent: null, level: synthesised}
  - {id: c1, name: Category, parent: s1, level: category}
  - {id: f1, name: F1, parent: c1, level: finding, credibility: unequivocal}
  - {id: f2, name: F2, parent: c1, level: finding, credibility: unsupported}
"""


def test_meta_aggregation_category_needs_two_supported_findings(tmp_path):
    project = synth_project(tmp_path, META)
    refuses(project, lambda: load_codebook(project), "aggregates 1 finding", "codebook.yaml:4")
    ok = META + "  - {id: f3, name: F3, parent: c1, level: finding, credibility: credible}\n"
    (project.root / "synthesis" / "codebook.yaml").write_text(ok, "utf-8")
    book = load_codebook(project)
    assert book.codes["f2"].credibility == "unsupported"  # kept, just not counted
    # a rename edits flow-style lines in place: the id and every parent link
    rename_code(project, "c1", "c1-new", "ann")
    renamed = load_codebook(project)
    assert [c.parent for c in renamed.codes.values()] == [None, "s1", "c1-new", "c1-new",
                                                          "c1-new"]
    bad = ok + "  - {id: c2, name: C2, parent: f1, level: category}\n"
    (project.root / "synthesis" / "codebook.yaml").write_text(bad, "utf-8")
    refuses(project, lambda: load_codebook(project), "cannot sit under 'f1'")


def test_add_code_keeps_comments_and_validates(tmp_path):
    project = synth_project(tmp_path)
    add_code(project, "rushed", "Feeling rushed", parent="choice", description='say "why"')
    text = (project.root / "synthesis" / "codebook.yaml").read_text("utf-8")
    assert text.startswith(CODEBOOK)  # the hand-written lines are untouched
    book = load_codebook(project)
    assert book.codes["rushed"].level == "code"
    assert book.codes["rushed"].description == 'say "why"'
    refuses(project, lambda: add_code(project, "rushed", "Again"), "already in the codebook")
    refuses(project, lambda: add_code(project, "x", "X", parent="time", level="analytical"),
            "cannot add code 'x'", "cannot sit under 'time'")


def test_add_code_creates_a_codebook(tmp_path):
    project = synth_project(tmp_path)
    (project.root / "synthesis" / "codebook.yaml").unlink()
    add_code(project, "f1", "First finding", method="meta-aggregation")
    book = load_codebook(project)
    assert (book.method, book.codes["f1"].level) == ("meta-aggregation", "finding")


def test_rename_code_keeps_codings_and_never_reuses_the_id(tmp_path):
    project = synth_project(tmp_path)
    seg = code_text(project, "b", "wanted choice", "choice-words", "ann")
    rename_code(project, "choice-words", "choosing", "bo")
    book = load_codebook(project)
    assert "choice-words" not in book.codes and book.codes["choosing"].parent == "choice"
    assert fold(project).segments[seg["segment"]].codes == {"choosing"}
    text = (project.root / "synthesis" / "codebook.yaml").read_text("utf-8")
    assert "# the review's codebook" in text and "# analytical theme" in text
    rename_code(project, "choice", "wanting", "ann")  # a parent: its children follow
    assert load_codebook(project).codes["choosing"].parent == "wanting"
    refuses(project, lambda: add_code(project, "choice-words", "Back"), "never reused")
    refuses(project, lambda: rename_code(project, "time", "choosing", "ann"), "in use")
    refuses(project, lambda: rename_code(project, "time", "later", "zed"),
            "'zed' is not a reviewer")


# --- sources --------------------------------------------------------------------------

def test_add_source_copies_verbatim_and_records_sha(tmp_path):
    project = synth_project(tmp_path)
    sources = load_sources(project)
    assert [(s.id, s.study, s.file) for s in sources] == [
        ("callanan-2012-findings", "callanan-2012",
         "synthesis/sources/callanan-2012-findings.txt"),
        ("b", "smith-2015", "synthesis/sources/b.md")]
    assert (project.root / sources[0].file).read_bytes() == TEXT_A.encode("utf-8")
    assert check_sources(project) == []
    (project.root / sources[1].file).write_text(TEXT_B + "More.\n", "utf-8")
    assert [(p.source, "changed" in p.message) for p in check_sources(project)] == [("b", True)]


def test_add_source_refusals_leave_the_project_as_it_was(tmp_path):
    project = synth_project(tmp_path)
    (tmp_path / "c.txt").write_text("text\n", "utf-8")
    (tmp_path / "latin.txt").write_bytes("caf\xe9\n".encode("latin-1"))
    (tmp_path / "c.pdf").write_bytes(b"%PDF")
    refuses(project, lambda: add_source(project, tmp_path / "c.txt", "nobody-2020"),
            "'nobody-2020' is not in studies.toml")
    refuses(project, lambda: add_source(project, tmp_path / "c.txt", "smith-2015", "b"),
            "already in")
    refuses(project, lambda: add_source(project, tmp_path / "latin.txt", "smith-2015"),
            "not UTF-8")
    refuses(project, lambda: add_source(project, tmp_path / "c.pdf", "smith-2015"), ".pdf")
    refuses(project, lambda: add_source(project, tmp_path / "c.txt", "smith-2015",
                                        report="rec-9"), "not a report of study")


def test_add_docx_source_becomes_text(tmp_path):
    import docx

    project = synth_project(tmp_path)
    document = docx.Document()
    document.add_paragraph("First paragraph.")
    document.add_paragraph("Second — with a dash.")
    document.save(str(tmp_path / "d.docx"))
    source = add_source(project, tmp_path / "d.docx", "callanan-2012", report="rec-1")
    assert source.file == "synthesis/sources/d.txt"
    text = (project.root / source.file).read_text("utf-8")
    assert text == "First paragraph.\nSecond — with a dash.\n"
    assert check_sources(project) == []


# --- coding logs ----------------------------------------------------------------------

def test_code_text_needs_words_that_occur_once(tmp_path):
    project = synth_project(tmp_path)
    seg = code_text(project, "callanan-2012-findings", "I want control over my life",
                    "choice-words", "ann", role="participant quote", page="p. 4")
    # offsets index the text with \r\n read as \n
    text = TEXT_A.replace("\r\n", "\n")
    assert text[seg["start"]:seg["end"]] == "I want control over my life"
    refuses(project, lambda: code_text(project, "b", "e", "time", "ann"), "occurs 9 times")
    refuses(project, lambda: code_text(project, "b", "absent", "time", "ann"),
            "does not occur")
    refuses(project, lambda: code_text(project, "b", "Nurses", "nope", "ann"),
            "'nope' is not in the codebook")
    refuses(project, lambda: code_text(project, "b", "Nurses", "time", "zed"),
            "not a reviewer")


def test_fold_follows_undo_remove_merge_and_memos(tmp_path):
    project = synth_project(tmp_path)
    s1 = code_text(project, "b", "time pressure", "time", "ann")["segment"]
    s2 = code_text(project, "callanan-2012-findings", "wanted choice", "choice-words",
                   "bo")["segment"]
    apply_ = event("apply", "bo", segment=s1, code="choice")
    append_coding(project, "bo", [apply_])
    assert fold(project).segments[s1].codes == {"time", "choice"}
    append_coding(project, "bo", [event("undo", "bo", target=apply_["id"])])
    assert fold(project).segments[s1].codes == {"time"}
    uncode(project, s2, "choice-words", "ann")
    assert fold(project).segments[s2].codes == set()
    append_coding(project, "ann", [event("apply", "ann", segment=s2, code="choice-words"),
                                   event("merge-code", "ann", code="choice-words",
                                         into="choice")])
    assert fold(project).segments[s2].codes == {"choice"}
    add_memo(project, "segment", s1, "rushed, not pressured?", "bo")
    refuses(project, lambda: add_memo(project, "segment", "0" * 16, "x", "bo"), "no segment")
    memos = fold(project).memos
    assert [(m.on, m.target, m.coder) for m in memos] == [("segment", s1, "bo")]


def test_torn_and_bad_lines_are_reported_and_skipped(tmp_path):
    project = synth_project(tmp_path)
    s1 = code_text(project, "b", "time pressure", "time", "ann")["segment"]
    log = coding_log(project, "ann")
    good = log.read_bytes()
    bad_event = event("apply", "bo", segment=s1, code="choice")  # bo's event in ann's log
    with log.open("ab") as fh:
        fh.write((json.dumps(bad_event) + "\n").encode())
        fh.write(b'{"v": 1, "id": "x", "type": "apply", "coder": "ann", "at')  # torn
    events, problems = read_coding(project)
    assert len(events) == 2
    assert [(p.file, p.line) for p in problems] == [("synthesis/coding/ann.jsonl", 3),
                                                    ("synthesis/coding/ann.jsonl", 4)]
    assert "coder 'bo'" in problems[0].message and "cut short" in problems[1].message
    # the next write starts on a fresh line: the torn line stays the only casualty
    s2 = code_text(project, "b", "Nurses", "time", "ann")["segment"]
    coding = fold(project)
    assert set(coding.segments) == {s1, s2} and len(coding.problems) == 2
    assert log.read_bytes().startswith(good)


def test_coding_with_a_code_deleted_by_hand_is_an_error(tmp_path):
    project = synth_project(tmp_path)
    code_text(project, "b", "Nurses", "time", "ann")
    code_text(project, "b", "time pressure", "choice-words", "ann")  # lines 3 and 4
    book = project.root / "synthesis" / "codebook.yaml"
    book.write_text(CODEBOOK.replace("  - id: choice-words\n    name: Choice\n"
                                     "    parent: choice\n    level: code\n", ""), "utf-8")
    for call in (lambda: load_synthesis(project), lambda: synthesis_status(project),
                 lambda: quote_table(load_synthesis(project))):
        message = refuses(project, call, "synthesis/codebook.yaml", "'choice-words'",
                          "synthesis/coding/ann.jsonl:4")
        assert message.startswith("synthesis/codebook.yaml:"), message
    # a removed coding no longer needs its code
    seg = fold(project).segments
    gone = next(s.id for s in seg.values() if s.codes == {"choice-words"})
    append_coding(project, "ann", [event("remove", "ann", segment=gone, code="choice-words")])
    assert load_synthesis(project).coding.segments[gone].codes == set()


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

def coded(tmp_path: Path) -> Project:
    project = synth_project(tmp_path)
    code_text(project, "callanan-2012-findings", "wanted choice", "choice-words", "ann",
              role="author interpretation")
    code_text(project, "callanan-2012-findings", "I want control over my life", "choice",
              "ann", role="participant quote", page="4")
    code_text(project, "b", "time pressure", "time", "bo", role="participant quote")
    return project


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
    path.write_text(good.replace('study = "smith-2015"', 'study = "smith-2015"\nstudyy = "x"'),
                    "utf-8")
    refuses(project, lambda: load_sources(project), f"sources.toml:{line}:", "studyy")


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
