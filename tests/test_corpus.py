"""Every file of the real export corpus imports, with the MANIFEST's record count.

The expected counts are read from ../shared/data/exports/MANIFEST.md itself,
so a new fixture there is tested without editing this file.
"""

from __future__ import annotations

import re

import pytest

from reviewkit.io import read_file

from conftest import EXPORTS

# format expected per corpus folder (content decides; the folder says what it is)
FOLDER_FORMAT = {"ris": "ris", "ovid-tagged": "ovid", "wos-plaintext": "wos",
                 "medline-nbib": "medline", "csv": "csv", "endnote-xml": "endnote_xml",
                 "bibtex": "bibtex"}


def manifest_rows() -> list[tuple[str, int]]:
    manifest = EXPORTS / "MANIFEST.md"
    if not manifest.exists():
        return []
    rows = []
    for line in manifest.read_text("utf-8").splitlines():
        m = re.match(r"^\| `([^`]+)` \|(?:[^|]*\|){4} (\d+) \|", line)
        if m:
            rows.append((m.group(1), int(m.group(2))))
    return rows


ROWS = manifest_rows()


def test_manifest_lists_the_corpus():
    if not EXPORTS.exists():
        pytest.skip(f"shared export corpus not present: {EXPORTS}")
    files = sorted(p.relative_to(EXPORTS).as_posix() for p in EXPORTS.rglob("*")
                   if p.is_file() and p.name != "MANIFEST.md")
    assert sorted(name for name, _ in ROWS) == files


@pytest.mark.parametrize(("name", "count"), ROWS or [pytest.param("-", 0, marks=pytest.mark.skip(
    reason="shared export corpus not present"))])
def test_every_export_imports_with_manifest_count(name, count):
    parsed = read_file(EXPORTS / name)
    assert len(parsed.records) == count
    assert parsed.format == FOLDER_FORMAT[name.split("/")[0]]
    # real exports continue values on untagged lines: none of them looks mistyped
    assert parsed.warnings == []
    # every record has something a reviewer can screen, and its provenance
    for i, rec in enumerate(parsed.records, 1):
        assert rec.title, f"{name} record {i} has no title"
        assert rec.position == i
        assert rec.line >= 1
        assert rec.raw
