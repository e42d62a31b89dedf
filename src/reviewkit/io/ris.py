"""RIS reader: one rispy parser subclass that survives every dialect in the corpus.

rispy's own loop loses a tag written after ``ER``, ignores a missing ``ER``
and knows no line numbers; this subclass keeps rispy's class-attribute
configuration and replaces the loop. Dialect meaning (which tag is the
accession, what M1 holds) lives in tagmaps/ris.yaml.
"""

from __future__ import annotations

import rispy

from reviewkit.errors import ReviewkitError
from reviewkit.io import tagmap
from reviewkit.records.model import Record


class RisReader(rispy.RisParser):
    START_TAG = "TY"
    END_TAG = "ER"

    def parse_line(self, line: str) -> tuple[str, str] | tuple[None, str]:
        # 'XX  - value' plus four-letter tags such as APA PsycNET's 'PMID  - '
        if line[2:5] == "  -" and line[:2].isalnum() and line[0].isalpha() and line[:2].isupper():
            return line[:2], line[6:].rstrip()
        if line[4:7] == "  -" and line[:4].isalpha() and line[:4].isupper():
            return line[:4], line[8:].rstrip()
        return None, line.strip()

    def entries(self, text: str, path: str) -> list[tuple[int, list[tuple[str, str]]]]:
        """(start line, raw pairs) per record; errors name the line."""
        out: list[tuple[int, list[tuple[str, str]]]] = []
        pairs: list[list[str]] | None = None  # inside a record when not None
        start = 0
        parse = self.parse_line
        for number, line in enumerate(text.split("\n"), 1):
            tag, value = parse(line)
            if pairs is None:
                if tag == self.START_TAG:
                    pairs, start = [[tag, value]], number
                elif tag and tag != self.END_TAG and out:
                    out[-1][1].append((tag, value))  # a tag after ER belongs to that record
                continue
            if tag is None:
                if value:
                    if not pairs:
                        continue
                    last = pairs[-1]
                    last[1] = f"{last[1]}\n{value}" if last[1] else value
                continue
            if tag == self.END_TAG:
                out.append((start, [(t, v) for t, v in pairs]))
                pairs = None
            elif tag == self.START_TAG:
                raise ReviewkitError(
                    f"record starting at line {start} has no 'ER  -' line before the next "
                    "'TY  -': expected each record to end with ER", file=path, line=number)
            else:
                pairs.append([tag, value])
        if pairs is not None:
            raise ReviewkitError(
                f"file ends inside the record starting at line {start} (no 'ER  -' line): "
                "is the export truncated?", file=path, line=start)
        if not out:
            raise ReviewkitError("no RIS records found: expected lines like 'TY  - JOUR'",
                                 file=path)
        return out


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


def read(text: str, path: str) -> tuple[str, list[Record]]:
    """Parse RIS text into normalised records; returns (dialect, records)."""
    name = dialect(text)
    tm = tagmap.load("ris", name)
    records = []
    for position, (line, raw) in enumerate(RisReader().entries(text, path), 1):
        rec = tagmap.to_record(raw, tm)
        rec.position, rec.line = position, line
        if name == "scopus" and "scopus" not in rec.accession:
            eid = next((u.split("eid=")[1].split("&")[0] for u in rec.urls if "eid=" in u), "")
            if eid:
                rec.accession["scopus"] = eid
        records.append(rec)
    return name, records
