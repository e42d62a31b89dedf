"""RIS reader: one rispy parser subclass that survives every dialect in the corpus.

rispy's own loop loses a tag written after ``ER``, ignores a missing ``ER``
and knows no line numbers; this subclass keeps rispy's class-attribute
configuration and replaces the loop. Dialect meaning (which tag is the
accession, what M1 holds) lives in tagmaps/ris.yaml.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import rispy

from reviewkit.errors import ReviewkitError
from reviewkit.io import tagmap
from reviewkit.io.tagline import RIS_TAGS, Warnings, almost_tag
from reviewkit.records import normalise as norm
from reviewkit.records.ids import record_key
from reviewkit.records.model import Record

# a tag line ('XX  - value', or four letters like APA PsycNET's 'PMID  - ') or any other line
_LINE = re.compile(r"^(?:([A-Z][A-Z0-9](?:[A-Z0-9]{2})?)  - ?(.*)|(.*))$", re.M)
_TAG_LINE = re.compile(r"^([A-Z][A-Z0-9](?:[A-Z0-9]{2})?)  - ?([^\n]*\S)?[ \t]*$", re.M)
# '\n' first lets the regex engine jump between line starts instead of testing each character
_MARK = re.compile(r"\n(TY|ER)  -[^\n]*")
_FORM = "XX  - value"

Pairs = list[tuple[str, str]]


class RisReader(rispy.RisParser):
    START_TAG = "TY"
    END_TAG = "ER"

    def parse_line(self, line: str) -> tuple[str, str] | tuple[None, str]:
        m = _LINE.match(line)
        tag, value, other = m.groups() if m else (None, None, line)
        return (tag, value.rstrip()) if tag else (None, (other or "").strip())

    def entries(self, text: str, path: str,
                warn: Warnings | None = None) -> list[tuple[int, Pairs]]:
        """(start line, raw pairs) per record; errors name the line.

        Records are the spans from a TY line to the next ER line. A span whose
        every line is a tag line is split in one regex call; spans with
        continuation or blank lines, and text between records, go line by line.
        """
        warn = warn or Warnings(path, None)
        out: list[tuple[int, Pairs]] = []
        line, pos, gap_from, gap_line = 1, 0, 0, 1
        open_at: tuple[int, int] | None = None  # (offset, line) of an unclosed TY
        findall = _TAG_LINE.findall
        for at, tag, end in _marks(text):
            line += text.count("\n", pos, at)
            pos = at
            if tag == self.START_TAG:
                if open_at is not None:
                    raise ReviewkitError(
                        f"record starting at line {open_at[1]} has no 'ER  -' line before the "
                        "next 'TY  -': expected each record to end with ER", file=path, line=line)
                if gap_from < pos - 1:
                    gap = _after_er(text[gap_from:pos], gap_line, warn)
                    if out:
                        out[-1][1].extend(gap)
                open_at = (pos, line)
            elif open_at is not None:
                pairs = findall(text, open_at[0], pos)
                if len(pairs) != line - open_at[1]:  # some line is not 'XX  - ...'
                    pairs = _slow_pairs(text[open_at[0]:pos], open_at[1], warn)
                out.append((open_at[1], pairs))
                open_at, gap_from, gap_line = None, end, line
            else:
                # an ER with no TY: the record's TY line is missing or mistyped
                _after_er(text[gap_from:pos], gap_line, warn)
                warn.add(line, "this 'ER  -' line ends no record: there is no 'TY  -' line "
                               f"since line {gap_line}, so the lines between are not read; "
                               "is a TY line mistyped?")
                gap_from, gap_line = end, line
        if open_at is not None:
            raise ReviewkitError(
                f"file ends inside the record starting at line {open_at[1]} (no 'ER  -' line): "
                "is the export truncated?", file=path, line=open_at[1])
        if not out:
            raise ReviewkitError("no RIS records found: expected lines like 'TY  - JOUR'",
                                 file=path)
        out[-1][1].extend(_after_er(text[gap_from:], gap_line, warn))
        return out


def _marks(text: str) -> Iterator[tuple[int, str, int]]:
    """(line start, 'TY' or 'ER', line end) for every record boundary line."""
    if text.startswith(("TY  -", "ER  -")):
        end = text.find("\n")
        yield 0, text[:2], end if end >= 0 else len(text)
    for m in _MARK.finditer(text):
        yield m.start() + 1, m.group(1), m.end()


def _slow_pairs(chunk: str, first: int, warn: Warnings) -> Pairs:
    """Line by line: untagged lines continue the previous value; blank lines are dropped.

    ``first`` is the chunk's first line number, for warnings about tag lines
    that are almost right.
    """
    pairs: Pairs = []
    for n, (tag, value, other) in enumerate(_LINE.findall(chunk), first):
        if tag:
            pairs.append((tag, value.rstrip()))
        elif other.strip() and pairs:
            bad = almost_tag(other, RIS_TAGS)
            if bad:
                warn.malformed(n, bad, _FORM)
            last_tag, last = pairs[-1]
            other = other.strip()
            pairs[-1] = (last_tag, f"{last}\n{other}" if last else other)
    return pairs


def _after_er(gap: str, first: int, warn: Warnings) -> Pairs:
    """Tags between records (Ovid writes NL after ER) belong to the record before.

    ``gap`` starts on the ER line numbered ``first``; other text there (Ovid's
    '1.' counters and 'Link to' lines) is skipped, almost-tags are reported.
    """
    if "-" not in gap:
        return []
    pairs: Pairs = []
    for n, (tag, value, other) in enumerate(_LINE.findall(gap), first):
        if tag:
            if tag != "ER":
                pairs.append((tag, value.rstrip()))
        elif "-" in other:
            bad = almost_tag(other, RIS_TAGS)
            if bad:
                warn.malformed(n, bad, _FORM)
    return pairs


def dialect(text: str) -> str:
    """Which database wrote this RIS, from content the databases always leave."""
    head = text[:200000]
    if "Link to the Ovid Full Text" in head or "ovidsp.ovid.com" in head or "\nDB  - Ovid" in head:
        return "ovid"
    if "embase.com/search" in head or "\nDB  - Embase\n" in head:
        return "embase_com"
    if "\nAN  - WOS:" in head:
        return "wos"
    if "\nDB  - Scopus" in head or "scopus.com/inward" in head:
        return "scopus"
    if "\nDP  - EBSCOhost" in head:
        return "ebsco"
    if "proquest.com" in head:
        return "proquest"
    if "\nDP  - NLM" in head:
        return "endnote_pubmed"
    return ""


def read(text: str, path: str, warnings: list[str] | None = None,
         name: str | None = None) -> tuple[str, list[Record]]:
    """Parse RIS text into normalised records; returns (dialect, records).

    Lines that look like mistyped tags are reported in ``warnings``; ``name`` gives
    the dialect (a big file's later pieces keep its first piece's).
    """
    if name is None:
        name = dialect(text)
    tm = tagmap.load("ris", name)
    # only the rules whose tag line is in the text at all are tried per record
    pmid_rules = [r for r in tagmap.section("ris", "record_pmid")
                  if f"{r['tag']}  - {r['value']}" in text]
    warn = Warnings(path, warnings)
    records = []
    for position, (line, raw) in enumerate(RisReader().entries(text, path, warn), 1):
        rec = tagmap.to_record(raw, tm)
        if pmid_rules and not rec.pmid and rec.accession:
            rec.pmid = _own_pmid(raw, pmid_rules)
        rec.position, rec.line = position, line
        if name == "scopus" and "scopus" not in rec.accession:
            eid = next((u.split("eid=")[1].split("&")[0] for u in rec.urls if "eid=" in u), "")
            if eid:
                rec.accession["scopus"] = eid
        if not rec.doi and record_key(rec).startswith("h-"):
            rec.doi = _notes_doi(raw)  # as ids named by content were made: none moves
        records.append(rec)
    warn.close()
    return name, records


def _notes_doi(raw: Pairs) -> str:
    """The first DOI in an N1 note, which RIS readers once took as the record's own."""
    return next((d for d in (norm.doi(v) for t, v in raw if t == "N1") if d), "")


def _own_pmid(raw: Pairs, rules: list[dict]) -> str:
    """The PMID of a record that says it came from PubMed (ris.yaml record_pmid), or ""."""
    for rule in rules:
        if any(t == rule["tag"] and v.strip() == rule["value"] for t, v in raw):
            for tag in rule["from"]:
                found = next((v.strip() for t, v in raw if t == tag and v.strip().isdigit()), "")
                if found:
                    return found
    return ""

