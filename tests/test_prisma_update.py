"""Studies counted by study and reports by report; updated reviews from ``[prisma]
previous`` (a counts CSV or the previous review's project folder)."""

from __future__ import annotations

import pytest

from helpers import new_project, run_cli, snapshot
from reviewkit.project import tomlfile
from reviewkit.project.session import session
from reviewkit.records.studies import Study
from reviewkit.reporting.prisma import PrismaCounts, read_counts_csv, write_counts_csv
from reviewkit.reporting.prisma.diagram import build
from reviewkit.reporting.prisma.project import project_counts
from reviewkit.reporting.prisma.screened import study_counts

from conftest import REPO


def test_entries_of_one_programme_are_one_study():
    studies = [Study(id="a", citation="A", programme="p"),
               Study(id="b", citation="B", programme="p"),
               Study(id="c", citation="C", reports=["r1", "r2"]),
               Study(id="d", citation="D", reports=["r2"])]  # r2 reports both c and d
    assert study_counts(studies) == (3, 4)  # studies p, c, d; reports a, b, r1, r2


def test_root_example_has_four_studies_in_six_reports():
    data = tomlfile.load(REPO / "studies.toml")[0]["study"]
    studies = {s.get("programme") or s["id"] for s in data}  # counted here by hand
    assert (len(studies), len(data)) == (4, 6)
    with session(REPO) as (project, store):
        counts = project_counts(project, store)
    assert (counts.included_studies, counts.included_reports) == (4, 6)
    box = next(b for b in build(counts).boxes if b.id == "included")
    assert [line.replace("\u00a0", " ") for line in box.lines] == [
        "Studies included in review (n = 4)", "Reports of included studies (n = 6)"]


def _studies(project, *ids: str) -> None:
    (project.root / "studies.toml").write_text(
        "".join(f'[[study]]\nid = "{i}"\ncitation = "{i.upper()}"\n' for i in ids), "utf-8")


def _prisma(project, text: str) -> None:
    with (project.root / "reviewkit.toml").open("a", encoding="utf-8") as fh:
        fh.write(f"\n[prisma]\n{text}\n")


def test_previous_review_as_a_project_folder(tmp_path):
    old, store = new_project(tmp_path / "old", ("medline", 50))
    store.close()
    _studies(old, "x", "y", "z")
    new, store = new_project(tmp_path / "new", ("medline", 20))
    store.close()
    _studies(new, "u", "v")
    _prisma(new, 'previous = "../../old/review"')
    res = run_cli("prisma", "--export-counts", "counts.csv", "-o", "d.dot", cwd=new.root)
    assert res.returncode == 0, res.stderr
    c = read_counts_csv(new.root / "counts.csv")
    assert (c.previous_studies, c.included_studies, c.total_studies) == (3, 2, 5)
    assert (c.previous_reports, c.included_reports, c.total_reports) == (3, 2, 5)
    # the labels as drawn, wrapped lines joined again
    dot = " ".join((new.root / "d.dot").read_text("utf-8").replace("\u00a0", " ")
                   .replace("\\n", " ").split())
    assert "Studies included in previous version of review (n = 3)" in dot
    assert "Total studies included in review (n = 5)" in dot
    assert "Identification of new studies via databases and registers" in dot


def test_previous_counts_file_that_was_an_update_itself(tmp_path):
    prev = PrismaCounts(previous_studies=4, previous_reports=4, included_studies=2,
                        included_reports=3, total_studies=6, total_reports=7)
    write_counts_csv(prev, tmp_path / "prev.csv")
    project, store = new_project(tmp_path, ("medline", 5))
    store.close()
    _studies(project, "a")
    _prisma(project, f'previous = "{tmp_path / "prev.csv"}"')
    with session(project.root) as (project, store):
        c = project_counts(project, store)
    assert (c.previous_studies, c.previous_reports, c.total_studies, c.total_reports) == (
        6, 7, 7, 8)  # the previous version's totals


@pytest.mark.parametrize(("setting", "says"), [
    ('previous = "nowhere.csv"', "does not exist"),
    ('previous = "."', "leads back to this review"),
    ("meta_analysis = { studies = -1, reports = 2 }", "prisma.meta_analysis"),
    ('previus = "x.csv"', "prisma.previus"),
])
def test_bad_prisma_settings_exit_2_and_change_nothing(tmp_path, setting, says):
    project, store = new_project(tmp_path, ("medline", 5))
    store.close()
    _prisma(project, setting)
    before = snapshot(project.root)
    res = run_cli("prisma", "--export-counts", "counts.csv", cwd=project.root)
    assert res.returncode == 2, res.stderr
    (line,) = res.stderr.strip().splitlines()
    assert line.startswith("error: ") and says in line
    assert snapshot(project.root) == before
