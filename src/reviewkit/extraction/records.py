"""Extraction records: ``extraction/<study>/<reviewer>.yaml``; the agreed one is consensus.yaml."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reviewkit.errors import ReviewkitError
from reviewkit.extraction.form import FORM_DIR, Form, load_forms
from reviewkit.extraction.values import coerce, missing_required
from reviewkit.project import yamlfile
from reviewkit.project.config import Project
from reviewkit.records.studies import STUDY_ID, require_study
from reviewkit.screening.reviewers import require_signer

CONSENSUS = "consensus"
STATUSES = ("draft", "final")
_TOP = {"form", "version", "status", "values", "study", "reviewer"}


@dataclass
class Extraction:
    study: str
    reviewer: str
    form: str
    version: str = ""
    status: str = "draft"
    values: dict[str, Any] = field(default_factory=dict)
    path: Path | None = None


def extraction_path(project: Project, study: str, reviewer: str, form: str | None = None) -> Path:
    """extraction/<study>/<reviewer>[.<form>].yaml; names that could leave the folder refused."""
    for what, name in (("study", study), ("reviewer", reviewer), ("form", form or "x")):
        if not STUDY_ID.match(name) or ".." in name or (what == "reviewer" and "." in name):
            raise ReviewkitError(f"{what} {name!r}: use lower-case letters, digits, '-' or '_'",
                                 field=what)
    require_extractor(project, reviewer)  # before any row of an import is written
    return project.root / FORM_DIR / study / f"{reviewer}{f'.{form}' if form else ''}.yaml"


def record_path(project: Project, study: str, reviewer: str, form: str) -> Path:
    """<reviewer>.yaml, or <reviewer>.<form>.yaml beside another form's record."""
    return yamlfile.beside(extraction_path(project, study, reviewer),
                           extraction_path(project, study, reviewer, form), "form", form)


def require_extractor(project: Project, reviewer: str, file: str | None = None) -> str:
    """One of the project's reviewers, or the pair's consensus record."""
    return require_signer(project, reviewer, file, CONSENSUS)


def check_values(form: Form, raw: Any, status: str, where: dict | None = None,
                 lines: yamlfile.Lines | None = None) -> dict[str, Any]:
    """Every value converted and checked; a final record has every required field."""
    where = where or {}

    def line(*loc: str) -> int | None:
        return yamlfile.line_at(lines, ("values", *loc)) if lines else where.get("line")

    if not isinstance(raw, dict):
        raise ReviewkitError("values is a mapping: field id -> value", field="values", **where)
    out: dict[str, Any] = {}
    for key, value in raw.items():
        f = form.field(str(key))
        if f is None:
            raise ReviewkitError(f"form {form.id!r} has no field {key!r}",
                                 field=f"values.{key}", **{**where, "line": line(str(key))})
        try:
            v = coerce(f, value)
        except ReviewkitError as exc:
            # messages count group entries from 1; the YAML line map counts from 0
            loc = [str(int(p) - 1) if p.isdigit() else p for p in (exc.field or "").split(".")]
            raise ReviewkitError(exc.message, field=f"values.{exc.field}",
                                 **{**where, "line": line(*loc)}) from None
        if v is not None:
            out[f.id] = v
    if status == "final":
        missing = missing_required(form.fields, out)
        if missing:
            raise ReviewkitError(f"required field is missing: {', '.join(missing)} (fill it "
                                 "in or set status: draft)", field=f"values.{missing[0]}",
                                 **{**where, "line": line()})
    return out


def parse_extraction(data: Any, lines: yamlfile.Lines, path: Path, study: str, reviewer: str,
                     forms: dict[str, Form]) -> Extraction:
    def at(*loc: str) -> dict:
        return {"file": str(path), "line": yamlfile.line_at(lines, loc)}

    if not isinstance(data, dict):
        raise ReviewkitError("an extraction record is a mapping with form, status and values",
                             **at())
    unknown = sorted(set(data) - _TOP)
    if unknown:
        raise ReviewkitError("unknown field (check the spelling)", field=unknown[0],
                             **at(unknown[0]))
    for key, expect in (("study", study), ("reviewer", reviewer)):
        if key in data and str(data[key]) != expect:
            raise ReviewkitError(f"says {key} {data[key]!r} but the file is for {expect!r}",
                                 field=key, **at(key))
    fid = data.get("form")
    if fid not in forms:
        raise ReviewkitError(f"unknown form {fid!r} (known: {', '.join(forms) or 'none'})",
                             field="form", **at("form"))
    status = str(data.get("status", "final"))
    if status not in STATUSES:
        raise ReviewkitError(f"status must be draft or final, not {status!r}", field="status",
                             **at("status"))
    values = check_values(forms[fid], data.get("values") or {}, status, {"file": str(path)},
                          lines)
    return Extraction(study, reviewer, fid, str(data.get("version", forms[fid].version)),
                      status, values, path)


def read_extraction(project: Project, path: Path, forms: dict[str, Form]) -> Extraction:
    study, reviewer = path.parent.name, path.stem.split(".", 1)[0]
    require_study(project, study, file=str(path))
    require_extractor(project, reviewer, file=str(path))
    data, lines = yamlfile.load(path)
    return parse_extraction(data, lines, path, study, reviewer, forms)


def load_extractions(project: Project, forms: dict[str, Form] | None = None) -> list[Extraction]:
    forms = forms if forms is not None else load_forms(project)
    folder = project.root / FORM_DIR
    paths = sorted(folder.glob("*/*.yaml")) if folder.exists() else []
    for other in sorted(folder.glob("*/*.[yY]*[lL]")):  # .yml, .YAML: read by no glob above
        if other.suffix.lower() in (".yml", ".yaml") and other.suffix != ".yaml":
            raise ReviewkitError(f"extraction files end in .yaml (rename it to {other.stem}.yaml)",
                                 file=str(other))
    return [read_extraction(project, p, forms) for p in paths]


def to_yaml(e: Extraction, form: Form) -> str:
    head = (f"# Extraction of {e.study} by {e.reviewer} with the form '{form.title}' "
            f"(version {form.version}).\n# Edit freely; reviewkit validates it.\n")
    ordered = {f.id: e.values[f.id] for f in form.fields if f.id in e.values}
    data = {"form": e.form, "version": e.version or form.version, "status": e.status,
            "values": ordered}
    return head + yamlfile.dump(data)


def save_extraction(project: Project, e: Extraction, form: Form) -> Path:
    """Validate (types, options, required when final), then write atomically."""
    require_study(project, e.study)
    require_extractor(project, e.reviewer)
    e.values = check_values(form, e.values, e.status)
    path = e.path or extraction_path(project, e.study, e.reviewer)
    yamlfile.write_atomic(path, to_yaml(e, form))
    e.path = path
    return path


def open_extraction(project: Project, study: str, reviewer: str, form: Form) -> Extraction:
    """The reviewer's record of this study with this form, or a new draft."""
    require_study(project, study)
    require_extractor(project, reviewer)
    forms = {**load_forms(project), form.id: form}
    for path in (extraction_path(project, study, reviewer),
                 extraction_path(project, study, reviewer, form.id)):
        if path.exists():
            e = read_extraction(project, path, forms)
            if e.form == form.id:
                return e
    base = extraction_path(project, study, reviewer)
    path = base if not base.exists() else extraction_path(project, study, reviewer, form.id)
    return Extraction(study, reviewer, form.id, form.version, "draft", {}, path)
