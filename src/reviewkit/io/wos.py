"""Web of Science plain-text reader: 'FN'/'VR' header, 'XX value' tags, 'ER' ends a record.

Two-letter tag plus one space; continuation lines are indented 3 spaces
(one author per line in AU/AF, wrapped text elsewhere, hundreds of cited
references in CR). ``EF`` ends a file, and files joined together repeat
the header, so neither stops the reader. Which tag fills which field lives
in tagmaps/wos.yaml.
"""

from __future__ import annotations

from reviewkit.errors import ReviewkitError
from reviewkit.io import tagmap
from reviewkit.io.tagline import WOS_TAGS, Warnings
from reviewkit.io.text import shown
from reviewkit.records import normalise as norm
from reviewkit.records.model import Record

_HEADER = ("FN", "VR")


def _is_tag(tag: str) -> bool:
    # 'PT', 'C1', 'Z9': an upper-case letter, then a letter or digit ('of the' is text)
    return tag.isascii() and tag[:1].isupper() and tag.isalnum() and tag == tag.upper()


def entries(text: str, path: str,
            warn: Warnings | None = None) -> list[tuple[int, list[tuple[str, str]]]]:
    """(start line, raw pairs) per record, in file order; errors name the line."""
    warn = warn or Warnings(path, None)
    out: list[tuple[int, list[tuple[str, str]]]] = []
    pairs: list[tuple[str, list[str]]] | None = None  # inside a record when not None
    parts: list[str] = []  # the value being read, one item per line
    start = 0
    for number, line in enumerate(text.split("\n"), 1):
        if line[:1] == " ":
            if pairs:
                parts.append(line.strip())  # joined once at ER: CR blocks stay linear
            continue  # an indented line outside a record continues a header line
        if not line or line.isspace():
            continue
        tag = line[:2]
        if line[2:3] not in (" ", "") or not _is_tag(tag):
            if pairs:
                parts.append(line.strip())  # stray unindented text: keep, don't drop
                if line[2:3] in (" ", "") and tag.upper() in WOS_TAGS:
                    warn.malformed(number, tag.upper(), "XX value")
                continue
            raise ReviewkitError(
                f"line {number} is not a Web of Science tag line (two letters, one space, "
                "value, e.g. 'PT J'): is this a WoS plain-text export?", file=path, line=number)
        if tag == "ER":
            if pairs is not None:
                out.append((start, [(t, p[0] if len(p) == 1 else "\n".join(p)) for t, p in pairs]))
                pairs = None
            continue
        if tag == "EF" or (pairs is None and tag in _HEADER):
            if pairs is not None:
                raise ReviewkitError(
                    f"the record starting at line {start} has no 'ER' line before 'EF': "
                    "is the export truncated?", file=path, line=number)
            continue
        if pairs is None:
            if line[2:6] == "  - ":
                raise ReviewkitError(
                    f"line {number} is a RIS or Ovid tag line ('{shown(line, 20)}'), not Web "
                    "of Science ('PT J'): read the file as RIS or Ovid", file=path, line=number)
            pairs, start = [], number
        elif tag == "PT":
            raise ReviewkitError(
                f"the record starting at line {start} has no 'ER' line before the next "
                "'PT': expected each record to end with ER", file=path, line=number)
        parts = [line[3:].rstrip()]
        pairs.append((tag, parts))
    if pairs is not None:
        raise ReviewkitError(
            f"file ends inside the record starting at line {start} (no 'ER' line): "
            "is the export truncated?", file=path, line=start)
    if not out:
        raise ReviewkitError(
            "no Web of Science records found: expected 'PT J' ... 'ER' blocks", file=path, line=1)
    return out


def dialect(text: str) -> str:
    """'zoorec' for Zoological Record exports, '' for the Core Collection."""
    head = text[:200000]
    return "zoorec" if "\nAN ZOOR" in head or "\nUT ZOOREC:" in head else ""


def _author(name: str) -> str:
    # Zoological Record: 'Stillman, Andrew N. (andrew.stillman@uconn.edu)'
    cut = name.find(" (")
    if cut > 0 and "@" in name[cut:]:
        return name[:cut].rstrip()
    return name


def _fix(rec: Record, raw: list[tuple[str, str]], tm: dict) -> None:
    """What the tag map cannot express: ';' lists, e-mails in names, UT prefixes."""
    names = tm["all"]["keywords"]
    # lines only wrap a '; '-separated list (to_record would split per line);
    # clean_text then joins a keyword wrapped over two lines
    words = [k for t, v in raw if t in names for k in v.split(";")]
    rec.keywords = norm.dedupe([norm.clean_text(k) for k in words])
    if any("@" in a for a in rec.authors):
        rec.authors = [a for a in (_author(a) for a in rec.authors) if a]
    ut = next((v.strip() for t, v in raw if t == "UT" and v.strip()), "")
    prefix, _, ident = ut.partition(":")
    if not ident:
        prefix = "WOS"
    elif prefix != "WOS":
        # UT names the record's own database ('ZOOREC:ZOOR...', 'MEDLINE:123')
        rec.accession.pop("wos", None)
        rec.accession.setdefault(prefix.lower(), ident)
    rec.database = tm.get("ut_database", {}).get(prefix, "Web of Science")


def read(text: str, path: str,
         warnings: list[str] | None = None) -> tuple[str, list[Record]]:
    """Parse WoS plain text into normalised records; returns (dialect, records).

    Lines that look like mistyped tags are reported in ``warnings``.
    """
    name = dialect(text)
    tm = tagmap.load("wos", name)
    warn = Warnings(path, warnings)
    records = []
    for position, (line, raw) in enumerate(entries(text, path, warn), 1):
        rec = tagmap.to_record(raw, tm)
        rec.position, rec.line = position, line
        _fix(rec, raw, tm)
        records.append(rec)
    warn.close()
    return name, records
