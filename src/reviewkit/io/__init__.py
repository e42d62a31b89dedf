"""Readers and writers for bibliographic export files.

``read_file`` is the one entry point: decode, detect, parse, normalise.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from importlib import import_module
from pathlib import Path

from reviewkit.errors import ReviewkitError
from reviewkit.gcpause import no_gc
from reviewkit.io.detect import FORMATS, detect
from reviewkit.io.text import decode, mixed_utf8
from reviewkit.records.model import Record

# readers of line-tagged formats, which report mistyped tag lines
_TAGGED = ("ris", "medline", "ovid", "wos")


@dataclass
class ParsedFile:
    """What one export file holds, with what is needed to know it again."""

    path: str
    sha256: str
    size: int
    format: str
    dialect: str
    encoding: str
    records: list[Record] = field(default_factory=list)
    # one line each, 'file:line: what', for things read but worth a look
    # (a tag line typed wrong); the file is still imported
    warnings: list[str] = field(default_factory=list)
    entries: int = -1  # records in the whole file, where ``records`` holds only a part

    def __post_init__(self) -> None:
        if self.entries < 0:
            self.entries = len(self.records)


def parse_bytes(data: bytes, path: str, fmt: str | None = None,
                columns: dict[str, str] | None = None) -> ParsedFile:
    """Parse an export held in memory; ``fmt`` overrides detection."""
    text, encoding = decode(data, path)
    if fmt is None:
        fmt = detect(text, path)
    elif fmt not in FORMATS:
        raise ReviewkitError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
    module = import_module(f"reviewkit.io.{fmt}")
    mixed = mixed_utf8(data, path, encoding)
    warnings: list[str] = [mixed] if mixed else []
    with no_gc():
        if fmt == "csv":
            dialect, records = module.read(text, path, columns)
        elif fmt in _TAGGED:
            dialect, records = module.read(text, path, warnings)
        else:
            dialect, records = module.read(text, path)
    if not records:
        raise ReviewkitError(f"no records found in this {fmt} file", file=path)
    return ParsedFile(path, hashlib.sha256(data).hexdigest(), len(data), fmt, dialect,
                      encoding, records, warnings)


def read_file(path: str | Path, fmt: str | None = None,
              columns: dict[str, str] | None = None) -> ParsedFile:
    """Read and parse one export file; every failure is a ReviewkitError naming it."""
    p = Path(path)
    try:
        data = p.read_bytes()
    except FileNotFoundError:
        raise ReviewkitError("no such file", file=str(path)) from None
    except IsADirectoryError:
        raise ReviewkitError("is a folder, expected an export file", file=str(path)) from None
    return parse_bytes(data, str(path), fmt, columns)
