"""Import export files into a project: check all, keep the bytes, log, refresh.

Atomic: every file is parsed before anything is written, so a bad file
imports nothing. Idempotent: a file whose content is already in the project
adds no records.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from reviewkit.errors import ReviewkitError
from reviewkit.io import ParsedFile
from reviewkit.io.stream import check_file
from reviewkit.project.config import Project
from reviewkit.searches.log import add_files, get_search, load_searches
from reviewkit.store.base import Store
from reviewkit.store.sync import refresh


@dataclass
class FileResult:
    path: str
    stored_as: str
    format: str
    dialect: str
    records: int
    already_imported: bool


@dataclass
class ImportReport:
    files: list[FileResult] = field(default_factory=list)
    added: int = 0
    warnings: list[str] = field(default_factory=list)


def _existing_exports(project: Project, store: Store) -> dict[str, str]:
    """sha256 -> project path, for every export file the store knows."""
    return {row.sha256: row.path for row in store.files()}


def import_files(project: Project, store: Store, paths: list[Path], search_id: str | None = None,
                 fmt: str | None = None, columns: dict[str, str] | None = None,
                 progress: Callable[[str], None] | None = None) -> ImportReport:
    """Import ``paths`` (into search ``search_id`` when given) and refresh the store."""
    if search_id is not None:
        search = get_search(project, search_id)
        if (fmt and search.format and fmt != search.format) or (columns and search.columns):
            raise ReviewkitError("this search already sets how its files are read; "
                                 "edit its format/columns in the search file")
    elif columns or fmt:
        raise ReviewkitError("--format/--columns must be kept with a logged search: "
                             "add --search ID so rebuilds read the file the same way")
    refresh(project, store)  # the store must reflect the project before we compare
    parsed: list[ParsedFile] = []
    whole: dict[str, ParsedFile] = {}  # read once and kept: stored without a second read
    for path in paths:
        if progress:
            progress(str(path))
        pf, kept = check_file(path, fmt, columns)  # a big file: checked, not held in memory
        parsed.append(pf)
        if kept:
            whole[pf.sha256] = pf
    known = _existing_exports(project, store)
    before = store.count_records()
    report = ImportReport()
    to_log: list[str] = []
    project.exports_dir.mkdir(parents=True, exist_ok=True)
    for pf in parsed:
        src = Path(pf.path).resolve()
        already = known.get(pf.sha256)
        if already:
            dest_rel = already
        elif _inside(src, project.exports_dir):
            dest_rel = project.relative(src)
        else:
            dest = _free_name(project.exports_dir, src.name)
            tmp = dest.with_name("." + dest.name + ".part")
            shutil.copyfile(src, tmp)  # the bytes exactly as delivered
            tmp.replace(dest)
            dest_rel = project.relative(dest)
        known[pf.sha256] = dest_rel
        if search_id is not None and dest_rel not in search.files:
            to_log.append(dest_rel)
        report.files.append(FileResult(pf.path, dest_rel, pf.format, pf.dialect,
                                       pf.entries, bool(already)))
    if search_id is not None and to_log:
        add_files(project, search_id, to_log)
    report.warnings.extend(w for pf in parsed for w in pf.warnings)
    if search_id is None:
        report.warnings.append("no --search given: the file is kept as an unlogged source; "
                               "log the search (reviewkit search add) so PRISMA can count it")
    copied = {rel: sha for sha, rel in known.items()}
    refresh(project, store, whole, known=copied)
    report.added = store.count_records() - before
    return report


def import_logged(project: Project, store: Store) -> ImportReport:
    """Read every export file the search log names (the 'import what the log names' path)."""
    load_searches(project)
    before = store.count_records()
    refresh(project, store)
    report = ImportReport()
    for row in store.files():
        report.files.append(FileResult(row.path, row.path, row.format, row.dialect,
                                       row.entries, True))
    report.added = store.count_records() - before
    return report


def _inside(path: Path, root: Path) -> bool:
    try:
        path.relative_to(root.resolve())
        return True
    except ValueError:
        return False


def _free_name(folder: Path, name: str) -> Path:
    dest = folder / name
    n = 2
    while dest.exists():
        dest = folder / f"{Path(name).stem}-{n}{Path(name).suffix}"
        n += 1
    return dest


def parse_columns(spec: str | None) -> dict[str, str] | None:
    """'title=Article Title,abstract=Summary' -> {'title': 'Article Title', ...}."""
    if not spec:
        return None
    out = {}
    for part in spec.split(","):
        field_name, sep, header = part.partition("=")
        if not sep or not field_name.strip() or not header.strip():
            raise ReviewkitError(f"--columns: expected field=Header pairs, got {part!r}")
        out[field_name.strip()] = header.strip()
    return out
