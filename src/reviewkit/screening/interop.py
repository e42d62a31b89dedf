"""Decisions made in other tools: ASReview LAB (CSV export or .asreview project), Rayyan
(articles.csv or its export zip) and Covidence (a list exported as CSV), read as rows and
matched to reviewkit's records by id, DOI, PMID, then normalised title and year.

How each tool writes its decisions is data (interop.yaml); this module only reads.
"""

from __future__ import annotations

import csv
import io
import json
import re
import sqlite3
import tempfile
import zipfile
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path

import yaml

from reviewkit.dedup.features import title_words
from reviewkit.errors import ReviewkitError
from reviewkit.records import normalise as norm
from reviewkit.screening.data import Screening

TOOLS = ("auto", "reviewkit", "asreview", "rayyan", "covidence")
NAMES = {"asreview": "ASReview", "rayyan": "Rayyan", "covidence": "Covidence",
         "reviewkit": "reviewkit"}


@cache
def rules() -> dict:
    text = resources.files("reviewkit.screening").joinpath("interop.yaml").read_text("utf-8")
    return yaml.safe_load(text)


@dataclass
class ToolRow:
    """One decision as the tool wrote it; ``where`` names it for a person."""

    where: str
    line: int | None
    ids: dict[str, str]  # any of: id, doi, pmid, title, year
    decision: str  # include / exclude / maybe, or '' for not decided
    reasons: list[str] = field(default_factory=list)  # the tool's, the project's or not
    note: str = ""


@dataclass
class ToolFile:
    tool: str
    rows: list[ToolRow] = field(default_factory=list)


# ---- reading files -------------------------------------------------------------------

def _decode(data: bytes, name: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ReviewkitError("not UTF-8 text (save the CSV as UTF-8)", file=name) from None


def csv_rows(text: str, name: str) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """Header (lower case) and (line, row) pairs; the delimiter is sniffed from the header."""
    first = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first.count)
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = [h.strip().lower() for h in (reader.fieldnames or [])]
        reader.fieldnames = header
        rows, start = [], reader.line_num + 1
        for row in reader:
            rows.append((start, {k: (v or "").strip() for k, v in row.items() if k}))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise ReviewkitError(f"not valid CSV ({exc})", file=name, line=reader.line_num) from None
    return header, rows


def _first(row: dict[str, str], columns: list[str]) -> str:
    return next((row[c] for c in columns if row.get(c)), "")


def _ids(row: dict[str, str], id_columns: list[str]) -> dict[str, str]:
    return {"id": _first(row, id_columns), "doi": _first(row, ["doi"]),
            "pmid": _first(row, ["pmid", "pubmed_id", "pubmed id"]),
            "title": _first(row, ["title", "primary_title"]),
            "year": _first(row, ["year", "published year", "publication_year", "date"])}


def detect(path: Path, header: list[str] | None, text: str = "") -> str:
    """The tool that wrote ``path``, from its suffix and header ('' when unknown)."""
    if path.suffix.lower() == ".asreview":
        return "asreview"
    if header is None:
        return ""
    keys = set(header)
    if "covidence #" in keys:
        return "covidence"
    if "notes" in keys and "key" in keys and "RAYYAN-" in text:
        return "rayyan"
    if keys & set(rules()["asreview"]["label_columns"]) and "decision" not in keys:
        return "asreview"
    if keys & {"record_id", "id"} and "decision" in keys:
        return "reviewkit"
    return ""


def read_tool_file(path: Path, tool: str = "auto", member: str | None = None,
                   reviewer: str = "", decision: str | None = None,
                   stage: str = "") -> ToolFile:
    """Every row of a tool's export as a ToolRow; ``tool`` 'auto' detects it."""
    if tool not in TOOLS:
        raise ReviewkitError(f"unknown tool {tool!r}; expected {', '.join(TOOLS)}",
                             field="from")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ReviewkitError(f"cannot read: {exc.strerror}", file=str(path)) from None
    if tool == "asreview" and zipfile.is_zipfile(path) or path.suffix.lower() == ".asreview":
        return ToolFile("asreview", asreview_project(path))
    name = path.name
    if zipfile.is_zipfile(path):  # Rayyan's export: articles.csv and customizations_log.csv
        name, data = _articles(path)
    text = _decode(data, str(path))
    if text.lstrip().startswith("TY  -"):
        if tool == "rayyan" or tool == "auto" and "RAYYAN-" in text:
            return ToolFile("rayyan", rayyan_csv(name, str(path), ris_rows(data, str(path)),
                                                 member, reviewer))
        if tool == "auto" and "ASReview_" not in text:
            raise ReviewkitError("a RIS file without ASReview's N1 labels (ASReview_relevant, "
                                 "...) or Rayyan's (RAYYAN-INCLUSION): no decisions in it",
                                 file=str(path))
        return ToolFile("asreview", asreview_ris(data, name, str(path)))
    header, rows = csv_rows(text, str(path))
    found = detect(path, header, text) if tool == "auto" else tool
    if found == "asreview":
        return ToolFile(found, asreview_csv(name, str(path), header, rows))
    if found == "rayyan":
        return ToolFile(found, rayyan_csv(name, str(path), rows, member, reviewer))
    if found == "covidence":
        return ToolFile(found, covidence_csv(name, str(path), header, rows, decision, stage))
    # reviewkit's own CSV, or a file nothing recognised: its reader names the columns
    return ToolFile("reviewkit")


def _articles(path: Path) -> tuple[str, bytes]:
    with zipfile.ZipFile(path) as z:
        names = [n for n in z.namelist() if n.lower().endswith(".csv")]
        chosen = [n for n in names if "article" in Path(n).name.lower()] or \
                 [n for n in names if "customizations" not in n.lower()]
        if not chosen:
            raise ReviewkitError("the zip holds no articles CSV", file=str(path))
        return f"{path.name}:{chosen[0]}", z.read(chosen[0])


def asreview_csv(name: str, src: str, header: list[str],
                 rows: list[tuple[int, dict[str, str]]]) -> list[ToolRow]:
    conf = rules()["asreview"]
    label = next((c for c in conf["label_columns"] if c in header), None)
    if label is None:
        raise ReviewkitError(f"no label column ({', '.join(conf['label_columns'])})",
                             file=src, line=1)
    out = []
    for line, row in rows:
        value = row.get(label, "").strip()
        value = value[:-2] if value.endswith(".0") else value  # pandas writes 1.0
        if value not in conf["labels"]:
            raise ReviewkitError(f"{label} is {value!r}; expected 1, 0 or empty", file=src,
                                 line=line, field=label)
        out.append(ToolRow(f"{name}:{line}", line, _ids(row, ["reviewkit_id"]),
                           conf["labels"][value], note=_first(row, conf["note_columns"])))
    return out


def ris_rows(data: bytes, src: str) -> list[tuple[int, dict[str, str]]]:
    """RIS records as the rows of Rayyan's CSV: its notes are the N1 lines."""
    from reviewkit.io import parse_bytes

    return [(rec.line, {"key": next((v for t, v in rec.raw if t == "ZI"), ""),
                        "title": rec.title, "year": str(rec.year or ""), "doi": rec.doi,
                        "pubmed_id": rec.pmid,
                        "notes": " | ".join(v for t, v in rec.raw if t == "N1")})
            for rec in parse_bytes(data, src, "ris").records]


def asreview_ris(data: bytes, name: str, src: str) -> list[ToolRow]:
    """ASReview's RIS export: labels in N1 (ASReview_relevant, _irrelevant, _not_seen)."""
    from reviewkit.io import parse_bytes

    labels = {k.lower(): v for k, v in rules()["asreview"]["ris_labels"].items()}
    out = []
    for rec in parse_bytes(data, src, "ris").records:
        notes = [v.strip().lower() for t, v in rec.raw if t == "N1"]
        found = {labels[n] for n in notes if n in labels}
        if len(found) > 1:
            raise ReviewkitError(f"the record has two labels: {', '.join(sorted(found))}",
                                 file=src, line=rec.line)
        ids = {"id": next((v for t, v in rec.raw if t == "ZI"), ""), "doi": rec.doi,
               "pmid": rec.pmid, "title": rec.title, "year": str(rec.year or "")}
        out.append(ToolRow(f"{name}:{rec.line}", rec.line, ids, found.pop() if found else ""))
    return out


_HASH = re.compile(r'"((?:[^"\\]|\\.)*)"\s*=>\s*("(?:[^"\\]|\\.)*"|\[[^\]]*\])')


def rayyan_notes(notes: str) -> dict[str, str]:
    """The RAYYAN-* parts of a notes cell, by prefix ('' when absent)."""
    parts: dict[str, str] = {}
    for part in notes.split("|"):
        prefix, colon, value = part.strip().partition(":")
        if colon and prefix.strip().upper().startswith(("RAYYAN-", "USER-NOTES")):
            parts[prefix.strip().upper()] = value.strip()
    return parts


def ruby_hash(text: str) -> dict[str, str]:
    """{"Ana"=>"Included", "Ben"=>["a note"]} as a dict of strings."""
    out = {}
    for key, value in _HASH.findall(text):
        if value.startswith("["):
            value = "; ".join(json.loads(value)) if value.strip("[] ") else ""
        else:
            value = json.loads(value)
        out[json.loads(f'"{key}"')] = value
    return out


def rayyan_csv(name: str, src: str, rows: list[tuple[int, dict[str, str]]],
               member: str | None, reviewer: str) -> list[ToolRow]:
    words = rules()["rayyan"]["decisions"] | {"": ""}
    parsed = [(line, row, rayyan_notes(row.get("notes", ""))) for line, row in rows]
    members = sorted({m for _, _, p in parsed for m in ruby_hash(p.get("RAYYAN-INCLUSION", ""))})
    who = member or next((m for m in members if m.lower() == reviewer.lower()), None)
    if who is None and len(members) == 1:
        who = members[0]
    if who is None or who not in members:
        raise ReviewkitError(f"whose Rayyan decisions? name one with --member: "
                             f"{', '.join(members) or 'no member decided anything'}",
                             file=src, field="member")
    out = []
    for line, row, parts in parsed:
        said = ruby_hash(parts.get("RAYYAN-INCLUSION", "")).get(who, "")
        if said.lower() not in words:
            raise ReviewkitError(f"{who}'s decision is {said!r}; expected Included, Excluded "
                                 "or Maybe", file=src, line=line)
        reasons = [r.strip() for r in parts.get("RAYYAN-EXCLUSION-REASONS", "").split(",")
                   if r.strip()]
        notes = ruby_hash(parts.get("USER-NOTES", "")).get(who, "")
        note = "; ".join(filter(None, [f"Rayyan member {who}",
                                       f"Rayyan reasons: {', '.join(reasons)}" if reasons
                                       else "", notes]))
        ids = _ids(row, ["key"]) | {"pmid": _first(row, ["pubmed_id", "pmid"])}
        out.append(ToolRow(f"{name}:{line}", line, ids, words[said.lower()],
                           reasons, note))
    return out


def covidence_csv(name: str, src: str, header: list[str],
                  rows: list[tuple[int, dict[str, str]]], decision: str | None,
                  stage: str) -> list[ToolRow]:
    conf = rules()["covidence"]
    if decision is None:
        words = Path(name).stem.lower().replace("-", " ").replace("_", " ")
        listed = next((d for key, d in conf["lists"].items() if f" {key} " in f" {words} "),
                      None)
        decision = (listed or {}).get(stage)
        if decision is None:
            raise ReviewkitError("a Covidence CSV holds one list (Irrelevant, Full text review, "
                                 f"Excluded, Included); the file name does not say which at "
                                 f"{stage}: pass --decision include or exclude", file=src,
                                 field="decision")
    out = []
    for line, row in rows:
        ids = _ids(row, []) | {"pmid": _pmid(row.get("accession number", ""))}
        reason = _first(row, conf["reason_columns"])
        number = row.get("covidence #", "")
        number = number if number.startswith("#") or not number else "#" + number
        note = "; ".join(filter(None, [f"Covidence {number}" if number else "",
                                       f"Covidence reason: {reason}" if reason else "",
                                       row.get("notes", ""), row.get("tags", "")]))
        out.append(ToolRow(f"{name}:{line}", line, ids, decision, [reason] if reason else [],
                           note))
    return out


def _pmid(value: str) -> str:
    return value if value.isdigit() else ""


# ---- ASReview project file -----------------------------------------------------------

def asreview_project(path: Path) -> list[ToolRow]:
    """Labels of an .asreview file: LAB 2 (data_store.db + reviews/*/results.db) or
    LAB 1 (data/<dataset> + reviews/*/results.sql), read from a private copy."""
    if not zipfile.is_zipfile(path):
        raise ReviewkitError("not an ASReview project file (an .asreview is a zip)",
                             file=str(path))
    with zipfile.ZipFile(path) as z, tempfile.TemporaryDirectory() as tmp:
        names = z.namelist()
        config = next((n for n in names if n.split("/")[-1] == "project.json"
                       and n.count("/") <= 1), None)
        if config is None:
            raise ReviewkitError("no project.json: not an ASReview project", file=str(path))
        root = config[: -len("project.json")]
        project = json.loads(z.read(config))
        results = sorted(n for n in names if re.fullmatch(
            re.escape(root) + r"reviews/[^/]+/results\.(db|sql)", n))
        if not results:
            raise ReviewkitError("the project has no review (reviews/*/results.db)",
                                 file=str(path))
        labels = _results(z.extract(results[0], tmp), f"{path.name}:{results[0]}")
        dataset = _dataset(z, root, project, names)
        store = root + "data_store.db"
        records = _data_store(z.extract(store, tmp), dataset) if store in names else dataset
    out = []
    for rid, (label, note) in sorted(labels.items()):
        where = f"{path.name}: record_id {rid}"
        decision = {1: "include", 0: "exclude"}.get(label, "")
        out.append(ToolRow(where, None, records.get(rid, {}), decision, note=note))
    return out


def _results(db: str, name: str) -> dict[int, tuple[int | None, str]]:
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        columns = {row[1] for row in con.execute("PRAGMA table_info(results)")}
        if not {"record_id", "label"} <= columns:
            raise ReviewkitError("results table lacks record_id/label", file=name)
        note = next((c for c in ("note", "notes") if c in columns), None)
        query = f"SELECT record_id, label, {note or 'NULL'} FROM results"
        # a NULL label is a record shown but not labelled yet: counted as not decided
        return {int(r): (lab, n or "") for r, lab, n in con.execute(query)}
    except sqlite3.DatabaseError as exc:
        raise ReviewkitError(f"cannot read the review's database ({exc})", file=name) from None
    finally:
        con.close()


def _dataset(z: zipfile.ZipFile, root: str, project: dict,
             names: list[str]) -> dict[int, dict[str, str]]:
    """Row number -> ids, from the dataset file in data/ when it is a CSV (LAB keeps the
    columns it does not use, such as reviewkit_id and pmid, only there)."""
    listed = [d.get("name", "") for d in project.get("datasets", [])]
    listed += [project.get("dataset_path", "")]
    member = next((root + "data/" + n for n in listed if n and root + "data/" + n in names),
                  None)
    if member is None or not member.lower().endswith((".csv", ".tsv", ".tab")):
        return {}
    header, rows = csv_rows(_decode(z.read(member), member), member)
    out = {}
    for i, (_, row) in enumerate(rows):
        rid = int(row["record_id"]) if row.get("record_id", "").isdigit() else i
        out[rid] = _ids(row, ["reviewkit_id"])
    return out


def _data_store(db: str, dataset: dict[int, dict[str, str]]) -> dict[int, dict[str, str]]:
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        out = {}
        query = "SELECT record_id, dataset_row, title, year, doi FROM record"
        for rid, row, title, year, doi in con.execute(query):
            ids = dict(dataset.get(row, {})) if row is not None else {}
            if title and ids.get("title") and title_words(ids["title"]) != title_words(title):
                ids = {}  # the dataset file is not the one LAB stored: trust only the store
            ids.update({k: str(v) for k, v in (("title", title), ("year", year), ("doi", doi))
                        if v and not ids.get(k)})
            out[int(rid)] = ids
        return out
    finally:
        con.close()


# ---- matching ------------------------------------------------------------------------

class Matcher:
    """Finds the screening unit a row is about: by reviewkit id, DOI, PMID, then title
    (with the year when both have one, else a year either side or none). A key shared by
    two units matches neither."""

    def __init__(self, screening: Screening) -> None:
        self.screening = screening
        self.doi: dict[str, set[str]] = defaultdict(set)
        self.pmid: dict[str, set[str]] = defaultdict(set)
        self.title: dict[tuple[str, int | None], set[str]] = defaultdict(set)
        self.title_any: dict[str, set[str]] = defaultdict(set)
        for sr in screening.store.iter_records():
            if not screening.knows(sr.id):
                continue
            unit, rec = screening.unit_of(sr.id), sr.record
            if rec.doi:
                self.doi[norm.doi(rec.doi)].add(unit)
            if rec.pmid:
                self.pmid[rec.pmid.strip()].add(unit)
            key = title_words(rec.title)
            if key:
                self.title[(key, rec.year)].add(unit)
                self.title_any[key].add(unit)

    def match(self, ids: dict[str, str]) -> tuple[str, str] | None:
        """(record id to log, how it matched), or None."""
        rid = ids.get("id", "").strip()
        if rid and self.screening.knows(rid):
            return rid, "id"
        for how, index, key in (("doi", self.doi, norm.doi(ids.get("doi", ""))),
                                ("pmid", self.pmid, ids.get("pmid", "").strip())):
            if key and len(index.get(key, ())) == 1:
                return next(iter(index[key])), how
        key = title_words(ids.get("title", ""))
        if not key:
            return None
        year = norm.year(ids.get("year", ""))
        found = self.title.get((key, year), set()) if year else set()
        if len(found) == 1:
            return next(iter(found)), "title+year"
        if found:
            return None  # two records share title and year: neither is guessed
        if year:
            # a year either side: the e-pub year in one database, the in another
            near = self.title.get((key, year - 1), set()) | self.title.get((key, year + 1), set())
            found = near or self.title.get((key, None), set())
        else:
            found = self.title_any.get(key, set())
        return (next(iter(found)), "title") if len(found) == 1 else None
