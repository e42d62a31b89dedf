"""Write stored records as CSL-JSON (the citation format of Zotero, Pandoc and citeproc).

Each item's ``id`` is the reviewkit id, so a document citing ``@wos/000123`` finds it;
selection labels go in ``note`` and ``keyword`` as in the RIS export.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from functools import cache
from importlib import resources
from typing import TextIO

import yaml

from reviewkit.io.writers import own_keywords
from reviewkit.store.base import StoredRecord

Extras = Callable[[StoredRecord], dict[str, str]]


@cache
def _types() -> dict:
    text = resources.files("reviewkit.io").joinpath("tagmaps/export_types.yaml")
    return yaml.safe_load(text.read_text("utf-8"))["csl"]


def csl_name(author: str) -> dict[str, str]:
    """'Family, Given' as a CSL name; a name without a comma (an organisation) as literal."""
    family, comma, given = author.partition(",")
    if not comma or not family.strip():
        return {"literal": author.strip()}
    name = {"family": family.strip()}
    if given.strip():
        name["given"] = given.strip()
    return name


def csl_item(sr: StoredRecord, extra: dict[str, str] | None = None) -> dict:
    """One CSL item; empty fields are left out."""
    rec, extra = sr.record, extra or {}
    types = _types()
    keywords = own_keywords(rec.keywords)
    if extra.get("decision"):
        keywords.append(f"reviewkit:{extra['stage']}:{extra['decision']}")
    notes = [f"reviewkit id: {sr.id}"]
    notes += [f"reviewkit members: {extra['members']}"] if extra.get("members") else []
    if extra.get("decision"):
        notes.append(f"reviewkit {extra['stage']}: {extra['decision']}")
    notes += [f"reviewkit study: {extra['study']}"] if extra.get("study") else []
    item: dict = {
        "id": sr.id,
        "type": types["types"].get(rec.type.strip().lower(), types["default"]),
        "title": rec.title,
        "author": [csl_name(a) for a in rec.authors],
        "issued": {"date-parts": [[rec.year]]} if rec.year else None,
        "container-title": rec.journal,
        "container-title-short": rec.journal_abbrev,
        "volume": rec.volume,
        "issue": rec.issue,
        "page": rec.pages,
        "DOI": rec.doi,
        "ISSN": ", ".join(rec.issn),
        "ISBN": ", ".join(rec.isbn),
        "PMID": rec.pmid,
        "URL": rec.urls[0] if rec.urls else "",
        "abstract": rec.abstract,
        "keyword": ", ".join(keywords),
        "language": rec.language,
        "note": "\n".join(notes),
    }
    return {k: v for k, v in item.items() if v}


def write_csl(records: Iterable[StoredRecord], out: TextIO, raw: object = None,
              extras: Extras | None = None) -> int:
    """A JSON array of items, one a line inside it so a diff shows which record changed."""
    n = 0
    out.write("[")
    for sr in records:
        out.write(",\n" if n else "\n")
        out.write(json.dumps(csl_item(sr, extras(sr) if extras else None), ensure_ascii=False))
        n += 1
    out.write("\n]\n" if n else "]\n")
    return n
