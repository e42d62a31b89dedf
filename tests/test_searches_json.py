"""`reviewkit search list --format json`: each field has one JSON type across entries,
and what a search did not log is null (never "" in one entry and null in another)."""

from __future__ import annotations

import json

from helpers import new_project, run_cli
from reviewkit.searches.log import Search, add_search

RIS = "TY  - JOUR\nTI  - One\nPY  - 2001\nER  - \n\nTY  - JOUR\nTI  - Two\nER  - \n"


def _log(tmp_path):
    """Searches that leave out different fields: full, bare, other method, imported."""
    project, store = new_project(tmp_path)
    store.close()
    add_search(project, Search(id="medline", database="MEDLINE", platform="Ovid",
                               date_run="2021-03-04", coverage="1946 - 2021", limits="English",
                               hits=2, run_by="AB", search_string="1. budget*",
                               notes="update"))
    add_search(project, Search(id="bare", database="CINAHL"))
    add_search(project, Search(id="grey", kind="website", database="OpenGrey", hits=12))
    export = tmp_path / "m.ris"
    export.write_text(RIS, "utf-8")
    assert run_cli("import", str(export), "--search", "medline",
                   cwd=project.root).returncode == 0
    return project


def _json_type(value) -> str:
    return {bool: "boolean", int: "number", float: "number", str: "string", list: "array",
            dict: "object"}[type(value)]


def test_each_field_has_one_json_type(tmp_path):
    project = _log(tmp_path)
    res = run_cli("search", "list", "--format", "json", cwd=project.root)
    assert res.returncode == 0, res.stderr
    rows = json.loads(res.stdout)
    assert len(rows) == 3 and all(set(r) == set(rows[0]) for r in rows)
    for field in rows[0]:
        values = [r[field] for r in rows]
        types = {_json_type(v) for v in values if v is not None}
        assert len(types) <= 1, (field, values)
        assert "" not in values, (field, values)  # not logged is null, as everywhere
    by_id = {r["id"]: r for r in rows}
    assert by_id["medline"]["hits"] == 2 and by_id["medline"]["imported"] == 2
    assert by_id["medline"]["date_run"] == "2021-03-04"
    assert by_id["bare"]["hits"] is None and by_id["bare"]["date_run"] is None
    assert by_id["bare"]["imported"] is None and by_id["bare"]["platform"] is None
    assert by_id["grey"]["hits"] == 12 and by_id["bare"]["files"] == []
    assert by_id["bare"]["check"] == "no-files"


def test_the_table_still_says_not_reported(tmp_path):
    project = _log(tmp_path)
    res = run_cli("search", "list", cwd=project.root)
    assert res.returncode == 0, res.stderr
    [bare] = [line for line in res.stdout.splitlines() if "CINAHL" in line]
    assert "not reported" in bare and "None" not in res.stdout
