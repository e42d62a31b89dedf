"""Which export format a text is, from its content (extensions lie)."""

from __future__ import annotations

import re

from reviewkit.errors import ReviewkitError

FORMATS = ("ris", "medline", "wos", "ovid", "bibtex", "endnote_xml", "csv")

_RIS = re.compile(r"^TY  - ", re.M)
_MEDLINE = re.compile(r"^PMID- ", re.M)
_WOS = re.compile(r"^(?:FN |VR |PT [A-Z])", re.M)
_OVID = re.compile(r"^<\d+\. ?>\s*$", re.M)
_BIBTEX = re.compile(r"^\s*@[A-Za-z]+\s*[{(]", re.M)


def detect(text: str, path: str) -> str:
    """Return one of FORMATS or raise a ReviewkitError that names what was seen."""
    head = text[:20000].lstrip("\ufeff")
    stripped = head.lstrip()
    if stripped.startswith("<?xml") or stripped.startswith("<xml>") or "<records>" in head[:2000]:
        return "endnote_xml"
    if _MEDLINE.search(head):
        return "medline"
    if _WOS.search(head) and re.search(r"^ER\s*$", text, re.M):
        return "wos"
    if _OVID.search(head):
        return "ovid"
    if _RIS.search(head) or _RIS.search(text):
        return "ris"
    if _BIBTEX.search(head):
        return "bibtex"
    from reviewkit.io import csv as csv_reader

    if csv_reader.sniff(text):
        return "csv"
    first = next((ln for ln in head.split("\n") if ln.strip()), "")[:60]
    raise ReviewkitError(
        f"unrecognised export format (first line: {first!r}); expected RIS, PubMed MEDLINE, "
        "Web of Science text, Ovid, BibTeX, CSV with a header, or EndNote XML",
        file=path, line=1)
