"""Write the codebook as a REFI .qdc and the coded project as a REFI .qdpx.

Every file is validated against the shipped schema before it is written; the
zip entries carry a fixed date so exporting twice gives the same bytes.
"""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
import zipfile
from datetime import datetime
from pathlib import Path

from reviewkit.errors import ReviewkitError
from reviewkit.project.atomic import write_bytes_atomic
from reviewkit.project.config import Project
from reviewkit.synthesis.anchor import anchor_segments
from reviewkit.synthesis.codebook import Codebook, load_codebook
from reviewkit.synthesis.refi.ids import code_guids, guid
from reviewkit.synthesis.refi.validate import CODEBOOK_NS, PROJECT_NS, require_valid
from reviewkit.synthesis.sources import source_text
from reviewkit.synthesis.state import load_synthesis

RGB = re.compile(r"^#[0-9A-Fa-f]{6}$")
METHOD_SET = "reviewkit method: "
LEVEL_SET = "reviewkit level: "
# what else a code carries, as Sets other programs show: credibility of a
# meta-aggregation finding, and origin (framework | data) when the codebook has it
FIELD_SETS = {"credibility": "reviewkit credibility: ", "origin": "reviewkit origin: "}
_DATE = (1980, 1, 1, 0, 0, 0)
# characters XML 1.0 cannot hold (a form feed from a PDF's page break, a stray control
# byte): ElementTree would write them and make the file unreadable
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


# xs:dateTime, as the schema checks it (the logs' "at" is written so; a hand edit may not be)
_DATETIME = re.compile(r"^-?\d{4,}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)?$")


def _is_datetime(at: str) -> bool:
    if not _DATETIME.match(at):
        return False
    try:  # the pattern lets through a month 13 or a 30 February
        datetime.fromisoformat(at.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


def _safe(value: str) -> str:
    return _NOT_XML.sub("\ufffd", value)


def _el(parent: ET.Element, ns: str, tag: str, text: str | None = None,
        **attrs: str) -> ET.Element:
    node = ET.SubElement(parent, f"{{{ns}}}{tag}",
                         {k: _safe(v) for k, v in attrs.items() if v})
    if text is not None:
        node.text = _safe(text)
    return node


def _xml(root: ET.Element, ns: str) -> bytes:
    ET.register_namespace("", ns)
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


def _codes(parent: ET.Element, ns: str, book: Codebook, notes: dict[str, list[str]],
           under: str | None = None) -> None:
    gids = code_guids(book)
    for c in book.codes.values():
        if c.parent != under:
            continue
        node = _el(parent, ns, "Code", guid=gids[c.id], name=c.name, isCodable="true",
                   color=c.colour if RGB.match(c.colour) else "")
        if c.description:
            _el(node, ns, "Description", c.description)
        for note in notes.get(c.id, []):
            _el(node, ns, "NoteRef", targetGUID=note)
        _codes(node, ns, book, notes, c.id)


def _sets(parent: ET.Element, ns: str, book: Codebook) -> None:
    sets = _el(parent, ns, "Sets")
    _el(sets, ns, "Set", guid=guid("method", book.method), name=METHOD_SET + book.method)
    groups = [("level", LEVEL_SET, "level")] + [(f, p, f) for f, p in FIELD_SETS.items()]
    gids = code_guids(book)
    for kind, prefix, attr in groups:
        values = sorted({getattr(c, attr, "") or "" for c in book.codes.values()} - {""})
        for value in values:
            g = guid(kind, value)
            node = _el(sets, ns, "Set", guid=g, name=prefix + value)
            for c in book.codes.values():
                if (getattr(c, attr, "") or "") == value:
                    # the codebook schema names the member by guid, the project by targetGUID
                    ref = "guid" if ns == CODEBOOK_NS else "targetGUID"
                    _el(node, ns, "MemberCode", **{ref: gids[c.id]})


def codebook_qdc(project: Project) -> bytes:
    """The codebook as a REFI Codebook document (validated)."""
    book = load_codebook(project)
    root = ET.Element(f"{{{CODEBOOK_NS}}}CodeBook", origin="reviewkit")
    codes = _el(root, CODEBOOK_NS, "Codes")
    _codes(codes, CODEBOOK_NS, book, {})
    if not book.codes:
        raise ReviewkitError("the codebook has no codes to export", file="synthesis/codebook.yaml")
    _sets(root, CODEBOOK_NS, book)
    data = _xml(root, CODEBOOK_NS)
    require_valid(data, "codebook")
    return data


def project_qdpx(project: Project) -> tuple[bytes, list[str]]:
    """The coded project as a .qdpx zip (project.qde validated), and warnings."""
    ns = PROJECT_NS
    syn = load_synthesis(project)
    book, coding = syn.codebook, syn.coding
    if not book.codes:
        raise ReviewkitError("the codebook has no codes to export", file="synthesis/codebook.yaml")
    # what the coding could not place (a segment on a source gone from sources.toml):
    # left out of the file, so said, as every other output says it
    warnings: list[str] = [str(p) for p in syn.problems]
    segments = sorted(coding.segments.values(), key=lambda s: (s.source, s.start, s.end, s.id))
    anchors = {a.segment: a for a in anchor_segments(project, segments, syn.sources)}
    lost = [seg for seg in segments if anchors[seg.id].status == "lost" and seg.codes]
    by_source: dict[str, list] = {}  # in the sorted order, one pass (not one per source)
    for seg in segments:
        by_source.setdefault(seg.source, []).append(seg)
    if lost:  # the exchange would drop them: refuse before anything is written
        first = lost[0]
        raise ReviewkitError(
            f"source {first.source!r} was edited under its segments: the words of {len(lost)}"
            f" coded segment(s) are gone from it (first: segment {first.id}, "
            f"{first.text[:40]!r}); put the words back, or uncode the segment (reviewkit "
            "synthesis uncode SEGMENT --code CODE), then export", file=first.file,
            line=first.line)
    users = sorted({s.coder for s in segments} | {m.coder for m in coding.memos})
    notes: dict[tuple[str, str], list[str]] = {}
    note_guids = []
    for i, m in enumerate(coding.memos):
        g = guid("memo", f"{i}:{m.on}:{m.target}:{m.coder}:{m.at}")
        note_guids.append(g)
        notes.setdefault((m.on, m.target), []).append(g)

    root = ET.Element(f"{{{ns}}}Project", name=project.config.review.title or "reviewkit",
                      origin="reviewkit")
    if users:
        node = _el(root, ns, "Users")
        for u in users:
            _el(node, ns, "User", guid=guid("user", u), name=u)
    codes = _el(_el(root, ns, "CodeBook"), ns, "Codes")
    gids = code_guids(book)
    _codes(codes, ns, book, {t: g for (on, t), g in notes.items() if on == "code"})
    studies: dict[str, list[str]] = {}
    for s in syn.sources:
        studies.setdefault(s.study, []).append(s.id)
    if studies:
        cases = _el(root, ns, "Cases")
        for study, ids in studies.items():
            case = _el(cases, ns, "Case", guid=guid("case", study), name=study)
            for sid in ids:
                _el(case, ns, "SourceRef", targetGUID=guid("source", sid))
    files: dict[str, bytes] = {}
    if syn.sources:
        srcs = _el(root, ns, "Sources")
    for s in syn.sources:
        g = guid("source", s.id)
        text = source_text(project, s)
        # a BOM is not text: other programs (and our importer) count offsets without it
        bom = 1 if text.startswith("\ufeff") else 0
        files[f"sources/{g}.txt"] = text[bom:].encode("utf-8")
        node = _el(srcs, ns, "TextSource", guid=g, name=s.id,
                   plainTextPath=f"internal://{g}.txt")
        if s.title:
            _el(node, ns, "Description", s.title)
        for seg in by_source.get(s.id, []):
            a = anchors[seg.id]
            if a.status == "lost":  # an uncoded segment only: nothing of the coding is lost
                warnings.append(f"uncoded segment {seg.id} lost (its text is no longer in "
                                f"{s.id}); not exported")
                continue
            sel = _el(node, ns, "PlainTextSelection", guid=guid("segment", seg.id),
                      name=seg.text[:80], startPosition=str(max(a.start - bom, 0)),
                      endPosition=str(max(a.end - bom, 0)),
                      creatingUser=guid("user", seg.coder))
            about = "; ".join(f"{k}: {v}" for k, v in (("role", seg.role), ("page", seg.page))
                              if v)
            if about:
                _el(sel, ns, "Description", about)
            for code in sorted(seg.codes):
                c = _el(sel, ns, "Coding", guid=guid("coding", f"{seg.id}:{code}"),
                        creatingUser=guid("user", seg.coder))
                _el(c, ns, "CodeRef", targetGUID=gids.get(code) or guid("code", code))
            for n in notes.get(("segment", seg.id), []):
                _el(sel, ns, "NoteRef", targetGUID=n)
        for n in notes.get(("source", s.id), []):
            _el(node, ns, "NoteRef", targetGUID=n)
    if coding.memos:
        node = _el(root, ns, "Notes")
        for g, m in zip(note_guids, coding.memos, strict=True):
            # a time edited by hand into something else is left out, not written invalid
            note = _el(node, ns, "Note", guid=g, name=f"memo on {m.on} {m.target}",
                       creatingUser=guid("user", m.coder),
                       creationDateTime=m.at if _is_datetime(m.at) else "")
            _el(note, ns, "PlainTextContent", m.text)
    _sets(root, ns, book)
    qde = _xml(root, ns)
    require_valid(qde, "project")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in [("project.qde", qde), *sorted(files.items())]:
            z.writestr(zipfile.ZipInfo(name, _DATE), data, zipfile.ZIP_DEFLATED)
    return buf.getvalue(), warnings


def export_refi(project: Project, file: Path) -> list[str]:
    """Write ``file`` (.qdc: the codebook; .qdpx: the coded project); the warnings."""
    suffix = Path(file).suffix.lower()
    if suffix == ".qdc":
        data, warnings = codebook_qdc(project), []
    elif suffix == ".qdpx":
        data, warnings = project_qdpx(project)
    else:
        raise ReviewkitError(f"cannot export to a {suffix or 'suffix-less'} file; "
                             "expected .qdc or .qdpx", file=str(file))
    # REFI colours are #RRGGBB: any other is left out of the file, so said
    warnings += [f"code {c.id!r}: colour {c.colour!r} is not #RRGGBB; left out of the file"
                 for c in load_codebook(project).codes.values()
                 if c.colour and not RGB.match(c.colour)]
    write_bytes_atomic(Path(file), data)
    return warnings
