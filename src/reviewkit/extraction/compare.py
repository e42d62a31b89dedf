"""Dual extraction: two reviewers' records compared field by field, then a consensus."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from reviewkit.errors import ReviewkitError
from reviewkit.extraction.form import Form, with_form
from reviewkit.extraction.records import (
    CONSENSUS,
    Extraction,
    load_extractions,
    read_extraction,
    record_path,
    save_extraction,
)
from reviewkit.extraction.values import coerce, display, missing_required
from reviewkit.project import yamlfile
from reviewkit.project.config import Project
from reviewkit.records.studies import require_study


@dataclass
class Difference:
    field: str  # a path: budget_type, participant_groups.2.n
    label: str
    values: dict[str, str]  # reviewer -> value as displayed ("" when empty)


def flatten(form: Form, values: dict[str, Any]) -> dict[str, tuple[str, str]]:
    """path -> (label, displayed value), groups expanded entry by entry."""
    out: dict[str, tuple[str, str]] = {}
    for f in form.fields:
        v = values.get(f.id)
        if f.type != "group":
            out[f.id] = (f.label, display(f, v))
            continue
        entries = (v if isinstance(v, list) else [v]) if v else []
        for i, entry in enumerate(entries, 1):
            base = f"{f.id}.{i}" if f.repeatable else f.id
            for sub in f.fields or []:
                out[f"{base}.{sub.id}"] = (f"{f.label} {i}: {sub.label}",
                                           display(sub, entry.get(sub.id)))
    return out


def _same(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def study_extractions(project: Project, study: str, form: Form,
                      reviewers: list[str] | None = None) -> list[Extraction]:
    require_study(project, study)
    found = [e for e in load_extractions(project, with_form(project, form))
             if e.study == study and e.form == form.id and e.reviewer != CONSENSUS]
    if reviewers:
        missing = [r for r in reviewers if r not in {e.reviewer for e in found}]
        if missing:
            raise ReviewkitError(f"no {form.id} extraction of {study!r} by {', '.join(missing)}")
        found = [e for e in found if e.reviewer in reviewers]
    return found


def two_or_more(records: list[Extraction], study: str, purpose: str) -> list[Extraction]:
    """``records`` if two or more reviewers made them; one alone agrees with nothing."""
    if len(records) < 2:
        raise ReviewkitError(f"{purpose} needs two reviewers' extractions of {study!r}; "
                             f"found {len(records)}")
    return records


def differences(project: Project, study: str, form: Form, reviewers: list[str] | None = None
                ) -> tuple[list[Extraction], list[Difference]]:
    """The reviewers' extractions of ``study`` (two or more) and where they differ."""
    records = two_or_more(study_extractions(project, study, form, reviewers), study,
                          "a comparison")
    return records, compare(records, form)


def compare(records: list[Extraction], form: Form) -> list[Difference]:
    """Fields whose values differ (ignoring case and spacing), in form order."""
    flat = {e.reviewer: flatten(form, e.values) for e in records}
    paths: list[str] = []
    for f in flat.values():
        paths += [p for p in f if p not in paths]
    out = []
    for path in paths:
        values = {r: f.get(path, ("", ""))[1] for r, f in flat.items()}
        first = next(iter(values.values()), "")
        if not all(_same(first, v) for v in values.values()):
            label = next(f[path][0] for f in flat.values() if path in f)
            out.append(Difference(path, label, values))
    return out


def make_consensus(project: Project, study: str, form: Form,
                   resolutions: dict[str, str] | None = None,
                   reviewers: list[str] | None = None, replace: bool = False) -> Extraction:
    """Write ``extraction/<study>/consensus.yaml``; each differing field needs a resolution.

    A resolution (per top-level field) is a value or ``@reviewer``; a group takes
    ``@reviewer``. Nothing is written while a difference is unresolved. A consensus
    already recorded that says otherwise is kept unless ``replace``.
    """
    records = two_or_more(study_extractions(project, study, form, reviewers), study,
                          "a consensus")
    resolutions = resolutions or {}
    by_reviewer = {e.reviewer: e for e in records}
    differing = []
    for d in compare(records, form):
        top = d.field.split(".")[0]
        if top not in differing:
            differing.append(top)
    open_ = [f for f in differing if f not in resolutions]
    if open_:
        raise ReviewkitError(f"unresolved differences in {', '.join(open_)}: give each a "
                             "value, e.g. --set location=England or --set location=@reviewer")
    values = dict(records[0].values)
    for fid, choice in resolutions.items():
        f = form.field(fid)
        if f is None:
            raise ReviewkitError(f"form {form.id!r} has no field {fid!r}", field=fid)
        if choice.startswith("@"):
            source = by_reviewer.get(choice[1:])
            if source is None:
                raise ReviewkitError(f"no extraction by {choice[1:]!r} to take {fid} from",
                                     field=fid)
            values[fid] = source.values.get(fid)
        elif f.type == "group":
            raise ReviewkitError("resolve a group by taking one reviewer's: --set "
                                 f"{fid}=@reviewer", field=fid)
        else:
            values[fid] = coerce(f, choice)
    values = {k: v for k, v in values.items() if v is not None}
    # drafts may leave a required field empty in every record: there is nothing to agree on
    blank = missing_required(form.fields, values)
    if blank:
        one = "it" if len(blank) == 1 else "each"
        raise ReviewkitError(f"no reviewer gave {', '.join(blank)}, which the form requires: "
                             f"give {one}, e.g. --set {blank[0]}=...", field=blank[0])
    result = Extraction(study, CONSENSUS, form.id, form.version, "final", values,
                        record_path(project, study, CONSENSUS, form.id))
    if result.path.exists():
        prior = read_extraction(project, result.path, with_form(project, form))
        if prior.form == form.id:
            # a draft's empty fields are for this run to fill in, its given values are kept
            differing = [f.id for f in form.fields if prior.values.get(f.id) not in
                         (values.get(f.id), *([None] if prior.status == "draft" else []))]
            if not differing and prior.status == "final":
                return prior
            if differing and not replace:
                yamlfile.refuse_overwrite(project.relative(result.path), "consensus",
                                          differing)
    save_extraction(project, result, form)
    return result


def record_consensus(project: Project, study: str, form: Form,
                     resolutions: dict[str, str] | None = None,
                     reviewers: list[str] | None = None, replace: bool = False) -> str:
    """make_consensus, said in one line: 'wrote <file>' or 'unchanged <file>'."""
    path = record_path(project, study, CONSENSUS, form.id)
    before = path.read_bytes() if path.is_file() else None
    result = make_consensus(project, study, form, resolutions, reviewers, replace)
    return yamlfile.written_line(project.relative(result.path), before, result.path)
