"""Synthesis core library: codebook rules, sources, coding logs."""

from __future__ import annotations

import json

import pytest

from reviewkit.synthesis.codebook import add_code, load_codebook, rename_code
from reviewkit.synthesis.coding import append_coding, coding_log, event, fold, read_coding
from reviewkit.synthesis.edit import add_memo, code_text, uncode
from reviewkit.synthesis.quotes import quote_table
from reviewkit.synthesis.sources import add_source, check_sources, load_sources
from reviewkit.synthesis.state import load_synthesis, synthesis_status
from synthesis_support import CODEBOOK, META, TEXT_A, TEXT_B, refuses, synth_project

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
    uncode(project, s2, "choice-words", "ann", others=True)  # bo's coding, taken off by ann
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


def test_uncode_refuses_a_coding_of_another_coder(tmp_path):
    project = synth_project(tmp_path)
    seg = code_text(project, "b", "time pressure", "time", "ann")["segment"]
    # bo adds a code to ann's segment: that coding is bo's, the other stays ann's
    append_coding(project, "bo", [event("apply", "bo", segment=seg, code="choice")])
    refuses(project, lambda: uncode(project, seg, "choice", "ann"), f"segment {seg}",
            "'choice'", "made by bo", "--others")
    refuses(project, lambda: uncode(project, seg, "time", "bo"), "made by ann")
    # bo coding the same again: removing it as ann would take off bo's coding too
    append_coding(project, "bo", [event("apply", "bo", segment=seg, code="time")])
    refuses(project, lambda: uncode(project, seg, "time", "ann"), "made by ann and bo")
    uncode(project, seg, "choice", "bo")  # one's own: no flag needed
    uncode(project, seg, "time", "ann", others=True)
    assert fold(project).segments[seg].codes == set()
    kinds = [(e["coder"], e["type"], e.get("code")) for e, _, _ in read_coding(project)[0]]
    assert ("ann", "remove", "time") in kinds and ("bo", "remove", "choice") in kinds
    # a code renamed since it was applied is still the applier's
    append_coding(project, "bo", [event("apply", "bo", segment=seg, code="time")])
    rename_code(project, "time", "pressure", "ann")
    refuses(project, lambda: uncode(project, seg, "pressure", "ann"), "made by bo")
