"""`fulltext attach RECORD FILE` with FILE already inside fulltext/: the file is moved to
the record's documented name, never copied (one copy in the folder), and a re-run is safe."""

from __future__ import annotations

import hashlib

from fulltext_support import project_with_decisions
from helpers import run_cli, snapshot
from reviewkit.fulltext import attach_fulltext
from reviewkit.fulltext.index import fulltext_name, load_index
from reviewkit.fulltext.retrieval import retrieval_rows
from reviewkit.screening import Screening

PDF = b"%PDF-1.4\n% a small real-looking file\n1 0 obj <<>> endobj\n%%EOF\n"


def _copies(folder, data=PDF) -> list[str]:
    """Every file under the folder holding these bytes, by its path inside it."""
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*")
                  if p.is_file() and p.read_bytes() == data)


def _row(project, store, rid):
    return next(r for r in retrieval_rows(Screening(project, store)) if r["record_id"] == rid)


def test_a_file_dropped_into_the_folder_is_moved_to_its_name_not_copied(tmp_path):
    project, store, units = project_with_decisions(tmp_path, ft_includes=0, ft_decided=0)
    folder = project.root / "fulltext"
    folder.mkdir()
    dropped = folder / "Smith 2019.pdf"  # saved there by the browser
    dropped.write_bytes(PDF)
    res = run_cli("fulltext", "attach", units[0], str(dropped), cwd=project.root)
    assert res.returncode == 0, res.stderr
    name = fulltext_name(units[0], ".pdf")
    assert _copies(folder) == [name]  # was: Smith 2019.pdf and its copy
    assert "Smith 2019.pdf" in res.stdout and "moved" in res.stdout
    entry = load_index(project)[units[0]]
    assert (entry.file, entry.original) == (name, "Smith 2019.pdf")
    assert entry.sha256 == hashlib.sha256(PDF).hexdigest()
    assert (_row(project, store, units[0])["state"], _row(project, store, units[0])["check"]) \
        == ("obtained", "")
    before = snapshot(project.root)
    for path in (dropped, folder / name):  # the same command again, or with the new name
        again = run_cli("fulltext", "attach", units[0], str(path), cwd=project.root)
        assert again.returncode == 0, again.stderr
        assert "already attached" in again.stdout
        assert snapshot(project.root) == before


def test_a_file_in_a_sub_folder_is_moved_and_keeps_no_second_copy(tmp_path):
    project, store, units = project_with_decisions(tmp_path, ft_includes=0, ft_decided=0)
    folder = project.root / "fulltext"
    (folder / "downloads").mkdir(parents=True)
    dropped = folder / "downloads" / "paper.PDF"
    dropped.write_bytes(PDF)
    done = attach_fulltext(project, store, units[1], dropped)
    assert done.path == folder / fulltext_name(units[1], ".pdf")
    assert done.moved_from == dropped and not dropped.exists()
    assert _copies(folder) == [done.path.name]
    assert load_index(project)[units[1]].original == "paper.PDF"
    again = attach_fulltext(project, store, units[1], dropped)  # re-run: nothing to do
    assert again.unchanged and again.path == done.path and _copies(folder) == [done.path.name]


def test_a_file_from_outside_the_folder_is_still_copied(tmp_path):
    project, store, units = project_with_decisions(tmp_path, ft_includes=0, ft_decided=0)
    paper = tmp_path / "paper.pdf"
    paper.write_bytes(PDF)
    done = attach_fulltext(project, store, units[0], paper)
    assert paper.read_bytes() == PDF and done.moved_from is None  # the user's file stays


def test_another_records_full_text_in_the_folder_is_not_taken_from_it(tmp_path):
    project, store, units = project_with_decisions(tmp_path, ft_includes=0, ft_decided=0)
    paper = tmp_path / "paper.pdf"
    paper.write_bytes(PDF)
    first = attach_fulltext(project, store, units[0], paper)
    done = attach_fulltext(project, store, units[1], first.path)  # the same paper, by mistake
    assert done.moved_from is None and first.path.read_bytes() == PDF
    assert any("same file" in w and units[0] in w for w in done.warnings)
    assert _row(project, store, units[0])["check"] == ""  # units[0] keeps its full text


def test_moving_onto_a_file_the_record_has_needs_replace(tmp_path):
    project, store, units = project_with_decisions(tmp_path, ft_includes=0, ft_decided=0)
    paper = tmp_path / "paper.pdf"
    paper.write_bytes(PDF)
    attach_fulltext(project, store, units[0], paper)
    folder = project.root / "fulltext"
    newer = folder / "newer.pdf"
    newer.write_bytes(PDF + b"% corrected version\n")
    before = snapshot(project.root)
    res = run_cli("fulltext", "attach", units[0], str(newer), cwd=project.root)
    assert res.returncode == 2 and "--replace" in res.stderr, res.stdout
    assert snapshot(project.root) == before
    res = run_cli("fulltext", "attach", "--replace", units[0], str(newer), cwd=project.root)
    assert res.returncode == 0, res.stderr
    name = fulltext_name(units[0], ".pdf")
    assert {p.name for p in folder.iterdir()} == {"index.toml", name}
    assert (folder / name).read_bytes() == PDF + b"% corrected version\n"
    assert _row(project, store, units[0])["check"] == ""


def test_attaching_again_after_a_move_was_cut_short_moves_it(tmp_path):
    project, store, units = project_with_decisions(tmp_path, ft_includes=0, ft_decided=0)
    folder = project.root / "fulltext"
    folder.mkdir()
    dropped = folder / "Smith 2019.pdf"
    dropped.write_bytes(PDF)
    done = attach_fulltext(project, store, units[0], dropped)
    done.path.rename(dropped)  # as a kill leaves it: the index written, the file not moved
    assert "is missing" in _row(project, store, units[0])["check"]
    res = run_cli("fulltext", "attach", units[0], str(dropped), cwd=project.root)
    assert res.returncode == 0, res.stderr
    assert _copies(folder) == [done.path.name]
    assert _row(project, store, units[0])["check"] == ""


def test_a_second_copy_of_the_attached_bytes_in_the_folder_is_removed(tmp_path):
    project, store, units = project_with_decisions(tmp_path, ft_includes=0, ft_decided=0)
    paper = tmp_path / "paper.pdf"
    paper.write_bytes(PDF)
    done = attach_fulltext(project, store, units[0], paper)
    folder = project.root / "fulltext"
    again = folder / "paper (1).pdf"  # downloaded once more, into the folder
    again.write_bytes(PDF)
    res = run_cli("fulltext", "attach", units[0], str(again), cwd=project.root)
    assert res.returncode == 0, res.stderr
    assert "already attached" in res.stdout and "removed" in res.stdout
    assert _copies(folder) == [done.path.name]  # the bytes are kept, once
    assert paper.read_bytes() == PDF  # a file outside the folder is never removed
    res = run_cli("fulltext", "attach", units[0], str(paper), cwd=project.root)
    assert res.returncode == 0 and "already attached" in res.stdout and paper.exists()
