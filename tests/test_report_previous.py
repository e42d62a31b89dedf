"""``[prisma] previous`` whose numbers contradict the PRISMA 2020 template (more studies
than reports, or reports of no study) is refused in one line naming the file and line,
and what was expected; exit 2, nothing written."""

from __future__ import annotations

import pytest

from helpers import new_project, run_cli, snapshot
from reviewkit.reporting.prisma import PrismaCounts, write_counts_csv


def _line(path, key: str) -> int:
    """The line of the counts row ``key``, found by reading the file here."""
    lines = path.read_text("utf-8").splitlines()
    return next(n for n, text in enumerate(lines, 1) if text.startswith(f"{key},"))


def _updated(tmp_path, previous: str):
    project, store = new_project(tmp_path, ("medline", 5))
    store.close()
    (project.root / "studies.toml").write_text('[[study]]\nid = "a"\ncitation = "A"\n',
                                               "utf-8")
    with (project.root / "reviewkit.toml").open("a", encoding="utf-8") as fh:
        fh.write(f'\n[prisma]\nprevious = "{previous}"\n')
    assert run_cli("status", cwd=project.root).returncode == 0
    return project


def _refused(project, *says: str) -> str:
    before = snapshot(project.root)
    for command in (["prisma", "-o", "flow.svg"], ["report"]):
        res = run_cli(*command, cwd=project.root)
        assert res.returncode == 2, res.stderr
        lines = [x for x in res.stderr.splitlines() if not x.startswith("Fontconfig")]
        assert len(lines) == 1 and lines[0].startswith("error: "), res.stderr
        for word in says:
            assert word in lines[0], lines[0]
        assert snapshot(project.root) == before
    return lines[0]


@pytest.mark.parametrize(("studies", "reports", "expected"), [
    (10, 5, "at most as many studies as reports"),
    (3, 0, "at most as many studies as reports"),
    (0, 3, "no reports when no study"),
])
def test_a_previous_counts_file_that_contradicts_itself(tmp_path, studies, reports, expected):
    prev = tmp_path / "prev.csv"
    write_counts_csv(PrismaCounts(included_studies=studies, included_reports=reports), prev)
    project = _updated(tmp_path, "../prev.csv")
    line = _refused(project, f"{prev}:{_line(prev, 'new_studies')}:", expected,
                    f"{studies} stud", f"{reports} report")
    assert "previous version" in line


def test_a_previous_update_whose_totals_contradict(tmp_path):
    """A previous version that was an update itself: its totals are the numbers used."""
    prev = tmp_path / "prev.csv"
    write_counts_csv(PrismaCounts(previous_studies=4, previous_reports=2, included_studies=1,
                                  included_reports=1, total_studies=5, total_reports=3), prev)
    project = _updated(tmp_path, "../prev.csv")
    _refused(project, f"{prev}:{_line(prev, 'total_studies')}:", "5 studies", "3 reports")


def test_a_previous_project_folder_whose_counts_contradict(tmp_path):
    old, store = new_project(tmp_path / "old", ("medline", 50))
    store.close()
    write_counts_csv(PrismaCounts(included_studies=3, included_reports=1),
                     old.root / "counts.csv")
    with (old.root / "reviewkit.toml").open("a", encoding="utf-8") as fh:
        fh.write('\n[report]\ncounts = "counts.csv"\n')
    project = _updated(tmp_path / "new", "../../old/review")
    config = project.root / "reviewkit.toml"
    _refused(project, f"{config}:{_line_of_previous(config)}:", "../../old/review",
             "3 studies", "1 report")


def _line_of_previous(config) -> int:
    lines = config.read_text("utf-8").splitlines()
    return next(n for n, text in enumerate(lines, 1) if text.startswith("previous ="))


def test_previous_counts_that_agree_are_drawn(tmp_path):
    prev = tmp_path / "prev.csv"
    write_counts_csv(PrismaCounts(included_studies=5, included_reports=5), prev)
    project = _updated(tmp_path, "../prev.csv")
    res = run_cli("prisma", "-o", "flow.dot", cwd=project.root)
    assert res.returncode == 0, res.stderr
    dot = (project.root / "flow.dot").read_text("utf-8").replace("\u00a0", " ")
    assert "(n = 6)" in dot  # 5 previous studies and the new one
