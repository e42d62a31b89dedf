"""Decisions made in other tools: ASReview LAB (CSV or RIS export, .asreview project),
Rayyan (articles.csv, its export zip, its RIS) and Covidence (a list exported as CSV), read
as rows for matching (matching.py) to reviewkit's records by id, DOI, PMID, then title.

How each tool writes its decisions is data (interop.yaml); this module only reads.
"""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

from reviewkit.errors import ReviewkitError
from reviewkit.screening.asreview_file import asreview_project
from reviewkit.screening.toolrows import (
    ToolFile,
    ToolRow,
    csv_rows,
    decode,
    first,
    row_ids,
    rules,
)

TOOLS = ("auto", "reviewkit", "asreview", "rayyan", "covidence")
NAMES = {"asreview": "ASReview", "rayyan": "Rayyan", "covidence": "Covidence",
         "reviewkit": "reviewkit"}


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
    text = decode(data, str(path))
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
        out.append(ToolRow(f"{name}:{line}", line, row_ids(row, ["reviewkit_id"]),
                           conf["labels"][value], note=first(row, conf["note_columns"])))
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
        ids = row_ids(row, ["key"]) | {"pmid": first(row, ["pubmed_id", "pmid"])}
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
        ids = row_ids(row, []) | {"pmid": _pmid(row.get("accession number", ""))}
        reason = first(row, conf["reason_columns"])
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

