"""Import a REFI-QDA file into a project that already has a synthesis: merge, never mix.

- Codes: a REFI code is the project's code when its guid is the one reviewkit gives
  that code id (a file reviewkit wrote), else when its name is the name of exactly
  one code. A code with the guid of an id deleted here stays deleted (with a warning).
  Any other code is added (id from its name). A matched code whose level,
  parent, description or credibility the file gives differently would change what
  that code means: the import is refused, naming the code. A value the file leaves
  empty is no change.
- Sources: the same text (sha256 of the text) is the same source; other text is a
  new source, under a new id when its name is taken.
- Segments: de-duplicated by (coder, source, start, end, code): a coding already
  there is not applied again; a segment the coder has at the same place is reused
  for a new code; memos already there are skipped.

So importing the same file twice adds nothing the second time. Every coder the file
brings must be a reviewer of the project (their logs are appended to). New source
files are written first, then codebook and sources.toml, then the logs; a failure
before the logs undoes the files.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

import tomlkit

from reviewkit.errors import ReviewkitError
from reviewkit.project.atomic import write_text_atomic
from reviewkit.project.config import Project
from reviewkit.screening.log import new_id
from reviewkit.synthesis.codebook import codebook_path, presets, retired_ids
from reviewkit.synthesis.coding import append_coding, check_coding_event, event, fold
from reviewkit.synthesis.csvbook import (
    current_codebook,
    new_code_defaults,
    taken_ids,
    with_codes,
)
from reviewkit.synthesis.method import config_method
from reviewkit.synthesis.names import slug
from reviewkit.synthesis.refi.ids import guid, keyed
from reviewkit.synthesis.refi.offsets import choose_reading, normalise
from reviewkit.synthesis.refi.read import Refi
from reviewkit.synthesis.refi.write import LEVEL_SET, METHOD_SET
from reviewkit.synthesis.sources import SOURCE_DIR, load_sources, source_text, sources_path

if TYPE_CHECKING:
    from reviewkit.synthesis.refi.load import ImportReport

MEANING = ("level", "description", "credibility")


def match_codes(project: Project, refi: Refi, method: str, items: dict[str, dict]
                ) -> tuple[dict[str, str], list[dict], str, int, list[str]]:
    """(REFI guid -> code id, new code items, codebook text now, codes matched, ids of
    codes the file has that were deleted here: not added again)."""
    text, book = current_codebook(project, method)
    named = any(n.startswith(METHOD_SET) for n, _ in refi.sets)
    if named and method != book.method:
        raise ReviewkitError(f"the file's codebook is {method}, the project's is "
                             f"{book.method}: they cannot be merged", file=refi.file,
                             field="method")
    levelled = {m for n, ms in refi.sets if n.startswith(LEVEL_SET) for m in ms}
    default = new_code_defaults(book.method)
    coding = fold(project, set(book.codes))
    # a code renamed or merged since reviewkit wrote the file keeps its guid's meaning
    moved = {old: coding.resolve(old, set(book.codes)) for old in coding.renames}
    moved = {o: n for o, n in moved.items() if n in book.codes}
    ids = _match(book, items, moved)
    older = {guid("code", o) for o in moved}  # the file predates the rename or merge
    # a file written before a code was deleted here: the code stays deleted
    deleted = {guid("code", d): d for d in retired_ids(project) if d not in coding.renames}
    gone = {g: deleted[g] for g in items if g not in ids and g in deleted}
    taken = taken_ids(project, book)
    new: list[dict] = []
    for g, item in items.items():
        if g not in ids and g not in gone:
            ids[g] = slug(item["name"], taken)
    for g, item in items.items():
        if g in gone:
            continue
        parent = ids.get(item["parent"]) if item["parent"] else None
        code = book.codes.get(ids[g])
        if code is None:
            made = keyed({"id": ids[g], **item, "parent": parent})
            if g not in levelled:  # no level in the file: the project method's default
                made.update(default)
            new.append(made)
            continue
        if g in older:  # what the codebook says since then is the newer word
            continue
        for key in MEANING:
            theirs = item.get(key) or ""
            if key == "level" and g not in levelled:
                continue  # the file gives no level: its default says nothing
            if theirs and theirs != (getattr(code, key) or ""):
                raise ReviewkitError(f"code {code.id!r} would change: the file gives its "
                                     f"{key} as {theirs!r}, the codebook {getattr(code, key)!r}"
                                     "; import into a copy, or change one first",
                                     file=refi.file, field=key)
        if parent != code.parent and (item["parent"] or refi.origin == "reviewkit"):
            raise ReviewkitError(f"code {code.id!r} would change: the file puts it under "
                                 f"{parent!r}, the codebook under {code.parent!r}",
                                 file=refi.file, field="parent")
    return ids, new, text, len(items) - len(new) - len(gone), sorted(gone.values())


def _match(book, items: dict[str, dict], moved: dict[str, str] | None = None
           ) -> dict[str, str]:
    """REFI guid -> code id for the codes that are the project's: the guid reviewkit
    gives that id (or an old id ``moved`` to it by a rename or merge) or the guid it was
    imported with; else the same
    path of names (several equal paths: in order); else a name only one code of each
    side has."""
    ids: dict[str, str] = {}
    by_guid = {guid("code", old): new for old, new in (moved or {}).items()}
    by_guid.update({guid("code", c): c for c in book.codes})
    # a code imported from another program keeps that program's guid
    by_guid.update({c.guid.strip("{}").lower(): c.id for c in book.codes.values() if c.guid})
    for g in items:
        if g in by_guid:
            ids[g] = by_guid[g]

    def path(at: str | None, names: dict[str, tuple[str, str | None]]) -> tuple[str, ...]:
        out: list[str] = []
        while at and at in names and len(out) <= len(names):
            out.append(names[at][0].strip().lower())
            at = names[at][1]
        return tuple(reversed(out))

    mine = {c.id: (c.name, c.parent) for c in book.codes.values()}
    file = {g: (i["name"], i["parent"]) for g, i in items.items()}
    ours: dict[tuple[str, ...], list[str]] = {}
    for c in book.codes:
        if c not in ids.values():
            ours.setdefault(path(c, mine), []).append(c)
    theirs: dict[tuple[str, ...], list[str]] = {}
    for g in items:
        if g not in ids:
            theirs.setdefault(path(g, file), []).append(g)
    for key, gs in theirs.items():
        ids.update(zip(gs, ours.get(key, []), strict=False))
    left = [c for c in book.codes if c not in ids.values()]
    names: dict[str, list[str]] = {}
    for c in left:
        names.setdefault(book.codes[c].name.strip().lower(), []).append(c)
    file_names: dict[str, list[str]] = {}
    for g in items:
        if g not in ids:
            file_names.setdefault(items[g]["name"].strip().lower(), []).append(g)
    for key, gs in file_names.items():
        if len(gs) == 1 and len(names.get(key, [])) == 1:
            ids[gs[0]] = names[key][0]
    return ids


def merge_refi(project: Project, refi: Refi, coder: str, rep: ImportReport, method: str,
               items: dict[str, dict]) -> None:
    """Merge ``refi`` into the project's synthesis; counts and warnings go to ``rep``."""
    from reviewkit.synthesis.refi.load import _about, _warnings, placed

    code_ids, new_codes, book_text, matched, gone = match_codes(project, refi, method, items)
    users: dict[str, str] = {}
    taken_users: set[str] = set()
    for g, name in refi.users.items():
        users[g] = slug(name or g[:8], taken_users, r"[^A-Za-z0-9_.-]+", False, "user")

    def who(g: str) -> str:
        return users.get(g, coder)

    sources = load_sources(project)
    by_hash = {hashlib.sha256(source_text(project, s).encode("utf-8")).hexdigest(): s.id
               for s in sources}
    taken_src = {s.id for s in sources} | {p.stem for p in
                                           (project.root / SOURCE_DIR).glob("*")}
    coding = fold(project)
    # what is there: (coder, source, start, end, code) coded, and a segment per place
    covered = {(s.coder, s.source, s.start, s.end, c) for s in coding.segments.values()
               for c in s.codes}
    at: dict[tuple[str, str, int, int], str] = {}
    for s in coding.segments.values():
        at.setdefault((s.coder, s.source, s.start, s.end), s.id)
    memos = {(m.on, m.target, m.text, m.coder) for m in coding.memos}
    made: set[str] = set()  # segment ids this import makes
    known_codes = set(code_ids.values())
    logs: dict[str, list[dict]] = {}
    counts = {"no text": 0, "bad offsets": 0, "unknown code": 0, "uncoded": 0}
    dropped_sources = dropped_sels = 0
    new_files: dict[str, bytes] = {}
    rows: list[dict] = []
    spans = [(s.raw, [(x.start, x.end) for x in s.selections])
             for s in refi.sources if s.raw is not None]
    if any(sp for _, sp in spans):
        rep.unit = choose_reading(spans)

    def log(e: dict) -> None:
        logs.setdefault(e["coder"], []).append(e)

    def memo(note: str, on: str, target: str) -> None:
        if note not in refi.notes:
            return
        text, user, when = refi.notes.pop(note)
        if text.strip() and (on, target, text, who(user)) not in memos:
            memos.add((on, target, text, who(user)))
            log(event("memo", who(user), on=on, target=target, text=text) | (
                {"at": when} if when else {}))  # written when the file says it was
            rep.memos += 1

    for s in refi.sources:
        if s.raw is None or not normalise(s.raw).strip():
            dropped_sources += 1
            dropped_sels += len(s.selections)
            continue
        text = normalise(s.raw)
        data = text.encode("utf-8")
        digest = hashlib.sha256(data).hexdigest()
        sid = by_hash.get(digest)
        if sid is None:
            sid = slug(s.name or s.guid, taken_src, r"[^a-z0-9_.-]+", fallback="source")
            rel = f"{SOURCE_DIR}/{sid}.txt"
            new_files[rel] = data
            rows.append({"id": sid, "study": refi.cases.get(s.guid) or sid, "report": "",
                         "file": rel, "sha256": digest,
                         "title": s.description if refi.origin == "reviewkit" else
                         (s.name or sid)})
            by_hash[digest] = sid
            rep.sources += 1
        for sel, a, b in placed(s, rep.unit, text, counts):
            user = who(sel.user)
            cids: list[tuple[str, str]] = []  # code id, who coded it
            for code, cuser in sel.codings:
                cid = code_ids.get(code)
                if cid is None or cid not in known_codes:
                    counts["unknown code"] += 1
                elif cid not in (c for c, _ in cids):
                    cids.append((cid, who(cuser) if cuser else user))
            coded = bool(cids)
            key = (user, sid, a, b)
            seg = at.get(key, "")
            if not seg:
                seg = hashlib.sha256(sel.guid.encode()).hexdigest()[:16]
                if seg in coding.segments or seg in made:
                    seg = new_id()  # the file's guid gave an id in use elsewhere
                role, page = _about(sel.description) if refi.origin == "reviewkit" else ("", "")
                e = event("segment", user, segment=seg, source=sid, start=a, end=b,
                          text=text[a:b], role=role, page=page)
                if check_coding_event(e, user):
                    counts["bad offsets"] += 1
                    continue
                log(e)
                made.add(seg)
                at[key] = seg
                rep.segments += 1
            for cid, by in cids:
                if (*key, cid) not in covered:
                    covered.add((*key, cid))
                    log(event("apply", by, segment=seg, code=cid))
                    rep.codings += 1
            counts["uncoded"] += not coded
            for n in sel.notes:
                memo(n, "segment", seg)
        for n in s.notes:
            memo(n, "source", sid)
    for g, c in refi.codes.items():
        for n in c.notes if g in code_ids else []:  # a deleted code's memos: its notes
            memo(n, "code", code_ids[g])
    rep.coders = sorted(logs)
    strangers = [c for c in rep.coders if c not in project.config.reviewers]
    if strangers:
        raise ReviewkitError(f"coder(s) {', '.join(strangers)} of the file are not reviewers "
                             "of this project: add them with `reviewkit reviewer add NAME` "
                             "first (their codings are appended to their logs)",
                             file=refi.file)
    _warnings(refi, rep, counts, dropped_sources, dropped_sels)
    rep.warnings += [f"code {d!r} of the file was deleted from this codebook: not added "
                     "again, nor codings with it" for d in gone]
    rep.codes = len(new_codes)
    rep.matched = matched
    _write(project, refi, new_codes, book_text, new_files, rows, logs)


def _write(project: Project, refi: Refi, new_codes: list[dict], book_text: str,
           new_files: dict[str, bytes], rows: list[dict], logs: dict[str, list[dict]]) -> None:
    from reviewkit.synthesis.refi.load import _write_all

    book_path, src_path = codebook_path(project), sources_path(project)
    book_new = (with_codes(book_text, new_codes, refi.file,
                           config_method(project, presets()))[0] if new_codes else None)
    src_old = src_path.read_text("utf-8-sig") if src_path.exists() else None
    src_new = None
    if rows:
        doc = tomlkit.parse(src_old or "")
        if "source" not in doc:
            doc["source"] = tomlkit.aot()
        for row in rows:
            t = tomlkit.table()
            t.update(row)
            doc["source"].append(t)
        src_new = tomlkit.dumps(doc)
    book_existed = book_path.is_file()
    _write_all(project.root, new_files)
    try:
        if book_new is not None:
            write_text_atomic(book_path, book_new)
        if src_new is not None:
            write_text_atomic(src_path, src_new)
    except BaseException:
        for rel in new_files:
            (project.root / rel).unlink(missing_ok=True)
        if book_new is not None:
            if book_existed:
                write_text_atomic(book_path, book_text)
            else:
                book_path.unlink(missing_ok=True)
        if src_new is not None and src_old is not None:
            write_text_atomic(src_path, src_old)
        raise
    for name, events in logs.items():
        append_coding(project, name, events)
