"""Dedup as a demanding user meets it (found exploring): what the merges list and the
dedup commands say must match what the method and people did."""

from __future__ import annotations

from pathlib import Path

from helpers import new_project
from reviewkit.dedup.report import merges
from reviewkit.dedup.run import run_dedup
from reviewkit.io.importer import import_files

TITLE = "Personal budgets and substance use outcomes in adults: a cohort study"


def _ris(path: Path, accession: str, title: str = TITLE, authors: str = "Smith, J.") -> Path:
    path.write_text(f"TY  - JOUR\nTI  - {title}\nAU  - {authors}\nPY  - 2019\n"
                    "T2  - Journal of Tests\nVL  - 12\nSP  - 100\nEP  - 110\n"
                    f"AB  - An abstract long enough to compare.\nAN  - {accession}\n"
                    "ER  - \n", encoding="utf-8")
    return path


def test_an_exact_copy_merge_says_so_not_title_none(tmp_path):
    project, store = new_project(tmp_path)
    import_files(project, store, [_ris(tmp_path / "a.ris", "A1"), _ris(tmp_path / "b.ris", "B1")])
    run_dedup(project, store)
    rows = merges(store)
    assert len(rows) == 1
    evidence = rows[0]["evidence"]
    assert "None" not in evidence
    assert "exact copy" in evidence

