"""All-or-nothing file writes: a kill at any moment leaves the old file or the new one.

Each write goes to a temp file in the same folder (its name starts with '.', so
every reader of project folders ignores it), is fsynced, renamed over the
target, and the folder is fsynced so the rename itself survives a crash.
"""

from __future__ import annotations

import os
import shutil
import stat
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO, TextIO

from reviewkit.errors import ReviewkitError

_BLOCK = 1 << 20
# read once: os.umask can only be read by setting it, which is not thread-safe later
_UMASK = os.umask(0o022)
os.umask(_UMASK)


def write_bytes_atomic(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` (or create it), whole or not at all."""
    with _replacing(Path(path)) as fh:
        fh.write(data)


def write_text_atomic(path: Path, text: str) -> None:
    """``text`` as UTF-8 with the newlines as given (no platform translation)."""
    write_bytes_atomic(path, text.encode("utf-8"))


def copy_atomic(src: Path, dst: Path) -> None:
    """Copy ``src`` byte for byte to ``dst``: a reader sees the whole copy or none."""
    with Path(src).open("rb") as source, _replacing(Path(dst)) as fh:
        shutil.copyfileobj(source, fh, _BLOCK)


def fsync_dir(folder: Path) -> None:
    """Make a rename or a new file in ``folder`` durable (no-op where folders cannot be opened)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # pragma: no cover - e.g. Windows
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover - some file systems refuse fsync on folders
        pass
    finally:
        os.close(fd)


def write_through(path: Path, write: Callable[[TextIO], int]) -> int:
    """A text file (UTF-8, newlines as given) written by ``write``, whole or not at all;
    what ``write`` returns. A write that fails is one line naming the file. A user's output:
    its folder must exist (a typo is not made into folders)."""
    path = Path(path)
    if not path.parent.is_dir():
        raise ReviewkitError("no such file or folder (check the path)", file=str(path))
    try:
        with _replacing(path) as raw, open(raw.fileno(), "w", encoding="utf-8", newline="",
                                           closefd=False) as fh:
            n = write(fh)
    except OSError as exc:
        raise ReviewkitError(f"cannot write: {exc.strerror}", file=str(path)) from None
    return n


def special(path: Path) -> bool:
    """A device, pipe or socket (/dev/stdout, /dev/null, a FIFO): written in place, never
    renamed over, which would put a plain file where the device was."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False
    return not stat.S_ISREG(mode) and not stat.S_ISDIR(mode)


@contextmanager
def _replacing(path: Path) -> Iterator[BinaryIO]:
    if special(path):
        with path.open("wb") as fh:
            yield fh
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, _mode(path))  # mkstemp makes 0600; project files are shared
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)


def _mode(path: Path) -> int:
    try:
        return path.stat().st_mode & 0o777  # keep what the file had
    except OSError:
        return 0o644 & ~_UMASK


def ends_torn(path: Path) -> bool:
    """The file's last line has no newline: a write cut short, or a hand edit."""
    try:
        with path.open("rb") as fh:
            fh.seek(0, os.SEEK_END)
            if fh.tell() == 0:
                return False
            fh.seek(-1, os.SEEK_END)
            return fh.read(1) != b"\n"
    except FileNotFoundError:
        return False
