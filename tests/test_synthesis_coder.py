"""The coding session under the terminal coder: movement, blind view, actions written at once."""

from __future__ import annotations

import json

import pytest

from reviewkit.errors import ReviewkitError
from reviewkit.synthesis import cursor as cur
from reviewkit.synthesis.codebook import load_codebook
from reviewkit.synthesis.coding import fold
from reviewkit.synthesis.edit import code_text
from reviewkit.synthesis.session import open_session
from synthesis_support import refuses, synth_project

TEXT = "First one. Second here!\n\n  Next para \"quoted.\" End\nLast.\n"


def log_lines(project, coder: str = "ann") -> list[dict]:
    path = project.root / f"synthesis/coding/{coder}.jsonl"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text("utf-8").splitlines()]


def test_paragraphs_words_sentences():
    assert cur.paragraphs(TEXT) == [(0, 23), (27, 50), (51, 56)]
    assert [TEXT[s:e] for s, e in cur.paragraphs(TEXT)][1] == "Next para \"quoted.\" End"
    assert cur.grow(TEXT, 0, 0, "word") == (0, 5)
    assert cur.grow(TEXT, 0, 5, "word") == (0, 10)
    assert cur.grow(TEXT, 0, 0, "sentence") == (0, 10)
    assert cur.grow(TEXT, 0, 10, "sentence") == (0, 23)
    assert cur.grow(TEXT, 27, 27, "sentence") == (27, 46)  # the quote's closing mark goes too
    assert cur.grow(TEXT, 0, 0, "paragraph") == (0, 23)
    assert cur.grow(TEXT, 0, 23, "paragraph") == (0, 50)
    assert cur.next_start(TEXT, 0, "paragraph") == 27
    assert cur.prev_start(TEXT, 27, "paragraph") == 0
    assert cur.next_start(TEXT, 51, "paragraph") == 51  # none after the last
    assert cur.next_start(TEXT, 0, "sentence") == 11
    assert cur.trim(TEXT, 23, 32) == (27, 31)  # "Next"


def test_apply_makes_segment_and_code_in_one_write_and_blind_view(tmp_path):
    project = synth_project(tmp_path)
    code_text(project, "callanan-2012-findings", "Staff felt rushed.", "time", "bo")
    s = open_session(project, "ann", "callanan-2012-findings")
    assert s.segments == []  # blind: bo coded this source, ann does not see it
    assert s.cursor == 0
    s.select("sentence")
    assert s.text[slice(*s.selected())] == "Participants said they wanted choice."
    written = s.apply("choice-words")
    assert [e["type"] for e in written] == ["segment", "apply"]
    assert log_lines(project) == written  # exactly these, on disk when apply returned
    assert written[0]["text"] == "Participants said they wanted choice."
    assert s.codes_at() == ["choice-words"]
    s.clear()
    s.apply("autonomy")  # no selection: onto the segment at the cursor
    assert [e["type"] for e in log_lines(project)] == ["segment", "apply", "apply"]
    assert s.codes_at() == ["autonomy", "choice-words"]
    seg = fold(project).segments[written[0]["segment"]]
    assert seg.codes == {"autonomy", "choice-words"} and seg.coder == "ann"


def test_remove_undo_and_memo(tmp_path):
    project = synth_project(tmp_path)
    s = open_session(project, "ann", "callanan-2012-findings")
    s.select("word")
    seg = s.apply("time")[0]
    s.clear()
    s.apply("autonomy")
    removed = s.remove("time")
    assert removed[0]["type"] == "remove" and s.codes_at() == ["autonomy"]
    memo = s.memo("says it twice")
    assert memo[0]["target"] == seg["segment"]
    # undo walks back: memo, remove, apply, then the segment with its first code
    said = []
    targets = []
    for _ in range(4):
        targets.append(s.undo()[0]["target"])
        said.append(s.undone.split(" (made ")[0])
    assert said == ["a memo on a segment", "the removal of code 'time' on a segment",
                    "code 'autonomy' on a segment", said[3]]
    lines = log_lines(project)
    by_type = {e["id"]: e["type"] for e in lines}
    assert [by_type[t] for t in targets] == ["memo", "remove", "apply", "segment"]
    assert s.segments == [] and fold(project).memos == []
    with pytest.raises(ReviewkitError, match="nothing to undo"):
        s.undo()


def test_undo_reaches_an_earlier_sitting(tmp_path):
    project = synth_project(tmp_path)
    s = open_session(project, "ann", "callanan-2012-findings")
    s.select("paragraph")
    s.apply("time")
    again = open_session(project, "ann", "callanan-2012-findings")
    assert len(again.segments) == 1 and again.cursor > 0  # it starts at an uncoded paragraph
    seg = again.segments[0]
    again.undo()
    assert fold(project).segments == {}
    # said in words, with when it was made: it was not this sitting's
    assert again.undone.startswith(f"the segment at {seg.start}-{seg.end} and its code (made ")


def test_new_code_adds_to_codebook_then_applies(tmp_path):
    project = synth_project(tmp_path)
    s = open_session(project, "ann", "b")
    s.select("word")
    s.select("word")
    code, written = s.new_code("Time Pressure!")
    assert code.id == "time-pressure"
    book = load_codebook(project)
    assert book.codes[code.id].name == "Time Pressure!"
    assert [e["type"] for e in written] == ["segment", "apply"]
    assert written[1]["code"] == code.id and written[0]["text"] == "Nurses described"
    s.clear()
    s.select("word")
    s.select("word")
    code2, _ = s.new_code("Time pressure")  # same words: a fresh id, never a clash
    assert code2.id == "time-pressure-2"


def test_mistakes_write_nothing(tmp_path):
    project = synth_project(tmp_path)
    s = open_session(project, "ann", "callanan-2012-findings")
    refuses(project, lambda: s.apply("time"), "select some text")
    refuses(project, lambda: s.remove(), "no coded segment")
    refuses(project, lambda: s.memo("x"), "memo goes on a segment")
    refuses(project, lambda: s.undo(), "nothing to undo")
    s.select("word")
    refuses(project, lambda: s.apply("nope"), "'nope' is not in the codebook")
    refuses(project, lambda: s.new_code("  "), "no name")
    s.apply("time")
    refuses(project, lambda: s.apply("time"), "already coded")
    refuses(project, lambda: s.remove("autonomy"), "not coded with 'autonomy'")
    refuses(project, lambda: s.memo("  "), "memo is empty")
    with pytest.raises(ReviewkitError, match="source 'zz'"):
        open_session(project, "ann", "zz")
    with pytest.raises(ReviewkitError):
        open_session(project, "nobody", "b")


def test_next_and_previous_uncoded_paragraph(tmp_path):
    project = synth_project(tmp_path)
    s = open_session(project, "ann", "callanan-2012-findings")
    paras = cur.paragraphs(s.text)
    assert len(paras) == 3
    s.move(paras[1][0])
    s.select("word")
    s.apply("time")
    s.move(paras[0][0])
    assert s.next_uncoded() and s.cursor == paras[2][0]  # the coded middle one is skipped
    assert not s.next_uncoded()
    assert s.next_uncoded(forward=False) and s.cursor == paras[0][0]


def test_edited_source_shows_segments_where_their_words_are_now(tmp_path):
    project = synth_project(tmp_path)
    code_text(project, "b", "time pressure", "time", "ann")
    code_text(project, "b", "Patients wanted", "time", "ann")
    (project.root / "synthesis/sources/b.md").write_text(
        "A new first line.\nNurses described time pressure.\n", "utf-8")
    s = open_session(project, "ann", "b")
    assert [s.text[g.start:g.end] for g in s.segments] == ["time pressure"]
    assert s.lost == 1  # "Patients wanted" is gone from the text


def test_type_and_page_of_a_segment_are_events_undo_takes_back(tmp_path):
    project = synth_project(tmp_path)
    s = open_session(project, "ann", "callanan-2012-findings")
    s.select("sentence")
    seg = s.apply("time")[0]["segment"]
    written = s.describe(role="participant quote")
    assert [(e["type"], e["segment"], e["role"], e["page"]) for e in written] == [
        ("describe", seg, "participant quote", "")]
    s.describe(page=" 12 ")
    assert log_lines(project)[-1]["role"] == "participant quote"  # kept, page added
    got = fold(project).segments[seg]
    assert (got.role, got.page) == ("participant quote", "12")
    assert s.describe(page="12") == []  # no change: nothing written
    assert len(log_lines(project)) == 4
    s.undo()  # the page goes, the type stays
    got = fold(project).segments[seg]
    assert (got.role, got.page) == ("participant quote", "")
    assert (s.target().role, s.target().page) == ("participant quote", "")
    refuses(project, lambda: s.describe(role="quote"), "unknown role 'quote'")


def test_type_and_page_chosen_before_the_segment_go_on_the_next_one_made(tmp_path):
    project = synth_project(tmp_path)
    s = open_session(project, "ann", "b")
    refuses(project, lambda: s.describe(role="field observation"), "select some text")
    s.select("sentence")
    assert s.describe(role="field observation", page="3") == []  # nothing to write yet
    made = s.apply("time")[0]
    assert (made["role"], made["page"]) == ("field observation", "3")
    assert (s.next_role, s.next_page) == ("", "")  # used up by that segment
    s.next_uncoded()
    s.select("sentence")
    assert s.apply("time")[0]["role"] == ""


def test_old_reader_rules_still_hold_for_describe_events(tmp_path):
    project = synth_project(tmp_path)
    s = open_session(project, "ann", "b")
    s.select("word")
    seg = s.apply("time")[0]["segment"]
    path = project.root / "synthesis/coding/ann.jsonl"
    bad = [{"role": "boss", "page": ""}, {"role": "", "page": 3}, {"role": ""}]
    with path.open("a", encoding="utf-8") as fh:
        for extra in bad:
            e = {"v": 1, "id": f"x{len(extra)}{extra['role']}", "type": "describe",
                 "coder": "ann", "at": "2030-01-01T00:00:00.000Z", "segment": seg, **extra}
            fh.write(json.dumps(e) + "\n")
    coding = fold(project)
    assert [p.message for p in coding.problems] == [
        "unknown role 'boss'; skipped", "field 'page' must be text; skipped",
        "field 'page' must be text; skipped"]
    assert coding.segments[seg].role == ""
