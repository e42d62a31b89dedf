"""One line means one line: whatever a file held, an error message cannot break it, and
control codes from a damaged export do not reach a terminal."""

from __future__ import annotations

import pytest

from reviewkit.errors import ReviewkitError
from reviewkit.records.normalise import clean_text


@pytest.mark.parametrize("brk", ["\n", "\r", "\r\n", "\x0b", "\x0c", "\x1c", "\x85",
                                 "\u2028", "\u2029"])
def test_an_error_is_one_line_whatever_break_the_text_held(brk):
    err = ReviewkitError(f"bad value 'a{brk}b'", file="x.ris", line=3)
    assert len(str(err).splitlines()) == 1
    assert str(err) == "x.ris:3: bad value 'a b'"


def test_control_codes_are_dropped_from_record_text():
    assert clean_text("red \x1b[31malert\x07 and\x00 more\x0bhere") == \
        "red [31malert and more here"
    assert clean_text("plain text, kept as it is") == "plain text, kept as it is"
    assert clean_text("tabs\tand\nnew lines collapse") == "tabs and new lines collapse"
