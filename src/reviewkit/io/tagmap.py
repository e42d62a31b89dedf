"""Apply a tag map (data in tagmaps/*.yaml) to raw tag/value pairs."""

from __future__ import annotations

from functools import cache
from importlib import resources

import yaml

from reviewkit.records import normalise as norm
from reviewkit.records.model import Record

# 'first' fields whose value is cleaned as running text
_TEXT = {"title", "abstract", "journal", "journal_abbrev"}


@cache
def load(name: str, dialect: str = "") -> dict:
    """The tag map ``name`` with ``dialect``'s overrides merged in, compiled for speed."""
    text = resources.files("reviewkit.io").joinpath(f"tagmaps/{name}.yaml").read_text("utf-8")
    data = yaml.safe_load(text)
    merged = {k: dict(v) if isinstance(v, dict) else list(v) for k, v in data["base"].items()}
    for section, values in (data.get("dialects", {}).get(dialect) or {}).items():
        if isinstance(values, str):
            merged[section] = values
        elif section == "accession":  # a dialect says which ids are the database's own
            merged[section] = dict(values)
        elif isinstance(values, dict):
            merged.setdefault(section, {}).update(values)
        else:
            merged[section] = list(values)
    return compile_map(merged)


@cache
def section(name: str, key: str) -> tuple[dict, ...]:
    """A list section of tagmaps/<name>.yaml outside the base and dialects (rules)."""
    text = resources.files("reviewkit.io").joinpath(f"tagmaps/{name}.yaml").read_text("utf-8")
    return tuple(yaml.safe_load(text).get(key) or ())


def compile_map(tagmap: dict) -> dict:
    """Index the map as tag -> [(target, priority)] so a record is walked once.

    Targets are 'first' field names, 'authors', 'all:<field>' and 'acc:<kind>'.
    Call again after editing a copy of a loaded map (the loaded one is shared).
    """
    by_tag: dict[str, list[tuple[str, int]]] = {}
    targets = [(fld, tags) for fld, tags in tagmap["first"].items()]
    targets.append(("authors", tagmap["authors"]))
    targets += [(f"all:{fld}", tags) for fld, tags in tagmap["all"].items()]
    targets += [(f"acc:{kind}", tags) for kind, tags in tagmap["accession"].items()]
    for target, tags in targets:
        for prio, tag in enumerate(tags):
            by_tag.setdefault(tag, []).append((target, prio))
    tagmap["_by_tag"] = by_tag
    return tagmap


def group(raw: list[tuple[str, str]]) -> dict[str, list[str]]:
    """tag -> values, in file order."""
    out: dict[str, list[str]] = {}
    for tag, value in raw:
        if tag in out:
            out[tag].append(value)
        else:
            out[tag] = [value]
    return out


def _lines(values: list[str]) -> list[str]:
    # a value read from continuation lines holds one item per line
    out = []
    for value in values:
        if "\n" in value:
            out.extend(v.strip() for v in value.split("\n"))
        else:
            out.append(value.strip())
    return out


def _candidates(raw: list[tuple[str, str]], by_tag: dict) -> dict[str, list]:
    """target -> [(priority, values)] for the tags this record has."""
    got: dict[str, list] = {}
    for tag, values in group(raw).items():
        for target, prio in by_tag.get(tag, ()):
            if target in got:
                got[target].append((prio, values))
                got[target].sort(key=_prio)
            else:
                got[target] = [(prio, values)]
    return got


def _prio(item: tuple) -> int:
    return item[0]


def _first(cands: list | None) -> str:
    for _, values in cands or ():
        for v in values:
            if v and not v.isspace():
                return v
    return ""


def _all(cands: list | None) -> list[str]:
    return [item for _, values in cands or () for item in _lines(values)]


def to_record(raw: list[tuple[str, str]], tagmap: dict) -> Record:
    """Build a normalised Record from raw pairs with a loaded tag map."""
    got = _candidates(raw, tagmap["_by_tag"])
    rec = Record(raw=raw)
    clean = norm.clean_text
    for fld in _TEXT:
        if fld in got:
            setattr(rec, fld, clean(_first(got[fld])))
    for fld in ("type", "volume", "issue", "database"):
        if fld in got:
            setattr(rec, fld, _first(got[fld]).strip())
    for _, values in got.get("language", ()):  # a record in two languages names both
        found = norm.dedupe(_lines(values))  # (MEDLINE: an LA line each; RIS: continued)
        if found:
            rec.language = "; ".join(found)
            break
    if "start_page" in got or "end_page" in got:
        rec.pages = norm.pages(_first(got.get("start_page")), _first(got.get("end_page")))
    if "year" in got:
        rec.year = norm.year(_first(got["year"]))
    for _, values in got.get("doi", ()):
        found = next((d for d in map(norm.doi, values) if d), "")
        if found:
            rec.doi = found
            break
    if "authors" in got:
        # two authors may share a name (Wang, Y.; Wang, Y.): each is kept, only empty go
        rec.authors = [a for a in (clean(a) for a in _lines(got["authors"][0][1])) if a]
    if "all:keywords" in got:
        rec.keywords = norm.dedupe([clean(k) for k in _all(got["all:keywords"])])
    if "all:issn" in got:
        rec.issn = norm.issns(" ".join(_all(got["all:issn"])))
    # RIS keeps both in SN: an ISSN there means a serial, whose digits are no ISBN
    if "all:isbn" in got and not (rec.issn and tagmap["all"]["isbn"] == tagmap["all"]["issn"]):
        rec.isbn = norm.isbns(" ".join(_all(got["all:isbn"])))[:5]
    if "all:urls" in got:
        rec.urls = norm.dedupe(_all(got["all:urls"]))
    for _, values in got.get("all:pmid", ()):
        pmid = next((v.strip() for v in values if v.strip().isdigit()), "")
        if pmid:
            rec.pmid = pmid
            break
    for kind in tagmap["accession"]:
        value = _first(got.get(f"acc:{kind}"))
        if value:
            rec.accession[kind] = value.split(";")[0].strip()
    key = tagmap.get("url_accession")
    if key and "an" not in rec.accession:
        for url in rec.urls:
            _, found, rest = url.partition(f"{key}=")
            if found and rest:
                rec.accession["an"] = rest.split("&")[0]
                break
    return rec
