"""The text layer of a PDF, page by page (pypdf), for a source to code.

Pages are joined with a newline; where each page starts and the page number
printed on it (the PDF's page labels, else 1, 2, ...) are returned so a coded
segment's page can be looked up (sources.page_at).
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

from reviewkit.errors import ReviewkitError

PAGES = re.compile(r"^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$")


def page_range(pages: str, count: int, name: str) -> range:
    """The 0-based page indexes "3-7" or "5" (1-based, inclusive) name; all when ''."""
    if not pages:
        return range(count)
    m = PAGES.match(pages)
    if not m:
        raise ReviewkitError(f"pages {pages!r}: give N or N-M (e.g. 3-7)", field="pages")
    first = int(m.group(1))
    last = int(m.group(2) or first)
    if not 1 <= first <= last <= count:
        raise ReviewkitError(f"pages {pages!r} are not within 1-{count} (the PDF has "
                             f"{count} page(s))", file=name, field="pages")
    return range(first - 1, last)


def pdf_text(file: Path, pages: str = "") -> tuple[str, tuple[int, ...], tuple[str, ...]]:
    """(text, page start offsets, page labels) of the chosen pages of ``file``."""
    import pypdf
    from pypdf.errors import PdfReadError

    name = str(file)
    quiet = logging.getLogger("pypdf")  # its parser notes are not the user's to act on:
    level, quiet.level = quiet.level, logging.CRITICAL  # a failure is raised, one line
    try:
        reader = pypdf.PdfReader(str(file))
        if reader.is_encrypted and not reader.decrypt(""):
            raise ReviewkitError("the PDF is password-protected; save an unprotected copy",
                                 file=name)
        count = len(reader.pages)
        chosen = page_range(pages, count, name)
        try:
            labels = list(reader.page_labels)
        except Exception:  # damaged label tree: plain numbers will do
            labels = [str(i + 1) for i in range(count)]
        parts = [_clean(reader.pages[i].extract_text() or "") for i in chosen]
    except ReviewkitError:
        raise
    except (PdfReadError, OSError, ValueError, KeyError, TypeError) as exc:
        raise ReviewkitError(f"cannot read as PDF: {exc}", file=name) from None
    finally:
        quiet.setLevel(level)
    if not any(p.strip() for p in parts):
        raise ReviewkitError("no text layer (a scanned PDF?); OCR it first", file=name)
    starts, at = [], 0
    for p in parts:
        starts.append(at)
        at += len(p)
    return "".join(parts), tuple(starts), tuple(labels[i] for i in chosen)


def _clean(page: str) -> str:
    """One page's text with LF line ends, ending in one newline."""
    text = page.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    return text.rstrip("\n") + "\n"
