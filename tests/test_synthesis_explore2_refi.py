"""REFI-QDA exchange as a QES team uses it (each test failed before its fix)."""

from __future__ import annotations

from pathlib import Path

from helpers import run_cli


def test_export_names_coded_segments_it_leaves_out(tmp_path: Path) -> None:
    # a source taken out of sources.toml by hand: every output warns that its segments
    # are left out; the REFI export left them out of the file without a word
    from synthesis_support import coded

    project = coded(tmp_path)
    path = project.root / "synthesis" / "sources.toml"
    text = path.read_text("utf-8")
    path.write_text(text[:text.index('[[source]]\nid = "b"')], "utf-8")
    r = run_cli("synthesis", "export", str(tmp_path / "out.qdpx"), cwd=project.root)
    assert r.returncode == 0, r.stderr
    assert "warning" in r.stderr and "'b', not in sources.toml" in r.stderr, r.stderr
    assert "synthesis/coding/bo.jsonl:" in r.stderr


def test_an_earlier_export_does_not_bring_back_a_deleted_code(tmp_path: Path) -> None:
    # the file's guid is the one reviewkit gives the deleted id: importing it again added
    # the code back as 'extra-2'
    from reviewkit.synthesis.codebook import add_code, load_codebook
    from reviewkit.synthesis.codebook_edit import delete_code
    from reviewkit.synthesis.refi.load import import_refi
    from reviewkit.synthesis.refi.write import export_refi
    from synthesis_support import coded

    project = coded(tmp_path)
    add_code(project, "extra", "Extra")
    export_refi(project, tmp_path / "old.qdpx")
    delete_code(project, "extra", "ann")
    codes = set(load_codebook(project).codes)
    rep = import_refi(project, tmp_path / "old.qdpx", "ann")
    assert set(load_codebook(project).codes) == codes
    assert rep.codes == 0 and rep.segments == 0 and rep.codings == 0
    assert any("'extra'" in w and "deleted" in w for w in rep.warnings), rep.warnings


def test_memos_keep_their_time_through_the_refi_round_trip(tmp_path: Path) -> None:
    # the export writes each memo's creationDateTime; the import stamped every memo with
    # the time of the import, so when a memo was written was lost (and the order of
    # a reconcile's decisions, which is by time)
    from helpers import new_project
    from reviewkit.screening.reviewers import add_reviewer
    from reviewkit.synthesis.edit import add_memo
    from reviewkit.synthesis.refi.load import import_refi
    from reviewkit.synthesis.refi.write import export_refi
    from reviewkit.synthesis.state import load_synthesis
    from synthesis_support import STUDIES, coded

    project = coded(tmp_path / "a")
    add_memo(project, "code", "time", "first memo", "ann")
    add_memo(project, "source", "b", "second memo", "bo")
    export_refi(project, tmp_path / "out.qdpx")
    fresh, store = new_project(tmp_path / "b")
    store.close()
    for who in ("ann", "bo"):
        add_reviewer(fresh, who)
    (fresh.root / "studies.toml").write_text(STUDIES, "utf-8")
    import_refi(fresh, tmp_path / "out.qdpx", "ann")
    when = {m.text: m.at for m in load_synthesis(project).coding.memos}
    assert {m.text: m.at for m in load_synthesis(fresh).coding.memos} == when


def test_export_names_a_colour_it_cannot_write(tmp_path: Path) -> None:
    # REFI colours are #RRGGBB: 'red' was left out of the .qdc and .qdpx without a word
    from reviewkit.synthesis.codebook_edit import edit_code
    from reviewkit.synthesis.refi.write import export_refi
    from synthesis_support import coded

    project = coded(tmp_path)
    edit_code(project, "time", colour="red")
    for name in ("out.qdc", "out.qdpx"):
        warnings = export_refi(project, tmp_path / name)
        assert any("'time'" in w and "'red'" in w for w in warnings), warnings
