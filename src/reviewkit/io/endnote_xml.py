"""EndNote XML reader: one streaming pass with ElementTree's pull parser.

EndNote writes the whole library on one line and wraps every text node in
``<style face=...>``; a tag is the element's path inside ``<record>``
(``titles/title``), and which path fills which field is tagmaps/endnote_xml.yaml.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator

from reviewkit.errors import ReviewkitError
from reviewkit.io import tagmap
from reviewkit.records.model import Record

_RECORD_START = re.compile(r"<record[\s>]")
_CHUNK = 1 << 20  # feed the parser in slices so a large library is never held twice
# attributes that hold a local file path (<database path="\\staff...">): private, not data
_PRIVATE_ATTRIBUTES = {"path"}
_DEPTH = 32  # EndNote nests 4 deep; deeper is damage, read as text


def _pairs(record: ET.Element) -> list[tuple[str, str]]:
    """(path, text) for every leaf of a record, attributes as 'path@name', in order.

    Walked with a stack, not recursion, so a damaged file nesting thousands
    of elements cannot exhaust Python's stack; below _DEPTH an element's
    whole text is read as one leaf.
    """
    out: list[tuple[str, str]] = []
    stack = [(iter(record), "")]
    while stack:
        child = next(stack[-1][0], None)
        if child is None:
            stack.pop()
            continue
        if child.tag == "style":  # formatting wrapper: read with its parent
            continue
        path = stack[-1][1] + child.tag
        out.extend((f"{path}@{k}", v) for k, v in child.attrib.items()
                   if k not in _PRIVATE_ATTRIBUTES)
        if len(stack) < _DEPTH and any(grand.tag != "style" for grand in child):
            stack.append((iter(child), path + "/"))
            continue
        value = "".join(child.itertext())
        if "\r" in value:  # &#xD; separates affiliations, ISSNs, notes
            value = value.replace("\r\n", "\n").replace("\r", "\n")
        if value.strip():
            out.append((path, value))
    return out


def records(text: str, path: str) -> Iterator[list[tuple[str, str]]]:
    """Raw pairs per <record>, in document order; malformed XML names line and column."""
    parser = ET.XMLPullParser(events=("end",))

    def events() -> Iterator[tuple[str, ET.Element]]:
        for start in range(0, len(text), _CHUNK):
            parser.feed(text[start:start + _CHUNK])
            yield from parser.read_events()
        parser.close()  # raises on a truncated file
        yield from parser.read_events()

    try:
        for _, elem in events():
            if elem.tag == "record":
                yield _pairs(elem)
                elem.clear()  # keep memory flat on large libraries
    except ET.ParseError as exc:
        line, column = exc.position
        reason = str(exc).split(": line ")[0]
        raise ReviewkitError(f"not well-formed XML at line {line}, column {column}: {reason}",
                             file=path, line=line) from None


def _start_lines(text: str, count: int) -> list[int]:
    """Line of each <record>; EndNote's one-line files give 1 for every record."""
    if "\n" not in text.rstrip("\n"):
        return [1] * count
    lines, line, pos = [], 1, 0
    for m in _RECORD_START.finditer(text):
        line += text.count("\n", pos, m.start())
        pos = m.start()
        lines.append(line)
    return lines if len(lines) == count else [1] * count


def _is_pubmed(raw: list[tuple[str, str]], rule: dict) -> bool:
    tags = tagmap.group(raw)
    return any(word in value.lower() for tag in rule["when"] for value in tags.get(tag, ())
               for word in rule["matches"])


def read(text: str, path: str) -> tuple[str, list[Record]]:
    """Parse EndNote XML into normalised records; returns ('', records)."""
    tm = tagmap.load("endnote_xml")
    raws = list(records(text, path))
    if not raws:
        raise ReviewkitError("no <record> elements found: expected an EndNote XML export "
                             "(<xml><records><record>...)", file=path)
    out = []
    for position, (raw, line) in enumerate(zip(raws, _start_lines(text, len(raws)),
                                               strict=True), 1):
        rec = tagmap.to_record(raw, tm)
        rec.position, rec.line = position, line
        accession = rec.accession.get("an", "")
        # EndNote keeps PubMed's id only as the accession number
        if not rec.pmid and accession.isdigit() and _is_pubmed(raw, tm["pmid_from_accession"]):
            rec.pmid = accession
        out.append(rec)
    return "", out
