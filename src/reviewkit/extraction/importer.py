"""Import extraction records from a spreadsheet (CSV) or a YAML list: all rows or nothing.

CSV columns: study, reviewer, form (or --form), status (optional), then one
column per field id. Several values in one cell are separated by ';'. A
repeatable group's entries are columns <group>.<n>.<field>, e.g.
participant_groups.1.n.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from reviewkit.errors import ReviewkitError
from reviewkit.extraction.form import Form, load_forms, with_form
from reviewkit.extraction.records import (
    Extraction,
    extraction_path,
    parse_extraction,
    read_extraction,
    record_path,
    save_extraction,
)
from reviewkit.project.config import Project
from reviewkit.project.tablefile import Claims, Imported, read_per_study


def csv_header(form: Form, groups: int = 2) -> list[str]:
    """The CSV columns ``import_extractions`` reads for ``form``: a repeatable group gets
    columns for ``groups`` entries (<group>.<n>.<field>), any other group one entry."""
    cols = ["study", "reviewer", "status"]
    for field in form.fields:
        if field.type != "group":
            cols.append(field.id)
            continue
        for n in range(1, (groups if field.repeatable else 1) + 1):
            cols += [f"{field.id}.{n}.{sub.id}" for sub in field.fields or []]
    return cols


def import_extractions(project: Project, path: Path, form: Form | None = None,
                       replace: bool = False) -> Imported:
    """Validate every row first; write only when all are valid. A row its record already
    says is left alone, so a sheet can be imported again."""
    forms = with_form(project, form) if form else load_forms(project)

    def parse(kind: str, row: dict, lines: dict, study: str, reviewer: str) -> Extraction:
        data = row if kind == "yaml" else _from_csv(row, form, forms)
        data = {k: v for k, v in data.items() if k not in ("study", "reviewer")}
        return parse_extraction(data, lines, path, study, reviewer, forms)

    claims = Claims()  # a reviewer's second form goes beside the first, also in one file

    def target(e: Extraction) -> Path:
        return claims.target(record_path(project, e.study, e.reviewer, e.form),
                             extraction_path(project, e.study, e.reviewer, e.form), e.form)

    def same(e: Extraction, existing: Path) -> bool:
        f = read_extraction(project, existing, forms)
        return (e.form, e.version, e.status, e.values) == (f.form, f.version, f.status, f.values)

    found, unchanged = read_per_study(project, path, parse, target, replace, same)
    return Imported([save_extraction(project, e, forms[e.form]) for e in found], unchanged)


def _from_csv(row: dict[str, str], form: Form | None, forms: dict[str, Form]) -> dict:
    only = next(iter(forms)) if len(forms) == 1 else None
    fid = row.get("form") or (form.id if form else only)
    values: dict[str, Any] = {}
    for key, cell in row.items():
        if key in ("study", "reviewer", "form", "status", "version") or not cell:
            continue
        parts = key.split(".")
        if len(parts) == 1:
            values[key] = cell
        elif len(parts) == 3 and parts[1].isdigit() and int(parts[1]) >= 1:
            entries = values.setdefault(parts[0], {})
            if not isinstance(entries, dict):
                raise ReviewkitError(f"column {key!r} mixes with a column {parts[0]!r}",
                                     field=key)
            entries.setdefault(int(parts[1]), {})[parts[2]] = cell
        else:
            raise ReviewkitError(f"column {key!r}: group columns are <group>.<n>.<field>",
                                 field=key)
    for key, entries in list(values.items()):
        if isinstance(entries, dict):  # a group: numbered entries, in order
            f = forms.get(fid or "") and forms[fid].field(key)
            items = [entries[n] for n in sorted(entries)]
            values[key] = items if (f is None or f.repeatable) else items[0]
    data: dict = {"form": fid, "values": values}
    if row.get("status"):
        data["status"] = row["status"]
    return data
