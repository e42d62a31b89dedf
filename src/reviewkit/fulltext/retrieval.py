"""Which reports were sought at full text, and what became of each.

Sought: every unit (a record and its duplicates) included at title/abstract, i.e.
eligible at the full-text stage. Each is obtained (a file in the folder for any of
its records, or screened at full text: evidently retrieved), not retrieved (see
``not_retrieved_units``), requested, or still sought.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from reviewkit.dedup.units import merged_record
from reviewkit.errors import ReviewkitError
from reviewkit.fulltext.hashes import FileHashes
from reviewkit.fulltext.index import (
    Entry,
    by_unit,
    files_by_stem,
    fulltext_dir,
    index_path,
    load_index,
    unit_files,
)
from reviewkit.project.atomic import write_text_atomic
from reviewkit.project.config import Project
from reviewkit.screening.data import Screening
from reviewkit.screening.reasons import agreed_reason, primary_reason
from reviewkit.screening.state import StageState

OBTAINED, NOT_RETRIEVED, REQUESTED, SOUGHT = "obtained", "not retrieved", "requested", "sought"
STATES = (OBTAINED, NOT_RETRIEVED, REQUESTED, SOUGHT)
COLUMNS = ["record_id", "state", "file", "requested", "reason", "check", "title", "authors",
           "year", "journal", "doi", "url"]


@dataclass(frozen=True)
class RetrievalCounts:
    """PRISMA 2020: reports sought for retrieval, and reports not retrieved."""

    sought: int
    obtained: int
    not_retrieved: int
    awaiting: int  # sought, neither obtained nor marked not retrieved yet

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def fulltext_stage(screening: Screening) -> str:
    """The stage whose records are sought at full text ('full-text', else the second)."""
    stages = screening.conf.stages
    if "full-text" in stages:
        return "full-text"
    if len(stages) < 2:
        raise ReviewkitError("the project screens in one stage only: no reports are sought at "
                             "full text ([screening] stages in reviewkit.toml)",
                             field="screening.stages")
    return stages[1]


def retrieval_rows(screening: Screening, hashes: FileHashes | None = None) -> list[dict]:
    """One row per report sought at full text, in screening's unit order (files hashed
    through ``hashes``, by default the project's cache, which is saved after)."""
    project, store = screening.project, screening.store
    hashes = FileHashes(project) if hashes is None else hashes
    index = load_index(project)
    present = files_by_stem(project)
    units = {u.id: u for u in screening.units}
    stage = fulltext_stage(screening)
    lost = not_retrieved_units(screening, index, present)
    grouped = by_unit(index, screening.unit_of)
    state, folder = screening.state(stage), fulltext_dir(project)
    strays = _strays(project, index, hashes)
    rows = []
    for uid in screening.eligible(stage):
        unit = units[uid]
        keyed = grouped.get(uid, [])
        files = [p for _, p in unit_files(project, keyed, unit.members, present)]
        entries = [e for _, e in keyed]
        rec = merged_record(store, unit)
        # screened at full text: evidently retrieved, though no file is kept here
        read = uid not in lost and not files and screened_at(state, uid)
        check = [_check(screening, keyed, strays, hashes),
                 _stale(screening, uid, files, entries, uid in lost),
                 f"screened at {stage}; no file in {project.relative(folder)}/" if read else ""]
        rows.append({
            "record_id": uid,
            "state": NOT_RETRIEVED if uid in lost else OBTAINED if read else _state(files,
                                                                                  entries),
            "file": project.relative(files[0]) if files else "",
            "requested": next((e.requested for e in entries if e.requested), ""),
            "reason": lost.get(uid, ""),
            "check": "; ".join(c for c in check if c),
            "title": rec.title, "authors": "; ".join(rec.authors), "year": rec.year or "",
            "journal": rec.journal, "doi": rec.doi,
            "url": rec.urls[0] if rec.urls else (f"https://doi.org/{rec.doi}" if rec.doi else ""),
        })
    hashes.save()
    return rows


def not_retrieved_units(screening: Screening, index: dict[str, Entry] | None = None,
                        present: dict[str, list[Path]] | None = None) -> dict[str, str]:
    """unit -> why, for the reports sought at full text that are not retrieved (PRISMA's
    box, ``fulltext status`` and ``list`` all use this one rule):

    - excluded at full text for 'not retrieved' (the agreed or settled reason), or
    - marked not retrieved, with no file in the folder, and nobody has judged it at full
      text other than as not retrieved: a report screened at full text, or whose file
      is here, was evidently retrieved, so a mark made earlier no longer counts."""
    project = screening.project
    index = load_index(project) if index is None else index
    present = files_by_stem(project) if present is None else present
    stage = fulltext_stage(screening)
    state = screening.state(stage)
    grouped = by_unit(index, screening.unit_of)
    out = {}
    for uid in screening.eligible(stage):
        marked = [e.not_retrieved for _, e in grouped.get(uid, []) if e.not_retrieved]
        if _excluded_not_retrieved(state, uid):
            out[uid] = f"excluded at {stage}: {NOT_RETRIEVED}"
        elif marked and not screened_at(state, uid) and not unit_files(
                project, grouped[uid], screening.members.get(uid, (uid,)), present):
            out[uid] = marked[0]
    return out


def screened_at(state: StageState, unit: str) -> bool:
    """Someone judged the unit at full text other than 'exclude: not retrieved'."""
    return any(e["decision"] != "exclude" or NOT_RETRIEVED not in
               primary_reason(e.get("reason") or "").lower()
               for e in state.judgements(unit).values())


def _excluded_not_retrieved(state: StageState, unit: str) -> bool:
    """Excluded at full text for 'not retrieved' (the agreed or settled reason, first in
    the project's order)."""
    if state.outcome(unit) != "exclude":
        return False
    excluded = {r: e for r, e in state.judgements(unit).items() if e["decision"] == "exclude"}
    agreed = agreed_reason(excluded, state.resolution(unit))
    return agreed is not None and NOT_RETRIEVED in primary_reason(agreed).lower()


def _stale(screening: Screening, unit: str, files: list, entries: list[Entry],
           lost: bool) -> str:
    """Why a retrieval mark or file disagrees with the state shown."""
    stage = fulltext_stage(screening)
    if lost and files:
        return f"a file is here, but {stage} screening excluded it as {NOT_RETRIEVED}"
    if not lost and any(e.not_retrieved for e in entries):
        why = "a file is here" if files else f"it was screened at {stage}"
        return f"marked not retrieved, but {why}: clear the mark (fulltext mark --clear)"
    return ""


def retrieval_problems(screening: Screening) -> list:
    """What status and list warn of: screening's skipped or orphaned log lines, then each
    index entry naming no record (counted for no report; reviewkit doctor may re-link)."""
    from reviewkit.records.orphans import Orphan

    index = load_index(screening.project)
    gone = [rid for rid in index if not screening.knows(rid)]
    if not gone:
        return screening.problems()
    path = index_path(screening.project)
    lines = path.read_text("utf-8-sig").splitlines()
    rel = screening.project.relative(path)
    return screening.problems() + [
        Orphan(rel, next((n for n, text in enumerate(lines, 1)
                          if f'"{rid}"' in text or f"'{rid}'" in text), None),
               rid, "record", "full-text entry", None) for rid in gone]


def retrieval_counts(screening: Screening) -> RetrievalCounts:
    """The counts PRISMA's full-text retrieval boxes need (library call for reporting)."""
    return counts_of(retrieval_rows(screening))


def counts_of(rows: list[dict]) -> RetrievalCounts:
    """The counts of rows from ``retrieval_rows``."""
    states = [r["state"] for r in rows]
    obtained, missing = states.count(OBTAINED), states.count(NOT_RETRIEVED)
    return RetrievalCounts(len(states), obtained, missing, len(states) - obtained - missing)


def missing_rows(screening: Screening) -> list[dict]:
    """The retrieval list: reports still to obtain (sought or requested)."""
    return [r for r in retrieval_rows(screening) if r["state"] in (SOUGHT, REQUESTED)]


def _state(files: list, entries: list[Entry]) -> str:
    """Obtained, requested or sought (not retrieved is decided by not_retrieved_units)."""
    if files:
        return OBTAINED
    if any(e.requested for e in entries):
        return REQUESTED
    return SOUGHT


def _check(screening: Screening, keyed: list[tuple[str, Entry]],
           strays: Callable[[], dict[str, Path]], hashes: FileHashes) -> str:
    """What is wrong with an attached file: gone (and where its bytes are, if renamed in
    the folder), or not the bytes that were attached."""
    folder = fulltext_dir(screening.project)
    out = []
    for _, entry in keyed:
        if not entry.file:
            continue
        path = folder / entry.file
        if not path.is_file():
            moved = strays().get(entry.sha256) if entry.sha256 else None
            out.append(f"{entry.file} is missing" + (
                f" (its bytes are in {moved.name!r}: rename it back)" if moved else ""))
        elif entry.sha256 and hashes.sha256(path) != entry.sha256:
            out.append(f"{entry.file} differs from the file attached (sha256)")
    return "; ".join(out)


def _strays(project: Project, index: dict[str, Entry], hashes: FileHashes
            ) -> Callable[[], dict[str, Path]]:
    """sha256 -> file, for files in the folder the index names for no record (hashed once,
    and only when an attached file is missing)."""
    found: dict[str, Path] = {}
    done = False

    def get() -> dict[str, Path]:
        nonlocal done
        if not done:
            named = {e.file for e in index.values() if e.file}
            for paths in files_by_stem(project).values():
                for p in paths:
                    if p.name not in named:
                        found.setdefault(hashes.sha256(p), p)
            done = True
        return found
    return get


LIST_COLUMNS = ["record_id", "state", "requested", "title", "authors", "year", "journal",
                "doi", "url"]


def retrieval_list(screening: Screening, missing: bool = True) -> tuple[str, int]:
    """(CSV text, rows): the list a librarian works from (``missing``: only reports still to
    obtain, else every report sought)."""
    from reviewkit.reporting.tables import render

    rows = missing_rows(screening) if missing else retrieval_rows(screening)
    return render(rows, "csv", columns=LIST_COLUMNS), len(rows)


def save_list(path: Path, text: str) -> None:
    """Write the list to a new file, whole (an existing file is never overwritten)."""
    path = Path(path)
    if path.exists():
        raise ReviewkitError("already exists; choose a new file name", file=str(path))
    if not path.parent.is_dir():
        raise ReviewkitError("no such folder", file=str(path.parent))
    try:
        write_text_atomic(path, text)
    except OSError as exc:
        raise ReviewkitError(f"cannot write: {exc.strerror}", file=str(path)) from None
