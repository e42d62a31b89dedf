"""References that name nothing: a decision, judgement or study link whose id resolves to no
record, and appraisal/extraction folders of a study not in studies.toml.

Found by file and line so a person can see them; never dropped, never counted around.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from reviewkit.errors import ReviewkitError
from reviewkit.project.config import Project
from reviewkit.store.base import Store

BOM = b"\xef\xbb\xbf"
_ID_LINE = re.compile(r"[\"']([^\"'\n]+)[\"']")


@dataclass(frozen=True)
class Orphan:
    file: str        # relative to the project
    line: int | None
    id: str
    kind: str        # "record" or "study"
    what: str        # "screening decision", "dedup judgement", "study report", ...
    fix: str | None  # the current id it most likely means (same record key, one match)

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        hint = f" (probably {self.fix!r}: reviewkit doctor --fix)" if self.fix else ""
        if self.kind == "study":
            return f"{where}: {self.what} of study {self.id!r}, which is not in studies.toml"
        return f"{where}: {self.what} names {self.kind} {self.id!r}, which does not exist{hint}"


def find_orphans(project: Project, store: Store) -> list[Orphan]:
    """Every reference in the project's files that names no record or study."""
    known = store.record_ids()
    resolved: dict[str, bool] = {}

    def exists(rid: str) -> bool:
        if rid not in known and rid not in resolved:
            resolved[rid] = store.resolve(rid) is not None
        return rid in known or resolved[rid]

    out = []
    for rel, line, rid, what in _record_refs(project):
        if not exists(rid):
            out.append(Orphan(rel, line, rid, "record", what, _guess(store, rid)))
    out.extend(_study_orphans(project))
    return out


def refuse_orphans(project: Project, store: Store, counting: str) -> None:
    """Stop a count (report, prisma) that would silently leave decisions out."""
    # a study's missing report is refused by records/studies.py, with what else is wrong
    orphans = [o for o in find_orphans(project, store) if not o.what.startswith("study ")]
    if orphans:
        first = "; ".join(str(o) for o in orphans[:3])
        more = f" and {len(orphans) - 3} more" if len(orphans) > 3 else ""
        raise ReviewkitError(f"{len(orphans)} reference(s) name nothing, so {counting} would "
                             f"leave them out: {first}{more}; run reviewkit doctor")


def link_orphans(project: Project, store: Store) -> list[Orphan]:
    """Alias every orphaned record id that has exactly one likely match; returns those linked."""
    from reviewkit.records.fileids import FileIds
    from reviewkit.store.sync import file_ids_path

    fixable = [o for o in find_orphans(project, store) if o.kind == "record" and o.fix]
    if not fixable:
        return []
    ids = FileIds.load(file_ids_path(project))
    for o in {o.id: o for o in fixable}.values():
        ids.add_alias(o.id, o.fix, f"doctor: same record key, first seen in {o.file}")
    ids.save()
    store.set_aliases(ids.aliases)
    return fixable


def _guess(store: Store, rid: str) -> str | None:
    _, sep, key = rid.partition("/")
    if not sep:
        return None
    hits = store.ids_with_key(key)
    return hits[0] if len(hits) == 1 else None


def _record_refs(project: Project) -> Iterator[tuple[str, int, str, str]]:
    """(file, line, record id, what) for every record id the people's files name."""
    screening = project.root / "screening"
    # each file's name worked out once: a path resolve per line cost 3 s at 20k decisions
    for path in sorted(screening.glob("*/*.jsonl")) if screening.is_dir() else []:
        name = project.relative(path)
        for number, event in _json_lines(path):
            if isinstance(event.get("record"), str):
                yield name, number, event["record"], "screening decision"
    judgements = project.root / "dedup" / "judgements.jsonl"
    name = project.relative(judgements)
    for number, event in _json_lines(judgements):
        for side in ("a", "b"):
            if isinstance(event.get(side), str):
                yield name, number, event[side], "dedup judgement"
    yield from _study_reports(project)
    yield from _fulltext_entries(project)


def _fulltext_entries(project: Project) -> Iterator[tuple[str, int, str, str]]:
    from reviewkit.fulltext.index import index_path, load_index

    path = index_path(project)
    if not path.exists():
        return
    lines = path.read_text("utf-8-sig").splitlines()
    for rid in load_index(project):
        yield project.relative(path), _line_naming(lines, rid), rid, "full-text entry"


def _study_reports(project: Project) -> Iterator[tuple[str, int, str, str]]:
    from reviewkit.records.studies import load_studies, studies_path

    path = studies_path(project)
    if not path.exists():
        return
    text = path.read_text("utf-8")
    lines = text.splitlines()
    for study in load_studies(project):
        for rid in study.reports:
            yield path.name, _line_naming(lines, rid), rid, f"study {study.id!r}"


def _study_orphans(project: Project) -> list[Orphan]:
    from reviewkit.records.studies import study_ids

    known = set(study_ids(project))
    out = []
    for folder in ("casp", "extraction"):
        base = project.root / folder
        if not base.is_dir():
            continue
        for sub in sorted(base.iterdir()):
            if sub.is_dir() and not sub.name.startswith(".") and sub.name not in known:
                if any(sub.glob("*.yaml")):
                    what = "appraisals" if folder == "casp" else "extraction records"
                    out.append(Orphan(f"{folder}/{sub.name}", None, sub.name, "study", what,
                                      None))
    if (project.root / "synthesis" / "sources.toml").exists():
        from reviewkit.synthesis.sources import SOURCES, load_sources

        out.extend(Orphan(SOURCES, s.study_line, s.study, "study", f"synthesis source {s.id!r}",
                          None) for s in load_sources(project) if s.study not in known)
    return out


def _json_lines(path: Path) -> Iterator[tuple[int, dict]]:
    try:
        data = path.read_bytes()
    except (FileNotFoundError, IsADirectoryError):
        return
    # read as screening.log.read_jsonl reads: a line it counts is checked here too
    for number, raw in enumerate(data.removeprefix(BOM).split(b"\n"), 1):
        try:
            event = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            continue  # not ours to judge: the log's own reader reports bad lines
        if isinstance(event, dict):
            yield number, event


def _line_naming(lines: list[str], rid: str) -> int | None:
    for number, line in enumerate(lines, 1):
        if any(m.group(1) == rid for m in _ID_LINE.finditer(line)):
            return number
    return None
