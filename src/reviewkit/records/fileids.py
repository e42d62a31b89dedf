"""Which export file each record-id prefix names: a durable map kept as text in the project.

A record id is ``<file key>/<record key>``. The file key is handed out the first
time a file is read, from its name and content (``medline-3fa2c1``), and never
depends on which search claims the file. ``searches/file-ids.tsv`` keeps every
key handed out, so that a file edited in place (same path) or renamed/moved
(same content) keeps its key and every decision made on its records.

Lines (tab-separated, append-only, one writer: the command holding the lock):
    file   <key>   <sha256>   <path relative to the project>
    alias  <old record id>   <new record id>   <why>      (written by `doctor --fix`)
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from reviewkit.errors import ReviewkitError
from reviewkit.project.atomic import ends_torn

MAP_NAME = "file-ids.tsv"
HEADER = ("# reviewkit: the export file behind each record-id prefix, and record-id aliases.\n"
          "# Kept by reviewkit (append-only); keep it in git with the exports.\n")
_SLUG = re.compile(r"[^a-z0-9]+")
CONFLICT = ("a git merge conflict marker: the file is append-only, so keep the lines of both "
            "sides and delete the marker lines (git does it with 'merge=union' in "
            ".gitattributes)")


def is_conflict_marker(line: str) -> bool:
    """A line git leaves in a file it could not merge (<<<<<<<, |||||||, =======, >>>>>>>)."""
    return line[:7] in ("<<<<<<<", "|||||||", ">>>>>>>") or line.rstrip() == "======="


@dataclass
class FileIds:
    path: Path
    by_path: dict[str, str] = field(default_factory=dict)   # rel path -> key (latest line)
    by_sha: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # sha -> [(key, rel)]
    keys: set[str] = field(default_factory=set)
    aliases: dict[str, str] = field(default_factory=dict)  # old record id -> new record id
    pending: list[str] = field(default_factory=list)       # lines not yet on disk
    held: dict[str, str] = field(default_factory=dict)     # key -> path, this refresh
    last: dict[str, tuple[str, str]] = field(default_factory=dict)  # key -> (sha, rel), latest
    moved: dict[str, str] = field(default_factory=dict)    # rel -> key its content took along
    copies: list[tuple[str, str]] = field(default_factory=list)  # (new path, same content)

    # reading ------------------------------------------------------------
    @classmethod
    def load(cls, path: Path) -> FileIds:
        ids = cls(path)
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            return ids
        except OSError as exc:
            raise ReviewkitError(f"cannot read the file-id map ({exc.strerror}); restore it "
                                 "from git", file=str(path)) from None
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ReviewkitError("not UTF-8 text (a hand edit in another encoding?); restore "
                                 "it from git", file=str(path),
                                 line=data.count(b"\n", 0, exc.start) + 1) from None
        # an editor may add a BOM or save CRLF: neither is part of a key or a path
        lines = text.removeprefix("\ufeff").split("\n")
        for number, line in enumerate(lines, 1):
            line = line.removesuffix("\r")
            if not line.strip() or line.startswith("#"):
                continue
            parts = line.split("\t")
            if parts[0] == "file" and len(parts) == 4 and all(parts[1:]):
                ids._add_file(parts[1], parts[2], parts[3])
            elif parts[0] == "alias" and len(parts) >= 3 and parts[1] and parts[2]:
                ids.aliases[parts[1]] = parts[2]
            elif is_conflict_marker(line):
                raise ReviewkitError(CONFLICT, file=str(path), line=number)
            elif number == len(lines):
                continue  # a last line cut short by a crash: its file gets its key again
            else:
                raise ReviewkitError("expected 'file<TAB>key<TAB>sha256<TAB>path' or "
                                     "'alias<TAB>old id<TAB>new id'", file=str(path),
                                     line=number)
        return ids

    def _add_file(self, key: str, sha: str, rel: str) -> None:
        self.by_path[rel] = key
        self.last[key] = (sha, rel)
        self.by_sha.setdefault(sha, []).append((key, rel))
        self.keys.add(key)

    # handing out keys ---------------------------------------------------
    def follow_moves(self, current: dict[str, str]) -> None:
        """Before key_for: ``current`` is rel -> sha of every file read now.

        A path whose key's last content is no longer there, while that very content sits
        at a path no key names yet: the file was renamed and a new one saved under the old
        name. The key goes with the content, as for any move (the decisions were made on
        those records); the new file at the old path gets a key of its own."""
        at: dict[str, list[str]] = {}
        for rel, sha in sorted(current.items()):
            at.setdefault(sha, []).append(rel)
        for rel, sha in sorted(current.items()):
            key = self.by_path.get(rel)
            if key is None or key in self.held:
                continue
            old_sha, old_rel = self.last[key]
            if old_rel != rel or old_sha == sha:
                continue  # unchanged here, or the key already lives elsewhere
            there = next((r for r in at.get(old_sha, []) if r not in self.by_path
                          and r not in self.moved), None)
            if there is not None:
                self.moved[there] = key
                self.held[key] = there

    def key_for(self, rel: str, sha: str, exists: Callable[[str], bool]) -> str:
        """The key of the file at ``rel`` with content ``sha``; a new one if never seen.

        ``exists(rel)`` says whether a project path still exists (a moved file's old
        path does not)."""
        if rel in self.moved:  # see follow_moves
            key = self.moved[rel]
            self._record(key, sha, rel)
            return key
        key = self.by_path.get(rel)
        if key is not None and self.held.get(key, rel) == rel:
            if (key, rel) not in self.by_sha.get(sha, []):
                self._record(key, sha, rel)  # edited in place: same key, new content
        else:
            key = next((k for k, old in self.by_sha.get(sha, [])
                        if not exists(old) and self.held.get(k, rel) == rel), None)
            if key is None:
                key = new_key(rel, sha, self.keys)
                twin = next((old for _, old in self.by_sha.get(sha, [])
                             if old != rel and exists(old)), None)
                if twin is not None:  # said once, when the copy gets its own key
                    self.copies.append((rel, twin))
            self._record(key, sha, rel)  # renamed or moved (same content), or new
        self.held[key] = rel
        return key

    def _record(self, key: str, sha: str, rel: str) -> None:
        self._add_file(key, sha, rel)
        self.pending.append(f"file\t{key}\t{sha}\t{rel}\n")

    def add_alias(self, old: str, new: str, why: str) -> None:
        self.aliases[old] = new
        self.pending.append(f"alias\t{old}\t{new}\t{_one_line(why)}\n")

    # writing ------------------------------------------------------------
    def save(self) -> None:
        """Append the lines handed out since loading (called once a command succeeds)."""
        if not self.pending:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        new = not self.path.exists()
        data = (HEADER if new else "") + "".join(self.pending)
        if not new and ends_torn(self.path):
            data = "\n" + data
        fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        try:
            view = memoryview(data.encode("utf-8"))
            while view:
                view = view[os.write(fd, view):]
            os.fsync(fd)
        finally:
            os.close(fd)
        self.pending.clear()


def new_key(rel: str, sha: str, taken: set[str]) -> str:
    """``<name slug>-<6 hex of the content>``, longer where that is already taken."""
    stem = _SLUG.sub("-", Path(rel).stem.lower()).strip("-")[:40] or "file"
    for width in range(6, 65, 2):
        key = f"{stem}-{sha[:width]}"
        if key not in taken:
            return key
    n = 2
    while f"{stem}-{sha}-{n}" in taken:
        n += 1
    return f"{stem}-{sha}-{n}"


def _one_line(text: str) -> str:
    return " ".join(text.split())
