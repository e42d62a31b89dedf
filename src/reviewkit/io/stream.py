"""Big exports in bounded memory: a large RIS file is parsed piece by piece.

A piece ends just before a ``TY  -`` line, so every record (and the tags some
databases write after ``ER``) stays whole in one piece. Each piece is decoded,
parsed and handed on before the next is read; positions and line numbers are
those of the whole file. Files that are small, not RIS, not UTF-8, or use bare
CR line ends are read whole, as before.
"""

from __future__ import annotations

import codecs
import hashlib
import re
import stat
from collections.abc import Iterator
from pathlib import Path

from reviewkit.errors import ReviewkitError
from reviewkit.io import ParsedFile, read_file
from reviewkit.io.detect import detect
from reviewkit.io.text import decode

STREAM_BYTES = 48 << 20  # files above this are parsed in pieces
PIECE_BYTES = 8 << 20
_START = b"\nTY  -"
_LINE_NO = re.compile(r"\bline (\d+)")


def read_pieces(path: str | Path, fmt: str | None = None,
                columns: dict[str, str] | None = None,
                stream_bytes: int = STREAM_BYTES,
                piece_bytes: int = PIECE_BYTES) -> Iterator[ParsedFile]:
    """The file's records as one or more ParsedFiles (same sha, format, dialect, encoding)."""
    p = Path(path)
    try:
        st = p.stat()
    except FileNotFoundError:
        raise ReviewkitError("no such file", file=str(path)) from None
    if not (stat.S_ISREG(st.st_mode) or stat.S_ISDIR(st.st_mode)):
        # a device or a pipe (/dev/zero, <(...)) may never end: reading it would hang
        raise ReviewkitError("not a regular file (a device or a pipe); expected an export "
                             "file saved to disk", file=str(path))
    size = st.st_size
    if size <= stream_bytes or p.is_dir():
        yield read_file(path, fmt, columns)
        return
    sha = _utf8_sha(p)
    head = _head(p)
    if sha is None or b"\r" in head.replace(b"\r\n", b"") or fmt not in (None, "ris"):
        yield read_file(path, fmt, columns)
        return
    head_text, _ = decode(head, str(path))
    if detect(head_text, str(path)) != "ris":
        yield read_file(path, fmt, columns)
        return
    yield from _ris_pieces(p, sha, size, piece_bytes)


def check_file(path: str | Path, fmt: str | None = None,
               columns: dict[str, str] | None = None) -> tuple[ParsedFile, bool]:
    """Read a file through to its end, raising on any fault; (file, whole).

    A small file comes back whole, records and all, to be stored without a second
    read; a big one comes back with its count in ``entries`` and no records kept."""
    first: ParsedFile | None = None
    count = 0
    for n, pf in enumerate(read_pieces(path, fmt, columns)):
        count += len(pf.records)
        if n == 0:
            first = pf
        else:
            first.warnings.extend(pf.warnings)
            first.records = []
            pf.records = []
    assert first is not None
    first.entries = count
    return first, count == len(first.records)


def _ris_pieces(p: Path, sha: str, size: int, piece_bytes: int) -> Iterator[ParsedFile]:
    from reviewkit.io import ris

    name = None
    lines = records = 0
    with p.open("rb") as fh:
        rest = fh.read(3)
        if rest == codecs.BOM_UTF8:
            rest = b""
        while rest or not fh.closed:
            block = fh.read(piece_bytes)
            buf = rest + block
            if block:
                cut = buf.rfind(_START)
                if cut <= 0:  # one record longer than a piece: read on
                    rest = buf
                    continue
                piece, rest = buf[:cut + 1], buf[cut + 1:]
            else:
                piece, rest = buf, b""
                fh.close()
            if not piece.strip():
                continue
            text = piece.decode("utf-8").replace("\r\n", "\n")
            found: list[str] = []
            try:
                name, recs = ris.read(text, str(p), found, name)
            except ReviewkitError as err:
                if err.line:
                    err.line += lines
                err.message = _LINE_NO.sub(lambda m, at=lines: f"line {int(m[1]) + at}",
                                           err.message)
                if block and err.message.startswith("file ends inside the record"):
                    # the piece ended before the next TY: say what a whole read says
                    raise ReviewkitError(
                        f"record starting at line {err.line} has no 'ER  -' line before the "
                        "next 'TY  -': expected each record to end with ER", file=str(p),
                        line=lines + piece.count(b"\n") + 1) from None
                raise
            for rec in recs:
                rec.position += records
                rec.line += lines
            prefix = f"{p}:"
            found = [_shift(w, prefix, lines) for w in found]
            records += len(recs)
            lines += piece.count(b"\n")
            yield ParsedFile(str(p), sha, size, "ris", name or "", "utf-8", recs, found)


def _shift(warning: str, prefix: str, lines: int) -> str:
    """'file:12: ...' of a piece -> the line in the whole file."""
    number, sep, rest = warning[len(prefix):].partition(":")
    if warning.startswith(prefix) and sep and number.isdigit():
        return f"{prefix}{int(number) + lines}:{rest}"
    return warning


def _utf8_sha(p: Path) -> str | None:
    """The file's sha256, or None when it is not UTF-8 throughout (read whole instead)."""
    digest = hashlib.sha256()
    check = codecs.getincrementaldecoder("utf-8")()
    with p.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 22), b""):
            digest.update(block)
            try:
                check.decode(block)
            except UnicodeDecodeError:
                return None
    try:
        check.decode(b"", final=True)
    except UnicodeDecodeError:
        return None
    return digest.hexdigest()


def _head(p: Path) -> bytes:
    with p.open("rb") as fh:
        data = fh.read(1 << 20)
    cut = data.rfind(b"\n")  # whole lines, never half a UTF-8 character
    return data[:cut + 1] if cut > 0 else data
