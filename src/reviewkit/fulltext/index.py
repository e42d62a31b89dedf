"""``fulltext/index.toml``: which file holds each record's full text, its sha256, and
the retrieval marks (requested, not retrieved). People may edit it: comments are kept.

A full text is named after its record id, ``/`` and ``:`` replaced by ``_``, keeping
the file's extension: record ``wos-asysd-d5d7ea/WOS:000123`` attached from
``paper.PDF`` becomes ``fulltext/wos-asysd-d5d7ea_WOS_000123.pdf``. A file dropped
into the folder by hand under that name counts as obtained too.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from pathlib import Path

import tomlkit
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from reviewkit.errors import ReviewkitError
from reviewkit.project import tomlfile
from reviewkit.project.config import Project
from reviewkit.screening.config import screening_config

INDEX = "index.toml"
HEADER = """\
# Full texts of this review, kept by `reviewkit fulltext` (edit by hand if you like:
# comments are kept). One table per record id: the attached file in this folder and
# its sha256, or the retrieval marks: requested = date asked for, not_retrieved = why
# it could not be obtained. Files are named <record id with / and : as _>.<ext>.
"""


class Entry(BaseModel):
    """What is known about one record's full text."""

    model_config = ConfigDict(extra="forbid")
    file: str = ""          # name inside the full-text folder
    sha256: str = ""
    original: str = ""      # the name it was attached from
    attached: str = ""
    requested: str = ""
    not_retrieved: str = ""  # the reason

    @field_validator("attached", "requested")
    @classmethod
    def _when(cls, value: str) -> str:
        if value:
            try:  # the date (or time) written by `reviewkit fulltext`: counts sort by it
                dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
            except ValueError:
                raise ValueError(f"{value!r} is not a date: write YYYY-MM-DD") from None
        return value

    @field_validator("sha256")
    @classmethod
    def _sha(cls, value: str) -> str:
        if value and not re.fullmatch(r"[0-9a-f]{64}", value):
            raise ValueError("a sha256 is 64 lower-case hex digits (leave it to "
                             "`reviewkit fulltext attach`)")
        return value

    @field_validator("file")
    @classmethod
    def _file(cls, value: str) -> str:
        if "/" in value or "\\" in value or value in (".", ".."):
            raise ValueError(f"{value!r}: a file name inside the full-text folder, no path")
        if value == INDEX:
            raise ValueError(f"{INDEX} is this index, not a full text")
        return value


def fulltext_dir(project: Project) -> Path:
    return project.root / screening_config(project).fulltext_dir


def index_path(project: Project) -> Path:
    return fulltext_dir(project) / INDEX


def fulltext_name(record_id: str, suffix: str) -> str:
    """The documented file name of a record's full text (``suffix`` like '.pdf')."""
    return stem_of(record_id) + suffix.lower()


def stem_of(record_id: str) -> str:
    # the same stem the screener looks for (screening/session.py fulltext)
    return record_id.replace("/", "_").replace(":", "_")


def files_of(project: Project, record_id: str) -> list[Path]:
    """Files in the folder named after ``record_id`` (any extension), sorted."""
    folder = fulltext_dir(project)
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.glob(glob_escape(stem_of(record_id)) + ".*") if p.is_file())


def files_by_stem(project: Project) -> dict[str, list[Path]]:
    """Every file in the folder by its stem (one listing for a whole status)."""
    folder = fulltext_dir(project)
    out: dict[str, list[Path]] = {}
    for p in sorted(folder.iterdir()) if folder.is_dir() else []:
        if p.is_file() and not p.name.startswith(".") and p.name != INDEX and p.suffix:
            out.setdefault(p.name[:-len(p.suffix)], []).append(p)
    return out


def by_unit(index: dict[str, Entry], unit_of: Callable[[str], str]
            ) -> dict[str, list[tuple[str, Entry]]]:
    """Index entries by the unit their record belongs to: an entry written under an
    older id of a record (before its file was renamed or re-logged) still counts."""
    out: dict[str, list[tuple[str, Entry]]] = {}
    for rid, entry in index.items():
        out.setdefault(unit_of(rid), []).append((rid, entry))
    return out


def unit_files(project: Project, entries: list[tuple[str, Entry]], members: Iterable[str],
               present: dict[str, list[Path]] | None = None) -> list[tuple[str, Path]]:
    """(record, file) for every file a report holds: the indexed ones, then any dropped in
    by hand under a record's name (``present``: files_by_stem, for a whole listing)."""
    folder = fulltext_dir(project)
    out: list[tuple[str, Path]] = []
    found = [(rid, folder / e.file) for rid, e in entries if e.file]
    for m in members:
        here = present.get(stem_of(m), []) if present is not None else files_of(project, m)
        found += [(m, p) for p in here]
    for rid, path in found:
        if path.is_file() and path not in [p for _, p in out]:
            out.append((rid, path))
    return out


def report_files(project: Project, unit_of: Callable[[str], str], unit: str,
                 members: Iterable[str]) -> list[Path]:
    """The files holding a report's full text (any of its records, any id they had)."""
    entries = by_unit(load_index(project), unit_of).get(unit, [])
    return [p for _, p in unit_files(project, entries, members)]


def glob_escape(text: str) -> str:
    return re.sub(r"([*?\[])", r"[\1]", text)


def load_index(project: Project) -> dict[str, Entry]:
    """record id -> entry; empty when there is no index yet. Errors name file and line."""
    path = index_path(project)
    if not path.exists():
        return {}
    data, text = tomlfile.load(path)
    unknown = [k for k in data if k != "record"]
    if unknown:
        raise ReviewkitError(f"unknown table {unknown[0]!r} (entries go under [record.\"ID\"])",
                             file=str(path), line=tomlfile.line_of(text, unknown[0]))
    out = {}
    for rid, raw in (data.get("record") or {}).items():
        try:
            out[rid] = Entry.model_validate(raw)
        except ValidationError as exc:
            err = tomlfile.validation_error(exc, path, text)
            err.line = _line_in_table(text, rid, err.field or "") or err.line
            err.field = f"record.{rid}.{err.field}"
            raise err from None
    return out


def _line_in_table(text: str, rid: str, key: str) -> int | None:
    head = re.compile(rf"^\s*\[\s*record\s*\.\s*[\"']{re.escape(rid)}[\"']\s*\]")
    return tomlfile.table_line(text, head, key)


def read_document(project: Project) -> tomlkit.TOMLDocument:
    """The index as an editable document (a new one with the header when absent)."""
    path = index_path(project)
    if path.exists():
        load_index(project)  # refuse to edit a file that does not validate
        return tomlkit.parse(path.read_text("utf-8-sig"))
    return tomlkit.parse(HEADER)


def set_entry(doc: tomlkit.TOMLDocument, record_id: str, values: dict[str, str]) -> None:
    """Set (or, for empty values, drop) keys of one record's table, keeping the rest."""
    if "record" not in doc:
        doc.add(tomlkit.nl())
        doc["record"] = tomlkit.table(is_super_table=True)
    records = doc["record"]
    if record_id not in records:
        records[record_id] = tomlkit.table()
    table = records[record_id]
    for key, value in values.items():
        if value:
            table[key] = value
        elif key in table:
            del table[key]
