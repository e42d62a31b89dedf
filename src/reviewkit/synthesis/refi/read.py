"""Parse a REFI-QDA file (.qdpx zip, bare .qde, .qdc) into plain records.

Tolerant of what real programs write: a BOM before ``<?xml``, no declaration,
the draft codebook namespace ``urn:QDA-XML:codebook:0:4``, an empty ``<Sets/>``,
``Sources/`` or ``sources/``, ``internal://`` or bare plain-text paths. What
reviewkit cannot hold is counted in ``skipped`` so the importer can say so.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from reviewkit.errors import ReviewkitError
from reviewkit.screening.log import now
from reviewkit.synthesis.refi.validate import schema_errors

NAMESPACES = ("urn:QDA-XML:project:1.0", "urn:QDA-XML:codebook:1.0",
              "urn:QDA-XML:codebook:0:4", "")
MEDIA = ("PictureSource", "PDFSource", "AudioSource", "VideoSource")


@dataclass
class RCode:
    guid: str
    name: str
    parent: str | None
    codable: bool
    color: str
    description: str
    notes: list[str] = field(default_factory=list)
    spelled: str = ""  # the guid as the file writes it (case, braces), to write it back


@dataclass
class RSelection:
    guid: str
    name: str
    start: int
    end: int
    user: str
    description: str
    codings: list[tuple[str, str]]  # (code guid, user guid)
    notes: list[str]


@dataclass
class RSource:
    guid: str
    name: str
    description: str
    raw: str | None  # the plain text as stored, BOM removed (None: not in the file)
    selections: list[RSelection]
    notes: list[str]


@dataclass
class Refi:
    file: str
    origin: str
    codes: dict[str, RCode] = field(default_factory=dict)
    users: dict[str, str] = field(default_factory=dict)  # guid -> name
    sources: list[RSource] = field(default_factory=list)
    # guid -> (text, user, when: the note's creationDateTime as a log time, or "")
    notes: dict[str, tuple[str, str, str]] = field(default_factory=dict)
    sets: list[tuple[str, list[str]]] = field(default_factory=list)  # name, member codes
    cases: dict[str, str] = field(default_factory=dict)  # source guid -> case name
    skipped: Counter = field(default_factory=Counter)
    schema_errors: list[str] = field(default_factory=list)  # against QDA-XML 1.0


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _kids(node: ET.Element, name: str) -> list[ET.Element]:
    return [k for k in node if _local(k.tag) == name]


def _text(node: ET.Element, name: str) -> str:
    kid = next(iter(_kids(node, name)), None)
    return (kid.text or "").strip() if kid is not None else ""


def _guid(value: str | None) -> str:
    return (value or "").strip("{}").lower()


def read_refi(file: Path) -> Refi:
    """The REFI records of ``file``; a ReviewkitError naming the file when it is not REFI."""
    file = Path(file)
    name = str(file)
    try:
        data = file.read_bytes()
    except OSError as exc:
        raise ReviewkitError(f"cannot read the file ({exc.strerror})", file=name) from None
    files: dict[str, bytes] = {}
    if zipfile.is_zipfile(file):
        try:
            with zipfile.ZipFile(file) as z:
                qde = [n for n in z.namelist() if "/" not in n and n.lower().endswith(".qde")]
                if not qde:
                    raise ReviewkitError("a .qdpx must hold project.qde at its top level; "
                                         "this zip has none", file=name)
                data = z.read("project.qde" if "project.qde" in qde else qde[0])
                files = {n.lower(): n for n in z.namelist()}
                files = {k: z.read(v) for k, v in files.items()
                         if k.endswith(".txt") and not k.endswith("/")}
        except (zipfile.BadZipFile, OSError, EOFError) as exc:
            raise ReviewkitError(f"damaged zip: {exc}", file=name) from None
    elif file.suffix.lower() == ".qdpx":
        raise ReviewkitError("not a .qdpx: a .qdpx is a zip file holding project.qde",
                             file=name)
    root = _parse_xml(data, name)
    ns = root.tag[1:].split("}")[0] if root.tag.startswith("{") else ""
    kind = _local(root.tag)
    if ns not in NAMESPACES or kind not in ("Project", "CodeBook"):
        raise ReviewkitError(f"not a REFI-QDA project or codebook: the root element is "
                             f"<{kind}> in namespace {ns or 'none'!r}", file=name,
                             field=kind)
    out = Refi(name, root.get("origin", ""))
    try:  # real exports often break the schema a little: said, not refused
        out.schema_errors = schema_errors(data.removeprefix(b"\xef\xbb\xbf"),
                                          "codebook" if kind == "CodeBook" else "project")
    except (UnicodeDecodeError, ValueError) as exc:
        out.schema_errors = [str(exc)]
    book = root if kind == "CodeBook" else next(iter(_kids(root, "CodeBook")), None)
    if book is not None:
        for codes in _kids(book, "Codes"):
            _codes(codes, None, out)
    if kind == "CodeBook":
        _sets(root, out, "guid")
        return out
    for users in _kids(root, "Users"):
        for u in _kids(users, "User"):
            out.users[_guid(u.get("guid"))] = u.get("name") or u.get("id") or ""
    for cases in _kids(root, "Cases"):
        for case in _kids(cases, "Case"):
            for ref in _kids(case, "SourceRef"):
                out.cases.setdefault(_guid(ref.get("targetGUID")), case.get("name") or "")
    for notes in _kids(root, "Notes"):
        for note in _kids(notes, "Note"):
            content = next(iter(_kids(note, "PlainTextContent")), None)
            text = (content.text or "") if content is not None else _plain(note, files) or ""
            out.notes[_guid(note.get("guid"))] = (text, _guid(note.get("creatingUser")),
                                                  log_time(note.get("creationDateTime")))
    for sources in _kids(root, "Sources"):
        for src in sources:
            tag = _local(src.tag)
            if tag == "TextSource":
                out.sources.append(_source(src, files, out))
            elif tag in MEDIA:
                out.skipped[tag] += 1
                out.skipped["selections in media sources"] += sum(
                    1 for x in src.iter() if _local(x.tag).endswith("Selection"))
    for tag in ("Graphs", "Links", "Variables"):
        for group in _kids(root, tag):
            out.skipped[tag[:-1].lower() + "s"] += len(list(group))
    _sets(root, out, "targetGUID")
    return out


def _parse_xml(data: bytes, name: str) -> ET.Element:
    data = data.removeprefix(b"\xef\xbb\xbf").lstrip()
    try:
        return ET.fromstring(data)
    except ET.ParseError as exc:
        raise ReviewkitError(f"not XML ({exc})", file=name) from None


def _codes(parent: ET.Element, under: str | None, out: Refi) -> None:
    for c in _kids(parent, "Code"):
        g = _guid(c.get("guid"))
        if not g or g in out.codes:
            raise ReviewkitError(f"a <Code> without a guid, or with a guid used twice "
                                 f"({g!r})", file=out.file, field="Code")
        out.codes[g] = RCode(g, (c.get("name") or "").strip() or "unnamed",
                             under, c.get("isCodable", "true").lower() in ("true", "1"),
                             c.get("color", ""), _text(c, "Description"),
                             [_guid(n.get("targetGUID")) for n in _kids(c, "NoteRef")],
                             (c.get("guid") or "").strip())
        _codes(c, g, out)


def _sets(root: ET.Element, out: Refi, ref: str) -> None:
    for sets in _kids(root, "Sets"):
        for s in _kids(sets, "Set"):
            members = [_guid(m.get(ref) or m.get("guid") or m.get("targetGUID"))
                       for m in _kids(s, "MemberCode")]
            out.sets.append((s.get("name") or "", members))


def _plain(node: ET.Element, files: dict[str, bytes]) -> str | None:
    """The text a plainTextPath names inside the zip (sources/ of any case), or None."""
    path = node.get("plainTextPath") or ""
    base = path.split("://", 1)[-1].lstrip("/").lower()
    for key in (f"sources/{base}", base):
        if key in files:
            try:
                return files[key].decode("utf-8").removeprefix("\ufeff")
            except UnicodeDecodeError:
                return None
    return None


def _source(src: ET.Element, files: dict[str, bytes], out: Refi) -> RSource:
    content = next(iter(_kids(src, "PlainTextContent")), None)
    raw = (content.text or "") if content is not None else _plain(src, files)
    sels = []
    for sel in _kids(src, "PlainTextSelection"):
        try:
            start, end = int(sel.get("startPosition", "")), int(sel.get("endPosition", ""))
        except ValueError:
            raise ReviewkitError(f"selection {sel.get('guid')!r}: startPosition and "
                                 "endPosition must be whole numbers", file=out.file,
                                 field="PlainTextSelection") from None
        user = _guid(sel.get("creatingUser"))
        codings = [(_guid(ref.get("targetGUID")), _guid(c.get("creatingUser")) or user)
                   for c in _kids(sel, "Coding") for ref in _kids(c, "CodeRef")]
        # qc names the user on the coding only: the selection is the first coder's
        user = user or next((u for _, u in codings if u), "")
        sels.append(RSelection(_guid(sel.get("guid")), sel.get("name") or "", start, end,
                               user, _text(sel, "Description"), codings,
                               [_guid(n.get("targetGUID")) for n in _kids(sel, "NoteRef")]))
    out.skipped["codings of whole sources"] += len(_kids(src, "Coding"))
    return RSource(_guid(src.get("guid")), src.get("name") or "", _text(src, "Description"),
                   raw, sels, [_guid(n.get("targetGUID")) for n in _kids(src, "NoteRef")])



def log_time(value: str | None) -> str:
    """An XML dateTime as the coding logs write times (UTC, milliseconds, Z), so they
    sort with the project's own; '' when there is none or it is not a time."""
    from datetime import datetime, timezone

    try:
        at = datetime.fromisoformat((value or "").strip().replace("Z", "+00:00"))
    except ValueError:
        return ""
    if at.tzinfo is None:  # a time without a zone: taken as UTC
        at = at.replace(tzinfo=timezone.utc)
    out = at.astimezone(timezone.utc).isoformat(timespec="milliseconds")
    out = out.replace("+00:00", "Z")
    return out if len(out) == len(now()) else ""  # a year past 9999 would not sort
