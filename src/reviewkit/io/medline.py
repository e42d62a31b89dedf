"""PubMed MEDLINE (.nbib) reader: 'PMID- 123', 4-character tag fields, 6-space continuations.

Records are separated by blank lines and carry no end tag, so a record
is closed by a blank line, by the next ``PMID-`` or by the end of the file.
Which tag fills which field lives in tagmaps/medline.yaml; this module
only splits the text and fixes what a tag map cannot say (the DOI is the
AID value marked ``[doi]``; an ahead-of-print record's volume sits in SO).
"""

from __future__ import annotations

import re

from reviewkit.errors import ReviewkitError
from reviewkit.io import tagmap
from reviewkit.io.tagline import MEDLINE_TAGS, Warnings, almost_tag
from reviewkit.records import normalise as norm
from reviewkit.records.model import Record

# 'Sci Total Environ. 2017 Nov 15;598(3):188-197. doi: ...' -> volume, issue, pages
_SO_CITATION = re.compile(r";\s*([^\s(:;.]*)(?:\(([^)]*)\))?(?::\s*([^\s;,]+?))?\.?(?:\s|$)")


def _tag(line: str) -> str:
    """The tag of 'XXXX- value' ('AU  - x', 'PMID- x', 'AB  -'), or '' for other lines."""
    if line[4:5] != "-" or line[5:6] not in (" ", "") or line[:1] == " ":
        return ""
    tag = line[:4].rstrip()
    return tag if tag.isalnum() and tag.isupper() else ""


def entries(text: str, path: str,
            warn: Warnings | None = None) -> list[tuple[int, list[tuple[str, str]]]]:
    """(start line, raw pairs) per record, in file order; errors name the line."""
    warn = warn or Warnings(path, None)
    out: list[tuple[int, list[tuple[str, str]]]] = []
    pairs: list[tuple[str, list[str]]] | None = None  # inside a record when not None
    parts: list[str] = []  # the value being read, one item per line
    start = 0
    has_pmid = False
    heads: dict[str, str] = {}  # 'AU  - ' -> 'AU': one dict lookup per line, no regex

    def close() -> None:
        if not has_pmid:
            raise ReviewkitError(
                f"the MEDLINE record starting at line {start} has no 'PMID- ' line: "
                "expected each record to start with its PubMed id", file=path, line=start)
        # parts are joined once per value: no quadratic string building on long fields
        out.append((start, [(t, p[0] if len(p) == 1 else "\n".join(p)) for t, p in pairs or ()]))

    for number, line in enumerate(text.split("\n"), 1):
        if line[:1] == " ":  # most frequent: 6-space continuation
            value = line.strip()
            if value and pairs:
                parts.append(value)
                continue
        else:
            tag = heads.get(line[:6])
            if tag is None:
                tag = _tag(line)
                if tag:
                    heads[line[:6]] = tag
            if tag:
                if pairs is not None and tag == "PMID" and has_pmid:
                    close()  # two records with no blank line between them
                    pairs = None
                if pairs is None:
                    pairs, start, has_pmid = [], number, False
                has_pmid = has_pmid or tag == "PMID"
                parts = [line[6:].rstrip()]
                pairs.append((tag, parts))
                continue
            value = line.strip()
        if not value:
            if pairs is not None:
                close()  # a blank line ends the record
                pairs = None
        elif pairs:
            parts.append(value)  # untagged text inside a record: keep it with the value
            bad = almost_tag(line, MEDLINE_TAGS)
            if bad:
                warn.malformed(number, bad, "XXXX- value")
        else:
            raise ReviewkitError(
                f"line {number} is neither a MEDLINE tag line ('PMID- 12345', 'TI  - ...') "
                "nor inside a record: is this a PubMed/MEDLINE export?", file=path, line=number)
    if pairs is not None:
        close()
    if not out:
        raise ReviewkitError("no MEDLINE records found: expected lines like 'PMID- 12345678'",
                             file=path, line=1)
    return out


def _fix(rec: Record, raw: list[tuple[str, str]]) -> None:
    """What the tag map cannot express: '[doi]'-marked ids and SO citations."""
    marked = [v for t, v in raw if (t == "AID" or t == "LID") and v.endswith("[doi]")]
    found = next((d for d in map(norm.doi, marked) if d), "")
    if found:
        rec.doi = found  # an AID '[pii]' can look like a DOI; '[doi]' is the one
    if rec.volume and rec.pages and rec.year:
        return
    so = " ".join(v for t, v in raw if t == "SO")[:1000]  # a citation, not megabytes
    m = _SO_CITATION.search(so)
    if m:  # ahead-of-print records lack VI/IP/PG; SO may still hold them
        volume, issue, pages = m.groups()
        rec.volume = rec.volume or (volume or "")
        rec.issue = rec.issue or (issue or "")
        rec.pages = rec.pages or norm.pages(pages or "")
    if rec.year is None:
        rec.year = norm.year(so)


def read(text: str, path: str,
         warnings: list[str] | None = None) -> tuple[str, list[Record]]:
    """Parse MEDLINE text into normalised records; returns ('', records).

    Lines that look like mistyped tags are reported in ``warnings``.
    """
    tm = tagmap.load("medline")
    warn = Warnings(path, warnings)
    records = []
    for position, (line, raw) in enumerate(entries(text, path, warn), 1):
        rec = tagmap.to_record(raw, tm)
        rec.position, rec.line = position, line
        _fix(rec, raw)
        records.append(rec)
    warn.close()
    return "", records
