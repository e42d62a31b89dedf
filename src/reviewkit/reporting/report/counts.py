"""The report's PRISMA counts: computed from the project, overridden by a counts file.

Old reviews did not run their searches through reviewkit, so a team can give the
published numbers in the PRISMA2020 R package's CSV. A number the file states wins;
``NA`` in the file leaves the computed number (or "not reported"). Every number keeps
where it came from, so the report can say so.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field, replace
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from reviewkit.reporting.prisma import (
    OTHER_GROUPS,
    BrokenInvariant,
    PrismaCounts,
    Sources,
    check_invariants,
    infer_merged,
    read_counts_csv,
)
from reviewkit.reporting.prisma.csvio import LISTS, NUMBERS

FILE, PROJECT, NONE = "counts file", "project", "not reported"
PREVIOUS = "previous version"  # [prisma] previous: the earlier review's numbers
SETTING = "setting"  # [prisma] meta_analysis: stated by the team, not computed
_STATED = {"previous_studies": PREVIOUS, "previous_reports": PREVIOUS,
           "ma_studies": SETTING, "ma_reports": SETTING}
_INDEX = re.compile(r"\[\d+\]$")


@dataclass
class ReportCounts:
    counts: PrismaCounts
    origin: dict[str, str]  # "databases.total", "dbr.excluded", "screened"… -> FILE|PROJECT|NONE
    file: Path | None = None
    problems: list[BrokenInvariant] = field(default_factory=list)

    def origin_of(self, path: str) -> str:
        """Origin of a path as BrokenInvariant.fields names it (``dbr.excluded[2]``)."""
        return self.origin.get(_INDEX.sub("", path), PROJECT)


def merge_counts(computed: PrismaCounts, file: Path | None,
                 project_broken: list[BrokenInvariant] | None = None) -> ReportCounts:
    """``computed`` with every number the file states put over it; invariants checked.

    ``project_broken`` (the project checker's result) lends its record ids to a broken
    invariant whose numbers all came from the project.
    """
    given = read_counts_csv(file) if file is not None else None
    counts = computed if given is None else copy.deepcopy(computed)
    origin: dict[str, str] = {}
    for path in [*NUMBERS.values(), *LISTS.values()]:
        mine = _get(counts, path)
        theirs = _get(given, path) if given is not None else None
        if theirs not in (None, []):
            _set(counts, path, theirs)
            origin[path] = FILE
        else:
            origin[path] = NONE if mine in (None, []) else _STATED.get(path, PROJECT)
    for g in ("websites", "organisations", "citations", "other_methods"):
        origin.setdefault(f"{g}.sources", PROJECT if counts.group(g).sources else NONE)
        origin.setdefault(f"{g}.total", NONE if counts.group(g).total is None else PROJECT)
    origin["records_excluded_reasons"] = PROJECT if counts.records_excluded_reasons else NONE
    if given is not None:  # routes screened with the databases: the project's, or inferred
        both = set(computed.merged_other) | set(infer_merged(counts))
        counts.merged_other = tuple(g for g in OTHER_GROUPS if g in both)
    result = ReportCounts(counts, origin, file)
    ids = {b.check: (b.record_ids, b.why) for b in project_broken or []}
    for b in check_invariants(counts):
        if b.check in ids and all(result.origin_of(f) == PROJECT for f in b.fields):
            b = replace(b, record_ids=ids[b.check][0], why=ids[b.check][1])
        result.problems.append(b)
    return result


@cache
def _rows_spec() -> list[dict[str, str]]:
    text = resources.files("reviewkit.reporting.report").joinpath("numbers.yaml")
    return yaml.safe_load(text.read_text("utf-8"))


def number_rows(rc: ReportCounts, file_label: str = "",
                previous_label: str = "") -> list[dict[str, Any]]:
    """Rows (item, n, source) for the table of where each number comes from
    (``previous_label``: the previous version as ``[prisma] previous`` names it)."""
    c = rc.counts
    label = {FILE: file_label or FILE, PROJECT: "computed from the project", NONE: "",
             PREVIOUS: f"the previous version ({previous_label or 'its counts'})",
             SETTING: "[prisma] meta_analysis in reviewkit.toml"}
    shown = {"update": c.is_update, "other": c.other_column, "flow": c.other_flow,
             "meta": c.has_meta_analysis}
    rows: list[dict[str, Any]] = []
    for raw in _rows_spec():
        spec = {**raw, "label": raw.get("update", raw["label"]) if c.is_update
                else raw["label"]}
        path, only = spec["path"], spec.get("only", "")
        value = _get(c, path)
        if only == "active" and not (value.active if isinstance(value, Sources) else value):
            continue
        if only in shown and not shown[only]:
            continue
        if isinstance(value, Sources):
            src = rc.origin.get(f"{path}.total") if value.total is not None else \
                rc.origin.get(f"{path}.sources")
            rows.append({"item": spec["label"], "n": value.value,
                         "source": label[src or NONE] if value.value is not None else ""})
            each = label[rc.origin.get(f"{path}.sources", NONE)]
            rows += [{"item": f"{spec['label']}: {s.name}", "n": s.n,
                      "source": each if s.n is not None else ""} for s in value.sources]
        elif isinstance(value, list):
            src = label[rc.origin.get(path, PROJECT)]
            rows += [{"item": f"{spec['label']}: {x.name}" if x.name else spec["label"],
                      "n": x.n, "source": src if x.n is not None else ""} for x in value]
            if not value:
                rows.append({"item": spec["label"], "n": None, "source": ""})
        else:
            rows.append({"item": spec["label"], "n": value,
                         "source": label[rc.origin.get(path, PROJECT)] if value is not None
                         else ""})
    return rows


def _get(obj: Any, path: str) -> Any:
    for part in path.split("."):
        obj = getattr(obj, part)
    return obj


def _set(obj: Any, path: str, value: Any) -> None:
    *parents, last = path.split(".")
    for part in parents:
        obj = getattr(obj, part)
    setattr(obj, last, value)
