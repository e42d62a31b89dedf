"""Attach a record's full text (copied into the folder, moved when in it already) and mark
its retrieval."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

import tomlkit

from reviewkit.errors import ReviewkitError
from reviewkit.fulltext.hashes import sha256_of
from reviewkit.fulltext.index import (
    INDEX,
    by_unit,
    fulltext_dir,
    fulltext_name,
    index_path,
    load_index,
    read_document,
    set_entry,
    stem_of,
    unit_files,
)
from reviewkit.project.atomic import copy_atomic, fsync_dir, write_text_atomic
from reviewkit.project.config import Project
from reviewkit.store.base import Store

if TYPE_CHECKING:
    from reviewkit.screening import Screening


@dataclass(frozen=True)
class Attached:
    record_id: str
    path: Path
    sha256: str
    replaced: Path | None  # an earlier file of the record, removed
    unchanged: bool = False  # these bytes were attached under this name already
    warnings: tuple[str, ...] = ()  # attached anyway: a person should look
    moved_from: Path | None = None  # it was in the full-text folder: moved, not copied
    copy_removed: Path | None = None  # a second copy of the attached bytes in the folder

    def summary(self, project: Project) -> str:
        how = f"moved from {project.relative(self.moved_from)}; " if self.moved_from else ""
        if self.copy_removed:
            how = f"{project.relative(self.copy_removed)} held the same bytes: removed; "
        said = "already attached" if self.unchanged else "attached"
        return (f"{said} {self.record_id}: {project.relative(self.path)} "
                f"({how}sha256 {self.sha256[:12]})")


def resolve_record(store: Store, record_id: str) -> str:
    """The record's id today (older forms resolve); one line when it names no record."""
    found = store.resolve(record_id.strip())
    if found is None:
        raise ReviewkitError(f"no record with id {record_id!r} (ids: reviewkit export -f csv)",
                             field="record_id")
    return found


def attach_fulltext(project: Project, store: Store, record_id: str, file: Path,
                    replace: bool = False) -> Attached:
    """Copy ``file`` to fulltext/<record id>.<ext> and record its sha256 in index.toml; a
    file already inside the full-text folder is moved there instead (one copy), unless it
    is another report's full text.

    Everything is checked before anything is written; the copy and the index are each
    written whole (a kill between them leaves a correctly named file that status counts
    as obtained, and attaching again records it). A move is made after the index is
    written: a kill between leaves the file where it was, and attaching it again moves it."""
    rid = resolve_record(store, record_id)
    file = Path(file)
    if not file.is_file():
        done = None if file.exists() else _moved_already(project, store, rid, file)
        if done is not None:  # a re-run of an attach that moved the file
            return done
        raise ReviewkitError("no such file" if not file.exists() else "not a file",
                             file=str(file))
    if not file.suffix or file.suffix == ".":
        raise ReviewkitError("the full text's file name needs an extension (.pdf, .html, ...)",
                             file=str(file))
    if file.stat().st_size == 0:
        raise ReviewkitError("the file is empty", file=str(file))
    _refuse_fake_pdf(file)
    folder = fulltext_dir(project)
    target = folder / fulltext_name(rid, file.suffix)
    if target.name == INDEX:
        raise ReviewkitError(f"a full text cannot be named {INDEX}", file=str(file))
    from reviewkit.screening import Screening  # reads the store: only when attaching

    screening = Screening(project, store)
    index = load_index(project)
    doc = read_document(project)
    unit = screening.unit_of(rid)
    held = unit_files(project, by_unit(index, screening.unit_of).get(unit, []),
                      screening.members.get(unit, (rid,)))
    digest = sha256_of(file)
    said = attach_warnings(project, screening, rid, digest)
    movable = _inside(file, folder) and not _held_elsewhere(screening, index, unit, file)
    for m, path in held:  # a re-run: these bytes are this report's full text already
        if index.get(m) and index[m].sha256 == digest == sha256_of(path) and \
                index[m].file == path.name:
            extra = movable and file.resolve() != path.resolve()
            if extra:  # a second copy in the folder: nothing is lost without it
                file.unlink()
            return Attached(m, path, digest, None, unchanged=True, warnings=said,
                            copy_removed=file if extra else None)
    others = [(m, p) for m, p in held if p.resolve() != file.resolve()]
    move = movable and file.resolve() != target.resolve()
    if others and not replace:
        m, path = others[0]
        whose = f"{rid} already has" if m == rid else f"{rid} is a duplicate of {m}, which has"
        raise ReviewkitError(f"{whose} a full text ({project.relative(path)}); pass --replace "
                             "to attach another", field="record_id")
    folder.mkdir(parents=True, exist_ok=True)
    if not move and not (target.exists() and target.resolve() == file.resolve()):
        copy_atomic(file, target)
    if not move and sha256_of(target) != digest:  # the source changed while it was copied
        raise ReviewkitError("the file changed while it was copied; attach it again",
                             file=str(file))
    stale = {m for m, _ in others if m != rid and m in index}  # one report, one file
    stale |= {m for m, e in by_unit(index, screening.unit_of).get(unit, [])
              if move and m != rid and e.file == file.name and file.parent == folder}
    for m in stale:
        set_entry(doc, m, dict.fromkeys(("file", "sha256", "original", "attached"), ""))
    set_entry(doc, rid, {"file": target.name, "sha256": digest, "original": file.name,
                         "attached": _now(), "not_retrieved": ""})
    write_text_atomic(index_path(project), tomlkit.dumps(doc))
    if move:
        _move(file, target)
    removed = [p for _, p in others if p != target and p.exists()]
    for path in removed:
        path.unlink()  # the index names the new file already
    return Attached(rid, target, digest, removed[0] if removed else None, warnings=said,
                    moved_from=file if move else None)


def _inside(file: Path, folder: Path) -> bool:
    """The file itself (not a link to it) is in the full-text folder or below it."""
    return not file.is_symlink() and file.resolve().is_relative_to(folder.resolve())


def _held_elsewhere(screening: Screening, index: dict, unit: str, file: Path) -> bool:
    """The file is another report's full text (the index names it, or it is named after
    one of its records): moving it would take it from that report, so it is copied."""
    if file.parent.resolve() != fulltext_dir(screening.project).resolve():
        return False  # a sub-folder: status counts no file there for any record
    if any(e.file == file.name and screening.unit_of(m) != unit for m, e in index.items()):
        return True
    stem = file.name[:-len(file.suffix)]
    return any(stem_of(m) == stem for u in screening.units if u.id != unit for m in u.members)


def _move(file: Path, target: Path) -> None:
    try:
        os.replace(file, target)
    except OSError as exc:
        raise ReviewkitError(f"cannot move it to {target.name}: {exc.strerror}; attach it "
                             "again", file=str(file)) from None
    for folder in {file.parent, target.parent}:
        fsync_dir(folder)  # the rename survives a crash


def _moved_already(project: Project, store: Store, rid: str, file: Path) -> Attached | None:
    """The report's full text, when it was attached by moving ``file`` (gone now) from the
    full-text folder: these bytes, under the name the index gives."""
    folder = fulltext_dir(project)
    if not file.parent.resolve().is_relative_to(folder.resolve()):
        return None
    from reviewkit.screening import Screening

    screening = Screening(project, store)
    unit = screening.unit_of(rid)
    for m, entry in by_unit(load_index(project), screening.unit_of).get(unit, []):
        path = folder / entry.file
        if entry.file and entry.original == file.name and path.is_file() and \
                sha256_of(path) == entry.sha256:
            return Attached(m, path, entry.sha256, None, unchanged=True,
                            warnings=attach_warnings(project, screening, rid, entry.sha256))
    return None


def _refuse_fake_pdf(file: Path) -> None:
    """A .pdf must carry the PDF header (in its first 1024 bytes, as readers allow): a
    browser often saves a publisher's sign-in page under the PDF's name."""
    if file.suffix.lower() != ".pdf":
        return
    with file.open("rb") as fh:
        head = fh.read(1024)
    if b"%PDF-" in head:
        return
    start = head.lstrip()[:64].lower()
    what = ("a web page (HTML: a publisher's sign-in or download page?)"
            if start.startswith((b"<!doctype html", b"<html", b"<?xml", b"<head", b"<"))
            else f"it starts with {head[:12]!r}")
    raise ReviewkitError(f"not a PDF: {what}; save the PDF itself and attach that",
                         file=str(file))


def attach_warnings(project: Project, screening: Screening, rid: str, digest: str
                    ) -> tuple[str, ...]:
    """What looks wrong about attaching these bytes to ``rid`` (the file is attached
    anyway): the record was excluded before full text, or another record holds them."""
    unit = screening.unit_of(rid)
    stage = excluded_before_fulltext(screening, rid)
    out = [f"{rid} was excluded at {stage}: its full text is not sought "
           "(attached anyway)"] if stage else []
    same = sorted(other for other, e in load_index(project).items()
                  if e.sha256 == digest and e.file and screening.unit_of(other) != unit)
    if same:
        out.append(f"the same file (sha256 {digest[:12]}) is attached to {', '.join(same)} "
                   f"already; attached to {rid} too — check it is the right paper")
    return tuple(out)


def excluded_before_fulltext(screening: Screening, rid: str) -> str:
    """The stage before full text that excluded the record's report, or ''."""
    unit = screening.unit_of(rid)
    stages = screening.conf.stages
    for stage in stages[:stages.index("full-text")] if "full-text" in stages else stages[:1]:
        if unit in screening.eligible(stage) and screening.state(stage).outcome(unit) == "exclude":
            return stage
    return ""


@dataclass(frozen=True)
class Marked:
    record_id: str
    warnings: tuple[str, ...] = ()  # marked anyway: a person should look


def mark_fulltext(project: Project, store: Store, record_id: str, requested: bool = False,
                  not_retrieved: bool = False, reason: str = "", clear: bool = False
                  ) -> Marked:
    """Mark a record's full text as requested, or not retrieved (with why), or clear both.

    A record excluded before full text is marked too (nothing lost), with a warning: its
    report is not sought, so the mark counts in none of PRISMA's full-text boxes."""
    rid = resolve_record(store, record_id)
    if sum((requested, not_retrieved, clear)) != 1:
        raise ReviewkitError("say one of --requested, --not-retrieved or --clear")
    reason = " ".join(reason.split())
    if not_retrieved and not reason:
        raise ReviewkitError("--not-retrieved needs --reason (e.g. 'not held by any library')",
                             field="reason")
    if reason and not not_retrieved:
        raise ReviewkitError("--reason goes with --not-retrieved", field="reason")
    from reviewkit.screening import Screening  # reads the store: only when marking

    screening = Screening(project, store)
    if not_retrieved:
        _refuse_retrieved(project, screening, rid)
    stage = "" if clear else excluded_before_fulltext(screening, rid)
    said = (f"{rid} was excluded at {stage}: its full text is not sought, so this mark "
            "counts in no PRISMA full-text box (marked anyway)",) if stage else ()
    doc = read_document(project)
    if clear:
        values = {"requested": "", "not_retrieved": ""}
    elif requested:  # asked for (again): no longer given up on
        values = {"requested": _now()[:10], "not_retrieved": ""}
    else:
        values = {"not_retrieved": reason}
    set_entry(doc, rid, values)
    fulltext_dir(project).mkdir(parents=True, exist_ok=True)
    write_text_atomic(index_path(project), tomlkit.dumps(doc))
    return Marked(rid, said)


def _refuse_retrieved(project: Project, screening: Screening, rid: str) -> None:
    """A report with a file (any of its records', any id they had) or screened at full text
    was retrieved: marking it not retrieved would not count, so it is refused."""
    from reviewkit.fulltext.retrieval import fulltext_stage, screened_at

    unit = screening.unit_of(rid)
    held = unit_files(project, by_unit(load_index(project), screening.unit_of).get(unit, []),
                      screening.members.get(unit, (rid,)))
    if held:
        raise ReviewkitError(f"{rid} has a full text attached ({held[0][1].name}); it was "
                             "retrieved", field="record_id")
    stage = fulltext_stage(screening) if len(screening.conf.stages) > 1 else ""
    if stage and screened_at(screening.state(stage), unit):
        raise ReviewkitError(f"{rid} was screened at {stage}, so it was retrieved; to count it "
                             f"as not retrieved, exclude it at {stage} with the reason "
                             "'not retrieved'", field="record_id")


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")
