"""BibTeX reader: bibtexparser v2 splits the file; tagmaps/bibtex.yaml maps fields.

``raw`` keeps each field as bibtexparser delivers it (outer braces removed,
LaTeX untouched) under its original name; LaTeX is decoded only for the
normalised Record, and only in the fields the tag map lists as text.
"""

from __future__ import annotations

import html
import logging
import re
from contextlib import contextmanager

import bibtexparser
from bibtexparser.middlewares import LatexDecodingMiddleware, RemoveEnclosingMiddleware
from bibtexparser.middlewares.names import split_multiple_persons_names
from bibtexparser.model import (
    DuplicateBlockKeyBlock,
    DuplicateFieldKeyBlock,
    Entry,
    Field,
    ParsingFailedBlock,
)

from reviewkit.errors import ReviewkitError
from reviewkit.io import tagmap
from reviewkit.io.text import shown
from reviewkit.records import normalise as norm
from reviewkit.records.model import Record

_LATEX_CHARS = re.compile(r"[\\{}$~]")
# pylatexenc reads a bare % as a comment (drops the rest of the line) and a bare
# & as a table column separator; export text means them literally.
_BARE = re.compile(r"(?<!\\)([%&#])")
_decoder: LatexDecodingMiddleware | None = None
# pylatexenc decodes \textasciicircum as U+02C6 (a modifier letter), not as the ^ it prints
_CIRCUM = re.compile(r"\\textasciicircum(?:\{\}|(?![A-Za-z])\s*)")


@contextmanager
def _quiet():
    # bibtexparser logs each failed block as a warning; we raise our own error.
    logger = logging.getLogger("bibtexparser")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        logger.setLevel(level)


def entries(text: str, path: str) -> list[tuple[int, Entry]]:
    """(1-based start line, entry) per entry in file order; errors name the line."""
    try:
        with _quiet():
            library = bibtexparser.parse_string(text)
    except Exception as exc:  # the parser's own bug must not become a traceback
        raise ReviewkitError(f"BibTeX could not be parsed: {shown(str(exc), 200)}",
                             file=path) from None
    out: list[tuple[int, Entry]] = []
    unwrap = RemoveEnclosingMiddleware(allow_inplace_modification=True)
    for block in library.blocks:
        if isinstance(block, Entry):
            out.append((block.start_line + 1, block))
        elif isinstance(block, DuplicateFieldKeyBlock | DuplicateBlockKeyBlock):
            # repeated field (Scopus writes funding_details twice) or repeated key
            # (AuthorYear keys collide): the entry itself is fine, keep all of it
            entry = unwrap.transform_entry(block.ignore_error_block, library)
            out.append((block.start_line + 1, entry))
        elif isinstance(block, ParsingFailedBlock):
            raise _failed(block, text, path)
    if not out:
        raise ReviewkitError("no BibTeX entries found: expected entries like "
                             "'@article{key, title = {...}, ...}'", file=path)
    return out


def _failed(block: ParsingFailedBlock, text: str, path: str) -> ReviewkitError:
    start = block.start_line + 1
    reason = getattr(block.error, "abort_reason", None) or str(block.error)
    end = getattr(block.error, "end_index", None)
    # at the very end of the text the parser points past the final newline: name the last line
    stop = text.count("\n", 0, min(end, len(text.rstrip("\n")))) + 1 if end else 0
    where = f" (parser stopped at line {stop})" if end else ""
    return ReviewkitError(
        f"BibTeX entry starting at line {start} is malformed{where}: "
        f"{shown(reason.strip().rstrip('.'), 200)}. Check for an unbalanced '{{' or '}}' "
        "or a missing ',' between fields.",
        file=path, line=start)


def raw_pairs(entry: Entry) -> list[tuple[str, str]]:
    """('@type', type), ('@key', key), then every field as written, in file order."""
    pairs = [("@type", entry.entry_type), ("@key", entry.key.strip())]
    pairs.extend((f.key, str(f.value)) for f in entry.fields)
    return pairs


def _latex(values: dict[int, str]) -> dict[int, str]:
    """Decode LaTeX in the given values through bibtexparser's middleware."""
    global _decoder
    if _decoder is None:
        _decoder = LatexDecodingMiddleware(allow_inplace_modification=True)
    entry = Entry("misc", "decode", [Field(str(i), _CIRCUM.sub(r"\\string^",
                                                               _BARE.sub(r"\\\1", v)))
                                     for i, v in values.items()])
    result = _decoder.transform_entry(entry, None)
    if not isinstance(result, Entry):  # a value pylatexenc choked on stays as written
        result = result.ignore_error_block
    return {int(f.key): f.value for f in result.fields}


def _for_record(raw: list[tuple[str, str]], tm: dict) -> list[tuple[str, str]]:
    """Lower-cased names; LaTeX decoded; list values one item per line for to_record."""
    latex, split, authors = set(tm["latex"]), tm["split"], set(tm["authors"])
    pairs = []
    todo: dict[int, str] = {}
    for key, value in raw:
        key = key.lower()
        if key in latex and key not in authors:  # names are decoded one by one below
            if "&" in value and ";" in value:
                value = html.unescape(value)  # &apos; in WoS titles
            if _LATEX_CHARS.search(value):
                todo[len(pairs)] = value
        pairs.append((key, value))
    # one decoder call per entry, not per field
    for i, value in _latex(todo).items() if todo else ():
        pairs[i] = (pairs[i][0], value)
    for i, (key, value) in enumerate(pairs):
        if key in authors:
            # split the raw value: the decoded one has lost the braces that protect
            # corporate names such as {Barnes and Noble}
            names = [html.unescape(n) for n in split_multiple_persons_names(raw[i][1])]
            marked = {j: n for j, n in enumerate(names) if _LATEX_CHARS.search(n)}
            for j, decoded in _latex(marked).items() if marked else ():
                names[j] = decoded
            value = "\n".join(" ".join(n.split()) for n in names)
        elif key in split:
            value = "\n".join(" ".join(v.split()) for v in re.split(split[key], value))
        pairs[i] = (key, value)
    return pairs


def dialect(raw_entries: list[list[tuple[str, str]]]) -> str:
    """wos or scopus from what the first entry carries; '' otherwise."""
    fields = {k.lower(): v for k, v in raw_entries[0]} if raw_entries else {}
    if fields.get("unique-id", "").startswith("WOS:"):
        return "wos"
    if fields.get("source", "").lower() == "scopus" or "scopus.com" in fields.get("url", ""):
        return "scopus"
    return ""


def read(text: str, path: str) -> tuple[str, list[Record]]:
    """Parse BibTeX text into normalised records; returns (dialect, records)."""
    found = entries(text, path)
    raws = [raw_pairs(entry) for _, entry in found]
    name = dialect(raws)
    tm = tagmap.load("bibtex", name)
    records = []
    for position, ((line, _), raw) in enumerate(zip(found, raws, strict=True), 1):
        pairs = _for_record(raw, tm)
        rec = tagmap.to_record(pairs, tm)
        rec.raw, rec.position, rec.line = raw, position, line
        fields = tagmap.group(pairs)
        # to_record reads ISBNs from the ISSN fields (RIS keeps both in SN)
        rec.isbn = norm.isbns(" ".join(v for n in tm["all"]["isbn"] for v in fields.get(n, ())))
        eid = next((u.split("eid=")[1].split("&")[0] for u in rec.urls
                    if "scopus.com" in u and "eid=" in u), "")
        if eid and "scopus" not in rec.accession:
            rec.accession["scopus"] = eid
        records.append(rec)
    return name, records
