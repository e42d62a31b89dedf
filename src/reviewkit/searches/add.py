"""`search add`: log a search and import its exports, all or nothing.

A search file left behind by a failed import would be counted as a database in the
PRISMA diagram with no records, so any failure takes back what was written.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from reviewkit.errors import ReviewkitError
from reviewkit.io.importer import ImportReport, import_files
from reviewkit.project.atomic import write_bytes_atomic
from reviewkit.project.config import Project
from reviewkit.searches.log import Search, add_search, get_search, read_search, search_path
from reviewkit.searches.reconcile import reconcile
from reviewkit.store.base import Store


def log_search(project: Project, store: Store, search: Search,
               files: list[Path] | None = None) -> tuple[Path, ImportReport | None, bool]:
    """Write ``searches/<id>.toml`` and import ``files`` into it; on any error neither
    the search file nor a copied export stays behind. The report's warnings hold the
    readers' and a hit count the files do not match. Run again with the same details it
    writes nothing (False: already logged) and imports only files it lacks."""
    claimed = {row.sha256: row for row in store.files() if row.search_id}
    for file in files or []:
        _check_readable(file)  # the cheap mistakes, before anything is written
        row = claimed.get(_sha256(file))
        if row is not None and row.search_id != search.id:
            raise ReviewkitError(f"this export is already logged as {row.path} in search "
                                 f"'{row.search_id}'; one export file belongs to one search",
                                 file=str(file))
    path = search_path(project, search.id)
    created = not path.exists()
    if not created:
        _same_details(path, search)
        logged = path.read_bytes()  # put back whole if the import fails after naming files
    exports = _listing(project.exports_dir)
    if created:
        add_search(project, search)
    if not files:
        return path, None, created
    try:
        report = import_files(project, store, list(files), search.id)
    except BaseException:
        if created:
            path.unlink(missing_ok=True)
        else:
            write_bytes_atomic(path, logged)
        for new in _listing(project.exports_dir) - exports:
            (project.exports_dir / new).unlink(missing_ok=True)
        raise
    # the check `import` and `search list` make, given at once: hits that do not match
    # what the export holds must not wait for someone to list the searches
    for check in reconcile([get_search(project, search.id)], store.count_entries()):
        if check.status == "mismatch":
            report.warnings.append(f"{check.search_id}: {check.message}")
    return path, report, created


def _same_details(path: Path, search: Search) -> None:
    """Refuse a second `search add` of an id unless it repeats what is logged, naming
    each detail that differs (a correction is an edit; an update is a search of its own)."""
    logged = read_search(path)
    skip = {"id", "files", "format", "columns"}
    old, new = logged.model_dump(exclude=skip), search.model_dump(exclude=skip)
    differ = [f"{k} ({_shown(old[k], new[k])})" for k in old if old[k] != new[k]]
    if differ:
        raise ReviewkitError(f"a search with id {search.id!r} exists with other details: "
                             f"{'; '.join(differ)}; edit the file to correct it, or log a "
                             "re-run (an update) under an id of its own", file=str(path))


def _shown(old: object, new: object) -> str:
    if any(isinstance(v, str) and ("\n" in v or len(v) > 40) for v in (old, new)):
        return "differs"  # a whole strategy on one line helps nobody
    return f"logged {_value(old)}, given {_value(new)}"


def _value(v: object) -> str:
    return "none" if v in (None, "") else repr(v)


def _check_readable(file: Path) -> None:
    if not file.exists():
        raise ReviewkitError("no such file", file=str(file))
    if not file.is_file():
        raise ReviewkitError("is a folder, expected an export file", file=str(file))
    try:
        with file.open("rb"):
            pass
    except OSError as exc:
        raise ReviewkitError(f"cannot read the file ({exc.strerror})", file=str(file)) from None


def _sha256(file: Path) -> str:
    digest = hashlib.sha256()
    with file.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _listing(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir()} if folder.is_dir() else set()
