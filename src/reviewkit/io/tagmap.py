"""Apply a tag map (data in tagmaps/*.yaml) to raw tag/value pairs."""

from __future__ import annotations

from functools import cache
from importlib import resources

import yaml

from reviewkit.records import normalise as norm
from reviewkit.records.model import Record


@cache
def load(name: str, dialect: str = "") -> dict:
    """The tag map ``name`` with ``dialect``'s overrides merged in."""
    text = resources.files("reviewkit.io").joinpath(f"tagmaps/{name}.yaml").read_text("utf-8")
    data = yaml.safe_load(text)
    merged = {k: dict(v) if isinstance(v, dict) else list(v) for k, v in data["base"].items()}
    for section, values in (data.get("dialects", {}).get(dialect) or {}).items():
        if isinstance(values, str):
            merged[section] = values
        elif isinstance(values, dict):
            merged.setdefault(section, {}).update(values)
        else:
            merged[section] = list(values)
    return merged


def group(raw: list[tuple[str, str]]) -> dict[str, list[str]]:
    """tag -> values, in file order."""
    out: dict[str, list[str]] = {}
    for tag, value in raw:
        if tag in out:
            out[tag].append(value)
        else:
            out[tag] = [value]
    return out


def _first(tags: dict[str, list[str]], names: list[str]) -> str:
    for name in names:
        for value in tags.get(name, ()):
            if value.strip():
                return value
    return ""


def _lines(values: list[str]) -> list[str]:
    # a value read from continuation lines holds one item per line
    out = []
    for value in values:
        if "\n" in value:
            out.extend(v.strip() for v in value.split("\n"))
        else:
            out.append(value.strip())
    return out


def to_record(raw: list[tuple[str, str]], tagmap: dict) -> Record:
    """Build a normalised Record from raw pairs with a loaded tag map."""
    tags = group(raw)
    first = tagmap["first"]
    rec = Record(raw=raw)
    rec.type = _first(tags, first["type"]).strip()
    rec.title = norm.clean_text(_first(tags, first["title"]))
    rec.abstract = norm.clean_text(_first(tags, first["abstract"]))
    rec.journal = norm.clean_text(_first(tags, first["journal"]))
    rec.journal_abbrev = norm.clean_text(_first(tags, first["journal_abbrev"]))
    rec.volume = _first(tags, first["volume"]).strip()
    rec.issue = _first(tags, first["issue"]).strip()
    rec.pages = norm.pages(_first(tags, first["start_page"]), _first(tags, first["end_page"]))
    rec.year = norm.year(_first(tags, first["year"]))
    rec.language = _first(tags, first["language"]).strip()
    rec.database = _first(tags, first["database"]).strip()
    for name in first["doi"]:
        found = next((d for d in map(norm.doi, tags.get(name, ())) if d), "")
        if found:
            rec.doi = found
            break
    for name in tagmap["authors"]:
        if name in tags:
            rec.authors = norm.dedupe([norm.clean_text(a) for a in _lines(tags[name])])
            break
    lists = tagmap["all"]
    rec.keywords = norm.dedupe(
        [norm.clean_text(k) for n in lists["keywords"] for k in _lines(tags.get(n, []))]
    )
    issn_text = " ".join(v for n in lists["issn"] for v in tags.get(n, ()))
    rec.issn = norm.issns(issn_text)
    rec.isbn = [i for i in norm.isbns(issn_text) if len(i) == 13 or "-" not in i][:5]
    if rec.issn:  # an ISSN's digits can look like an ISBN-10 fragment; books carry no ISSN
        rec.isbn = []
    rec.urls = norm.dedupe([u for n in lists["urls"] for u in _lines(tags.get(n, []))])
    for name in lists["pmid"]:
        pmid = next((v.strip() for v in tags.get(name, ()) if v.strip().isdigit()), "")
        if pmid:
            rec.pmid = pmid
            break
    for kind, names in tagmap["accession"].items():
        value = _first(tags, names).split(";")[0].strip()
        if value:
            rec.accession[kind] = value
    key = tagmap.get("url_accession")
    if key and "an" not in rec.accession:
        for url in rec.urls:
            _, found, rest = url.partition(f"{key}=")
            if found and rest:
                rec.accession["an"] = rest.split("&")[0]
                break
    return rec
