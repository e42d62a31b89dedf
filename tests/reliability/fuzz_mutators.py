"""Mutations of real export files, shared by the fuzz tests and bench/fuzz.py.

Every mutator takes the file's bytes and a ``random.Random`` (hypothesis's
``st.randoms()`` in the tests, a seeded one in the bench) and returns new
bytes. What the readers must survive is what happens to real exports:
cut-short downloads, files joined or hand-edited, the wrong encoding.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from pathlib import Path

# corpus folder -> the reader that file is written for
FOLDER_FORMAT = {
    "ris": "ris", "medline-nbib": "medline", "wos-plaintext": "wos", "ovid-tagged": "ovid",
    "bibtex": "bibtex", "csv": "csv", "endnote-xml": "endnote_xml",
}

# bytes that mean something to one reader or another, put where they hurt
_NOISE = (
    b"TY  - JOUR", b"ER  - ", b"ER  -", b"PMID- 1", b"PT J", b"ER", b"EF", b"FN x", b"<1. >",
    b"TI  -x", b"ti  - x", b"TI - x", b"AU  - ", b"@article{k,", b"@", b"}", b"{", b"\"", b",",
    b";", b"\t", b"<record>", b"</record>", b"<records>", b"<xml>", b"<?xml version='1.0'?>",
    b"&", b"&#0;", b"&#xD800;", b"&amp", b"<!DOCTYPE x [<!ENTITY e 'v'>]>", b"\\", b"%",
    b"$", b"\\'{", b"  ", b"      x", b"   x",
)
_BAD_UTF8 = (b"\xff", b"\xfe", b"\x80", b"\xc3", b"\xe2\x82", b"\xf0\x9f\x98", b"\xed\xa0\x80",
             b"\xc0\xaf", b"\xf8\x88\x80\x80\x80")
_CONTROL = ("\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029", "\x1b[31m",
            "\ufeff", "\r", "\x7f")
_ENCODINGS = ("utf-16", "utf-16-le", "utf-16-be", "utf-32", "latin-1", "cp1252", "utf-8-sig")


def _pos(data: bytes, rnd: random.Random) -> int:
    return rnd.randrange(len(data) + 1)


def _line_start(data: bytes, rnd: random.Random) -> int:
    at = data.rfind(b"\n", 0, _pos(data, rnd))
    return at + 1


def flip_bytes(data: bytes, rnd: random.Random) -> bytes:
    if not data:
        return data
    b = bytearray(data)
    for _ in range(rnd.randint(1, 16)):
        i = rnd.randrange(len(b))
        b[i] = rnd.randrange(256) if rnd.random() < 0.5 else b[i] ^ (1 << rnd.randrange(8))
    return bytes(b)


def truncate(data: bytes, rnd: random.Random) -> bytes:
    return data[:_pos(data, rnd)]


def _lines(data: bytes) -> list[bytes]:
    return data.splitlines(keepends=True)


def drop_lines(data: bytes, rnd: random.Random) -> bytes:
    lines = _lines(data)
    for _ in range(rnd.randint(1, 5)):
        if lines:
            start = rnd.randrange(len(lines))
            del lines[start:start + rnd.randint(1, 3)]
    return b"".join(lines)


def duplicate_lines(data: bytes, rnd: random.Random) -> bytes:
    lines = _lines(data)
    room = len(data) + 65536  # at most double: one-line files must not grow without bound
    for _ in range(rnd.randint(1, 5)):
        if lines:
            start = rnd.randrange(len(lines))
            chunk = lines[start:start + rnd.randint(1, 20)] * rnd.randint(1, 3)
            size = sum(map(len, chunk))
            if size <= room:
                lines[start:start] = chunk
                room -= size
    return b"".join(lines)


def swap_lines(data: bytes, rnd: random.Random) -> bytes:
    lines = _lines(data)
    if len(lines) > 1:
        for _ in range(rnd.randint(1, 5)):
            i, j = rnd.randrange(len(lines)), rnd.randrange(len(lines))
            lines[i], lines[j] = lines[j], lines[i]
    return b"".join(lines)


def insert_nul(data: bytes, rnd: random.Random) -> bytes:
    for _ in range(rnd.randint(1, 4)):
        at = _pos(data, rnd)
        data = data[:at] + b"\x00" * rnd.randint(1, 3) + data[at:]
    return data


def invalid_utf8(data: bytes, rnd: random.Random) -> bytes:
    for _ in range(rnd.randint(1, 6)):
        at = _pos(data, rnd)
        data = data[:at] + rnd.choice(_BAD_UTF8) + data[at:]
    return data


def control_chars(data: bytes, rnd: random.Random) -> bytes:
    for _ in range(rnd.randint(1, 6)):
        at = _pos(data, rnd)
        data = data[:at] + rnd.choice(_CONTROL).encode("utf-8") + data[at:]
    return data


def reencode(data: bytes, rnd: random.Random) -> bytes:
    text = data.decode("utf-8", "replace")
    return text.encode(rnd.choice(_ENCODINGS), "replace")


def line_endings(data: bytes, rnd: random.Random) -> bytes:
    text = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    return text.replace(b"\n", rnd.choice((b"\r\n", b"\r", b"\n\n", b"\r\r\n")))


def noise(data: bytes, rnd: random.Random) -> bytes:
    """Tag lines, brackets, quotes and entities at line starts or anywhere."""
    for _ in range(rnd.randint(1, 8)):
        at = _line_start(data, rnd) if rnd.random() < 0.7 else _pos(data, rnd)
        piece = rnd.choice(_NOISE)
        data = data[:at] + piece + (b"\n" if rnd.random() < 0.5 else b"") + data[at:]
    return data


def strip_whitespace(data: bytes, rnd: random.Random) -> bytes:
    """Hand edits: a line's leading spaces or its separator spaces removed."""
    lines = _lines(data)
    for _ in range(rnd.randint(1, 10)):
        if lines:
            i = rnd.randrange(len(lines))
            lines[i] = lines[i].lstrip(b" ") if rnd.random() < 0.5 else lines[i].replace(
                b"  ", b" ", 1)
    return b"".join(lines)


def huge_line(data: bytes, rnd: random.Random, size: int = 3 << 20) -> bytes:
    """One line of a few MB: a giant tag value, or untagged text."""
    at = _line_start(data, rnd)
    head = rnd.choice((b"", b"AB  - ", b"AB ", b"AB  - ", b"  "))
    unit = rnd.choice((b"x", b"word ", b"\xc3\xa9", b"{", b"a,", b'"'))
    return data[:at] + head + unit * (size // len(unit)) + b"\n" + data[at:]


def deep_nesting(data: bytes, rnd: random.Random) -> bytes:
    """Thousands of nested elements, braces or brackets: recursion must not run out."""
    opening, closing = rnd.choice(((b"<a>", b"</a>"), (b"{", b"}"), (b"(", b")"),
                                   (b"<style>", b"</style>"), (b"[", b"]")))
    depth = rnd.choice((100, 2000, 20000))
    at = _pos(data, rnd)
    return data[:at] + opening * depth + b"x" + closing * depth + data[at:]


def unicode_text(data: bytes, rnd: random.Random) -> bytes:
    """Characters from the far corners of Unicode: digits that are not ASCII, marks, RTL."""
    pieces = ("٢٠٢٠", "²³", "２０２０", "́",
              "‮", "​", "😀", "中文", "ß", "İ", "ﬁ",
              "ẞ", "�", "Ⅳ")
    for _ in range(rnd.randint(1, 6)):
        at = _pos(data, rnd)
        data = data[:at] + rnd.choice(pieces).encode("utf-8") + data[at:]
    return data


def long_run(data: bytes, rnd: random.Random) -> bytes:
    """Tens of thousands of one character inside a line: regexes must not backtrack on it."""
    at = _pos(data, rnd)
    unit = rnd.choice((b" ", b"\t", b"(", b"-", b".", b"1", b"a", b";", b",", b"/", b"pp "))
    return data[:at] + unit * rnd.choice((5000, 30000)) + data[at:]


MUTATORS: dict[str, Callable[[bytes, random.Random], bytes]] = {
    f.__name__: f for f in (flip_bytes, truncate, drop_lines, duplicate_lines, swap_lines,
                            insert_nul, invalid_utf8, control_chars, reencode, line_endings,
                            noise, strip_whitespace, deep_nesting, unicode_text,
                            long_run)
}


def mutate(data: bytes, rnd: random.Random,
           others: Sequence[bytes] = ()) -> tuple[bytes, list[str]]:
    """One to three mutations in a row (sometimes a splice of another file); names applied."""
    names = []
    for _ in range(rnd.randint(1, 3)):
        if others and rnd.random() < 0.08:
            other = rnd.choice(others)
            a, b = sorted((_pos(other, rnd), _pos(other, rnd)))
            at = _line_start(data, rnd)
            data, name = data[:at] + other[a:b] + data[at:], "splice"
        else:
            name = rnd.choice(sorted(MUTATORS))
            data = MUTATORS[name](data, rnd)
        names.append(name)
    return data, names


def corpus(root: Path) -> list[tuple[Path, str]]:
    """Every export file under ``root`` with the format it is written in."""
    return [(p, fmt) for folder, fmt in FOLDER_FORMAT.items()
            for p in sorted((root / folder).glob("*")) if p.is_file()]


class UnclearError(AssertionError):
    """A ReviewkitError whose message is not one line naming the file."""


def outcome(path: Path, fmt: str | None) -> str:
    """'clean' (records) or 'error' (a clear ReviewkitError); anything else propagates."""
    from reviewkit.errors import ReviewkitError
    from reviewkit.io import read_file

    try:
        parsed = read_file(path, fmt)
    except ReviewkitError as err:
        message = str(err)
        if (len(message.splitlines()) != 1 or not message.startswith(f"{path}")
                or len(message) > len(str(path)) + 1000):
            raise UnclearError(f"unclear error message: {message!r}") from err
        return "error"
    if not parsed.records:
        raise AssertionError("read_file returned no records and no error")
    return "clean"
