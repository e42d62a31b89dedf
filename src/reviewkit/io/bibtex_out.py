"""Write stored records as BibTeX that reviewkit's own reader, Zotero and JabRef read back.

Text fields are escaped so the LaTeX decoder gives back the words as stored; each entry
carries its reviewkit id and any selection labels in ``note`` and ``keywords``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from functools import cache
from importlib import resources
from typing import TextIO

import yaml

from reviewkit.io.writers import own_keywords
from reviewkit.store.base import StoredRecord

Extras = Callable[[StoredRecord], dict[str, str]]
# LaTeX specials in text, each written so pylatexenc decodes it to itself
_ESCAPES = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "$": r"\$", "%": r"\%",
            "&": r"\&", "#": r"\#", "_": r"\_", "~": r"\textasciitilde{}",
            "^": r"\textasciicircum{}"}  # a bare ^ stops LaTeX ("Missing $ inserted")
_SPECIAL = re.compile(r"[\\{}$%&#_~^]")
# TeX ligatures (-- en dash, `` and '' quotes, ?` and !`): an empty group keeps them apart
_LIGATURE = re.compile(r"(-(?=-)|`(?=`)|'(?=')|[?!](?=`))")
_KEYCHARS = re.compile(r"[^A-Za-z0-9]")


@cache
def _types() -> dict:
    text = resources.files("reviewkit.io").joinpath("tagmaps/export_types.yaml")
    return yaml.safe_load(text.read_text("utf-8"))["bibtex"]


def latex(value: str) -> str:
    """Plain text as BibTeX text: LaTeX specials escaped, nothing else changed."""
    return _LIGATURE.sub(r"\1{}", _SPECIAL.sub(lambda m: _ESCAPES[m.group(0)], value))


def _verbatim(value: str) -> str:
    # DOIs, URLs and pages are read without LaTeX decoding: only braces would break them
    return value.replace("{", "").replace("}", "")


def _name(author: str) -> str:
    text = latex(author)
    # ' and ' inside one name (Barnes and Noble) would split it: brace the whole name
    return "{" + text + "}" if re.search(r"\sand\s", author, re.IGNORECASE) else text


def cite_key(sr: StoredRecord, taken: set[str]) -> str:
    """First author's surname and year, 'a', 'b', ... when taken: stable for a file."""
    rec = sr.record
    first = rec.authors[0].split(",")[0] if rec.authors else (rec.title.split() or ["anon"])[0]
    ascii_ = unicodedata.normalize("NFKD", first).encode("ascii", "ignore").decode()
    base = (_KEYCHARS.sub("", ascii_).lower() or "anon") + str(rec.year or "")
    key, n = base, 0
    while key in taken:
        key = base + _suffix(n)
        n += 1
    taken.add(key)
    return key


def _suffix(n: int) -> str:
    letters = ""
    n += 1
    while n:
        n, r = divmod(n - 1, 26)
        letters = chr(97 + r) + letters
    return letters


def _notes(sr: StoredRecord, extra: dict[str, str]) -> list[str]:
    notes = [f"reviewkit id: {sr.id}"]
    if extra.get("members"):
        notes.append(f"reviewkit members: {extra['members']}")
    if extra.get("decision"):
        notes.append(f"reviewkit {extra['stage']}: {extra['decision']}")
    if extra.get("study"):
        notes.append(f"reviewkit study: {extra['study']}")
    return notes


def entry_fields(sr: StoredRecord, extra: dict[str, str]) -> tuple[str, list[tuple[str, str]]]:
    """(entry type, [(field, value as written)]) for one record."""
    rec = sr.record
    types = _types()
    kind = types["types"].get(rec.type.strip().lower(), types["default"])
    container = "booktitle" if kind in ("incollection", "inproceedings", "inbook") else "journal"
    keywords = own_keywords(rec.keywords)
    if extra.get("decision"):
        keywords.append(f"reviewkit:{extra['stage']}:{extra['decision']}")
    fields = [
        ("title", latex(rec.title)),
        ("author", " and ".join(_name(a) for a in rec.authors)),
        ("year", str(rec.year) if rec.year else ""),
        (container, latex(rec.journal)),
        ("volume", latex(rec.volume)),
        ("number", latex(rec.issue)),
        ("pages", _verbatim(rec.pages)),
        ("doi", _verbatim(rec.doi)),
        ("issn", "; ".join(rec.issn)),
        ("isbn", "; ".join(rec.isbn)),
        ("pmid", _verbatim(rec.pmid)),
        ("url", _verbatim(rec.urls[0]) if rec.urls else ""),
        ("language", latex(rec.language)),
        ("keywords", "; ".join(latex(k) for k in keywords)),
        ("abstract", latex(rec.abstract)),
        ("note", latex("; ".join(_notes(sr, extra)))),
    ]
    return kind, [(k, v) for k, v in fields if v]


def write_bibtex(records: Iterable[StoredRecord], out: TextIO, raw: object = None,
                 extras: Extras | None = None) -> int:
    """One entry a record, written from its normalised fields."""
    taken: set[str] = set()
    n = 0
    for sr in records:
        kind, fields = entry_fields(sr, extras(sr) if extras else {})
        out.write(f"@{kind}{{{cite_key(sr, taken)},\n")
        out.write(",\n".join(f"  {k} = {{{v}}}" for k, v in fields))
        out.write("\n}\n\n")
        n += 1
    return n
