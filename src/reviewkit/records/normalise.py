"""Field normalisation shared by all readers: DOI, year, ISSN/ISBN, pages, text."""

from __future__ import annotations

import html
import re
from urllib.parse import unquote

_DOI = re.compile(r"10\.\d{4,9}/\S+", re.IGNORECASE)
_YEAR = re.compile(r"(?<!\d)(1[5-9]\d\d|20\d\d)(?!\d)")
_ISSN = re.compile(r"\b(\d{4})-?(\d{3}[\dXx])\b")
_ISBN = re.compile(r"\b(97[89][\d-]{10,14}|\d[\d-]{8,11}[\dXx])\b")
_SPACE = re.compile(r"\s+")
_TAG = re.compile(r"</?[a-zA-Z][^<>]{0,40}>")
# control codes from a damaged export would reach terminals (escape sequences) and Word
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")


def clean_text(value: str) -> str:
    """Collapse whitespace and decode HTML entities; keep the words as given."""
    if not value:
        return ""
    if "&" in value:
        value = html.unescape(value)
    if "<" in value:
        value = _TAG.sub("", value)
    if not value.isprintable():
        value = _CONTROL.sub(" ", value)
    if "  " in value or "\n" in value or "\t" in value or "\xa0" in value:
        return _SPACE.sub(" ", value).strip()
    return value.strip()


def doi(value: str) -> str:
    """Bare lower-case DOI from a DOI, a doi.org URL or 'xxx [doi]'; '' if none."""
    if not value:
        return ""
    if "\\" in value:
        value = value.replace("\\_", "_")
    if "%" in value:
        value = unquote(value)  # %2F, %28 ... in DOIs copied from URLs
    m = _DOI.search(value)
    if not m:
        return ""
    found = m.group(0).rstrip(".,;")
    # a closing bracket ends the DOI only when the DOI did not open it: '(doi:10.1/x)'
    # loses its ')', '10.1016/0140-6736(93)91234-5' and '10.1000/abc_(12)' keep theirs
    while found and found[-1] in ")]" and \
            found.count(found[-1]) > found.count("(" if found[-1] == ")" else "["):
        found = found[:-1].rstrip(".,;")
    return found.lower()


def year(value: str) -> int | None:
    """First plausible four-digit year in a date string ('2020//', '2017 Nov 15')."""
    if not value:
        return None
    m = _YEAR.search(value)
    return int(m.group(1)) if m else None


def issns(value: str) -> list[str]:
    """All ISSNs in a field, as NNNN-NNNN; handles '0964-6906 (Print)0964-6906'."""
    out: list[str] = []
    for a, b in _ISSN.findall(value or ""):
        item = f"{a}-{b.upper()}"
        if item not in out:
            out.append(item)
    return out


def isbns(value: str) -> list[str]:
    """All ISBN-10/13 in a field, digits only."""
    out: list[str] = []
    for m in _ISBN.findall(value or ""):
        digits = m.replace("-", "").upper()
        if len(digits) in (10, 13) and digits not in out:
            out.append(digits)
    return out


def pages(start: str, end: str = "") -> str:
    """'221-8' style range from start/end fields; 'No'/'Specified' junk dropped."""
    start, end = (start or "").strip(), (end or "").strip()
    if start.lower() == "no" and end.lower() == "specified":
        return ""
    if start and end and end != start:
        return f"{start}-{end}"
    return start or end


def dedupe(values: list[str]) -> list[str]:
    """Drop empty and repeated values, keeping first-seen order."""
    seen: set[str] = set()
    out = []
    for v in values:
        if v and v not in seen:
            seen.add(v)
            out.append(v)
    return out
