"""Bytes to text: BOMs, UTF-8 vs CP1252/Latin-1, and every line-ending style."""

from __future__ import annotations

import codecs
import re

from reviewkit.errors import ReviewkitError


def decode(data: bytes, path: str) -> tuple[str, str]:
    """Return (text with '\\n' line ends, encoding used). Raises on binary data."""
    if not data[:4096].strip() and not data.strip():
        raise ReviewkitError("the file is empty: expected exported records", file=path)
    for bom, enc in ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
                     (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            try:
                text = data.decode(enc)
            except UnicodeDecodeError as exc:
                raise _bad(path, data, exc.start, f"invalid {enc.upper()} text") from None
            if "\x00" in text[:65536]:
                line = text.count("\n", 0, text.index("\x00")) + 1
                raise ReviewkitError(f"binary data ({enc.upper()} NUL characters); expected "
                                     "a text export", file=path, line=line)
            return _lines(text), enc
    head = data[:65536]
    if b"\x00" in head:
        at = head.index(b"\x00")
        raise _bad(path, data, at, "NUL bytes (binary data, or UTF-16 text without a BOM); "
                   "expected a text export (RIS, MEDLINE, WoS, BibTeX, CSV or EndNote XML) "
                   "in UTF-8, or UTF-16 with a BOM")
    try:
        return _lines(data.decode("utf-8-sig")), "utf-8"
    except UnicodeDecodeError as exc:
        if _looks_binary(data):
            raise _bad(path, data, exc.start, "binary data; expected a text export") from None
    try:
        return _lines(data.decode("cp1252")), "cp1252"
    except UnicodeDecodeError:
        return _lines(data.decode("latin-1")), "latin-1"


# a character of two to four bytes as UTF-8 writes it
_UTF8_CHAR = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|"
                        rb"[\xf0-\xf4][\x80-\xbf]{3}")


def mixed_utf8(data: bytes, path: str, encoding: str) -> str:
    """A warning, or "", for a file read as CP1252/Latin-1 that is mostly UTF-8: one stray
    byte sent the whole file to the 8-bit reading, so its UTF-8 characters read as
    mojibake. Said, not mended: reading it otherwise would move content-hash ids."""
    if encoding not in ("cp1252", "latin-1"):
        return ""
    utf8 = len(_UTF8_CHAR.findall(data, 0, 1 << 20))
    if not utf8:
        return ""
    try:
        data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        return (f"{path}:{line}: byte 0x{data[exc.start]:02X} is not UTF-8, so the whole "
                f"file was read as {encoding.upper()}, yet it holds {utf8} UTF-8 "
                "character(s), which now read garbled (\u00c3\u00a9 for \u00e9): save that "
                "line as UTF-8 before its records are screened")
    return ""


def _looks_binary(data: bytes) -> bool:
    sample = data[:8192]
    control = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13))
    return control > len(sample) * 0.01


def _lines(text: str) -> str:
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


def _bad(path: str, data: bytes, offset: int, what: str) -> ReviewkitError:
    line = data[:offset].count(b"\n") + 1
    return ReviewkitError(what, file=path, line=line)


def shown(value: str, limit: int = 60) -> str:
    """File content quoted in a one-line message: unprintable characters (line and
    paragraph separators, control codes) escaped, anything past ``limit`` cut."""
    out = "".join(c if c.isprintable() else repr(c)[1:-1] for c in value[:limit])
    return out[:limit] + "..." if len(out) > limit or len(value) > limit else out
