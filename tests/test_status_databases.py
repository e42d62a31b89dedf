"""`reviewkit status`: a database searched again (an update search) is one database, one
row with its hits summed and its searches counted, as the report's methods count it."""

from __future__ import annotations

import json

from helpers import new_project, run_cli
from reviewkit.project.session import session
from reviewkit.reporting.report import build_report, render_report
from reviewkit.searches.log import Search, add_search


def _updated(tmp_path):
    project, store = new_project(tmp_path)
    store.close()
    for search in (Search(id="medline", database="MEDLINE", platform="Ovid", hits=120,
                          date_run="2019-05-02"),
                   Search(id="embase", database="Embase", hits=80),
                   Search(id="medline-2021", database="MEDLINE", platform="Ovid", hits=15,
                          date_run="2021-03-01"),
                   Search(id="medline-web", database="MEDLINE", platform="PubMed", hits=7),
                   Search(id="refs", kind="citation", database="Reference lists", hits=3)):
        add_search(project, search)
    return project


def test_status_has_one_row_per_database(tmp_path):
    project = _updated(tmp_path)
    res = run_cli("status", "--format", "json", cwd=project.root)
    assert res.returncode == 0, res.stderr
    [info] = json.loads(res.stdout)
    assert info["searches"] == 5 and info["databases"] == 3  # MEDLINE (Ovid) once
    rows = {(r["database"], r["platform"]): r for r in info["databases_searched"]}
    assert set(rows) == {("MEDLINE", "Ovid"), ("Embase", ""), ("MEDLINE", "PubMed")}
    assert rows["MEDLINE", "Ovid"]["searches"] == 2
    assert rows["MEDLINE", "Ovid"]["hits"] == 135
    assert rows["MEDLINE", "Ovid"]["ids"] == ["medline", "medline-2021"]  # first run first
    assert (rows["Embase", ""]["searches"], rows["Embase", ""]["hits"]) == (1, 80)
    table = run_cli("status", cwd=project.root).stdout
    assert table.count("Ovid") == 1 and "135" in table


def test_a_search_with_hits_not_reported_leaves_the_sum_unknown(tmp_path):
    project = _updated(tmp_path)
    add_search(project, Search(id="embase-2021", database="Embase"))  # hits not logged
    [info] = json.loads(run_cli("status", "--format", "json", cwd=project.root).stdout)
    [embase] = [r for r in info["databases_searched"] if r["database"] == "Embase"]
    assert embase["searches"] == 2 and embase["hits"] is None


def test_status_and_the_report_count_the_same_databases(tmp_path):
    project = _updated(tmp_path)
    [info] = json.loads(run_cli("status", "--format", "json", cwd=project.root).stdout)
    with session(project.root) as (proj, store):
        text = render_report(build_report(proj, store), "md", proj.root)
    methods = " ".join(text.split())
    assert f"{info['databases']} databases and registers were searched" in methods
    assert "4 searches in all" in methods
