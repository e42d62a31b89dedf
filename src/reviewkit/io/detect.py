"""Which export format a text is, from its content (extensions lie).

Decided by structure, not by any matching line: each format has a line that
opens its data (a CSV header, '@article{', 'TY  - ', 'PMID- ', ...), and the
format whose opening comes first in the file wins. A 'TY  - ' quoted inside
a CSV abstract or a BibTeX field comes after the header or the '@' line, so
it cannot turn the file into RIS.
"""

from __future__ import annotations

import re

from reviewkit.errors import ReviewkitError

FORMATS = ("ris", "medline", "wos", "ovid", "bibtex", "endnote_xml", "csv")

_HEAD = 20000  # characters looked at; RIS alone is also looked for in the whole text
_RIS = re.compile(r"^TY  - ", re.M)
_MEDLINE = re.compile(r"^PMID- ", re.M)
_WOS = re.compile(r"^(?:FN |VR |PT [A-Z])", re.M)
_WOS_END = re.compile(r"^ER\s*$", re.M)
_OVID = re.compile(r"^<\d+\. ?>\s*$", re.M)
# [ \t]*, not \s*: \s crosses lines, and from every blank line start it would
# re-scan the whole run of blank lines below (quadratic on a blank-heavy head)
_BIBTEX = re.compile(r"^[ \t]*@[A-Za-z]+\s*[{(]", re.M)
# on ties (never in practice: two openings on one line) the earlier name wins
_ORDER = ("medline", "wos", "ovid", "ris", "bibtex", "csv")


def _xml(head: str) -> bool:
    start = head.lstrip()
    return start.startswith(("<?xml", "<xml>")) or (start[:1] == "<" and "<records>" in head[:2000])


def _openings(text: str, head: str) -> dict[str, int]:
    """Offset of the first line that opens each format's data, for formats that have one."""
    found: dict[str, int] = {}
    for name, rx in (("medline", _MEDLINE), ("wos", _WOS), ("ovid", _OVID), ("ris", _RIS),
                     ("bibtex", _BIBTEX)):
        m = rx.search(head)
        if m:
            found[name] = m.start()
    if "wos" in found and not _WOS_END.search(text):
        del found["wos"]  # 'PT J' without any 'ER' line is not a WoS record
    if "ris" not in found:
        m = _RIS.search(text)  # a long preamble can push the first record past the head
        if m:
            found["ris"] = m.start()
    return found


def detect(text: str, path: str) -> str:
    """Return one of FORMATS or raise a ReviewkitError that names what was seen."""
    head = text[:_HEAD].lstrip("\ufeff")
    if _xml(head):
        return "endnote_xml"
    found = _openings(text, head)
    from reviewkit.io import csv as csv_reader

    if csv_reader.sniff(text):
        # a header row is the first line: only a tag on that same line can tie with it
        found["csv"] = len(head) - len(head.lstrip())
    if found:
        return min(found, key=lambda name: (found[name], _ORDER.index(name)))
    first = next((ln for ln in head.split("\n") if ln.strip()), "")[:60]
    raise ReviewkitError(
        f"unrecognised export format (first line: {first!r}); expected RIS, PubMed MEDLINE, "
        "Web of Science text, Ovid, BibTeX, CSV with a header, or EndNote XML",
        file=path, line=1)
