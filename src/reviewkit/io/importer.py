"""Import export files into a project: check all, keep the bytes, log, refresh.

Atomic: every file is parsed before anything is written, so a bad file
imports nothing. Idempotent: a file whose content is already in the project
adds no records. Kill-safe: each export is copied under a hidden name and
renamed into place whole; the search file is written after, so a kill in
between leaves a whole, unlogged file (importing it again logs it).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from reviewkit.errors import ReviewkitError
from reviewkit.io import ParsedFile
from reviewkit.io.stream import check_file
from reviewkit.project.atomic import copy_atomic, fsync_dir
from reviewkit.project.config import Project
from reviewkit.searches.log import Search, add_files, get_search, load_searches
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
    """Import ``paths`` (into search ``search_id`` when given) and refresh the store.

    ``fmt``/``columns`` are kept in the search file, so a rebuild reads the
    files exactly as this import did. Call it under the project lock
    (project.session): it sweeps the hidden copies a killed import left.
    """
    search, settings = None, {}
    if search_id is not None:
        search = get_search(project, search_id)
        settings = _new_settings(search, fmt, columns)
        fmt, columns = fmt or search.format or None, columns or search.columns or None
    elif columns or fmt:
        raise ReviewkitError("--format/--columns must be kept with a logged search: "
                             "add --search ID so rebuilds read the file the same way")
    held = _file_entries(store)
    refresh(project, store)  # the store must reflect the project before we compare
    _, gone = _changes(held, _file_entries(store))  # edits made since the last command
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
    owner = {f: s.id for s in load_searches(project) for f in s.files}
    if search is not None:  # a file belongs to one search: refuse before writing anything
        for pf in parsed:
            other = owner.get(known.get(pf.sha256, ""))
            if other and other != search.id:
                raise ReviewkitError(f"this file is already logged by search {other!r} "
                                     f"(searches/{other}.toml): a file belongs to one search",
                                     file=pf.path)
    if search is None:
        for pf in parsed:
            _refuse_unread(project, Path(pf.path).resolve(), known.get(pf.sha256))
    before = store.count_records()
    report = ImportReport(warnings=gone)
    to_log: list[str] = []
    staged: list[tuple[Path, Path]] = []
    project.exports_dir.mkdir(parents=True, exist_ok=True)
    _drop_stale_parts(project.exports_dir)
    try:
        for pf in parsed:
            src = Path(pf.path).resolve()
            already = known.get(pf.sha256)
            if already:
                dest_rel = already
            elif _inside(src, project.exports_dir):
                dest_rel = project.relative(src)
            else:
                dest = _free_name(project.exports_dir, src.name, {d for _, d in staged})
                part = dest.with_name(f".{dest.name}.part")  # hidden: no reader sees it
                copy_atomic(src, part)  # the bytes exactly as delivered, fsynced
                staged.append((part, dest))
                dest_rel = project.relative(dest)
            known[pf.sha256] = dest_rel
            if search is not None and dest_rel not in search.files and dest_rel not in to_log:
                to_log.append(dest_rel)
            report.files.append(FileResult(pf.path, dest_rel, pf.format, pf.dialect,
                                           pf.entries, bool(already)))
    except BaseException:
        for part, _ in staged:
            part.unlink(missing_ok=True)
        raise
    # every copy is whole before any appears; then the log names them
    for part, dest in staged:
        os.replace(part, dest)
    if staged:
        fsync_dir(project.exports_dir)
    if search is not None and (to_log or settings):
        _log_files(project, search, to_log, settings)
    report.warnings.extend(w for pf in parsed for w in pf.warnings)
    if search_id is None:
        # a file some search already names is that search's, not an unlogged source
        unlogged = list(dict.fromkeys(f.stored_as for f in report.files
                                      if f.stored_as not in owner))
        if unlogged:
            report.warnings.append(f"{'; '.join(unlogged)}: no --search given: kept as an "
                                   "unlogged source; log the search (reviewkit search add) "
                                   "so PRISMA can count it")
    copied = {rel: sha for sha, rel in known.items()}
    refresh(project, store, whole, known=copied)
    report.added = store.count_records() - before
    return report


def _new_settings(search: Search, fmt: str | None, columns: dict[str, str] | None) -> dict:
    """The format/columns this import must add to the search file (empty if none)."""
    if (fmt and search.format and fmt != search.format) or \
            (columns and search.columns and columns != search.columns):
        raise ReviewkitError("this search already sets how its files are read; "
                             "edit its format/columns in the search file")
    settings: dict = {}
    if fmt and not search.format:
        settings["format"] = fmt
    if columns and not search.columns:
        settings["columns"] = dict(columns)
    if settings and search.files:
        raise ReviewkitError(f"search {search.id!r} already has files read without "
                             "--format/--columns; storing them would change how those are "
                             "read: log this file as a search of its own")
    return settings


def _log_files(project: Project, search: Search, files: list[str], settings: dict) -> None:
    # one write names the files and how to read them (the search has no other files),
    # editing the search file in place: the librarian's comments stay
    add_files(project, search.id, files, settings)


def _refuse_unread(project: Project, src: Path, already: str | None) -> None:
    """An unlogged file is read where the refresh looks: directly in searches/exports/,
    not hidden. One kept in place elsewhere in that folder would be reported as kept and
    then never read."""
    exports = project.exports_dir.resolve()
    if already or not _inside(src, exports) or (src.parent == exports
                                                 and not src.name.startswith(".")):
        return
    raise ReviewkitError("an export kept in a subfolder of searches/exports/ or under a "
                         "hidden name is read only when a search logs it: add --search ID, "
                         "or move it up into searches/exports/", file=project.relative(src))


def _drop_stale_parts(folder: Path) -> None:
    """Copies left by an import killed mid-way (under the project lock, none is live)."""
    for pattern in (".*.part", ".*.part.*.tmp"):  # staged copies and copy_atomic's temps
        for part in folder.glob(pattern):
            if part.is_file():
                part.unlink(missing_ok=True)


def import_logged(project: Project, store: Store, search_id: str | None = None,
                  fmt: str | None = None, columns: str | None = None) -> ImportReport:
    """Read every export file the search log names (the 'import what the log names' path).

    ``search_id``/``fmt``/``columns`` are refused: they apply to files being imported,
    and silently ignoring them would let a forgotten file name look like an import."""
    given = [opt for opt, v in (("--search", search_id), ("--format", fmt),
                                ("--columns", columns)) if v]
    if given:
        raise ReviewkitError(f"{'/'.join(given)} given but no export file: name the file(s) "
                             "to import, e.g. reviewkit import --search medline medline.ris")
    load_searches(project)
    before = _file_entries(store)  # the files the store held before this run
    refresh(project, store)
    report = ImportReport()
    for row in store.files():
        report.files.append(FileResult(row.path, row.path, row.format, row.dialect,
                                       row.entries, row.path in before))
    report.added, gone = _changes(before, _file_entries(store))
    report.warnings.extend(gone)
    return report


def _file_entries(store: Store) -> dict[str, tuple[str, int]]:
    return {row.path: (row.sha256, row.entries) for row in store.files()}


def _changes(before: dict[str, tuple[str, int]],
             after: dict[str, tuple[str, int]]) -> tuple[int, list[str]]:
    """(records added, a warning per file whose records left): a file that left the log
    is said so, not netted against new ones into '-6 new records'. A file renamed or
    moved between sources (same content) neither adds nor loses."""
    shas_before = {sha for sha, _ in before.values()}
    shas_after = {sha for sha, _ in after.values()}
    added = 0
    for path, (sha, n) in after.items():
        old = before.get(path)
        if old is None:
            added += 0 if sha in shas_before else n
        else:
            added += max(0, n - old[1])
    gone = []
    for path, (sha, n) in before.items():
        new = after.get(path)
        if new is None and sha not in shas_after:
            gone.append(f"{path}: its {n} records are no longer in the project (the file "
                        "left the search log or was removed)")
        elif new is not None and new[1] < n:
            gone.append(f"{path}: now holds {new[1]} records, {n} before (the file changed)")
    return added, gone


def _inside(path: Path, root: Path) -> bool:
    try:
        path.relative_to(root.resolve())
        return True
    except ValueError:
        return False


def _free_name(folder: Path, name: str, taken: set[Path]) -> Path:
    # a hidden name (.embase.ris) is one the refresh skips, as it skips its own temp copies
    name = name.lstrip(".") or "export"
    dest = folder / name
    n = 2
    while dest.exists() or dest in taken:
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
