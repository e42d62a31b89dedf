"""Outputs written whole or not at all."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from reviewkit.errors import ReviewkitError


def write_file(path: Path, data: bytes | str) -> None:
    """Never a half-written output (a temp file renamed over ``path``); a device or a pipe
    (-o /dev/stdout) is written in place."""
    from reviewkit.project.atomic import write_bytes_atomic
    from reviewkit.project.owned import refuse_owned

    refuse_owned(path)
    write_bytes_atomic(path, data.encode("utf-8") if isinstance(data, str) else data)


def check_output_folder(folder: Path, option: str = "--output") -> None:
    """Refuse, before anything is built, a folder that cannot be written: a file of that
    name, a parent that is a file, or a place this user may not write."""
    if folder.exists() and not folder.is_dir():
        raise ReviewkitError(f"exists and is a file; {option} names a folder to write the "
                             "report into", file=str(folder))
    _check_parent(folder, option, folder)


def check_output_file(path: Path, option: str = "--output") -> None:
    """The same for one output file: not a folder, its folder writable."""
    if path.is_dir():
        raise ReviewkitError(f"is a folder; {option} names the file to write", file=str(path))
    _check_parent(path.parent, option, path)


def _check_parent(folder: Path, option: str, target: Path) -> None:
    existing = folder
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        raise ReviewkitError(f"{existing} is a file, not a folder, so {option} cannot be "
                             "written there", file=str(target))
    try:  # the only sure test (permissions, read-only mounts, ACLs): write and remove
        fd, probe = tempfile.mkstemp(prefix=".reviewkit-probe.", dir=existing)
    except OSError as exc:
        raise ReviewkitError(f"cannot write in {existing} ({exc.strerror})",
                             file=str(target)) from None
    os.close(fd)
    os.unlink(probe)
