"""Counts CSVs a team edits by hand: a mistake names the line it starts on."""

from __future__ import annotations

import pytest

from reviewkit.errors import ReviewkitError
from reviewkit.reporting.prisma import read_counts_csv

from conftest import REPO


def test_an_unclosed_quote_names_the_line_it_opens_on(tmp_path):
    lines = (REPO / "prisma-counts.csv").read_text("utf-8").splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("duplicates,"))
    lines[at] = 'duplicates,node8,box3,"Duplicate records,Duplicate records,x,y,1934'
    path = tmp_path / "counts.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(ReviewkitError) as err:
        read_counts_csv(path)
    assert err.value.line == at + 1  # 1-based: the row with the stray quote
    assert "'\"'" in str(err.value)  # and says what to look for
