"""Import a REFI-QDA file.

Into a project with no synthesis yet: writes synthesis/codebook.yaml,
synthesis/sources.toml, synthesis/sources/*.txt and one coding log per REFI user,
all or nothing: every file is staged as a hidden temp file first and renamed into
place only when all are ready. Into one that has a synthesis: merged (merge.py).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import tomlkit
import yaml

from reviewkit.errors import ReviewkitError
from reviewkit.project import yamlfile
from reviewkit.project.config import Project
from reviewkit.synthesis.codebook import CODEBOOK, KEYS, parse_codebook, presets
from reviewkit.synthesis.coding import CODING_DIR, check_coding_event, event
from reviewkit.synthesis.method import config_method
from reviewkit.synthesis.names import slug
from reviewkit.synthesis.refi.ids import GUID, keyed
from reviewkit.synthesis.refi.offsets import choose_reading, normalise, reading
from reviewkit.synthesis.refi.read import Refi, RSelection, RSource, read_refi
from reviewkit.synthesis.refi.write import FIELD_SETS, LEVEL_SET, METHOD_SET
from reviewkit.synthesis.sources import SOURCE_DIR, SOURCES


@dataclass
class ImportReport:
    codes: int = 0
    sources: int = 0
    segments: int = 0
    codings: int = 0
    memos: int = 0
    coders: list[str] = field(default_factory=list)
    unit: str = ""
    warnings: list[str] = field(default_factory=list)
    merged: bool = False  # into an existing synthesis
    matched: int = 0  # codes of the file that are codes of the project

    def summary(self) -> str:
        unit = f"; offsets read as {self.unit}" if self.unit else ""
        if self.merged:
            if not (self.codes or self.sources or self.segments or self.codings
                    or self.memos):
                return f"nothing new: {self.matched} codes matched, all else already here"
            return (f"merged: {self.matched} codes matched, {self.codes} codes, "
                    f"{self.sources} sources, {self.segments} segments, {self.codings} "
                    f"codings, {self.memos} memos added; coders: "
                    f"{', '.join(self.coders) or 'none'}{unit}")
        return (f"imported {self.codes} codes, {self.sources} sources, {self.segments} "
                f"segments, {self.codings} codings, {self.memos} memos; coders: "
                f"{', '.join(self.coders) or 'none'}{unit}")


def has_synthesis(project: Project) -> bool:
    root = project.root
    logs = root / CODING_DIR
    return (any((root / rel).exists() for rel in (CODEBOOK, SOURCES))
            or (logs.is_dir() and any(logs.glob("*.jsonl"))))


def import_refi(project: Project, file: Path, coder: str) -> ImportReport:
    """Read ``file`` (.qdpx, .qde or .qdc) into ``project`` (merged into a synthesis it
    has already); what was left out is in the report's warnings, with counts."""
    refi = read_refi(file)
    rep = ImportReport()
    if has_synthesis(project):
        from reviewkit.synthesis.refi.merge import merge_refi

        method, items = code_items(refi)
        if not items:
            raise ReviewkitError("the file holds no codes", file=refi.file, field="CodeBook")
        rep.merged = True
        merge_refi(project, refi, coder, rep, method, items)
        return rep
    files: dict[str, bytes] = {}
    code_ids = _codebook(project, refi, rep, files)
    users: dict[str, str] = {}
    taken_users: set[str] = set()
    for g, name in refi.users.items():
        users[g] = slug(name or g[:8], taken_users, r"[^A-Za-z0-9_.-]+", False, "user")
    logs: dict[str, list[dict]] = {}

    def who(g: str) -> str:
        return users.get(g, coder)

    def log(e: dict) -> None:
        logs.setdefault(e["coder"], []).append(e)

    spans = [(s.raw, [(x.start, x.end) for x in s.selections])
             for s in refi.sources if s.raw is not None]
    if any(sp for _, sp in spans):
        rep.unit = choose_reading(spans)
    taken_src: set[str] = set()
    rows = []
    seg_ids: dict[str, str] = {}
    counts = {"no text": 0, "bad offsets": 0, "unknown code": 0, "uncoded": 0}
    dropped_sources = 0
    dropped_sels = 0
    for s in refi.sources:
        if s.raw is None or not normalise(s.raw).strip():
            dropped_sources += 1
            dropped_sels += len(s.selections)
            continue
        sid = slug(s.name or s.guid, taken_src, r"[^a-z0-9_.-]+", fallback="source")
        text = normalise(s.raw)
        data = text.encode("utf-8")
        rel = f"{SOURCE_DIR}/{sid}.txt"
        files[rel] = data
        study = refi.cases.get(s.guid) or sid
        rows.append({"id": sid, "study": study, "report": "", "file": rel,
                     "sha256": hashlib.sha256(data).hexdigest(),
                     "title": s.description if refi.origin == "reviewkit" else
                     (s.name or sid)})
        rep.sources += 1
        for sel, a, b in placed(s, rep.unit, text, counts):
            seg = hashlib.sha256(sel.guid.encode()).hexdigest()[:16]
            role, page = _about(sel.description) if refi.origin == "reviewkit" else ("", "")
            e = event("segment", who(sel.user), segment=seg, source=sid, start=a, end=b,
                      text=text[a:b], role=role, page=page)
            if check_coding_event(e, e["coder"]):
                counts["bad offsets"] += 1
                continue
            log(e)
            seg_ids[sel.guid] = seg
            rep.segments += 1
            applied = set()
            for code, user in sel.codings:
                if code not in code_ids:
                    counts["unknown code"] += 1
                elif code not in applied:
                    applied.add(code)
                    log(event("apply", who(user or sel.user), segment=seg,
                              code=code_ids[code]))
                    rep.codings += 1
            counts["uncoded"] += not applied
            for n in sel.notes:
                _memo(refi, n, "segment", seg, who, log, rep)
        for n in s.notes:
            _memo(refi, n, "source", sid, who, log, rep)
    for g, c in refi.codes.items():
        for n in c.notes:
            _memo(refi, n, "code", code_ids[g], who, log, rep)
    if rows:
        doc = tomlkit.document()
        aot = tomlkit.aot()
        for row in rows:
            t = tomlkit.table()
            t.update(row)
            aot.append(t)
        doc["source"] = aot
        files[SOURCES] = tomlkit.dumps(doc).encode("utf-8")
    for name, events in logs.items():
        files[f"{CODING_DIR}/{name}.jsonl"] = "".join(
            json.dumps(e, ensure_ascii=False, separators=(",", ":")) + "\n"
            for e in events).encode("utf-8")
    rep.coders = sorted(logs)
    _warnings(refi, rep, counts, dropped_sources, dropped_sels)
    strangers = [c for c in rep.coders if c not in project.config.reviewers]
    if strangers:
        rep.warnings.append(f"coder(s) {', '.join(strangers)} are not reviewers of this "
                            "project: add them with `reviewkit reviewer add NAME` to code "
                            "as them")
    _write_all(project.root, files)
    return rep


def placed(s: RSource, unit: str, text: str, counts: dict[str, int]
           ) -> Iterator[tuple[RSelection, int, int]]:
    """Each text selection of ``s`` with its reviewkit offsets in ``text`` (the file's
    offsets read in ``unit``); one that lands inside a character or outside the text is
    counted as a bad offset and skipped."""
    r = reading(s.raw, unit) if s.selections else None
    for sel in s.selections:
        a, b = r.map(sel.start), r.map(sel.end)
        if a is None or b is None or not 0 <= a < b <= len(text):
            counts["bad offsets"] += 1
            continue
        yield sel, a, b


def _about(description: str) -> tuple[str, str]:
    parts = dict(p.split(": ", 1) for p in description.split("; ") if ": " in p)
    return parts.get("role", ""), parts.get("page", "")


def _memo(refi: Refi, note: str, on: str, target: str, who, log, rep: ImportReport) -> None:
    if note not in refi.notes:
        return
    text, user, when = refi.notes.pop(note)
    if text.strip():  # written when the file says it was, not now
        log(event("memo", who(user), on=on, target=target, text=text) | (
            {"at": when} if when else {}))
        rep.memos += 1


def code_items(refi: Refi) -> tuple[str, dict[str, dict]]:
    """The method the file names, and per REFI code guid what reviewkit keeps of it
    (``parent`` is the parent's guid)."""
    methods = [n[len(METHOD_SET):] for n, _ in refi.sets if n.startswith(METHOD_SET)]
    method = methods[0] if methods and methods[0] in presets() else "thematic"
    levels: dict[str, str] = {}
    extra: dict[str, dict[str, str]] = {f: {} for f in FIELD_SETS}
    for name, members in refi.sets:
        if name.startswith(LEVEL_SET):
            levels.update({m: name[len(LEVEL_SET):] for m in members})
        for f, prefix in FIELD_SETS.items():
            if name.startswith(prefix) and f in KEYS:  # origin: once codebook.py has it
                extra[f].update({m: name[len(prefix):] for m in members})
    first = presets()[method]["levels"][0]
    items: dict[str, dict] = {}
    for g, c in refi.codes.items():
        item = {"name": c.name, "parent": c.parent or None, "level": levels.get(g, first)}
        if c.description:
            item["description"] = c.description
        if re.match(r"^#[0-9A-Fa-f]{6}$", c.color):
            item["colour"] = c.color
        for f in FIELD_SETS:
            if g in extra[f]:
                item[f] = extra[f][g]
        if GUID.match(c.spelled):  # kept, so exporting gives the program its code back
            item["guid"] = c.spelled
        items[g] = item
    return method, items


def _codebook(project: Project, refi: Refi, rep: ImportReport, files: dict[str, bytes]
              ) -> dict[str, str]:
    """REFI code guid -> reviewkit code id; stages codebook.yaml."""
    method, items = code_items(refi)
    taken: set[str] = set()
    ids = {g: slug(c.name, taken) for g, c in refi.codes.items()}
    codes = []
    for g, item in items.items():
        codes.append(keyed({"id": ids[g], **item,
                            "parent": ids.get(item["parent"]) if item["parent"] else None}))
    if not codes:
        raise ReviewkitError("the file holds no codes", file=refi.file, field="CodeBook")
    text = ("# Imported from REFI-QDA " + Path(refi.file).name
            + (f" (written by {refi.origin})" if refi.origin else "") + "\n"
            + yaml.safe_dump({"method": method, "codes": codes}, sort_keys=False,
                             allow_unicode=True, width=100))
    data, lines = yamlfile.loads(text, CODEBOOK)
    try:
        parse_codebook(data, lines, CODEBOOK, config_method(project, presets()))
    except ReviewkitError as exc:
        raise ReviewkitError(f"the codebook it holds breaks {method}'s rules: {exc.message}",
                             file=refi.file, field="CodeBook") from None
    files[CODEBOOK] = text.encode("utf-8")
    rep.codes = len(codes)
    return ids


def _warnings(refi: Refi, rep: ImportReport, counts: dict[str, int], dropped_sources: int,
              dropped_sels: int) -> None:
    w = rep.warnings
    name = Path(refi.file).name
    if refi.schema_errors:
        w.append(f"{name} does not validate against REFI-QDA 1.0 ({len(refi.schema_errors)} "
                 f"error(s), first: {refi.schema_errors[0]}); imported what could be read")
    if dropped_sources:
        w.append(f"{name}: {dropped_sources} text source(s) with no plain text in the file "
                 f"(rich text only or not included) not imported, with their "
                 f"{dropped_sels} selection(s)")
    if counts["bad offsets"]:
        w.append(f"{name}: {counts['bad offsets']} selection(s) empty, outside their text "
                 "or inside a character: not imported")
    if counts["unknown code"]:
        w.append(f"{name}: {counts['unknown code']} coding(s) name a code not in the "
                 "codebook; not imported")
    if counts["uncoded"]:
        w.append(f"{name}: {counts['uncoded']} selection(s) carry no coding; imported as "
                 "uncoded segments")
    not_codable = sum(1 for c in refi.codes.values() if not c.codable)
    if not_codable:
        w.append(f"{name}: {not_codable} code(s) marked not codable imported as ordinary "
                 "codes")
    for what, n in sorted(refi.skipped.items()):
        if n:
            w.append(f"{name}: {n} {what} not imported (reviewkit holds plain text only)")
    if refi.notes:
        w.append(f"{name}: {len(refi.notes)} note(s) not attached to a code, source or "
                 "selection not imported")
    other = [n for n, _ in refi.sets
             if not n.startswith((METHOD_SET, LEVEL_SET, *FIELD_SETS.values()))]
    if other:
        w.append(f"{name}: {len(other)} set(s) not imported (reviewkit has no sets)")


def _write_all(root: Path, files: dict[str, bytes]) -> None:
    """Stage every file as a hidden temp file, then rename them all into place."""
    staged: list[tuple[Path, Path]] = []
    made: list[Path] = []
    done: list[Path] = []
    try:
        for rel, data in files.items():
            dest = root / rel
            for parent in reversed(dest.relative_to(root).parents[:-1]):
                if not (root / parent).exists():
                    (root / parent).mkdir()
                    made.append(root / parent)
            if dest.exists():
                raise ReviewkitError(f"{rel} exists already: move it away first", file=rel)
            tmp = dest.with_name(f".{dest.name}.import")
            with open(tmp, "wb") as fh:
                staged.append((tmp, dest))
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
        for tmp, dest in staged:
            os.replace(tmp, dest)
            done.append(dest)
    except BaseException:
        for tmp, _ in staged:
            tmp.unlink(missing_ok=True)
        for dest in done:
            dest.unlink(missing_ok=True)
        for folder in reversed(made):
            try:
                folder.rmdir()
            except OSError:
                pass
        raise
