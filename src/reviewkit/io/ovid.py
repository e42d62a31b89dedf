"""Ovid tagged-display reader: '<1. >' record headers, then 'XX  - value' lines.

This is what Ovid's EndNote/Citavi/Reference Manager export formats write
(files named .cgi, .ovd or .txt); it is not RIS. Continuations come both
indented (IN) and unindented: Embase abstracts continue on lines such as
'Method(s): ...', so a line starts a new field only when its tag is in the
whitelist kept in tagmaps/ovid.yaml. Text before the first header (a
search history) is skipped.
"""

from __future__ import annotations

import re

from reviewkit.errors import ReviewkitError
from reviewkit.io import tagmap
from reviewkit.io.tagline import Warnings, almost_tag
from reviewkit.records import normalise as norm
from reviewkit.records.model import Record

# SO citation shapes, tried in order (only when the display has no JN/VO/IP/PG):
#   PsycInfo: 'Clin Psychol Psychother. Vol.26(5), 2019, pp. 552-563.'
#   Embase:   'Gut. 67 (12) (pp 2156-2162), 2018. Date of Publication: ...'
#   MEDLINE:  'Journal of X. 35(15):1234-1240, 2017 May 20.'
_SO = (
    re.compile(r"^(?P<j>.+?)\.\s+Vol\.?\s*(?P<v>[^(,\s]+)(?:\((?P<i>[^)]*)\))?,\s*"
               r"(?P<y>\d{4})(?:,\s*pp\.?\s*(?P<p>[^.\s]+))?"),
    re.compile(r"^(?P<j>.+?)\.\s+(?P<v>[^\s():]+)\s*(?:\((?!pp\b|no pag)(?P<i>[^)]*)\)\s*)?"
               r"(?:\((?:pp\.?\s*)?(?P<p>[^)]*)\))?\s*,\s*(?P<y>\d{4})\b"),
    re.compile(r"^(?P<j>.+?)\.\s+(?P<v>[^\s():]+)(?:\((?P<i>[^)]*)\))?:(?P<p>[^,\s]+),\s*"
               r"(?P<y>\d{4})\b"),
)


# a citation is a few hundred characters; the patterns backtrack badly on a
# damaged SO of megabytes (a run of spaces after '(pp' took minutes)
_SO_MAX = 1000
# a well-formed tag line, to tell an unknown tag from text
_TAG_SHAPE = re.compile(r"[A-Z][A-Z0-9]  - ")


def _header(line: str) -> bool:
    """'<3001. >' or '<1>' on a line of its own."""
    s = line.strip()
    return s[:1] == "<" and s[-1:] == ">" and s[1:-1].strip(" .").isdigit()


def entries(text: str, path: str, known: frozenset[str],
            warn: Warnings | None = None) -> list[tuple[int, list[tuple[str, str]]]]:
    """(start line, raw pairs) per record; ``known`` is the tag whitelist."""
    warn = warn or Warnings(path, None)
    out: list[tuple[int, list[tuple[str, str]]]] = []
    pairs: list[tuple[str, list[str]]] | None = None  # inside a record when not None
    parts: list[str] = []  # the value being read, one item per line
    start = 0

    def close() -> None:
        if not pairs:
            raise ReviewkitError(
                f"the Ovid record header at line {start} is followed by no fields "
                "('TI  - ...'): is the export truncated?", file=path, line=start)
        out.append((start, [(t, p[0] if len(p) == 1 else "\n".join(p)) for t, p in pairs]))

    for number, line in enumerate(text.split("\n"), 1):
        if line[:1] == "<" and _header(line):
            if pairs is not None:
                close()
            pairs, start = [], number
        elif pairs is None or not line or line.isspace():
            continue  # search history before the first record; blank lines
        elif line[2:5] == "  -" and line[5:6] in (" ", "") and line[:2] in known:
            parts = [line[6:].rstrip()]
            pairs.append((line[:2], parts))
        elif pairs:
            parts.append(line.strip())  # indented or 'Method(s):' continuation
            bad = almost_tag(line, known)
            if bad:
                warn.malformed(number, bad, "XX  - value")
            elif _TAG_SHAPE.match(line):
                warn.add(number, f"'{line[:2]}' is not a tag Ovid writes: the line is kept "
                                 "as text of the field above")
    if pairs is not None:
        close()
    if not out:
        raise ReviewkitError(
            "no Ovid records found: expected record headers like '<1. >' followed by "
            "'XX  - value' lines", file=path, line=1)
    return out


def _fill_from_source(rec: Record, so: str) -> None:
    """Journal, volume, issue, pages and year from the one-string SO citation."""
    for pattern in _SO:
        m = pattern.search(so)
        if m:
            break
    else:
        return
    journal = m["j"].split(". Conference:")[0]  # Embase appends the meeting to the journal
    pages = (m["p"] or "").strip()
    if pages.lower().startswith("no pag"):
        pages = ""
    rec.journal = rec.journal or norm.clean_text(journal)
    rec.volume = rec.volume or m["v"]
    rec.issue = rec.issue or (m["i"] or "").strip()
    rec.pages = rec.pages or pages
    if rec.year is None:
        rec.year = int(m["y"])


def _dialect(raw: list[tuple[str, str]]) -> str:
    # Ovid exports can mix databases record by record, so decide per record
    db = next((v for t, v in raw if t == "DB"), "")
    return "medline" if "medline" in db.lower() else ""


def read(text: str, path: str,
         warnings: list[str] | None = None) -> tuple[str, list[Record]]:
    """Parse Ovid tagged text into records; returns ('medline' if all are, else '', records).

    Lines that look like mistyped or unknown tags are reported in ``warnings``.
    """
    known = frozenset(tagmap.load("ovid")["tags"])
    warn = Warnings(path, warnings)
    records = []
    names = set()
    for position, (line, raw) in enumerate(entries(text, path, known, warn), 1):
        name = _dialect(raw)
        names.add(name)
        rec = tagmap.to_record(raw, tagmap.load("ovid", name))
        rec.position, rec.line = position, line
        so = next((v for t, v in raw if t == "SO"), "")
        if so and not (rec.journal and rec.volume and rec.pages and rec.year):
            _fill_from_source(rec, so[:_SO_MAX].replace("\n", " "))
        records.append(rec)
    warn.close()
    return (names.pop() if len(names) == 1 else ""), records
