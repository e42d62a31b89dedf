"""REFI-QDA import of real exports (NVivo, ATLAS.ti, qc) against their MANIFEST counts."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from helpers import run_cli, snapshot
from reviewkit.project import init_project
from reviewkit.project.config import find_project
from reviewkit.screening.reviewers import add_reviewer
from reviewkit.synthesis.refi.load import import_refi
from reviewkit.synthesis.refi.read import read_refi
from reviewkit.synthesis.sources import load_sources, source_text
from reviewkit.synthesis.state import load_synthesis

from conftest import shared_path


def _sample(name: str) -> Path:
    return shared_path(f"data/refi-qda/{name}")


def _fresh(tmp_path: Path):
    project = init_project(tmp_path / "fresh", "Fresh", "Q?")
    add_reviewer(project, "me")
    return find_project(project.root)


def _warned(report, *words: str) -> bool:
    return any(all(w in line for w in words) for line in report.warnings)


def test_nvivo_windows_offsets_are_utf16_with_crlf(tmp_path: Path) -> None:
    project = _fresh(tmp_path)
    rep = import_refi(project, _sample("NVivo/oltas0517.qdpx"), "me")
    assert (rep.codes, rep.sources, rep.segments, rep.codings) == (152, 2, 303, 303)
    assert rep.unit == "UTF-16 units, CRLF as 2"
    assert not _warned(rep, "does not validate")  # valid, as the MANIFEST says
    assert rep.coders == ["Gergo", "floriansipos"]
    assert _warned(rep, "1 code(s) marked not codable")
    assert _warned(rep, "Gergo, floriansipos are not reviewers")
    syn = load_synthesis(project)
    texts = {s.id: source_text(project, s) for s in syn.sources}
    segs = list(syn.coding.segments.values())
    for s in segs:  # every segment is where its text is, in the text reviewkit reads
        assert texts[s.source][s.start:s.end] == s.text
    # read as NVivo counts, the selections start on a capital or digit (MANIFEST: 251 of 303);
    # code points would give 31, LF-normalised 61
    assert sum(s.text[0].isupper() or s.text[0].isdigit() for s in segs) == 251
    assert "\ufeff" not in next(iter(texts.values()))[:1]


def test_qc_line_selections_land_on_their_lines(tmp_path: Path) -> None:
    project = _fresh(tmp_path)
    rep = import_refi(project, _sample("qc/demo.qdpx"), "me")
    assert (rep.codes, rep.sources, rep.segments, rep.codings) == (262, 2, 158, 205)
    assert rep.unit == "code points"
    syn = load_synthesis(project)
    names = {}
    refi = read_refi(_sample("qc/demo.qdpx"))
    for src in refi.sources:
        for sel in src.selections:
            names[(sel.start, sel.end)] = int(sel.name.removeprefix("line:"))
    source = syn.sources[0]
    lines = source_text(project, source).splitlines(keepends=True)
    segs = [s for s in syn.coding.segments.values() if s.source == source.id]
    assert len(segs) == 158
    for s in segs:  # "line:N" names line N (from 0) of the text
        assert s.text == lines[names[(s.start, s.end)]]
    # the code tree keeps its depth (6 below the top), and repeated names got distinct ids
    assert max(depth for depth, _ in syn.codebook.tree()) == 6
    parents = {c.parent for c in refi.codes.values()}
    assert sum(1 for c in syn.codebook.codes.values() if c.id in
               {k.parent for k in syn.codebook.codes.values()}) == len(parents - {None})
    assert Counter(c.name for c in syn.codebook.codes.values()) == \
        Counter(c.name for c in refi.codes.values())


def test_nvivo_mac_codes_without_coding_or_text(tmp_path: Path) -> None:
    project = _fresh(tmp_path)
    rep = import_refi(project, _sample("NVivo/nvivo_project.qdpx"), "me")
    assert (rep.codes, rep.sources, rep.segments) == (262, 0, 0)
    assert _warned(rep, "2 text source(s) with no plain text")
    assert load_sources(project) == []


def test_atlas_bare_qde_reports_what_it_cannot_hold(tmp_path: Path) -> None:
    project = _fresh(tmp_path)
    rep = import_refi(project, _sample("ATLAS.ti/Project.qde"), "me")
    assert (rep.codes, rep.sources, rep.segments) == (14, 0, 0)
    for words in (("6 text source(s)",), ("2 PDFSource",), ("1 PictureSource",),
                  ("1 AudioSource",), ("2 VideoSource",), ("1 graphs",), ("16 set(s)",),
                  ("2 note(s)",)):
        assert _warned(rep, *words), (words, rep.warnings)
    book = load_synthesis(project).codebook
    assert sum(1 for c in book.codes.values() if c.colour) == 13


@pytest.mark.parametrize("name, codes, nested", [
    ("ATLAS.ti/portableQDA_Atlasti.qdc", 5, 2),  # draft namespace urn:QDA-XML:codebook:0:4
    ("_spec-example/REFI-QDA-1-5.qdc", 6, 0),  # {braced} guids, empty <Sets/>
])
def test_codebooks_in_old_namespace_or_with_empty_sets(tmp_path: Path, name: str, codes: int,
                                                       nested: int) -> None:
    project = _fresh(tmp_path)
    rep = import_refi(project, _sample(name), "me")
    book = load_synthesis(project).codebook
    assert rep.codes == len(book.codes) == codes
    assert _warned(rep, "does not validate against REFI-QDA 1.0 (1 error(s)")  # MANIFEST
    assert sum(1 for c in book.codes.values() if c.parent) == nested


def test_bom_before_the_declaration(tmp_path: Path) -> None:
    file = tmp_path / "bom.qdc"
    file.write_bytes(b"\xef\xbb\xbf" + _sample("_spec-example/REFI-QDA-1-5.qdc").read_bytes())
    assert import_refi(_fresh(tmp_path), file, "me").codes == 6


def test_a_late_failure_leaves_nothing_behind(tmp_path: Path) -> None:
    first = _fresh(tmp_path / "a")
    import_refi(first, _sample("qc/demo.qdpx"), "me")
    blocker = load_sources(first)[-1].file
    project = _fresh(tmp_path / "b")
    (project.root / blocker).parent.mkdir(parents=True)
    (project.root / blocker).write_text("mine\n")
    before = snapshot(project.root)
    res = run_cli("synthesis", "import", str(_sample("qc/demo.qdpx")), "-r", "me",
                  cwd=project.root)
    assert res.returncode == 2 and "exists already" in res.stderr
    assert snapshot(project.root) == before
    assert {p.name for p in (project.root / "synthesis").rglob("*")} == \
        {"sources", Path(blocker).name}  # no temp file, no folder left over


def _codes_as_written(xml: bytes) -> dict[str, tuple[str, str, str]]:
    """guid (as the file spells it) -> (name, description, parent's guid) of every <Code>."""
    import xml.etree.ElementTree as ET

    out: dict[str, tuple[str, str, str]] = {}

    def walk(node, parent: str) -> None:
        for kid in node:
            if kid.tag.rsplit("}", 1)[-1] != "Code":
                continue
            desc = next((d.text or "" for d in kid if d.tag.endswith("}Description")), "")
            out[kid.get("guid")] = (kid.get("name"), desc.strip(), parent)
            walk(kid, kid.get("guid"))

    for codes in ET.fromstring(xml.removeprefix(b"\xef\xbb\xbf")).iter():
        if codes.tag.rsplit("}", 1)[-1] == "Codes":
            walk(codes, "")
    return out


def _qde(path: Path) -> bytes:
    import zipfile

    if not zipfile.is_zipfile(path):
        return path.read_bytes()
    with zipfile.ZipFile(path) as z:
        return z.read("project.qde")


@pytest.mark.parametrize("name", ["NVivo/oltas0517.qdpx", "ATLAS.ti/portableQDA_Atlasti.qdc",
                                  "_spec-example/REFI-QDA-1-5.qdc"])
def test_code_guids_and_descriptions_survive_import_then_export(tmp_path: Path,
                                                                 name: str) -> None:
    import io
    import xml.etree.ElementTree as ET
    import zipfile

    from reviewkit.synthesis.refi.validate import schema_errors
    from reviewkit.synthesis.refi.write import codebook_qdc, project_qdpx

    given = _codes_as_written(_qde(_sample(name)))
    project = _fresh(tmp_path)
    import_refi(project, _sample(name), "me")
    qdc = codebook_qdc(project)
    assert schema_errors(qdc, "codebook") == []
    assert _codes_as_written(qdc) == given  # same guids, names, descriptions, tree
    qde = zipfile.ZipFile(io.BytesIO(project_qdpx(project)[0])).read("project.qde")
    assert schema_errors(qde, "project") == []
    assert _codes_as_written(qde) == given
    # the codings and sets name the codes by the guids kept
    refs = [r.get("targetGUID") for r in ET.fromstring(qde).iter()
            if r.tag.endswith(("}CodeRef", "}MemberCode"))]
    assert refs and set(refs) <= set(given)
    if name.endswith(".qdpx"):
        was = Counter(r.get("targetGUID") for r in ET.fromstring(_qde(_sample(name))).iter()
                      if r.tag.endswith("}CodeRef"))
        now = Counter(r.get("targetGUID") for r in ET.fromstring(qde).iter()
                      if r.tag.endswith("}CodeRef"))
        assert now == was and sum(now.values()) == 303  # each code keeps its codings
    # and importing the export again keeps them once more
    again = tmp_path / "again.qdc"
    again.write_bytes(qdc)
    other = _fresh(tmp_path / "2")
    import_refi(other, again, "me")
    assert _codes_as_written(codebook_qdc(other)) == given
