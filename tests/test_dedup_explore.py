"""Dedup as a demanding user meets it (found exploring): what the merges list and the
dedup commands say must match what the method and people did."""

from __future__ import annotations

from pathlib import Path

from helpers import new_project, run_cli
from reviewkit.dedup.report import merges
from reviewkit.dedup.run import record_judgement, run_dedup
from reviewkit.io.importer import import_files
from reviewkit.screening import add_reviewer
from reviewkit.store.sync import refresh

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


def _orphaned_judgement(tmp_path: Path):
    """A project whose one judgement names a record its export no longer holds."""
    project, store = new_project(tmp_path)
    add_reviewer(project, "ann")
    # no accession: the ids are content hashes, so an edited title is another id
    a = _ris(tmp_path / "a.ris", "", authors="Smith, J.")
    b = _ris(tmp_path / "b.ris", "", title=TITLE.replace("adults", "adult people"),
             authors="Smith, John")
    import_files(project, store, [a, b])
    ids = sorted(sr.id for sr in store.iter_records())
    record_judgement(project, store, ids[0], ids[1], True, "ann")
    kept = project.exports_dir / "a.ris"
    kept.write_text(kept.read_text().replace("cohort study", "cohort study (erratum)"))
    refresh(project, store)
    return project, store, ids


def test_dedup_names_a_judgement_whose_record_is_gone(tmp_path):
    from reviewkit.dedup.judgements import judgement_warnings

    project, store, ids = _orphaned_judgement(tmp_path)
    warnings = [str(p) for p in judgement_warnings(project, store)]
    assert len(warnings) == 1
    assert "dedup/judgements.jsonl:1" in warnings[0]
    assert ids[0] in warnings[0] and "not applied" in warnings[0]


def test_the_dedup_commands_warn_of_the_orphaned_judgement(tmp_path):
    project, store, ids = _orphaned_judgement(tmp_path)
    store.close()
    for args in (("dedup",), ("dedup", "report"), ("dedup", "report", "--merges")):
        r = run_cli(*args, cwd=project.root)
        assert r.returncode == 0, r.stderr
        lines = [ln for ln in r.stderr.splitlines() if "judgements.jsonl:1" in ln]
        assert len(lines) == 1 and ids[0] in lines[0], (args, r.stderr)
