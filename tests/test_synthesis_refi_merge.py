"""REFI import into a project that has a synthesis already: merged, idempotent, refused
when it would change what a code means."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers import snapshot
from reviewkit.errors import ReviewkitError
from reviewkit.screening.reviewers import add_reviewer
from reviewkit.synthesis.codebook import load_codebook
from reviewkit.synthesis.edit import code_text
from reviewkit.synthesis.refi.load import import_refi
from reviewkit.synthesis.refi.write import export_refi
from reviewkit.synthesis.sources import add_source, load_sources, source_text
from reviewkit.synthesis.state import load_synthesis
from test_synthesis_refi import _content, _fresh, example  # noqa: F401  (a fixture)

G = "00000000-0000-0000-0000-0000000000{:02d}"


def _qde(codes: str, sources: str, users: str = "") -> str:
    return f"""<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="other" origin="OtherQDA 1.0">
{users}<CodeBook><Codes>{codes}</Codes></CodeBook>
<Sources>{sources}</Sources>
</Project>"""


def _code(n: int, name: str, desc: str = "") -> str:
    d = f"<Description>{desc}</Description>" if desc else ""
    return f'<Code guid="{G.format(n)}" name="{name}" isCodable="true">{d}</Code>'


def _source(n: int, name: str, text: str, sels: list[tuple[int, int, int, int]]) -> str:
    """sels: (selection guid no., start, end, code guid no.)"""
    inner = "".join(
        f'<PlainTextSelection guid="{G.format(s)}" startPosition="{a}" endPosition="{b}">'
        f'<Coding guid="{G.format(s + 50)}"><CodeRef targetGUID="{G.format(c)}"/></Coding>'
        "</PlainTextSelection>" for s, a, b, c in sels)
    return (f'<TextSource guid="{G.format(n)}" name="{name}"><PlainTextContent>{text}'
            f"</PlainTextContent>{inner}</TextSource>")


@pytest.fixture
def project(tmp_path: Path):
    """A thematic synthesis of its own: codes time and choice, source 'interview'."""
    project = _fresh(tmp_path / "own", "ann")
    (project.root / "studies.toml").write_text('[[study]]\nid = "s1"\ncitation = "S"\n',
                                               "utf-8")
    (project.root / "synthesis").mkdir(exist_ok=True)
    (project.root / "synthesis" / "codebook.yaml").write_text(
        "method: thematic\ncodes:\n"
        "  - {id: time, name: Time pressure, parent: null, level: code, "
        "description: Too little time}\n"
        "  - {id: choice, name: Choice, parent: null, level: code}\n", "utf-8")
    (tmp_path / "interview.txt").write_text("We had no time at all.\n", "utf-8")
    add_source(project, tmp_path / "interview.txt", "s1")
    code_text(project, "interview", "no time", "time", "ann")
    return project


def test_exporting_and_importing_into_the_same_project_adds_nothing(example,  # noqa: F811
                                                                     tmp_path: Path) -> None:
    from reviewkit.synthesis.edit import add_memo

    add_memo(example, "code", "moral-ethical", "a code memo", "tompkins")
    add_memo(example, "source", "welch-2013-findings", "a source memo", "parkman")
    export_refi(example, tmp_path / "p.qdpx")
    before = snapshot(example.root)
    rep = import_refi(example, tmp_path / "p.qdpx", "tompkins")
    assert rep.merged and rep.matched == 10
    assert (rep.codes, rep.sources, rep.segments, rep.codings, rep.memos) == (0, 0, 0, 0, 0)
    assert rep.summary().startswith("nothing new: 10 codes matched")
    assert snapshot(example.root) == before


def test_merging_adds_new_codes_sources_and_segments(project, tmp_path: Path) -> None:
    text_same = "We had no time at all.\n"
    text_other = "Choice mattered most.\n"
    file = tmp_path / "o.qde"
    file.write_text(_qde(
        _code(1, "Time pressure", "Too little time") + _code(2, "Mattering"),
        _source(10, "interview", text_same, [(20, 7, 14, 1), (21, 0, 6, 2)])
        + _source(11, "interview", text_other, [(22, 0, 6, 1)])), "utf-8")
    rep = import_refi(project, file, "ann")
    # 'Time pressure' is the project's code by name; 'Mattering' is new
    assert (rep.matched, rep.codes, rep.sources) == (1, 1, 1)
    # "no time" (7..14) by ann was there with code time: neither segment nor coding again
    assert (rep.segments, rep.codings) == (2, 2)
    book = load_codebook(project)
    assert book.codes["mattering"].level == "code"
    srcs = {s.id: s for s in load_sources(project)}
    assert sorted(srcs) == ["interview", "interview-2"]  # other text, same name: new id
    assert source_text(project, srcs["interview-2"]) == text_other
    segs = sorted((s.source, s.text, tuple(sorted(s.codes)))
                  for s in load_synthesis(project).coding.segments.values())
    assert segs == [("interview", "We had", ("mattering",)),
                    ("interview", "no time", ("time",)),
                    ("interview-2", "Choice", ("time",))]
    before = snapshot(project.root)
    again = import_refi(project, file, "ann")
    assert again.summary().startswith("nothing new: 2 codes matched")
    assert snapshot(project.root) == before


def test_a_fresh_import_imported_again_adds_nothing(example, tmp_path: Path  # noqa: F811
                                                    ) -> None:
    export_refi(example, tmp_path / "p.qdpx")
    fresh = _fresh(tmp_path / "f", "tompkins", "parkman")
    import_refi(fresh, tmp_path / "p.qdpx", "tompkins")
    before = snapshot(fresh.root)
    rep = import_refi(fresh, tmp_path / "p.qdpx", "tompkins")
    assert rep.matched == 10 and rep.segments == rep.codings == rep.sources == 0
    assert snapshot(fresh.root) == before
    assert _content(fresh) == _content(example)


@pytest.mark.parametrize("codes,words", [
    (_code(1, "Time pressure", "Something else entirely"),
     "code 'time' would change: the file gives its description as 'Something else"),
])
def test_changing_a_codes_meaning_is_refused(project, tmp_path: Path, codes: str,
                                             words: str) -> None:
    file = tmp_path / "o.qde"
    file.write_text(_qde(codes, _source(10, "x", "Other words.\n", [(20, 0, 5, 1)])),
                    "utf-8")
    before = snapshot(project.root)
    with pytest.raises(ReviewkitError, match=words):
        import_refi(project, file, "ann")
    assert snapshot(project.root) == before


def test_a_reviewkit_file_of_another_method_or_level_is_refused(project, example,  # noqa: F811
                                                                tmp_path: Path) -> None:
    export_refi(example, tmp_path / "p.qdc")
    before = snapshot(project.root)
    (project.root / "synthesis" / "codebook.yaml").write_text(
        "method: framework\ncodes:\n  - {id: choice, name: Choice, parent: null, "
        "level: framework}\n", "utf-8")
    before = snapshot(project.root)
    with pytest.raises(ReviewkitError, match="the file's codebook is thematic, the "
                       "project's is framework"):
        import_refi(project, tmp_path / "p.qdc", "ann")
    assert snapshot(project.root) == before


def test_a_level_change_is_refused(project, tmp_path: Path) -> None:
    # the project's own export, with the level of 'time' edited to analytical
    export_refi(project, tmp_path / "p.qdc")
    data = (tmp_path / "p.qdc").read_text("utf-8")
    assert 'name="reviewkit level: code"' in data
    data = data.replace('name="reviewkit level: code"', 'name="reviewkit level: analytical"')
    (tmp_path / "p.qdc").write_text(data, "utf-8")
    before = snapshot(project.root)
    with pytest.raises(ReviewkitError, match="code 'time' would change: the file gives its "
                       "level as 'analytical'"):
        import_refi(project, tmp_path / "p.qdc", "ann")
    assert snapshot(project.root) == before


def test_coders_who_are_not_reviewers_are_refused(project, tmp_path: Path) -> None:
    file = tmp_path / "o.qde"
    user = f'<Users><User guid="{G.format(90)}" name="zoe"/></Users>'
    src = _source(10, "x", "Other words.\n", [(20, 0, 5, 1)]).replace(
        "<PlainTextSelection ", f'<PlainTextSelection creatingUser="{G.format(90)}" ')
    file.write_text(_qde(_code(1, "Choice"), src, user), "utf-8")
    before = snapshot(project.root)
    with pytest.raises(ReviewkitError, match="coder.s. zoe of the file are not reviewers"):
        import_refi(project, file, "ann")
    assert snapshot(project.root) == before
    add_reviewer(project, "zoe")
    rep = import_refi(project, file, "ann")
    assert rep.coders == ["zoe"] and rep.codings == 1


@pytest.mark.parametrize("name,coders", [("NVivo/oltas0517.qdpx", ["Gergo", "floriansipos"]),
                                         ("qc/demo.qdpx", None)])
def test_a_real_export_imported_twice_adds_nothing_the_second_time(tmp_path: Path, name: str,
                                                                   coders) -> None:
    from conftest import shared_path

    file = shared_path(f"data/refi-qda/{name}")
    project = _fresh(tmp_path / "r", "me", *(coders or []))
    first = import_refi(project, file, "me")
    if coders is None:  # whoever the file names: make them reviewers for the merge
        for c in first.coders:
            if c != "me":
                add_reviewer(project, c)
    before = snapshot(project.root)
    again = import_refi(project, file, "me")
    assert again.merged and again.matched == first.codes
    assert (again.codes, again.sources, again.segments, again.codings) == (0, 0, 0, 0)
    assert snapshot(project.root) == before


def test_codes_of_one_name_are_matched_by_their_order(tmp_path: Path) -> None:
    from test_synthesis_refi import SYNTHETIC

    file = tmp_path / "s.qde"
    file.write_text(SYNTHETIC, "utf-8")
    project = _fresh(tmp_path / "s", "me", "Ana-Lima")
    import_refi(project, file, "me")
    assert sorted(load_codebook(project).codes) == ["trust", "trust-2"]
    before = snapshot(project.root)
    again = import_refi(project, file, "me")
    assert again.matched == 2 and again.codes == again.codings == again.segments == 0
    assert snapshot(project.root) == before
