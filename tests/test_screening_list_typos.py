"""A filter term that can only be a typo is refused before any bulk decision: a source no
record comes from, or a field with no value. Each matches no record (or every record),
and negated it matches every record (or none), so `bulk --yes` would take them all."""

from __future__ import annotations

import json

import pytest

from helpers import run_cli, snapshot
from reviewkit.errors import ReviewkitError
from reviewkit.screening.listing import parse_filter
from test_screening_support import screening_project


@pytest.mark.parametrize("query", ["title:", "-source:", "budget year:"])
def test_a_field_with_no_value_is_refused(query):
    with pytest.raises(ReviewkitError, match="has no value"):
        parse_filter(query)


def test_a_negated_source_typo_writes_nothing(tmp_path):
    project, store = screening_project(tmp_path)
    store.close()
    root = project.root
    before = snapshot(root)
    r = run_cli("screen", "bulk", "-r", "ana", "--filter", "-source:wso",
                "--decision", "exclude", "--yes", cwd=root)
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert "source:wso is part of no source's name; sources at this stage: wos" in r.stderr
    assert snapshot(root) == before
    listed = run_cli("screen", "list", "-r", "ana", "--filter", "source:wo", "-f", "json",
                     cwd=root)  # part of a source's name still matches
    assert listed.returncode == 0, listed.stderr
    rows = json.loads(listed.stdout)
    assert rows and {row["source"] for row in rows} == {"wos"}
