"""Importing a spreadsheet again (the team added rows to the sheet it imported before):
rows whose record already says the same are left as they are, new rows are written, and
a row that says otherwise than its record is refused unless --replace. Was: every row
already imported was refused, so the only way on was --replace, which wrote the sheet's
older copy over answers given since in the form or by hand."""

from __future__ import annotations

from appraisal_support import mini_project
from helpers import run_cli, snapshot

HEAD = "study,reviewer,checklist," + ",".join(f"q{i}" for i in range(1, 11)) + ",q7_comment\n"
ANN = "s1,ann,casp-qualitative," + ",".join(["yes"] * 10) + ",consent described\n"
BOB = "s1,bob,casp-qualitative," + ",".join(["yes"] * 6 + ["no"] + ["yes"] * 3) + ",\n"
FORM_HEAD = ("study,reviewer,year,publication,budget_type,budget_amount,location,design,"
             "service_users,staff\n")
FORM_ANN = "s1,ann,2016,journal,personal budget,GBP 10,UK,qualitative,5,none\n"
FORM_BOB = "s2,bob,2017,grey,personal budget,n/a,Leeds,qualitative,8,4\n"


def _import_twice(tmp_path, stage, head, first, second, what):
    project = mini_project(tmp_path)
    root = project.root
    sheet = tmp_path / "sheet.csv"
    sheet.write_text(head + first, "utf-8")
    r = run_cli(stage, "import", str(sheet), cwd=root)
    assert r.returncode == 0 and r.stdout.strip() == f"imported 1 {what}", r.stderr
    kept = snapshot(root)
    r = run_cli(stage, "import", str(sheet), cwd=root)  # the same sheet again
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == f"imported 0 {what}; 1 unchanged"
    assert snapshot(root) == kept
    sheet.write_text(head + first + second, "utf-8")  # a row added
    r = run_cli(stage, "import", str(sheet), cwd=root)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == f"imported 1 {what}; 1 unchanged"
    assert {k: v for k, v in snapshot(root).items() if k in kept} == kept
    return project, sheet


def test_appraisals_imported_again_with_a_new_row(tmp_path):
    project, sheet = _import_twice(tmp_path, "appraisal", HEAD, ANN, BOB, "appraisals")
    root = project.root
    # ann changes q1 in the form after the import: the sheet's older row is refused
    ann = root / "casp/s1/ann.yaml"
    ann.write_text(ann.read_text("utf-8").replace("  q1:\n    answer: 'yes'",
                                                  "  q1:\n    answer: 'no'"), "utf-8")
    kept = snapshot(root)
    r = run_cli("appraisal", "import", str(sheet), cwd=root)
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert r.stderr.strip() == (f"error: {sheet}:2: study 's1', reviewer 'ann': "
                                "casp/s1/ann.yaml exists and says otherwise (use --replace)")
    assert snapshot(root) == kept


def test_extractions_imported_again_with_a_new_row(tmp_path):
    project, sheet = _import_twice(tmp_path, "extraction", FORM_HEAD, FORM_ANN, FORM_BOB,
                                   "extraction records")
    root = project.root
    sheet.write_text(FORM_HEAD + FORM_ANN.replace(",UK,", ",Wales,") + FORM_BOB, "utf-8")
    kept = snapshot(root)
    r = run_cli("extraction", "import", str(sheet), cwd=root)
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert r.stderr.strip() == (f"error: {sheet}:2: study 's1', reviewer 'ann': "
                                "extraction/s1/ann.yaml exists and says otherwise "
                                "(use --replace)")
    assert snapshot(root) == kept
