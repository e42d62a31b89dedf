"""Bring the store up to date with the project's files, re-reading only what changed.

The unit of refresh is a source: a logged search (all its export files) or
one unlogged export file. A source is re-read when the content hash of any
of its files, or the parser version, changes. Record ids come from the file's
durable key (records/fileids.py), never from the source, so logging, renaming
or moving a file keeps every id.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from reviewkit.errors import ReviewkitError
from reviewkit.io import ParsedFile, no_gc
from reviewkit.io.stream import read_pieces
from reviewkit.notices import notify
from reviewkit.project.config import Project
from reviewkit.records.fileids import MAP_NAME, FileIds
from reviewkit.records.ids import IdAssigner
from reviewkit.records.model import Record
from reviewkit.searches.log import Search, load_searches, search_path
from reviewkit.store.base import FileRow, Store

# Bump when a reader or normaliser changes what it produces: every source is re-read.
PARSER_VERSION = "7"  # 4: Ovid NO and ON tags; 5: a DOI keeps its own closing bracket;
# 6: a PubMed record (DP NLM) in a mixed RIS library gets its PMID from AN; every language;
# a reviewkit CSV export read back loses its formula guard (the leading '); BibTeX's
# \textasciicircum reads as ^; two authors sharing a name are both kept; 7: a DOI in a RIS
# note (N1) is not the record's own where its id is an accession
UNLOGGED = "unlogged-"
_SLUG = re.compile(r"[^a-z0-9]+")


@dataclass
class Source:
    key: str
    search_id: str | None
    paths: list[Path]
    fmt: str | None = None
    columns: dict[str, str] | None = None


@dataclass
class SyncReport:
    refreshed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: int = 0


def unlogged_key(path: Path) -> str:
    # the whole name: medline.ris and medline.xml are two sources
    return UNLOGGED + (_SLUG.sub("-", path.name.lower()).strip("-") or "file")


def project_sources(project: Project, searches: list[Search]) -> list[Source]:
    """Every source the project's text files name, logged searches first."""
    out, claimed = [], {}
    for s in searches:
        paths = []
        for name in s.files:
            path = (project.root / name).resolve()
            if not path.is_file():
                raise ReviewkitError(f"export file {name!r} is named here but does not exist",
                                     file=str(search_path(project, s.id)), field="files")
            if path in claimed and claimed[path] != s.id:
                raise ReviewkitError(
                    f"export file {name!r} is also logged by search {claimed[path]!r}: a file "
                    "belongs to one search; remove it from one of the two",
                    file=str(search_path(project, s.id)), field="files")
            if path not in paths:  # named twice in one search: read once
                paths.append(path)
            claimed[path] = s.id
        out.append(Source(s.id, s.id, sorted(paths), s.format or None, s.columns or None))
    if project.exports_dir.is_dir():
        root = project.root.resolve()
        for entry in sorted(project.exports_dir.iterdir()):
            path = entry.resolve()
            if not path.is_file() or entry.name.startswith(".") or path in claimed:
                continue
            if not path.is_relative_to(root):
                raise ReviewkitError("this link points outside the project; copy the export "
                                     "into searches/exports/ instead", file=str(entry))
            out.append(Source(unlogged_key(path), None, [path]))
    return out


def file_sha(store: Store, rel: str, path: Path,
             known: dict[str, str] | None = None) -> tuple[str, int, int]:
    """(sha256, size, mtime_ns), trusting the cache when size and mtime match."""
    st = path.stat()
    if known and rel in known:
        return known[rel], st.st_size, st.st_mtime_ns
    cached = store.cached_file(rel)
    if cached and cached.size == st.st_size and cached.mtime_ns == st.st_mtime_ns:
        return cached.sha256, st.st_size, st.st_mtime_ns
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest(), st.st_size, st.st_mtime_ns


def refresh(project: Project, store: Store, parsed: dict[str, ParsedFile] | None = None,
            progress: Callable[[str], None] | None = None,
            known: dict[str, str] | None = None) -> SyncReport:
    """Update ``store`` from the project.

    ``parsed`` reuses files already read (by sha); ``known`` gives the sha of
    project paths just written, so they are not hashed twice.
    """
    with no_gc():
        return _refresh(project, store, parsed or {}, progress, known)


def _identified(pieces: Iterable[ParsedFile], row: FileRow,
                prefix: str) -> Iterator[tuple[str, Record]]:
    """(id, record) piece by piece, filling in the file's row as it goes (a big file is
    never held whole)."""
    ids = IdAssigner(prefix)
    for pf in pieces:
        row.format, row.dialect, row.encoding = pf.format, pf.dialect, pf.encoding
        row.entries += len(pf.records)
        yield from zip(ids.assign(pf.records), pf.records, strict=True)


def file_ids_path(project: Project) -> Path:
    return project.searches_dir / MAP_NAME


def _refresh(project: Project, store: Store, parsed: dict[str, ParsedFile],
             progress: Callable[[str], None] | None, known: dict[str, str] | None) -> SyncReport:
    report = SyncReport()
    sources = project_sources(project, load_searches(project))
    ids = FileIds.load(file_ids_path(project))
    wanted = {s.key for s in sources}
    for key in store.sources():
        if key not in wanted:  # first, so a file moving between sources is never held twice
            store.remove_source(key)
            report.removed.append(key)
    hashed = {}  # every file first: a key may follow its content to another path
    for src in sources:
        for p in src.paths:
            rel = project.relative(p)
            hashed[rel] = file_sha(store, rel, p, known)
    ids.follow_moves({rel: h[0] for rel, h in hashed.items()})
    changed = []
    for src in sources:
        states = []
        for p in src.paths:
            rel = project.relative(p)
            sha, size, mtime = hashed[rel]
            prefix = ids.key_for(rel, sha, lambda r: (project.root / r).exists())
            states.append((rel, p, sha, size, mtime, prefix))
        parts = [PARSER_VERSION, src.search_id or "", src.fmt or "", repr(src.columns)]
        parts += [f"{rel} {sha} {prefix}" for rel, _, sha, _, _, prefix in states]
        fingerprint = hashlib.sha256("\n".join(parts).encode()).hexdigest()
        if store.source_fingerprint(src.key) == fingerprint:
            report.unchanged += 1
        else:
            changed.append((src, states, fingerprint))
    # every changed source's old rows go before any new ones come: a file that moved to
    # a source read earlier keeps its ids, which the old source still held (a kill in
    # between leaves sources without a fingerprint: read again next time)
    for src, _, _ in changed:
        store.remove_source(src.key)
    for src, states, fingerprint in changed:
        if progress:
            progress(src.key)
        files = []
        for rel, path, sha, size, mtime, prefix in states:
            row = FileRow(rel, src.key, src.search_id, sha, size, mtime, "", "", "", 0)
            pieces = [parsed[sha]] if sha in parsed else read_pieces(path, src.fmt, src.columns)
            files.append((row, _identified(pieces, row, prefix)))
        store.replace_source(src.key, src.search_id, fingerprint, files)
        report.refreshed.append(src.key)
    store.set_aliases(ids.aliases)
    for rel, twin in ids.copies:
        notify(f"{rel} has the same content as {twin}: a copy? its records are read "
               "twice (the copy gets its own record ids)")
    try:
        ids.save()
    except OSError:  # a read-only checkout: the keys are derived again, the same, next time
        pass
    return report
