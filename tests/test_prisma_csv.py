"""The PRISMA2020 R package's CSV: its own template, round trips, clear errors, and nothing
half-written."""

from __future__ import annotations

import copy
import csv
import os
import subprocess
import sys

import pytest
from hypothesis import HealthCheck, given, settings

from prisma_strategies import consistent_counts, with_unknowns
from reviewkit.errors import ReviewkitError
from reviewkit.reporting.prisma import (
    Count,
    PrismaCounts,
    Reports,
    Sources,
    check_invariants,
    read_counts_csv,
    write_counts_csv,
)
from reviewkit.reporting.prisma.csvio import COLUMNS

from conftest import REPO, shared_path

TEMPLATE = "data/prisma/PRISMA2020-template.csv"


def _normal(c: PrismaCounts) -> PrismaCounts:
    """What the CSV holds: route totals as numbers; which routes merged is re-inferred."""
    c = copy.deepcopy(c)
    for g in ("databases", "registers"):
        c.group(g).total = c.group(g).value
        if c.group(g).total is None:  # the package stops on a list beside an NA total
            c.group(g).sources = []
    if not c.is_update and all(getattr(c, f"total_{u}") in (None, getattr(c, f"included_{u}"))
                               for u in ("studies", "reports")):
        c.previous_studies = c.previous_reports = 0  # "no previous version", as the app needs
    c.merged_other = ()
    for r in (c.dbr, c.other):  # one unnamed unknown count is the same as no count
        if r.excluded == [Count("", None)]:
            r.excluded = []
    return c


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                   HealthCheck.function_scoped_fixture])
@given(consistent_counts(schema_only=True).flatmap(with_unknowns))
def test_round_trip_counts_csv_counts(tmp_path, counts):
    path = tmp_path / "counts.csv"
    notes = write_counts_csv(counts, path)
    # only warnings about what the package will do with an unknown, none about lost data
    assert all("PRISMA2020 package" in n or "Shiny app" in n for n in notes), notes
    back = read_counts_csv(path)
    assert _normal(back) == _normal(counts)
    assert check_invariants(back) == []  # the merged routes are recovered well enough


def test_the_r_packages_own_template_reads_as_zeros_and_unknown_reasons():
    counts = read_counts_csv(shared_path(TEMPLATE))
    assert counts.screened == 0 and counts.databases.total == 0
    assert counts.dbr.excluded == [] and counts.other.excluded == []  # "Reason1, xxx; …"
    assert counts.databases.sources == []  # the template has no such row: optional
    assert check_invariants(counts) == []


def test_written_file_keeps_the_packages_rows_and_columns(tmp_path):
    path = tmp_path / "out.csv"
    write_counts_csv(PrismaCounts(databases=Sources(None, [Count("MEDLINE, Ovid", 5)])), path)
    rows = list(csv.reader(path.open(newline="")))
    assert rows[0] == COLUMNS
    keys = [r[0] for r in rows[1:]]
    template = [r[0] for r in csv.reader(shared_path(TEMPLATE).open(newline=""))][1:]
    assert [k for k in keys if k in template] == template  # same rows, same order
    cell = {r[0]: r[7] for r in rows}
    assert cell["database_results"] == "5" and cell["records_screened"] == "NA"
    # The R package cuts a name at its first comma: commas in names are replaced.
    assert cell["database_specific_results"] == "MEDLINE - Ovid, 5"
    assert cell["dbr_excluded"] == "NA"


def test_oddities_people_write(tmp_path):
    text = shared_path(TEMPLATE).read_text("utf-8")
    text = text.replace("records_screened,node9,box4,Records screened (databases and "
                        "registers),Records screened,Records screened (databases and "
                        "registers),records_screened.html,0",
                        'records_screened,,box4,x,x,NA,NA,"4,815"')
    text = text.replace('"Reason1, xxx; Reason2, xxx; Reason3, xxx"\nother_assessed',
                        '"Wrong population, adults, 3; No full text, NA; Duplicate report,'
                        '1,200"\nother_assessed')
    path = tmp_path / "odd.csv"
    path.write_bytes(text.replace("\n", "\r\n").encode("cp1252"))
    counts = read_counts_csv(path)
    assert counts.screened == 4815
    assert counts.dbr.excluded == [Count("Wrong population, adults", 3),
                                   Count("No full text", None), Count("Duplicate report", 1200)]


def _broken(tmp_path, old: str, new: str):
    text = shared_path(TEMPLATE).read_text("utf-8")
    assert old in text
    path = tmp_path / "bad.csv"
    path.write_text(text.replace(old, new), "utf-8")
    line = 1 + text[: text.index(old)].count("\n")
    return path, line


@pytest.mark.parametrize(("old", "new", "field", "says"), [
    ("records_screened.html,0", "records_screened.html,-3", "records_screened", "negative"),
    ("duplicates.html,0", "duplicates.html,many", "duplicates", "whole number"),
    ("dbr_assessed.html,0", "dbr_assessed.html,12.5", "dbr_assessed", "whole number"),
    ('"Reason1, xxx; Reason2, xxx; Reason3, xxx"\nother_assessed',
     '"Wrong population, -2"\nother_assessed', "dbr_excluded", "negative"),
    ('"Reason1, xxx; Reason2, xxx; Reason3, xxx"\nother_assessed',
     '"Wrong population, many"\nother_assessed', "dbr_excluded", "Name, number"),
])
def test_bad_cells_name_file_line_and_field(tmp_path, old, new, field, says):
    path, line = _broken(tmp_path, old, new)
    with pytest.raises(ReviewkitError) as err:
        read_counts_csv(path)
    msg = str(err.value)
    assert msg.startswith(f"{path}:{line}: field '{field}': ") and says in msg
    assert "\n" not in msg


def test_missing_row_and_bad_header(tmp_path):
    row = next(r for r in shared_path(TEMPLATE).read_text("utf-8").splitlines()
               if r.startswith("records_screened,"))
    path, _ = _broken(tmp_path, row + "\n", "")
    with pytest.raises(ReviewkitError, match=r"bad.csv: field 'records_screened': no such row"):
        read_counts_csv(path)
    path.write_text("data;node;n\nx;y;1\n", "utf-8")
    with pytest.raises(ReviewkitError, match=r"bad.csv:1: the header must be data,node,box"):
        read_counts_csv(path)


def test_write_refuses_negative_counts_and_writes_nothing(tmp_path):
    path = tmp_path / "out.csv"
    with pytest.raises(ReviewkitError, match="field 'screened'.*negative"):
        write_counts_csv(PrismaCounts(screened=-1), path)
    assert list(tmp_path.iterdir()) == []


def test_notes_for_what_the_schema_cannot_hold(tmp_path):
    c = PrismaCounts(websites=Sources(None, [Count("a", 1), Count("b", 2)]),
                     other_methods=Sources(4), records_excluded_reasons=[Count("x", 1)])
    notes = write_counts_csv(c, tmp_path / "out.csv")
    assert len(notes) == 4 and "websites" in notes[0]
    assert "records removed before screening are all unknown" in notes[3]
    assert read_counts_csv(tmp_path / "out.csv").websites.total == 3


def test_template_rows_are_kept_when_given(tmp_path):
    mine = tmp_path / "mine.csv"
    mine.write_text(shared_path(TEMPLATE).read_text("utf-8").replace(
        "Records screened,Records screened (databases", "Titles screened,Records screened "
        "(databases"), "utf-8")
    write_counts_csv(PrismaCounts(screened=9, databases=Sources(9, [Count("A", 9)])),
                     tmp_path / "out.csv", template=mine)
    rows = {r[0]: r for r in csv.reader((tmp_path / "out.csv").open(newline=""))}
    assert rows["records_screened"][4] == "Titles screened" and rows["records_screened"][7] == "9"
    assert rows["database_specific_results"][7] == "A, 9"  # added from the newer template


def test_worked_example_csv_reads_and_adds_up():
    counts = read_counts_csv(REPO / "prisma-counts.csv")
    assert counts.databases.total == 6693 and counts.websites.total == 56
    assert counts.merged_other == ("websites",)  # 6,693 + 56 - 1,934 = 4,815
    assert check_invariants(counts) == []


def _cli(*args, cwd, env=None):
    return subprocess.run([sys.executable, "-m", "reviewkit", *args], cwd=cwd, text=True,
                          capture_output=True, timeout=120, env=env)


@pytest.mark.parametrize(("old", "new"), [
    ("records_screened,node9,box4,Records screened (databases and registers),Records screened,"
     "Records screened (databases and registers),records_screened.html,0\n", ""),
    ("duplicates.html,0", "duplicates.html,-5")])
def test_cli_bad_counts_exit_2_one_line_nothing_written(tmp_path, old, new):
    path, _ = _broken(tmp_path, old, new)
    out = tmp_path / "out"
    out.mkdir()
    res = _cli("prisma", "--counts", str(path), "--output", str(out / "d.svg"),
               "--export-counts", str(out / "c.csv"), cwd=tmp_path)
    assert res.returncode == 2
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {path}") and "field '" in lines[0]
    assert os.listdir(out) == []


def test_other_methods_with_reports_of_their_own_are_not_taken_as_merged(tmp_path):
    # 100 + 10 - 5 = 105 screened would say the websites joined the database screening,
    # but they have their own reports: their own column, and the gap is reported
    c = PrismaCounts(databases=Sources(100), registers=Sources(0), websites=Sources(10),
                     organisations=Sources(0), citations=Sources(0), duplicates=5,
                     automation_excluded=0, removed_other=0, screened=105,
                     other=Reports(4, 0, 4, [Count("", 1)]))
    write_counts_csv(c, tmp_path / "c.csv")
    back = read_counts_csv(tmp_path / "c.csv")
    assert back.merged_other == () and back.other_flow
    assert [b.check for b in check_invariants(back)] == ["identification"]
