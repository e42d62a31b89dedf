"""Attach a record's full text (copied into the folder) and mark its retrieval."""

from __future__ import annotations

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
    unit_files,
)
from reviewkit.project.atomic import copy_atomic, write_text_atomic
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


def resolve_record(store: Store, record_id: str) -> str:
    """The record's id today (older forms resolve); one line when it names no record."""
    found = store.resolve(record_id.strip())
    if found is None:
        raise ReviewkitError(f"no record with id {record_id!r} (ids: reviewkit export -f csv)",
                             field="record_id")
    return found


def attach_fulltext(project: Project, store: Store, record_id: str, file: Path,
                    replace: bool = False) -> Attached:
    """Copy ``file`` to fulltext/<record id>.<ext> and record its sha256 in index.toml.

    Everything is checked before anything is written; the copy and the index are each
    written whole (a kill between them leaves a correctly named file that status counts
    as obtained, and attaching again records it)."""
    rid = resolve_record(store, record_id)
    file = Path(file)
    if not file.is_file():
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
    for m, path in held:  # a re-run: these bytes are this report's full text already
        if index.get(m) and index[m].sha256 == digest == sha256_of(path) and \
                index[m].file == path.name:
            return Attached(m, path, digest, None, unchanged=True, warnings=said)
    others = [(m, p) for m, p in held if p.resolve() != file.resolve()]
    if others and not replace:
        m, path = others[0]
        whose = f"{rid} already has" if m == rid else f"{rid} is a duplicate of {m}, which has"
        raise ReviewkitError(f"{whose} a full text ({project.relative(path)}); pass --replace "
                             "to attach another", field="record_id")
    folder.mkdir(parents=True, exist_ok=True)
    if not (target.exists() and target.resolve() == file.resolve()):
        copy_atomic(file, target)
    if sha256_of(target) != digest:  # the source changed while it was copied
        raise ReviewkitError("the file changed while it was copied; attach it again",
                             file=str(file))
    for m in {m for m, _ in others if m != rid and m in index}:  # one report, one file
        set_entry(doc, m, dict.fromkeys(("file", "sha256", "original", "attached"), ""))
    set_entry(doc, rid, {"file": target.name, "sha256": digest, "original": file.name,
                         "attached": _now(), "not_retrieved": ""})
    write_text_atomic(index_path(project), tomlkit.dumps(doc))
    removed = [p for _, p in others if p != target and p.exists()]
    for path in removed:
        path.unlink()  # the index names the new file already
    return Attached(rid, target, digest, removed[0] if removed else None, warnings=said)


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
