"""Write stored records as RIS, CSV, BibTeX, CSL-JSON or ASReview's and Rayyan's CSV.

A record read from RIS is written back with every original tag in its
original order; others are written from the normalised fields.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterable
from functools import cache
from importlib import resources
from typing import TextIO

import yaml

from reviewkit.reporting.tables import csv_safe
from reviewkit.store.base import StoredRecord

RawPairs = Callable[[StoredRecord], list[tuple[str, str]]]
CSV_COLUMNS = ["id", "source", "search_id", "file", "position", "database", "type", "title",
               "authors", "year", "journal", "volume", "issue", "pages", "doi", "issn", "isbn",
               "pmid", "accession", "keywords", "urls", "language", "abstract"]


@cache
def _ris_out() -> dict:
    text = resources.files("reviewkit.io").joinpath("tagmaps/ris_out.yaml").read_text("utf-8")
    return yaml.safe_load(text)


def own_keywords(keywords: Iterable[str]) -> list[str]:
    """The record's keywords without the labels an earlier reviewkit export gave it."""
    prefix = _ris_out()["earlier_keyword"]
    return [k for k in keywords if not k.startswith(prefix)]


def earlier_line(tag: str, value: str, relabel: frozenset[str] = frozenset()) -> bool:
    """A RIS line an earlier reviewkit export wrote (its id, source or labels; ``relabel``:
    the labels of another tool this export writes afresh). Kept, it would stand beside this
    project's own: two ids, or a record labelled both include and exclude."""
    conf = _ris_out()
    if tag in (conf["id_tag"], conf["source_tag"]):
        return True
    if tag == "KW":
        return value.startswith(conf["earlier_keyword"])
    return tag == "N1" and (bool(re.match(conf["earlier_note"], value))
                            or value.strip().lower() in relabel)


def _line(tag: str, value: str) -> str:
    return f"{tag}  - {value}".rstrip(" ") + "\n" if value else f"{tag}  - \n"


def ris_pairs(sr: StoredRecord, raw: RawPairs | None = None) -> list[tuple[str, str]]:
    """Tag/value pairs for one record; the original pairs when it came from RIS."""
    rec = sr.record
    pairs = raw(sr) if raw else rec.raw
    if pairs and pairs[0][0] == "TY":
        return list(pairs)
    ty = _ris_out()["types"].get(rec.type.strip().lower(), "GEN" if rec.type else "JOUR")
    pairs = [("TY", ty), ("TI", rec.title)]
    pairs += [("AU", a) for a in rec.authors]
    pairs += [("PY", str(rec.year) if rec.year else ""), ("T2", rec.journal),
              ("J2", rec.journal_abbrev), ("VL", rec.volume), ("IS", rec.issue)]
    start, _, end = rec.pages.partition("-")
    pairs += [("SP", start), ("EP", end), ("DO", rec.doi)]
    pairs += [("SN", s) for s in rec.issn + rec.isbn]
    pairs += [("AB", rec.abstract)] + [("KW", k) for k in own_keywords(rec.keywords)]
    pairs += [("UR", u) for u in rec.urls] + [("LA", rec.language), ("DB", rec.database)]
    if rec.accession:
        pairs.append(("AN", next(iter(rec.accession.values()))))
    if rec.pmid:
        pairs.append(("C2", rec.pmid))
    return [(t, v) for t, v in pairs if v]


# What a selection adds to each record (members of its duplicate cluster, the stage's
# outcome): extra CSV columns, and in RIS the tags Zotero and EndNote keep (N1 notes, KW tags).
Extras = Callable[[StoredRecord], dict[str, str]]
EXTRA_COLUMNS = ["members", "stage", "decision", "study"]


def _extra_ris(extra: dict[str, str]) -> list[tuple[str, str]]:
    pairs = []
    if extra.get("members"):
        pairs.append(("N1", f"reviewkit members: {extra['members']}"))
    if extra.get("decision"):
        pairs.append(("KW", f"reviewkit:{extra['stage']}:{extra['decision']}"))
        pairs.append(("N1", f"reviewkit {extra['stage']}: {extra['decision']}"))
    if extra.get("study"):
        pairs.append(("N1", f"reviewkit study: {extra['study']}"))
    if extra.get("asreview"):  # ASReview LAB reads its labels from N1
        pairs.append(("N1", extra["asreview"]))
    return pairs


def write_ris(records: Iterable[StoredRecord], out: TextIO, raw: RawPairs | None = None,
              extras: Extras | None = None, relabel: frozenset[str] = frozenset()) -> int:
    """``relabel``: N1 labels (lower case) of another tool that ``extras`` writes afresh."""
    conf = _ris_out()
    n = 0
    for sr in records:
        own = [(t, v) for t, v in ris_pairs(sr, raw) if not earlier_line(t, v, relabel)]
        pairs = own + (_extra_ris(extras(sr)) if extras else [])
        for tag, value in pairs:
            out.write(_line(tag, value))
        out.write(_line(conf["id_tag"], sr.id))
        out.write(_line(conf["source_tag"], sr.search_id or sr.file))
        out.write("ER  - \n\n")
        n += 1
    return n


def csv_row(sr: StoredRecord) -> dict:
    rec = sr.record
    return {
        "id": sr.id, "source": sr.source, "search_id": sr.search_id or "", "file": sr.file,
        "position": rec.position, "database": rec.database, "type": rec.type,
        "title": rec.title, "authors": "; ".join(rec.authors), "year": rec.year or "",
        "journal": rec.journal, "volume": rec.volume, "issue": rec.issue, "pages": rec.pages,
        "doi": rec.doi, "issn": "; ".join(rec.issn), "isbn": "; ".join(rec.isbn),
        "pmid": rec.pmid, "accession": "; ".join(f"{k}:{v}" for k, v in rec.accession.items()),
        "keywords": "; ".join(own_keywords(rec.keywords)), "urls": "; ".join(rec.urls),
        "language": rec.language, "abstract": rec.abstract,
    }


def write_csv(records: Iterable[StoredRecord], out: TextIO, raw: RawPairs | None = None,
              extras: Extras | None = None) -> int:
    """One row a record; a text cell a spreadsheet would run as a formula is quoted."""
    columns = CSV_COLUMNS + (EXTRA_COLUMNS if extras else [])
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    n = 0
    for sr in records:
        row = csv_row(sr) | ({c: extras(sr).get(c, "") for c in EXTRA_COLUMNS} if extras else {})
        writer.writerow({k: csv_safe(v) for k, v in row.items()})
        n += 1
    return n


def writers() -> dict[str, Callable]:
    """Export format name -> writer(records, out, raw, extras) returning the count."""
    from reviewkit.io.bibtex_out import write_bibtex
    from reviewkit.io.cslout import write_csl
    from reviewkit.io.toolsout import write_asreview, write_asreview_ris, write_rayyan

    return {"ris": write_ris, "csv": write_csv, "bibtex": write_bibtex, "csl-json": write_csl,
            "asreview": write_asreview, "asreview-ris": write_asreview_ris,
            "rayyan": write_rayyan}


def export(records: Iterable[StoredRecord], fmt: str, out: TextIO | None = None,
           path: str | None = None, raw: RawPairs | None = None,
           extras: Extras | None = None) -> int:
    """Write ``records`` as ``fmt`` to ``out`` or, atomically, to ``path``."""
    from pathlib import Path

    from reviewkit.errors import ReviewkitError

    writer = writers().get(fmt)
    if writer is None:
        raise ReviewkitError(f"unknown export format {fmt!r}; expected "
                             f"{', '.join(writers())}", field="format")
    if path is None:
        return writer(records, out, raw, extras)
    from reviewkit.project.atomic import write_through
    from reviewkit.project.owned import refuse_owned

    target = Path(path)
    refuse_owned(target)
    return write_through(target, lambda fh: writer(records, fh, raw, extras))
