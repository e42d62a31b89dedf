"""The PRISMA diagram for the report: SVG, PNG and PDF bytes from the existing renderer,
kept in memory so nothing is written until the whole report is ready."""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
from dataclasses import dataclass, field

from markupsafe import escape

from reviewkit.reporting.prisma import PrismaCounts, dot_source, draw

FORMATS = ("svg", "png", "pdf")
# the XML prolog, DOCTYPE and comments are not allowed (or wanted) inside an HTML page
_PROLOG = re.compile(r"<\?xml.*?\?>|<!DOCTYPE.*?>|<!--.*?-->", re.S)


@dataclass
class Diagram:
    files: dict[str, bytes] = field(default_factory=dict)  # prisma.dot, .svg, .png, .pdf
    missing: str = ""  # why the pictures could not be drawn

    @property
    def inline_svg(self) -> str:
        """The SVG as an element for an HTML page (Graphviz escapes every label)."""
        return inline_svg(self.files.get("prisma.svg", b""), "PRISMA 2020 flow diagram")

    def has(self, fmt: str) -> bool:
        return f"prisma.{fmt}" in self.files


def inline_svg(svg: bytes, label: str, prefix: str = "prisma") -> str:
    """An SVG file as an element of an HTML page, labelled for screen readers; its ids
    (Graphviz's node1, matplotlib's axes_1…) start with ``prefix``, so the pictures of
    one page never share an id and each reference stays inside its own picture."""
    text = _PROLOG.sub("", svg.decode("utf-8")).strip()
    ids = set(_ID.findall(text))
    text = _ID.sub(lambda m: f'id="{prefix}-{m.group(1)}"', text)
    text = _REF.sub(lambda m: m.group(1) + (f"{prefix}-" if m.group(2) in ids else "")
                    + m.group(2), text)
    return text.replace("<svg ", f'<svg role="img" aria-label="{escape(label)}" ', 1)


_ID = re.compile(r'(?<=\s)id="([^"]+)"')
_REF = re.compile(r'(href="#|url\(#)([^")]+)')


def graphviz_available() -> bool:
    """The same choice as reporting.prisma.render.draw: the dot program, else pygraphviz."""
    return bool(shutil.which(os.environ.get("REVIEWKIT_DOT", "dot"))
                or importlib.util.find_spec("pygraphviz"))


def draw_diagram(counts: PrismaCounts, title: str) -> Diagram:
    source = dot_source(counts, title)
    diagram = Diagram({"prisma.dot": source.encode("utf-8")})
    if not graphviz_available():
        diagram.missing = (
            "Graphviz was not found, so the diagram was written only as prisma.dot: install "
            "Graphviz (Debian/Ubuntu: sudo apt-get install graphviz; macOS: brew install "
            "graphviz; or pip install pygraphviz) and run 'reviewkit report' again, or "
            "'dot -Tsvg prisma.dot -o prisma.svg'.")
        return diagram
    for fmt in FORMATS:
        diagram.files[f"prisma.{fmt}"] = draw(source, fmt)
    return diagram
