"""Counts → DOT source → SVG, PNG or PDF, drawn by Graphviz.

Graphviz comes from the system's ``dot`` program, or else from the ``pygraphviz`` wheel
(it bundles the Graphviz libraries). With neither, nothing is written and the error
says how to get the .dot file and draw it.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import jinja2

from reviewkit.errors import ReviewkitError
from reviewkit.reporting.prisma.diagram import build
from reviewkit.reporting.prisma.files import write_file
from reviewkit.reporting.prisma.layout import Node, place
from reviewkit.reporting.prisma.model import PrismaCounts

FORMATS = ("svg", "png", "pdf", "dot")
PNG_DPI = 144


class GraphvizMissing(ReviewkitError):
    """No Graphviz here: the .dot file was written instead of the picture."""


def dot_source(counts: PrismaCounts, title: str = "") -> str:
    nodes, arrows = place(build(counts))
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("reviewkit.reporting.prisma", "templates"),
        autoescape=False, keep_trailing_newline=True)
    env.filters["dot_label"] = _label
    return env.get_template("prisma.dot.j2").render(
        nodes=nodes, arrows=arrows, title=title.replace("\n", " ") or "reviewkit")


def render_diagram(counts: PrismaCounts, output: Path | str, title: str = "") -> Path:
    """Draw the diagram to ``output``; the format is its extension (.svg .png .pdf .dot)."""
    output = Path(output)
    write_file(output, diagram_bytes(counts, output, title))
    return output


def diagram_bytes(counts: PrismaCounts, output: Path | str, title: str = "") -> bytes:
    """The diagram in the format ``output``'s extension names, drawn but not written (so a
    command can fail before it writes anything)."""
    output = Path(output)
    fmt = output_format(output)
    source = dot_source(counts, title)
    return source.encode("utf-8") if fmt == "dot" else draw(source, fmt, output)


def output_format(output: Path) -> str:
    """The format named by the file's extension, or a user error."""
    fmt = output.suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        raise ReviewkitError(f"cannot tell the format from {output.suffix or 'no extension'!r}; "
                             "use .svg, .png, .pdf or .dot", file=str(output))
    return fmt


def draw(source: str, fmt: str, output: Path | None = None) -> bytes:
    """Render DOT text with whichever Graphviz is available."""
    exe = shutil.which(os.environ.get("REVIEWKIT_DOT", "dot"))
    dpi = [f"-Gdpi={PNG_DPI}"] if fmt == "png" else []
    if exe:
        done = subprocess.run([exe, f"-T{fmt}", *dpi], input=source.encode("utf-8"),
                              capture_output=True, timeout=120)
        if done.returncode != 0:  # our DOT is generated, so this is a bug: show it
            raise RuntimeError(f"dot failed: {done.stderr.decode('utf-8', 'replace')}")
        return _steady(done.stdout, fmt)
    try:
        import pygraphviz
    except ImportError:
        pygraphviz = None
    if pygraphviz is not None:
        with _stderr_kept() as said:  # the libraries write warnings straight to fd 2
            try:
                return _steady(pygraphviz.AGraph(string=source).draw(
                    format=fmt, prog="neato", args=" ".join(dpi)), fmt)
            except (OSError, ValueError) as err:  # our DOT is generated: a bug, show it
                raise RuntimeError(f"Graphviz failed: {err}; it said: {said()}") from None
    # nothing is written on this error (a failed command leaves the folder as it was)
    dot_path = (output or Path("prisma.svg")).with_suffix(".dot")
    raise GraphvizMissing(
        f"Graphviz's 'dot' program was not found, so nothing was drawn; install Graphviz "
        f"(Debian/Ubuntu: sudo apt-get install graphviz; macOS: brew install graphviz; or pip "
        f"install pygraphviz), or write the diagram as DOT with -o {dot_path} (no Graphviz "
        f"needed) and run 'dot -T{fmt} {dot_path} -o {output or 'prisma.' + fmt}' or paste "
        "it into an online Graphviz viewer")


# cairo stamps a PDF with the time it was drawn; the same counts must give the same file
_PDF_DATE = re.compile(rb"(/CreationDate \(D:)\d{14}")


def _steady(data: bytes, fmt: str) -> bytes:
    """The drawing with no time of drawing in it (same length: the PDF's offsets hold)."""
    return _PDF_DATE.sub(rb"\g<1>19800101000000", data) if fmt == "pdf" else data


@contextlib.contextmanager
def _stderr_kept() -> Iterator[Callable[[], str]]:
    """File descriptor 2 into a temporary file while the block runs, as the ``dot``
    program's stderr is captured: Graphviz's in-process warnings ("size too small for
    label", a font configuration's complaints) are not the user's business. Yields a
    function returning what was written, for an error message."""
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as tmp:
        os.dup2(tmp.fileno(), 2)

        def said() -> str:
            tmp.seek(0)
            return tmp.read().decode("utf-8", "replace").strip()

        try:
            yield said
        finally:
            os.dup2(saved, 2)
            os.close(saved)


def _label(n: Node) -> str:
    """A DOT label: escaped, one \\l (left) or \\n (centred) per line."""
    end = "\\l" if n.left else "\\n"
    text = "".join(line.replace("\\", "\\\\").replace('"', '\\"') + end for line in n.lines)
    return f'"{text}"'
