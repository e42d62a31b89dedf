"""Taguette highlights CSV import: highlights found in the sources, tags as codes, idempotent."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from helpers import new_project, run_cli, snapshot
from reviewkit.errors import ReviewkitError
from reviewkit.screening.reviewers import add_reviewer
from reviewkit.synthesis.codebook import load_codebook
from reviewkit.synthesis.sources import add_source
from reviewkit.synthesis.state import load_synthesis
from reviewkit.synthesis.taguette import import_highlights, locate
from synthesis_support import STUDIES

INTERVIEW = ("I felt I had no say at first.\nThen the budget came and I could choose\n"
             "who comes to help me. I could choose the hours too.\n")
NOTES = "Staff said the paperwork took hours.\nLater: Staff said the paperwork took hours.\n"


@pytest.fixture
def project(tmp_path: Path):
    project, store = new_project(tmp_path)
    store.close()
    add_reviewer(project, "ann")
    (project.root / "studies.toml").write_text(STUDIES, "utf-8")
    (tmp_path / "interview.txt").write_text(INTERVIEW, "utf-8")
    (tmp_path / "notes.txt").write_text(NOTES, "utf-8")
    add_source(project, tmp_path / "interview.txt", "smith-2015", title="Interview 1")
    add_source(project, tmp_path / "notes.txt", "callanan-2012", "field-notes")
    return project


def write_csv(path: Path, rows: list[tuple]) -> Path:
    # as Taguette writes it: csv.writer defaults (CRLF), one row per highlight and tag
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "document", "tag", "content"])
        w.writerows(rows)
    return path


ROWS = [
    (1, "Interview 1", "no say", "I felt I had no say at first."),
    (2, "Interview 1", "choice", "I could choose who comes to help me."),  # spans a line end
    (2, "Interview 1", "control", "I could choose who comes to help me."),
    (3, "field-notes", "paperwork", "Staff said the paperwork took hours."),
    (4, "field-notes", "paperwork", "Staff said the paperwork took hours."),  # 2nd place
    (5, "Interview 1", "choice", "I culd choose the hours too."),  # a typo: fuzzy
]


def _segments(project) -> list[tuple]:
    syn = load_synthesis(project)
    return sorted((s.source, s.start, s.end, s.text, tuple(sorted(s.codes)))
                  for s in syn.coding.segments.values())


def test_highlights_become_segments_and_tags_codes(project, tmp_path: Path) -> None:
    rep = import_highlights(project, write_csv(tmp_path / "h.csv", ROWS), "ann")
    assert (rep.highlights, rep.segments, rep.codings, rep.fuzzy) == (5, 5, 6, 1)
    assert rep.codes == ["no-say", "choice", "control", "paperwork"]
    assert rep.warnings == []
    book = load_codebook(project)
    assert book.method == "thematic" and {c.level for c in book.codes.values()} == {"code"}
    i = INTERVIEW.index
    second = NOTES.index("Staff said", 1)
    choose = "I could choose\nwho comes to help me."
    assert _segments(project) == sorted([
        ("interview", 0, 29, "I felt I had no say at first.", ("no-say",)),
        ("interview", i("I could choose\n"), i("I could choose\n") + len(choose), choose,
         ("choice", "control")),
        ("interview", i("I could choose the"), i("I could choose the") + 29,
         "I could choose the hours too.", ("choice",)),
        ("field-notes", 0, 36, NOTES[:36], ("paperwork",)),
        ("field-notes", second, second + 36, NOTES[second:second + 36], ("paperwork",)),
    ])


def test_a_second_import_adds_nothing(project, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "h.csv", ROWS)
    import_highlights(project, path, "ann")
    before = snapshot(project.root)
    rep = import_highlights(project, path, "ann")
    assert (rep.segments, rep.codings, rep.codes, rep.already) == (0, 0, [], 5)
    assert snapshot(project.root) == before


def test_existing_codes_are_matched_by_name_or_id(project, tmp_path: Path) -> None:
    (project.root / "synthesis" / "codebook.yaml").write_text(
        "method: framework\ncodes:\n"
        "  - {id: say, name: No say, parent: null, level: framework}\n", "utf-8")
    rep = import_highlights(project, write_csv(tmp_path / "h.csv", [
        (1, "Interview 1", "no say", "I felt I had no say at first."),
        (2, "Interview 1", "say", "who comes to help me"),
        (3, "Interview 1", "hours", "the hours too")]), "ann")
    assert rep.codes == ["hours"]
    book = load_codebook(project)
    assert book.codes["hours"].level == "emergent"  # the framework method's default
    assert sorted(c for s in load_synthesis(project).coding.segments.values()
                  for c in s.codes) == ["hours", "say", "say"]


def test_not_found_and_unknown_documents_are_reported_by_line(project,
                                                              tmp_path: Path) -> None:
    rep = import_highlights(project, write_csv(tmp_path / "h.csv", [
        (1, "Interview 1", "a", "Nothing like this is in the interview at all."),
        (2, "Interview 9", "a", "I felt I had no say"),
        (3, "Interview 9", "a", "no say"),
        (4, "Interview 1", "", "I felt I had no say"),
    ]), "ann")
    assert rep.highlights == 1 and rep.segments == 1 and rep.codings == 0
    text = "\n".join(rep.warnings)
    assert "1 highlight(s) not found in their source (lines 2)" in text
    assert "document 'Interview 9' is no source (lines 3, 4)" in text
    assert "1 highlight row(s) carry no tag" in text
    assert [s.codes for s in load_synthesis(project, False).coding.segments.values()] == [set()]


def test_locate_prefers_the_place_after_the_previous_highlight() -> None:
    text = "ab ab ab"
    assert locate(text, "ab", 0) == ("exact", 0, 2)
    assert locate(text, "ab", 1) == ("exact", 3, 5)
    assert locate(text, "ab", 7) == ("exact", 6, 8)  # none after: the last
    assert locate("one\n  two", "one two", 0) == ("spaces", 0, 9)
    assert locate(text, "zz", 0) is None and locate(text, "  ", 0) is None


def test_no_sources_and_a_codebook_csv_are_refused(tmp_path: Path) -> None:
    project, store = new_project(tmp_path)
    store.close()
    add_reviewer(project, "ann")
    with pytest.raises(ReviewkitError, match="no sources yet"):
        import_highlights(project, write_csv(tmp_path / "h.csv", ROWS), "ann")
    (tmp_path / "b.csv").write_text("name,description,parent\nA,,\n", "utf-8")
    with pytest.raises(ReviewkitError, match="not Taguette highlights"):
        import_highlights(project, tmp_path / "b.csv", "ann")


def test_cli_import_and_wrong_header(project, tmp_path: Path) -> None:
    r = run_cli("synthesis", "import", str(write_csv(tmp_path / "h.csv", ROWS)), "-r", "ann",
                cwd=project.root)
    assert r.returncode == 0, r.stderr
    assert "imported 5 highlights from h.csv: 5 new segments, 6 new codings, 4 new codes" \
        in r.stdout
    bad = tmp_path / "bad.csv"
    bad.write_text("id,document,tags,content\n1,Interview 1,a,no say\n", "utf-8")
    before = snapshot(project.root)
    r = run_cli("synthesis", "import", str(bad), "-r", "ann", cwd=project.root)
    assert r.returncode == 2
    line = r.stderr.strip()
    assert "\n" not in line and "bad.csv:1:" in line
    assert "expected Taguette highlights (id, document, tag, content)" in line
    assert snapshot(project.root) == before


def test_pages_are_filled_for_a_pdf_source(project, tmp_path: Path) -> None:
    from test_synthesis_pdf import PAGES, draw_pdf

    add_source(project, draw_pdf(tmp_path / "rep.pdf", PAGES), "smith-2015", title="Report")
    import_highlights(project, write_csv(tmp_path / "h.csv", [
        (1, "Report", "time", "Carers described time pressure.")]), "ann")
    seg = next(iter(load_synthesis(project).coding.segments.values()))
    assert seg.page == "3"
