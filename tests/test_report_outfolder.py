"""`reviewkit report -o DIR` into one of the project's own folders (or the project root):
refused in one line naming the folder, every project file byte-identical afterwards."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from helpers import run_cli
from reviewkit.errors import ReviewkitError
from reviewkit.project.config import find_project
from reviewkit.reporting.report import write_report
from reviewkit.store import open_store
from test_report import example_copy


def hashes(root: Path) -> dict[str, str]:
    """Every file under the project, the derived store included, by content hash."""
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def example(tmp_path_factory):
    root = example_copy(tmp_path_factory.mktemp("out") / "review")
    (root / "dedup").mkdir()
    (root / "fulltext").mkdir()
    (root / "fulltext" / "welch-2013.pdf").write_bytes(b"%PDF-1.4 a full text")
    assert run_cli("status", cwd=root).returncode == 0  # the derived store is there too
    return root


@pytest.mark.parametrize("folder", ["screening", "searches", "synthesis", "fulltext", "dedup",
                                    "casp", "extraction", ".reviewkit", ".", "screening/",
                                    "synthesis/coding", "docs/../casp", "{root}",
                                    "{root}/extraction"])
def test_report_into_a_project_folder_is_refused_and_nothing_changes(example, folder):
    folder = folder.replace("{root}", str(example))
    before = hashes(example)
    res = run_cli("report", "-o", folder, cwd=example)
    assert res.returncode == 2, res.stderr
    lines = [x for x in res.stderr.splitlines() if not x.startswith("Fontconfig")]
    assert len(lines) == 1 and lines[0].startswith("error: "), res.stderr
    assert folder.rstrip("/") in lines[0] and "project folder itself" in lines[0] \
        or "project's own folders" in lines[0], lines[0]
    assert hashes(example) == before


def test_the_library_refuses_too(example):
    before = hashes(example)
    project = find_project(example)
    store = open_store(project.store_path)
    try:
        with pytest.raises(ReviewkitError, match="project's own folders") as err:
            write_report(project, store, example / "screening")
        assert err.value.file == str(example / "screening")
    finally:
        store.close()
    assert hashes(example) == before


def test_a_full_text_folder_named_in_the_config_is_the_projects_too(tmp_path):
    root = example_copy(tmp_path / "review")
    config = root / "reviewkit.toml"
    config.write_text(config.read_text("utf-8") + '\n[screening]\nfulltext_dir = "pdfs"\n',
                      "utf-8")
    assert run_cli("status", cwd=root).returncode == 0
    before = hashes(root)
    res = run_cli("report", "-o", "pdfs/out", cwd=root)
    assert res.returncode == 2 and "pdfs/out" in res.stderr, res.stderr
    assert hashes(root) == before


@pytest.mark.parametrize("folder", ["report", "docs/report", "screening-report"])
def test_a_folder_of_its_own_inside_the_project_is_still_written(example, folder):
    res = run_cli("report", "-o", folder, cwd=example)
    assert res.returncode == 0, res.stderr
    assert (example / folder / "report.md").is_file()
