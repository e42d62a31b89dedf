"""The sha256 of the full-text files, remembered in ``.reviewkit/fulltext-sha256.json`` by
(path, size, mtime_ns), so that ``fulltext status`` does not read an unchanged PDF again.

A cache like the store: deleting it (or a torn or garbled copy) loses nothing, the files
are hashed again. A file whose stat changed (size or mtime) is read again. A file
modified in the last RACY_NS before the run started is hashed but not remembered: it
could be written again within the same mtime tick and keep its stat (git's "racily
clean" entries)."""

from __future__ import annotations

import hashlib
import json
import os
import time
from pathlib import Path

from reviewkit.project.atomic import write_text_atomic
from reviewkit.project.config import Project

CACHE = "fulltext-sha256.json"
VERSION = 1  # of the file's layout
RACY_NS = 2_000_000_000
_BLOCK = 1 << 20


def sha256_of(path: Path) -> str:
    """The file's sha256, read whole (no cache)."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(_BLOCK), b""):
            digest.update(block)
    return digest.hexdigest()


class FileHashes:
    """sha256 by path for one run; ``save`` writes what it learnt back to the cache."""

    def __init__(self, project: Project) -> None:
        self.root = project.root
        self.path = project.cache_dir / CACHE
        self.reads = 0  # files whose bytes were read (the rest came from the cache)
        self._started = time.time_ns()
        self._known = _load(self.path)
        self._changed = False

    def sha256(self, path: Path) -> str:
        st = path.stat()  # before the read: a write during it leaves a newer mtime
        key = self._key(path)
        hit = self._known.get(key)
        if hit is not None and hit[:2] == [st.st_size, st.st_mtime_ns]:
            return hit[2]
        digest = sha256_of(path)
        self.reads += 1
        if st.st_mtime_ns < self._started - RACY_NS:
            self._known[key] = [st.st_size, st.st_mtime_ns, digest]
            self._changed = True
        elif self._known.pop(key, None) is not None:
            self._changed = True
        return digest

    def save(self) -> None:
        """Write the cache (entries of files gone are dropped); a read-only project just
        is not faster next time."""
        if not self._changed:
            return
        files = {k: v for k, v in sorted(self._known.items()) if (self.root / k).is_file()}
        try:
            write_text_atomic(self.path, json.dumps({"version": VERSION, "files": files}))
        except OSError:
            return
        self._changed = False

    def _key(self, path: Path) -> str:
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return os.path.abspath(path)


def _load(path: Path) -> dict[str, list]:
    """path -> [size, mtime_ns, sha256]; empty for a missing, torn or foreign file."""
    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict) or data.get("version") != VERSION \
            or not isinstance(data.get("files"), dict):
        return {}
    return {k: v for k, v in data["files"].items()
            if isinstance(v, list) and len(v) == 3 and all(isinstance(x, int) for x in v[:2])
            and isinstance(v[2], str)}
