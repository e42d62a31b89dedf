"""Tag lines that are almost right ('TI - x', 'ti  - x', 'AU  -Smith'), and reader warnings.

The tagged readers keep a line that is not a well-formed tag line with the
field above it, because real exports continue values on untagged lines. A
line shaped like a known tag with the wrong spacing or case is more likely a
hand-edited tag than text, so it is kept the same way but reported, naming
the file and line: a broken tag must never vanish into an abstract silently.
"""

from __future__ import annotations

import re
from collections.abc import Container

from reviewkit.errors import ReviewkitError

# a tag of 2-4 letters/digits, then '-' with spaces missing, doubled or misplaced
_ALMOST = re.compile(r"[ \t]?([A-Za-z][A-Za-z0-9]{1,3})([ \t]*)-([ \t]*)")

# what RIS writers emit (the RIS spec, rispy's mapping, and the corpus's own extras)
RIS_TAGS = frozenset(
    "A1 A2 A3 A4 AB AD AN AU AV BT C1 C2 C3 C4 C5 C6 C7 C8 CA CN CP CT CY DA DB DI DO DP "
    "ED EP ER ET GP ID IS J1 J2 J9 JA JF JI JO KW L1 L2 L3 L4 LA LB LK M1 M2 M3 N1 N2 NL "
    "NV OP PA PB PI PMID PP PU PY RI RN RP SE SN SP ST T1 T2 T3 TA TI TT TY U1 U2 U3 U4 "
    "U5 UK UR VL VO WE Y1 Y2 Y3".split())
# PubMed's MEDLINE display tags
MEDLINE_TAGS = frozenset(
    "AB AD AID AU AUID BTI CI CIN CN COI COIS CON CP CRDT CRF CRI CTDT CTI DA DCOM DEP DP "
    "DRDT ECF ECI ED EDAT EFR EIN EN FAU FED FIR FPS GN GR GS IP IR IRAD IS ISBN JID JT "
    "LA LID LR MH MHDA MID OAB OABL OCI OID ORI OT OTO OWN PB PG PHST PL PMC PMCR PMID PS "
    "PST PT RF RIN RN ROF RPF RPI RRF RRI SB SFM SI SO SPIN STAT TA TI TT UIN UOF VI "
    "VTI".split())
# Web of Science plain-text tags (Core Collection and Zoological Record)
WOS_TAGS = frozenset(
    "AB AF AN AR AU AW BA BD BE BF BN BP BS C1 C3 CA CL CR CT CY D2 DA DE DI DL DT EA EF "
    "EI EM EP ER EY FN FP FU FX GA GP HC HO HP ID IS J9 JI LA MA NR OA OI OR PA PD PG PI "
    "PM PN PS PT PU PY RI RP SC SE SI SN SO SP ST SU TC TI TN U1 U2 UT VL VR WC WE Z9".split())

LIMIT = 20  # warnings per file; past that one line says how many more


def almost_tag(line: str, known: Container[str]) -> str:
    """The known tag a malformed tag line was meant to start with, or '' for plain text.

    Called only for lines the reader did not take as tag lines. A dash with no
    space either side ('IL-6 levels') is text, and so is any unknown word.
    """
    if "-" not in line[:12]:  # most continuation lines: no regex needed
        return ""
    m = _ALMOST.match(line)
    if not m or not (m[2] or m[3]):
        return ""
    tag = m[1].upper()
    return tag if tag in known else ""


class Warnings:
    """One-line 'file:line: message' warnings for one file, at most LIMIT of them."""

    def __init__(self, path: str, sink: list[str] | None) -> None:
        self.path = path
        self.sink = sink
        self.count = 0

    def add(self, line: int, message: str) -> None:
        self.count += 1
        if self.sink is not None and self.count <= LIMIT:
            self.sink.append(str(ReviewkitError(message, file=self.path, line=line)))

    def malformed(self, line: int, tag: str, form: str) -> None:
        """A line that looks like tag ``tag`` but is not written ``form``."""
        self.add(line, f"this line looks like a {tag} tag but is not written '{form}': "
                       "kept as text of the field above; fix the line if a tag was meant")

    def close(self) -> None:
        """Say how many warnings were left out."""
        if self.sink is not None and self.count > LIMIT:
            self.sink.append(f"{self.path}: {self.count - LIMIT} more warnings like these "
                             "not shown")
