"""REFI-QDA export of awkward sources: a UTF-8 BOM, characters XML 1.0 cannot hold."""

from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

from helpers import copy_example
from reviewkit.project import init_project
from reviewkit.project.config import find_project
from reviewkit.screening.reviewers import add_reviewer
from reviewkit.synthesis.edit import add_memo, code_text
from reviewkit.synthesis.refi.load import import_refi
from reviewkit.synthesis.refi.write import export_refi, project_qdpx
from reviewkit.synthesis.sources import add_source
from reviewkit.synthesis.state import load_synthesis
from synthesis_support import synth_project

NS = {"q": "urn:QDA-XML:project:1.0"}


def _fresh(tmp_path: Path, *coders: str):
    project = init_project(tmp_path / "fresh", "Fresh", "Q?")
    for c in coders:
        add_reviewer(project, c)
    return find_project(project.root)


def _with_source(tmp_path: Path, data: bytes, name: str = "odd.txt"):
    project = synth_project(tmp_path)
    (tmp_path / name).write_bytes(data)
    add_source(project, tmp_path / name, "smith-2015", "odd")
    return project


def test_a_source_with_a_bom_keeps_its_segments_on_their_words(tmp_path: Path) -> None:
    project = _with_source(tmp_path, "\ufeffAlpha beta.\r\nDelta budget here.\r\n"
                           .encode("utf-8"))
    code_text(project, "odd", "Alpha", "time", "ann")
    code_text(project, "odd", "budget here", "time", "ann")
    out = tmp_path / "bom.qdpx"
    export_refi(project, out)
    with zipfile.ZipFile(out) as z:
        qde = ET.fromstring(z.read("project.qde"))
        src = qde.find(".//q:TextSource[@name='odd']", NS)
        text = z.read(src.get("plainTextPath").removeprefix("internal://")
                      .join(("sources/", ""))).decode("utf-8-sig")
    # what another program reads: offsets over the exported text, a BOM not counted
    # (NVivo's reading, and reviewkit's own importer's)
    spans = {text[int(s.get("startPosition")):int(s.get("endPosition"))]
             for s in src.findall("q:PlainTextSelection", NS)}
    assert spans == {"Alpha", "budget here"}
    fresh = _fresh(tmp_path, "ann")
    import_refi(fresh, out, "ann")
    got = {s.text for s in load_synthesis(fresh).coding.segments.values()
           if s.source == "odd"}
    assert got == {"Alpha", "budget here"}


def test_control_characters_in_coded_words_and_memos_export(tmp_path: Path) -> None:
    # a form feed (a page break in text taken from a PDF) and a stray control byte
    project = _with_source(tmp_path, b"Page one ends here.\x0cPage two\x01 starts.\n")
    seg = code_text(project, "odd", "here.\x0cPage two\x01 starts", "time", "ann")
    add_memo(project, "code", "time", "memo \x02 with a control character", "ann")
    data, _ = project_qdpx(project)  # must not raise: the XML is well-formed and valid
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        qde = ET.fromstring(z.read("project.qde"))
    sel = qde.find(".//q:TextSource[@name='odd']/q:PlainTextSelection", NS)
    assert sel is not None and "here." in sel.get("name")
    note = qde.find(".//q:Note/q:PlainTextContent", NS)
    assert note is not None and note.text.startswith("memo ")
    out = tmp_path / "ctl.qdpx"
    out.write_bytes(data)
    fresh = _fresh(tmp_path, "ann")
    import_refi(fresh, out, "ann")
    got = [s for s in load_synthesis(fresh).coding.segments.values() if s.source == "odd"]
    assert [s.text for s in got] == [seg["text"]]  # the words themselves travel in the .txt


def test_a_memo_time_edited_by_hand_does_not_break_the_export(tmp_path: Path) -> None:
    project = synth_project(tmp_path)
    add_memo(project, "code", "time", "good time", "ann")
    log = project.root / "synthesis" / "coding" / "ann.jsonl"
    for bad in ("yesterday", "2019-13-01T00:00:00Z"):
        add_memo(project, "code", "time", f"bad time {bad}", "ann")
        text = log.read_text("utf-8").splitlines()
        event = json.loads(text[-1])
        event["at"] = bad
        log.write_text("\n".join([*text[:-1], json.dumps(event)]) + "\n", "utf-8")
    data, _ = project_qdpx(project)  # valid against the schema, or it raises
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        qde = ET.fromstring(z.read("project.qde"))
    notes = {n.find("q:PlainTextContent", NS).text: n.get("creationDateTime")
             for n in qde.iterfind(".//q:Note", NS)}
    assert len(notes) == 3  # no memo dropped for its time
    assert notes["bad time yesterday"] is None
    assert notes["bad time 2019-13-01T00:00:00Z"] is None
    assert notes["good time"] == json.loads(log.read_text().splitlines()[0])["at"]


ROOT = Path(__file__).resolve().parents[1]


def _example(tmp_path: Path):
    return find_project(copy_example(ROOT, tmp_path / "example"))


def _coded(project) -> tuple[int, int]:
    syn = load_synthesis(project)
    return len(syn.codebook.codes), sum(len(s.codes) for s in syn.coding.segments.values())


def test_an_earlier_export_imported_after_a_rename_adds_no_code(tmp_path: Path) -> None:
    from reviewkit.synthesis.codebook import rename_code
    from reviewkit.synthesis.codebook_edit import edit_code

    project = _example(tmp_path)
    out = tmp_path / "before.qdpx"
    export_refi(project, out)
    before = _coded(project)
    rename_code(project, "awareness", "budget-awareness", "tompkins")
    edit_code(project, "budget-awareness", name="Knowing the budget")
    rep = import_refi(find_project(project.root), out, "tompkins")
    assert (rep.codes, rep.codings) == (0, 0), rep
    assert _coded(find_project(project.root)) == before


def test_an_earlier_export_imported_after_a_merge_follows_the_merge(tmp_path: Path) -> None:
    from reviewkit.synthesis.codebook_edit import merge_code

    project = _example(tmp_path)
    out = tmp_path / "before.qdpx"
    export_refi(project, out)
    merge_code(project, "awareness", "managing", "tompkins")
    codes, codings = _coded(find_project(project.root))
    rep = import_refi(find_project(project.root), out, "tompkins")
    assert (rep.codes, rep.codings) == (0, 0), rep
    assert _coded(find_project(project.root)) == (codes, codings)
