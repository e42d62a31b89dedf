"""A big RIS file read piece by piece gives exactly the records of a whole read."""

from __future__ import annotations

import pytest

from reviewkit.errors import ReviewkitError
from reviewkit.io import read_file
from reviewkit.io.stream import check_file, read_pieces

from conftest import export_file

FILES = ["ris/embase-com_asreview.ris", "ris/scopus-via-citavi_asreview.txt",
         "ris/ovid-medline_citesource.ris", "ris/bluelight-endnote_reflib.ris"]


@pytest.mark.parametrize("name", FILES)
def test_pieces_equal_the_whole_file(name):
    path = export_file(name)
    whole = read_file(path)
    pieces = list(read_pieces(path, stream_bytes=0, piece_bytes=4096))
    assert len(pieces) > 3  # really read in pieces
    records = [r for p in pieces for r in p.records]
    assert [r.__dict__ for r in records] == [r.__dict__ for r in whole.records]
    assert {(p.sha256, p.format, p.dialect, p.encoding) for p in pieces} == \
        {(whole.sha256, whole.format, whole.dialect, whole.encoding)}


def test_check_file_counts_without_keeping_a_big_file(tmp_path):
    path = export_file(FILES[0])
    whole = read_file(path)
    small, kept = check_file(path)
    assert kept and small.entries == len(small.records) == len(whole.records)


def test_an_error_in_a_later_piece_names_the_line_in_the_whole_file(tmp_path):
    text = export_file(FILES[0]).read_text("utf-8")
    lines = text.split("\n")
    # drop the ER of a record near the end: the next TY is then reported, with its line
    er = [i for i, line in enumerate(lines) if line.startswith("ER  -")][-3]
    del lines[er]
    bad = tmp_path / "cut.ris"
    bad.write_text("\n".join(lines), "utf-8")
    with pytest.raises(ReviewkitError) as whole_err:
        read_file(bad)
    with pytest.raises(ReviewkitError) as piece_err:
        list(read_pieces(bad, stream_bytes=0, piece_bytes=2048))
    assert str(piece_err.value) == str(whole_err.value)
    assert piece_err.value.line > er


def test_a_mistyped_tag_in_a_later_piece_is_reported_at_its_line(tmp_path):
    lines = export_file(FILES[0]).read_text("utf-8").split("\n")
    at = [i for i, line in enumerate(lines) if line.startswith("DO  - ")][-2]
    lines[at] = lines[at].replace("DO  - ", "DO - ", 1)
    odd = tmp_path / "odd.ris"
    odd.write_text("\n".join(lines), "utf-8")
    whole = read_file(odd).warnings
    pieces = [w for p in read_pieces(odd, stream_bytes=0, piece_bytes=2048) for w in p.warnings]
    assert pieces == whole and len(whole) == 1 and whole[0].startswith(f"{odd}:{at + 1}:")
