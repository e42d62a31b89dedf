"""Word table column widths follow what each column holds."""

from __future__ import annotations

import pytest

from reviewkit.reporting.docx_table import CHAR_PT, PAD_PT, column_widths

HEADER = ["Study", "n", "Aim"]
BODY = [["callanan-2012", "16", "To explore how self-directed support was implemented " * 2],
        ["cornes-2015", "8", "To provide initial internal and external stakeholder feedback"]]


def test_short_columns_get_their_longest_word_and_long_text_the_rest():
    widths = column_widths(HEADER, BODY, 432.0)  # 6 inches
    assert sum(widths) == pytest.approx(432.0)
    assert widths[0] >= len("callanan-2012") * CHAR_PT + PAD_PT
    assert widths[1] >= 3 * CHAR_PT + PAD_PT
    assert widths[2] > widths[0] > widths[1]


def test_room_to_spare_is_shared_and_too_little_room_shrinks_alike():
    wide = column_widths(HEADER, BODY, 2000.0)
    assert sum(wide) == pytest.approx(2000.0) and wide[2] > wide[0] > wide[1]
    narrow = column_widths(HEADER, BODY, 60.0)
    assert sum(narrow) == pytest.approx(60.0)
    assert narrow[0] / narrow[1] == pytest.approx((13 * CHAR_PT + PAD_PT) / (3 * CHAR_PT + PAD_PT))


def test_an_empty_table_still_has_its_header_widths():
    widths = column_widths(["Question", "Yes"], [], 300.0)
    assert sum(widths) == pytest.approx(300.0) and widths[0] > widths[1]
