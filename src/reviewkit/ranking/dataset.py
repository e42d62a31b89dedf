"""Labelled datasets for simulation: CSV (record_id, title, abstract, label_included) or RIS.

A RIS (or other export) file carries its label in a tag: ``LB  - 1`` / ``LB  - 0``,
or ASReview's notes ``N1  - ASReview_relevant`` / ``ASReview_irrelevant``.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from reviewkit.errors import ReviewkitError

REQUIRED = ("record_id", "title", "abstract", "label_included")
_TRUE, _FALSE = {"1", "1.0", "yes", "true", "y"}, {"0", "0.0", "no", "false", "n"}


@dataclass
class LabelledSet:
    name: str
    ids: list[str]
    records: list[dict]
    labels: list[int]

    def __len__(self) -> int:
        return len(self.ids)


def _label(value: str, path: str, line: int) -> int:
    v = value.strip().lower()
    if v in _TRUE:
        return 1
    if v in _FALSE:
        return 0
    raise ReviewkitError(f"label_included is {value!r}; expected 1 or 0", file=path, line=line)


def _read_csv(path: Path) -> LabelledSet:
    csv.field_size_limit(1 << 24)
    ids, records, labels = [], [], []
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        missing = [c for c in REQUIRED if c not in (reader.fieldnames or [])]
        if missing:
            raise ReviewkitError(f"missing column(s) {', '.join(missing)}; a labelled CSV needs "
                                 f"{', '.join(REQUIRED)}", file=str(path), line=1)
        for row in reader:
            line = reader.line_num
            rid = (row["record_id"] or "").strip()
            if not rid:
                raise ReviewkitError("empty record_id", file=str(path), line=line)
            ids.append(rid)
            labels.append(_label(row["label_included"] or "", str(path), line))
            records.append({"title": row.get("title") or "", "abstract": row.get("abstract") or "",
                            "keywords": row.get("keywords") or ""})
    return LabelledSet(path.stem, ids, records, labels)


def _read_export(path: Path) -> LabelledSet:
    from reviewkit.io import read_file

    parsed = read_file(path)
    ids, records, labels = [], [], []
    for n, rec in enumerate(parsed.records, 1):
        tags = {}
        for tag, value in rec.raw:
            tags.setdefault(tag, []).append(value)
        notes = " ".join(tags.get("N1", []))
        if "LB" in tags:
            label = _label(tags["LB"][0], str(path), rec.line)
        elif "ASReview_relevant" in notes:
            label = 1
        elif "ASReview_irrelevant" in notes:
            label = 0
        else:
            raise ReviewkitError("record has no label: expected 'LB  - 1' or 'LB  - 0' (or "
                                 "an ASReview_relevant/irrelevant note)", file=str(path),
                                 line=rec.line)
        ids.append(next(iter(rec.accession.values()), "") or str(n))
        labels.append(label)
        records.append({"title": rec.title, "abstract": rec.abstract, "keywords": rec.keywords})
    return LabelledSet(path.stem, ids, records, labels)


def load_labelled(path: str | Path) -> LabelledSet:
    """Read a labelled dataset; mistakes raise ReviewkitError naming file and line."""
    p = Path(path)
    if not p.is_file():
        raise ReviewkitError("no such file", file=str(path))
    with p.open("rb") as fh:
        head = fh.read(4096).decode("utf-8", "replace").lstrip("\ufeff")
    first = head.split("\n", 1)[0]
    is_csv = p.suffix.lower() == ".csv" or ("record_id" in first and "," in first)
    data = _read_csv(p) if is_csv else _read_export(p)
    if len(set(data.ids)) != len(data.ids):
        dup = next(i for i in data.ids if data.ids.count(i) > 1)
        raise ReviewkitError(f"record_id {dup!r} appears more than once", file=str(path))
    if not any(data.labels):
        raise ReviewkitError("no record is labelled relevant (label 1): nothing to find",
                             file=str(path))
    return data
