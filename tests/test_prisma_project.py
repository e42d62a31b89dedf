"""Counts from a project (the first version: identification per search and duplicates)."""

from __future__ import annotations

from helpers import new_project, run_cli
from reviewkit.dedup.run import run_dedup
from reviewkit.io.importer import import_files
from reviewkit.reporting.prisma import Count, project_counts, read_counts_csv
from reviewkit.searches.log import Search, add_search

RIS = """TY  - JOUR
TI  - {title}
AU  - Smith, Jane
PY  - 2016
JO  - Journal of Substance Use
VL  - {vol}
SP  - 1
EP  - 9
DO  - 10.1000/{doi}
ER  -
"""


def _ris(path, *records):
    path.write_text("".join(RIS.format(title=t, vol=i + 1, doi=d)
                            for i, (t, d) in enumerate(records)), "utf-8")
    return path


def test_logged_hits_only_and_unknown_duplicates(tmp_path):
    project, store = new_project(tmp_path, ("medline", 120), ("embase", None))
    add_search(project, Search(id="grey", kind="website", database="OpenGrey", hits=7))
    counts = project_counts(project, store)
    assert counts.databases.sources == [Count("Embase", None), Count("Medline", 120)]
    assert counts.databases.value is None  # one database's hits were not logged
    assert counts.websites.value == 7 and counts.merged_other == ()
    assert counts.registers.total == 0 and counts.citations.total == 0
    assert counts.duplicates is None and counts.screened is None  # dedup never ran


def test_imported_records_and_duplicates(tmp_path):
    project, store = new_project(tmp_path, ("medline", 2), ("embase", 2))
    shared = ("Personal budgets for drug users", "a")
    import_files(project, store, [_ris(tmp_path / "m.ris", shared, ("Direct payments", "b"))],
                 "medline")
    import_files(project, store, [_ris(tmp_path / "e.ris", shared, ("Recovery capital", "c"))],
                 "embase")
    run_dedup(project, store)
    counts = project_counts(project, store)
    assert counts.databases.value == 4 and counts.duplicates == 1


def test_cli_export_counts_from_a_project(tmp_path):
    project, store = new_project(tmp_path, ("medline", 120))
    store.close()
    res = run_cli("prisma", "--export-counts", "counts.csv", "--output", "d.dot",
                  cwd=project.root)
    assert res.returncode == 0, res.stderr
    counts = read_counts_csv(project.root / "counts.csv")
    assert counts.databases.total == 120 and counts.databases.sources == [Count("Medline", 120)]
    assert "Medline (n\u00a0=\u00a0120)" in (project.root / "d.dot").read_text("utf-8")
