"""REFI-QDA export (.qdc, .qdpx) and the round trip through a fresh project."""

from __future__ import annotations

import io
import shutil
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest

from helpers import run_cli, snapshot
from reviewkit.project import init_project
from reviewkit.project.config import find_project
from reviewkit.screening.reviewers import add_reviewer
from reviewkit.synthesis.codebook import load_codebook, rename_code
from reviewkit.synthesis.edit import add_memo
from reviewkit.synthesis.refi.load import import_refi
from reviewkit.synthesis.refi.validate import schema_errors
from reviewkit.synthesis.refi.write import codebook_qdc, export_refi, project_qdpx
from reviewkit.synthesis.state import load_synthesis
from synthesis_support import CODEBOOK, refuses, synth_project

ROOT = Path(__file__).resolve().parents[1]
NS = {"q": "urn:QDA-XML:project:1.0", "c": "urn:QDA-XML:codebook:1.0"}


@pytest.fixture
def example(tmp_path: Path):
    """The worked example at the repository root, copied (never written in place)."""
    dest = tmp_path / "example"
    dest.mkdir()
    for name in ("reviewkit.toml", "studies.toml"):
        shutil.copy(ROOT / name, dest / name)
    shutil.copytree(ROOT / "synthesis", dest / "synthesis")
    return find_project(dest)


def _fresh(tmp_path: Path, *coders: str):
    project = init_project(tmp_path / "fresh", "Fresh", "Q?")
    for c in coders:
        add_reviewer(project, c)
    return find_project(project.root)


def _content(project) -> dict:
    """What a round trip must keep, by names and texts (ids are re-derived on import)."""
    syn = load_synthesis(project)
    book = syn.codebook
    return {
        "codes": sorted((book.path(c.id), c.level, c.description) for c in book.codes.values()),
        "sources": sorted((s.study, s.title) for s in syn.sources),
        "segments": sorted((s.source, s.start, s.end, s.text, s.coder, s.role,
                            tuple(sorted(book.path(c) for c in s.codes)))
                           for s in syn.coding.segments.values()),
        "memos": sorted((m.on, m.text, m.coder) for m in syn.coding.memos),
    }


def test_qdc_is_valid_and_holds_the_code_tree(example) -> None:
    data = codebook_qdc(example)
    assert schema_errors(data, "codebook") == []
    root = ET.fromstring(data)
    top = root.findall("c:Codes/c:Code", NS)
    assert [c.get("name") for c in top] == [
        "Experiences of implementing and delivering personal budgets",
        "Experiences of receiving budgets"]
    assert len(root.findall(".//c:Code", NS)) == 10
    assert len(top[0].findall("c:Code", NS)) == 4
    assert top[0].find("c:Description", NS).text.startswith("Staff experiences")


def test_qdpx_is_valid_stable_and_complete(example, tmp_path: Path) -> None:
    add_memo(example, "code", "moral-ethical", "staff worried about relapse", "tompkins")
    data, warnings = project_qdpx(example)
    assert warnings == []
    assert project_qdpx(example)[0] == data  # same bytes twice: guids and zip dates fixed
    z = zipfile.ZipFile(io.BytesIO(data))
    qde = z.read("project.qde")
    assert schema_errors(qde, "project") == []
    root = ET.fromstring(qde)
    sources = root.findall("q:Sources/q:TextSource", NS)
    assert len(sources) == 6
    assert len(root.findall(".//q:PlainTextSelection", NS)) == 135
    assert len(root.findall(".//q:Coding/q:CodeRef", NS)) == 135
    assert [u.get("name") for u in root.findall("q:Users/q:User", NS)] == ["tompkins"]
    assert len(root.findall("q:Cases/q:Case", NS)) == 6
    assert root.find("q:Notes/q:Note/q:PlainTextContent", NS).text == \
        "staff worried about relapse"
    levels = {s.get("name"): len(s) for s in root.findall("q:Sets/q:Set", NS)}
    assert levels == {"reviewkit method: thematic": 0, "reviewkit level: code": 8,
                      "reviewkit level: descriptive": 2}
    # every selection's offsets (code points of the exported text) give the segment's text
    syn = load_synthesis(example)
    texts = {s.text for s in syn.coding.segments.values()}
    for src in sources:
        body = z.read("sources/" + src.get("plainTextPath").removeprefix("internal://"))
        body = body.decode("utf-8")
        for sel in src.findall("q:PlainTextSelection", NS):
            assert body[int(sel.get("startPosition")):int(sel.get("endPosition"))] in texts


def test_round_trip_keeps_everything(example, tmp_path: Path) -> None:
    seg = next(iter(load_synthesis(example).coding.segments))
    add_memo(example, "code", "moral-ethical", "a code memo", "tompkins")
    add_memo(example, "source", "welch-2013-findings", "a source memo", "parkman")
    add_memo(example, "segment", seg, "  a segment memo\n  on two lines\n", "tompkins")
    first = tmp_path / "a.qdpx"
    export_refi(example, first)
    fresh = _fresh(tmp_path, "someone")
    report = import_refi(fresh, first, "someone")
    assert (report.codes, report.sources, report.segments, report.codings, report.memos) == \
        (10, 6, 135, 135, 3)
    assert report.coders == ["parkman", "tompkins"]
    assert _content(fresh) == _content(example)
    # and again: the imported project exports what the original exported, up to ids
    second, _ = project_qdpx(fresh)
    assert len(second) > 0
    again = _fresh(tmp_path / "2", "someone")
    (tmp_path / "b.qdpx").write_bytes(second)
    import_refi(again, tmp_path / "b.qdpx", "someone")
    assert _content(again) == _content(example)


def test_qdc_round_trip_keeps_the_codebook(example, tmp_path: Path) -> None:
    export_refi(example, tmp_path / "a.qdc")
    fresh = _fresh(tmp_path, "x")
    report = import_refi(fresh, tmp_path / "a.qdc", "x")
    assert report.codes == 10 and report.segments == 0
    assert _content(fresh)["codes"] == _content(example)["codes"]


def test_cli_export_and_import(example, tmp_path: Path) -> None:
    out = run_cli("synthesis", "export", str(tmp_path / "p.qdpx"), cwd=example.root)
    assert out.returncode == 0, out.stderr
    fresh = _fresh(tmp_path, "tompkins")
    res = run_cli("synthesis", "import", str(tmp_path / "p.qdpx"), "-r", "tompkins",
                  cwd=fresh.root)
    assert res.returncode == 0, res.stderr
    assert "10 codes, 6 sources, 135 segments, 135 codings" in res.stdout
    # a second import merges into the synthesis it made: nothing new, nothing written
    before = snapshot(fresh.root)
    res = run_cli("synthesis", "import", str(tmp_path / "p.qdpx"), "-r", "tompkins",
                  cwd=fresh.root)
    assert res.returncode == 0, res.stderr
    assert "nothing new: 10 codes matched" in res.stdout
    assert snapshot(fresh.root) == before


def _bad(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def _zip(entries: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for k, v in entries.items():
            z.writestr(k, v)
    return buf.getvalue()


@pytest.mark.parametrize("name, data, says", [
    ("x.qdpx", b"this is not a zip", "a .qdpx is a zip file"),
    ("x.qdpx", _zip({"readme.txt": b"hi"}), "project.qde"),
    ("x.qdpx", _zip({"project.qde": b"<Project"}), "not XML"),
    ("x.qde", b"<html><body/></html>", "root element is <html>"),
    ("x.qdc", b'<CodeBook xmlns="urn:example:other"><Codes/></CodeBook>', "'urn:example:other'"),
    ("x.qdc", b'<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes/></CodeBook>', "no codes"),
    ("x.qde", b'<Project xmlns="urn:QDA-XML:project:1.0" name="p"><CodeBook><Codes>'
              b'<Code guid="00000000-0000-0000-0000-000000000001" name="a" isCodable="true"/>'
              b'</Codes></CodeBook><Sources><TextSource guid="00000000-0000-0000-0000-00000000'
              b'0002" name="s"><PlainTextContent>abc</PlainTextContent><PlainTextSelection '
              b'guid="00000000-0000-0000-0000-000000000003" startPosition="x" endPosition="2"/>'
              b'</TextSource></Sources></Project>', "PlainTextSelection"),
])
def test_bad_input_is_one_line_and_writes_nothing(tmp_path: Path, name: str, data: bytes,
                                                  says: str) -> None:
    fresh = _fresh(tmp_path, "x")
    file = _bad(tmp_path, name, data)
    before = snapshot(fresh.root)
    res = run_cli("synthesis", "import", str(file), "-r", "x", cwd=fresh.root)
    assert res.returncode == 2
    assert len(res.stderr.strip().splitlines()) == 1, res.stderr
    assert str(file) in res.stderr and says in res.stderr
    assert "Traceback" not in res.stderr
    assert snapshot(fresh.root) == before


def test_export_to_an_unknown_suffix_is_refused(example, tmp_path: Path) -> None:
    before = snapshot(example.root)
    res = run_cli("synthesis", "export", "out.json", cwd=example.root)
    assert res.returncode == 2 and "expected .qdc or .qdpx" in res.stderr
    assert snapshot(example.root) == before


G = "00000000-0000-0000-0000-0000000000{:02d}"
SYNTHETIC = f"""<Project xmlns="urn:QDA-XML:project:1.0" name="p">
<Users><User guid="{G.format(90)}" name="Ana Lima"/></Users>
<CodeBook><Codes><Code guid="{G.format(1)}" name="Trust" isCodable="true"/>
<Code guid="{G.format(2)}" name="Trust" isCodable="true"/></Codes></CodeBook>
<Sources>
<TextSource guid="{G.format(10)}" name="Interview">
<PlainTextContent>I trust them. Not you.</PlainTextContent>
<PlainTextSelection guid="{G.format(11)}" startPosition="0" endPosition="13"
 creatingUser="{G.format(90)}">
<Coding guid="{G.format(12)}"><CodeRef targetGUID="{G.format(2)}"/></Coding>
<NoteRef targetGUID="{G.format(40)}"/></PlainTextSelection>
<PlainTextSelection guid="{G.format(13)}" startPosition="14" endPosition="22"/>
<PlainTextSelection guid="{G.format(14)}" startPosition="5" endPosition="5"/>
<PlainTextSelection guid="{G.format(15)}" startPosition="0" endPosition="4">
<Coding guid="{G.format(16)}"><CodeRef targetGUID="{G.format(77)}"/></Coding></PlainTextSelection>
</TextSource>
<TextSource guid="{G.format(20)}" name="Interview">
<PlainTextContent>Second.</PlainTextContent></TextSource>
</Sources>
<Notes><Note guid="{G.format(40)}"><PlainTextContent>why trust</PlainTextContent></Note>
<Note guid="{G.format(41)}"><PlainTextContent>loose</PlainTextContent></Note></Notes>
</Project>"""


def test_uncoded_empty_and_unknown_selections_are_counted(tmp_path: Path) -> None:
    file = tmp_path / "s.qde"
    file.write_text(SYNTHETIC, "utf-8")
    fresh = _fresh(tmp_path, "me")
    rep = import_refi(fresh, file, "me")
    assert (rep.codes, rep.sources, rep.segments, rep.codings, rep.memos) == (2, 2, 3, 1, 1)
    assert rep.coders == ["Ana-Lima", "me"]
    syn = load_synthesis(fresh)
    assert sorted(syn.codebook.codes) == ["trust", "trust-2"]  # one name, two codes
    assert sorted(s.id for s in syn.sources) == ["interview", "interview-2"]
    segs = {s.text: s for s in syn.coding.segments.values()}
    assert segs["I trust them."].codes == {"trust-2"}
    assert segs["I trust them."].coder == "Ana-Lima"
    assert segs["Not you."].codes == set()
    assert [(m.on, m.text) for m in syn.coding.memos] == [("segment", "why trust")]
    for words in ("1 selection(s) empty", "1 coding(s) name a code not in",
                  "2 selection(s) carry no coding", "1 note(s) not attached"):
        assert any(words in w for w in rep.warnings), (words, rep.warnings)


def test_a_source_edited_under_its_coded_segments_is_not_exported(example) -> None:
    root = example.root
    source = sorted((root / "synthesis" / "sources").glob("*.txt"))[0]
    text = source.read_text("utf-8")
    first = next(line for line in text.splitlines() if line.startswith("> "))
    source.write_text(text.replace(first, "> (quotation removed)"), "utf-8")
    before = snapshot(root)
    r = run_cli("synthesis", "export", str(root / "out.qdpx"), cwd=root)
    assert r.returncode == 2 and "was edited under its segments" in r.stderr, r.stderr
    assert "synthesis/coding/tompkins.jsonl:" in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1
    assert snapshot(root) == before and not (root / "out.qdpx").exists()


OTHER_GUID = "2CE89C66-C28D-473B-B5C4-6CF87D20EF04"  # as another program wrote it


@pytest.mark.parametrize(("time_guid", "words"), [
    ("not-a-guid", "guid 'not-a-guid' of 'time' is not a GUID"),
    ("{" + OTHER_GUID.lower() + "}", "is also the guid of 'choice'"),
])
def test_a_bad_kept_guid_names_its_line(tmp_path: Path, time_guid: str, words: str) -> None:
    text = CODEBOOK.replace("    level: descriptive\n",
                            f"    level: descriptive\n    guid: {OTHER_GUID}\n")
    project = synth_project(tmp_path, text + f"    guid: '{time_guid}'\n")
    message = refuses(project, lambda: load_codebook(project), words)
    assert message.startswith("synthesis/codebook.yaml:21:"), message


def test_a_kept_guid_is_exported_and_follows_a_rename(tmp_path: Path) -> None:
    text = CODEBOOK.replace("    level: descriptive\n",
                            f"    level: descriptive\n    guid: {OTHER_GUID}\n")
    project = synth_project(tmp_path, text)
    rename_code(project, "choice", "wanting-choice", "ann")
    root = ET.fromstring(codebook_qdc(project))
    code = next(c for c in root.iter(f"{{{NS['c']}}}Code") if c.get("name") == "Wanting choice")
    assert code.get("guid") == OTHER_GUID
    members = {m.get("guid") for m in root.iter(f"{{{NS['c']}}}MemberCode")}
    assert OTHER_GUID in members  # its level set names it by the same guid
    # importing the export merges onto the code by that guid: nothing new
    (tmp_path / "b.qdc").write_bytes(codebook_qdc(project))
    rep = import_refi(project, tmp_path / "b.qdc", "ann")
    assert (rep.merged, rep.codes, rep.matched) == (True, 0, 4)
