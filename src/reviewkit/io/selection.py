"""Which records an export writes: every record, one per duplicate cluster, a stage's
outcome, or the included studies' reports.

A team takes the unique set to EndNote or Zotero, the title/abstract includes as a
full-text retrieval list, and the studies' reports as the reference list.
"""

from __future__ import annotations

import dataclasses
from typing import TextIO

from reviewkit.dedup.units import Unit, merged_record
from reviewkit.errors import ReviewkitError
from reviewkit.io.rawsource import RawSource
from reviewkit.io.writers import Extras, export
from reviewkit.project.config import Project
from reviewkit.records.studies import load_studies
from reviewkit.screening.state import AWAITING, CONFLICT, UNSCREENED
from reviewkit.store.base import Store, StoredRecord

OUTCOMES = ("include", "exclude", "maybe", CONFLICT, AWAITING, UNSCREENED)


@dataclasses.dataclass
class Selection:
    records: list[StoredRecord]
    extras: Extras | None  # per record: members, stage, decision, study
    warnings: list[str]
    merged: set[str] = dataclasses.field(default_factory=set)  # ids written from fields


def _merged(store: Store, unit: Unit) -> StoredRecord:
    """The cluster as one record: its representative, gaps filled from the others."""
    first = store.get_record(unit.id)
    if len(unit.members) == 1:
        return first
    return dataclasses.replace(first, record=merged_record(store, unit))


def select(project: Project, store: Store, unique: bool = False, stage: str | None = None,
           decision: str | None = None, studies: bool = False) -> Selection:
    """The records to export; a stage or decision implies one row per cluster."""
    if decision is not None and stage is None:
        raise ReviewkitError("--decision needs --stage (title-abstract, full-text, ...)",
                             field="decision")
    if decision is not None and decision not in OUTCOMES:
        raise ReviewkitError(f"unknown decision {decision!r}; expected one of "
                             f"{', '.join(OUTCOMES)}", field="decision")
    if studies:
        # the studies' reports are one fixed set: another selection beside it would be
        # silently ignored, and the file would not be what was asked for
        also = [o for o, given in (("--unique", unique), (f"--stage {stage}", stage),
                                   (f"--decision {decision}", decision)) if given]
        if also:
            raise ReviewkitError(f"--studies takes no other selection (found "
                                 f"{', '.join(also)}): it writes the reports of the studies "
                                 "in studies.toml", field="studies")
        return _studies(project, store)
    if not unique and stage is None:
        return Selection(list(store.iter_records()), None, [])
    from reviewkit.screening.data import Screening

    screening = Screening(project, store)
    units = {u.id: u for u in screening.units}
    outcome: dict[str, str] = {}
    if stage is not None:
        state = screening.state(stage)
        chosen = []
        for unit_id in screening.eligible(stage):
            outcome[unit_id] = state.outcome(unit_id)
            if decision is None or outcome[unit_id] == decision:
                chosen.append(units[unit_id])
    else:
        chosen = screening.units
    records = [_merged(store, u) for u in chosen]
    members = {u.id: "; ".join(u.members) for u in chosen}

    def extras(sr: StoredRecord) -> dict[str, str]:
        return {"members": members.get(sr.id, ""), "stage": stage or "",
                "decision": outcome.get(sr.id, "")}

    merged = {u.id for u in chosen if len(u.members) > 1}
    return Selection(records, extras, [], merged)


def _studies(project: Project, store: Store) -> Selection:
    records, warnings, study_of = [], [], {}
    for study in load_studies(project):
        for rid in study.reports:
            current = store.resolve(rid)
            sr = store.get_record(current) if current else None
            if sr is None:
                warnings.append(f"studies.toml: study {study.id} lists report {rid}, which "
                                "no imported record has")
                continue
            records.append(sr)
            study_of[sr.id] = study.id
    if not records:
        warnings.append("studies.toml lists no report that is an imported record")
    return Selection(records, lambda sr: {"study": study_of.get(sr.id, "")}, warnings)


def export_selection(project: Project, store: Store, fmt: str, selection: Selection,
                     out: TextIO | None = None, path: str | None = None) -> int:
    """Write ``selection`` as ``fmt``. A record read from RIS keeps its own tags; a merged
    cluster is written from its fields (the raw tags are one member's only)."""
    source = RawSource(project)

    def raw(sr: StoredRecord) -> list[tuple[str, str]]:
        return [] if sr.id in selection.merged else source.pairs(sr)

    return export(iter(selection.records), fmt, out=out, path=path, raw=raw,
                  extras=selection.extras)
