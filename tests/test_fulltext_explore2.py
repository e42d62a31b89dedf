"""Full texts and included studies: bugs found by exploring as a reviewer (each test
failed before its fix)."""

from __future__ import annotations

import hashlib

from fulltext_support import FT, decide, project_with_decisions
from helpers import run_cli, snapshot
from reviewkit.fulltext import attach_fulltext, mark_fulltext, retrieval_counts
from reviewkit.fulltext.index import fulltext_name
from reviewkit.fulltext.retrieval import missing_rows, retrieval_rows
from reviewkit.reporting.prisma import project_counts
from reviewkit.screening import Screening
from test_fulltext import fake_viewer, wait_for

PDF = b"%PDF-1.4\n% a small real-looking file\n1 0 obj <<>> endobj\n%%EOF\n"


def _states(project, store) -> dict[str, str]:
    return {r["record_id"]: r["state"] for r in retrieval_rows(Screening(project, store))}


def _agree(project, store) -> None:
    """fulltext status and PRISMA give the same retrieval numbers."""
    counts = retrieval_counts(Screening(project, store))
    prisma = project_counts(project, store)
    assert (counts.sought, counts.not_retrieved) == (prisma.dbr.sought, prisma.dbr.not_retrieved)


def test_a_report_marked_not_retrieved_then_screened_counts_as_retrieved_everywhere(tmp_path):
    project, store, units = project_with_decisions(tmp_path, ta_includes=6, ft_includes=3)
    extra = units[6]  # sought at full text, marked not retrieved, later found and screened
    for name in ("ana", "ben"):
        decide(project, "title-abstract", name, {extra: "include"})
    mark_fulltext(project, store, extra, not_retrieved=True, reason="not held by any library")
    assert _states(project, store)[extra] == "not retrieved"
    assert retrieval_counts(Screening(project, store)).not_retrieved == 1
    assert project_counts(project, store).dbr.assessed == 6  # the six screened already
    _agree(project, store)
    for name in ("ana", "ben"):  # the reviewers got it after all and included it
        decide(project, FT, name, {extra: "include"})
    assert _states(project, store)[extra] != "not retrieved"
    row = next(r for r in retrieval_rows(Screening(project, store)) if r["record_id"] == extra)
    assert "marked not retrieved" in row["check"]  # the stale mark is pointed out
    assert retrieval_counts(Screening(project, store)).not_retrieved == 0
    assert project_counts(project, store).dbr.not_retrieved == 0
    assert project_counts(project, store).dbr.assessed == 7
    _agree(project, store)
    listed = run_cli("fulltext", "list", cwd=project.root)
    assert listed.returncode == 0, listed.stderr
    line = next(x for x in listed.stdout.splitlines() if x.startswith(extra))
    assert "not retrieved" not in line


def test_a_file_dropped_in_after_marking_not_retrieved_counts_as_obtained_in_prisma(tmp_path):
    project, store, units = project_with_decisions(tmp_path, ta_includes=6, ft_includes=3)
    extra = units[6]
    for name in ("ana", "ben"):
        decide(project, "title-abstract", name, {extra: "include"})
    mark_fulltext(project, store, extra, not_retrieved=True, reason="not held")
    (project.root / "fulltext" / fulltext_name(extra, ".pdf")).write_bytes(PDF)  # found it
    assert _states(project, store)[extra] == "obtained"
    assert project_counts(project, store).dbr.not_retrieved == 0
    _agree(project, store)


def test_a_report_excluded_as_not_retrieved_with_a_file_agrees_with_prisma(tmp_path):
    project, store, units = project_with_decisions(tmp_path)
    paper = tmp_path / "abstract-only.pdf"
    paper.write_bytes(PDF)
    attach_fulltext(project, store, units[5], paper)  # only a conference abstract
    for name in ("ana", "ben"):
        decide(project, FT, name, {units[5]: "exclude"}, reason="not retrieved")
    screening = Screening(project, store)
    row = next(r for r in retrieval_rows(screening) if r["record_id"] == units[5])
    assert row["state"] == "not retrieved"
    assert "excluded" in row["check"]
    assert units[5] not in [r["record_id"] for r in missing_rows(screening)]
    _agree(project, store)


def test_attaching_to_a_record_excluded_at_title_abstract_warns(tmp_path):
    project, store, units = project_with_decisions(tmp_path)  # units[6:] excluded at t/a
    paper = tmp_path / "paper.pdf"
    paper.write_bytes(PDF)
    res = run_cli("fulltext", "attach", units[10], str(paper), cwd=project.root)
    assert res.returncode == 0, res.stderr  # a warning, not a refusal
    assert (project.root / "fulltext" / fulltext_name(units[10], ".pdf")).read_bytes() == PDF
    warned = [x for x in res.stderr.splitlines() if units[10] in x]
    assert len(warned) == 1 and "excluded at title-abstract" in warned[0]
    ok = run_cli("fulltext", "attach", units[0], str(_other(tmp_path)), cwd=project.root)
    assert ok.returncode == 0 and ok.stderr.strip() == ""  # an included record: no warning


def _other(tmp_path):
    other = tmp_path / "other.pdf"
    other.write_bytes(PDF + b"% another paper\n")
    return other


def test_attaching_the_same_bytes_to_two_records_warns_naming_the_first(tmp_path):
    project, store, units = project_with_decisions(tmp_path)
    paper = tmp_path / "paper.pdf"
    paper.write_bytes(PDF)
    copy = tmp_path / "downloads" / "paper (1).pdf"
    copy.parent.mkdir()
    copy.write_bytes(PDF)
    assert run_cli("fulltext", "attach", units[0], str(paper), cwd=project.root).returncode == 0
    res = run_cli("fulltext", "attach", units[1], str(copy), cwd=project.root)
    assert res.returncode == 0, res.stderr
    assert (project.root / "fulltext" / fulltext_name(units[1], ".pdf")).exists()
    warned = [x for x in res.stderr.splitlines() if units[0] in x]
    assert len(warned) == 1 and "same file" in warned[0]
    again = run_cli("fulltext", "attach", units[0], str(paper), cwd=project.root)
    assert units[1] in again.stderr  # the re-run still says so, about the other record


def test_a_web_page_saved_as_pdf_is_refused_and_nothing_is_written(tmp_path):
    project, store, units = project_with_decisions(tmp_path)
    page = tmp_path / "download.pdf"  # the publisher's login page, saved by the browser
    page.write_bytes(b"<!DOCTYPE html>\n<html><body>Please sign in</body></html>\n")
    before = snapshot(project.root)
    res = run_cli("fulltext", "attach", units[0], str(page), cwd=project.root)
    assert res.returncode == 2, res.stdout
    said = res.stderr.strip().splitlines()
    assert len(said) == 1 and str(page) in said[0] and "not a PDF" in said[0]
    assert "Traceback" not in res.stderr
    assert snapshot(project.root) == before
    late = tmp_path / "late.pdf"  # a real PDF may have a few bytes before its header
    late.write_bytes(b"\r\n" + PDF)
    assert run_cli("fulltext", "attach", units[0], str(late), cwd=project.root).returncode == 0


def _duplicate_project(tmp_path):
    from fulltext_support import TA
    from helpers import new_project
    from reviewkit.dedup.run import run_dedup
    from reviewkit.io.importer import import_files
    from reviewkit.screening import add_reviewer

    from conftest import export_file

    project, store = new_project(tmp_path)
    import_files(project, store, [export_file("ris/bluelight-endnote_reflib.ris"),
                                  export_file("medline-nbib/bluelight-pubmed_reflib.nbib")])
    run_dedup(project, store)
    unit = next(u for u in Screening(project, store).units if len(u.members) == 2)
    for name in ("ana", "ben"):
        add_reviewer(project, name)
        decide(project, TA, name, {unit.id: "include"})
    return project, store, unit


def test_a_second_file_for_a_duplicate_of_a_record_with_a_full_text_needs_replace(tmp_path):
    project, store, unit = _duplicate_project(tmp_path)
    first, dup = unit.members
    attach_fulltext(project, store, first, _other(tmp_path))
    paper = tmp_path / "paper.pdf"
    paper.write_bytes(PDF)
    before = snapshot(project.root)
    res = run_cli("fulltext", "attach", dup, str(paper), cwd=project.root)
    assert res.returncode == 2, res.stdout  # one report, one full text: as for the record
    assert first in res.stderr and "--replace" in res.stderr
    assert snapshot(project.root) == before
    again = run_cli("fulltext", "attach", dup, str(_other(tmp_path)), cwd=project.root)
    assert again.returncode == 0 and "already attached" in again.stdout  # same bytes: a re-run
    assert snapshot(project.root) == before
    done = run_cli("fulltext", "attach", "--replace", dup, str(paper), cwd=project.root)
    assert done.returncode == 0, done.stderr
    folder = project.root / "fulltext"
    assert {p.name for p in folder.iterdir()} == {"index.toml", fulltext_name(dup, ".pdf")}
    rows = retrieval_rows(Screening(project, store))
    assert [(r["record_id"], r["state"], r["check"]) for r in rows] == [(unit.id, "obtained", "")]


def test_a_file_dropped_in_by_hand_is_not_overwritten_without_replace(tmp_path):
    project, store, units = project_with_decisions(tmp_path)
    folder = project.root / "fulltext"
    folder.mkdir()
    (folder / fulltext_name(units[0], ".pdf")).write_bytes(PDF + b"% the right paper\n")
    before = snapshot(project.root)
    res = run_cli("fulltext", "attach", units[0], str(_other(tmp_path)), cwd=project.root)
    assert res.returncode == 2 and "--replace" in res.stderr, res.stdout
    assert snapshot(project.root) == before


def test_studies_check_names_a_full_text_include_linked_to_no_study(tmp_path):
    project, store, units = project_with_decisions(tmp_path)  # units[:3] included at full text
    for i in (0, 1):
        assert run_cli("studies", "add", f"s-{i}", "--report", units[i],
                       cwd=project.root).returncode == 0
    res = run_cli("studies", "check", cwd=project.root)
    assert res.returncode == 1, res.stdout  # units[2] is included but in no study
    said = [x for x in res.stderr.splitlines() if units[2] in x]
    assert len(said) == 1 and "no study" in said[0]
    assert "every report is a full-text include" not in res.stdout
    assert run_cli("studies", "link", "s-1", units[2], cwd=project.root).returncode == 0
    res = run_cli("studies", "check", cwd=project.root)
    assert res.returncode == 0 and res.stderr == "", res.stderr


def test_prisma_counts_no_study_whose_reports_are_not_included_yet(tmp_path):
    from reviewkit.records.studies import add_study

    project, store, units = project_with_decisions(tmp_path)  # units[:3] included
    for i in range(3):
        add_study(project, Screening(project, store), f"s-{i}", units[i])
    decide(project, FT, "ana", {units[2]: "exclude"}, reason="wrong population")  # a conflict
    counts = project_counts(project, store)
    assert counts.included_reports == 2  # units[2] is no longer included
    assert counts.included_studies == 2  # nor is its study, until the conflict is settled
    assert counts.included_studies <= counts.included_reports


def test_a_full_text_attached_under_an_older_id_still_counts(tmp_path, monkeypatch):
    project, store, units = project_with_decisions(tmp_path)
    old = "wos/" + units[0].split("/", 1)[1]  # the first design's form of units[0]'s id
    assert store.resolve(old) == units[0]
    folder = project.root / "fulltext"
    folder.mkdir()
    (folder / fulltext_name(old, ".pdf")).write_bytes(PDF)  # attached back then, under it
    digest = hashlib.sha256(PDF).hexdigest()
    (folder / "index.toml").write_text(
        f'[record."{old}"]\nfile = "{fulltext_name(old, ".pdf")}"\nsha256 = "{digest}"\n')
    assert _states(project, store)[units[0]] == "obtained"
    before = snapshot(project.root)
    paper = tmp_path / "paper.pdf"
    paper.write_bytes(PDF)
    again = run_cli("fulltext", "attach", units[0], str(paper), cwd=project.root)
    assert again.returncode == 0 and "already attached" in again.stdout, again.stderr
    assert snapshot(project.root) == before
    other = run_cli("fulltext", "attach", units[0], str(_other(tmp_path)), cwd=project.root)
    assert other.returncode == 2 and "--replace" in other.stderr  # it has one already
    command, seen = fake_viewer(tmp_path)
    monkeypatch.setenv("REVIEWKIT_VIEWER", command)
    res = run_cli("fulltext", "open", units[0], cwd=project.root)
    assert res.returncode == 0, res.stderr
    assert wait_for(seen) == str(folder / fulltext_name(old, ".pdf"))


def test_the_screener_lists_a_full_text_attached_to_a_duplicate(tmp_path):
    from reviewkit.screening.session import ScreenSession

    project, store, unit = _duplicate_project(tmp_path)
    done = attach_fulltext(project, store, unit.members[1], _other(tmp_path))
    session = ScreenSession(project, store, "ana", "full-text")
    assert project.relative(done.path) in session.fulltext(unit.id)  # where to read it


def test_not_retrieved_is_refused_for_a_report_already_screened_at_full_text(tmp_path):
    project, store, units = project_with_decisions(tmp_path)  # all six screened at full text
    before = snapshot(project.root)
    res = run_cli("fulltext", "mark", units[0], "--not-retrieved", "--reason", "not held",
                  cwd=project.root)
    assert res.returncode == 2, res.stdout  # it would not count: screening says it was read
    said = res.stderr.strip().splitlines()
    assert len(said) == 1 and "screened at full-text" in said[0] and "not retrieved" in said[0]
    assert snapshot(project.root) == before


def test_not_retrieved_is_refused_when_a_duplicate_holds_the_full_text(tmp_path):
    project, store, unit = _duplicate_project(tmp_path)
    attach_fulltext(project, store, unit.members[0], _other(tmp_path))
    before = snapshot(project.root)
    res = run_cli("fulltext", "mark", unit.members[1], "--not-retrieved", "--reason", "x",
                  cwd=project.root)
    assert res.returncode == 2 and "it was retrieved" in res.stderr, res.stdout
    assert snapshot(project.root) == before


def test_studies_unlink_removes_a_report_excluded_later_and_keeps_comments(tmp_path):
    from reviewkit.records.studies import load_studies

    project, store, units = project_with_decisions(tmp_path)  # units[:3] included
    path = project.root / "studies.toml"
    path.write_text("# ours\n")
    for args in (("add", "s-1", "--report", units[0]), ("link", "s-1", units[1])):
        assert run_cli("studies", *args, cwd=project.root).returncode == 0
    path.write_text(path.read_text() + "# a note at the end\n")
    for name in ("ana", "ben"):  # a second look: units[1] is out after all
        decide(project, FT, name, {units[1]: "exclude"}, reason="wrong population")
    assert run_cli("prisma", "-o", str(tmp_path / "p.svg"), cwd=project.root).returncode == 2
    res = run_cli("studies", "unlink", "s-1", units[1], cwd=project.root)
    assert res.returncode == 0, res.stderr
    assert [s.reports for s in load_studies(project)] == [[units[0]]]
    text = path.read_text()
    assert text.startswith("# ours\n") and "# a note at the end" in text
    assert run_cli("studies", "check", cwd=project.root).returncode == 1  # units[2]: no study
    before = snapshot(project.root)
    again = run_cli("studies", "unlink", "s-1", units[1], cwd=project.root)
    assert again.returncode == 2 and "not a report of study 's-1'" in again.stderr
    last = run_cli("studies", "unlink", "s-1", units[0], cwd=project.root)
    assert last.returncode == 2 and "only report" in last.stderr  # a study keeps a report
    assert snapshot(project.root) == before
    assert run_cli("prisma", "-o", str(tmp_path / "p.svg"), cwd=project.root).returncode == 0


def test_a_report_screened_at_full_text_without_a_file_is_not_on_the_list_to_obtain(tmp_path):
    # the team read the PDFs from their reference manager: none is in fulltext/
    project, store, units = project_with_decisions(tmp_path, ta_includes=8, ft_decided=6)
    screening = Screening(project, store)
    assert [r["record_id"] for r in missing_rows(screening)] == units[6:8]  # not screened
    counts = retrieval_counts(screening)
    assert (counts.sought, counts.obtained, counts.not_retrieved, counts.awaiting) == (8, 6, 0, 2)
    rows = {r["record_id"]: r for r in retrieval_rows(screening)}
    assert rows[units[0]]["file"] == "" and "no file" in rows[units[0]]["check"]
    listed = run_cli("fulltext", "list", "--missing", cwd=project.root)
    assert [x.split(",")[0] for x in listed.stdout.splitlines()[1:]] == units[6:8]


def test_a_renamed_full_text_is_found_by_its_bytes(tmp_path):
    project, store, units = project_with_decisions(tmp_path, ft_includes=0, ft_decided=0)
    done = attach_fulltext(project, store, units[0], _other(tmp_path))
    renamed = done.path.with_name("Smith 2019.pdf")  # tidied up by hand in a file manager
    done.path.rename(renamed)
    row = next(r for r in retrieval_rows(Screening(project, store)) if r["record_id"] == units[0])
    assert row["state"] == "sought"  # not where the index says
    assert f"{done.path.name} is missing" in row["check"]
    assert "Smith 2019.pdf" in row["check"]  # ...but its bytes are here, under another name


def test_an_index_naming_itself_as_a_full_text_is_refused_at_its_line(tmp_path):
    project, store, units = project_with_decisions(tmp_path, ft_includes=0, ft_decided=0)
    folder = project.root / "fulltext"
    folder.mkdir()
    (folder / "index.toml").write_text(f'# by hand\n[record."{units[0]}"]\nfile = "index.toml"\n')
    before = snapshot(project.root)
    res = run_cli("fulltext", "status", cwd=project.root)
    assert res.returncode == 2, res.stdout  # was: obtained, its file the index itself
    said = res.stderr.strip().splitlines()
    assert len(said) == 1 and "index.toml:3" in said[0] and "Traceback" not in res.stderr
    assert snapshot(project.root) == before


def test_detach_takes_a_wrong_full_text_off_a_record_and_keeps_the_file(tmp_path):
    project, store, units = project_with_decisions(tmp_path, ft_includes=0, ft_decided=0)
    done = attach_fulltext(project, store, units[0], _other(tmp_path))  # the wrong record
    index = project.root / "fulltext" / "index.toml"
    index.write_text(index.read_text() + "# a hand comment\n")
    mark_fulltext(project, store, units[0], requested=True)
    res = run_cli("fulltext", "detach", units[0], cwd=project.root)
    assert res.returncode == 0, res.stderr
    assert not done.path.exists()
    kept = project.root / "fulltext" / "detached" / done.path.name
    assert kept.read_bytes() == _other(tmp_path).read_bytes()  # nothing lost
    row = next(r for r in retrieval_rows(Screening(project, store)) if r["record_id"] == units[0])
    assert (row["state"], row["file"], row["check"]) == ("requested", "", "")
    assert "# a hand comment" in index.read_text()
    before = snapshot(project.root)
    again = run_cli("fulltext", "detach", units[0], cwd=project.root)
    assert again.returncode == 0 and "no full text" in again.stdout  # a re-run is safe
    assert snapshot(project.root) == before
    assert attach_fulltext(project, store, units[1], _other(tmp_path)).warnings == ()


def test_fulltext_status_names_an_index_entry_for_no_record(tmp_path):
    project, store, units = project_with_decisions(tmp_path, ft_includes=0, ft_decided=0)
    attach_fulltext(project, store, units[0], _other(tmp_path))
    index = project.root / "fulltext" / "index.toml"
    index.write_text(index.read_text() + '\n[record."wos/gone-record"]\nrequested = "2020-01-02"\n')
    for command in (("fulltext", "status"), ("fulltext", "list")):
        res = run_cli(*command, cwd=project.root)
        assert res.returncode == 0, res.stderr
        said = [x for x in res.stderr.splitlines() if "wos/gone-record" in x]
        assert len(said) == 1 and "index.toml:" in said[0], res.stderr


def test_requesting_again_after_not_retrieved_puts_it_back_on_the_list(tmp_path):
    project, store, units = project_with_decisions(tmp_path, ft_includes=0, ft_decided=0)
    mark_fulltext(project, store, units[0], not_retrieved=True, reason="not held")
    assert _states(project, store)[units[0]] == "not retrieved"
    res = run_cli("fulltext", "mark", units[0], "--requested", cwd=project.root)  # new ILL
    assert res.returncode == 0, res.stderr
    assert _states(project, store)[units[0]] == "requested"
    assert units[0] in [r["record_id"] for r in missing_rows(Screening(project, store))]
    assert project_counts(project, store).dbr.not_retrieved == 0
