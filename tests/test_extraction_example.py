"""The worked example reproduces the seed review's Table 4 (characteristics)."""

from __future__ import annotations

import csv
import io
import json

from appraisal_support import section
from helpers import run_cli
from reviewkit.extraction.form import get_form
from reviewkit.extraction.table import characteristics_rows, final_extractions
from reviewkit.project import find_project

from conftest import REPO, shared_path

COLUMNS = ("citation", "budget_type", "budget_amount", "location", "design", "service_users",
           "staff", "publication")


def _published() -> dict[str, dict[str, str]]:
    rows = section(shared_path("example/tompkins-2018.yaml"), "included_studies")
    return {r["id"]: {k: str(r[k]) for k in COLUMNS} for r in rows}


def test_table4_rows_regenerated_from_example_files():
    published = _published()
    project = find_project(REPO)
    form = get_form(project, "characteristics")
    records, warnings = final_extractions(project, form)
    assert warnings == []
    rows = characteristics_rows(project, form, records)
    ours = {r["study"]: {k: r[k] for k in COLUMNS} for r in rows}
    assert list(ours) == list(published)  # same studies, same order
    assert ours == published


def test_cli_extraction_table_csv_md_json():
    published = _published()
    res = run_cli("extraction", "table", "--format", "csv", cwd=REPO)
    assert res.returncode == 0, res.stderr
    rows = list(csv.DictReader(io.StringIO(res.stdout)))
    assert [r["study"] for r in rows] == list(published)
    assert rows[3]["service_users"] == published["welch-2013"]["service_users"]
    data = json.loads(run_cli("extraction", "table", "--format", "json", cwd=REPO).stdout)
    assert data[2]["budget_amount"] == published["croft-2016"]["budget_amount"]
    md = run_cli("extraction", "table", "--format", "md", cwd=REPO).stdout
    assert "| Study | Reference | Type of budget |" in md
    assert "| welch-2017 |" in md and "| n/a |" in md


def test_example_records_use_every_field_type():
    project = find_project(REPO)
    form = get_form(project, "characteristics")
    types = {f.type for f in form.fields}
    assert types >= {"integer", "choice", "yes_no", "text", "long_text", "multi_choice",
                     "group", "date", "list"}
    records, _ = final_extractions(project, form)
    welch = next(r for r in records if r.study == "welch-2013")
    assert welch.values["participant_groups"][1] == {"group": "service users", "n": 166,
                                                     "description": "quantitative"}
    assert welch.values["peer_reviewed"] is False and welch.values["year"] == 2013


def _seed_aims() -> list[str]:
    """The 'Study aim' column of the paper's Table 4, row by row (tab-separated text)."""
    text = shared_path("seeds/tompkins-2018-personalised-budgets-review.txt").read_text("utf-8")
    table = text[text.index("Table 4: Summary of included studies"):]
    head = table.splitlines()[1].split("\t")
    rows = [line.split("\t") for line in table.splitlines() if line[:2] in
            {f"{n}\t" for n in range(1, 7)}]
    return [" ".join(r[head.index("Study aim")].split()) for r in rows]


def test_every_study_aim_is_the_papers():
    project = find_project(REPO)
    form = get_form(project, "characteristics")
    records, _ = final_extractions(project, form)
    ours = [" ".join(str(r.values.get("aim", "")).split()) for r in records]
    assert len(_seed_aims()) == 6
    assert ours == _seed_aims()
