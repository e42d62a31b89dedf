"""Full texts: attach (documented name, sha256), retrieval marks, status counts, the
retrieval list, and opening with a viewer (a real process standing in for xdg-open)."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import sys
import time

import pytest

from fulltext_support import project_with_decisions
from helpers import run_cli, snapshot
from reviewkit.errors import ReviewkitError
from reviewkit.fulltext import attach_fulltext, mark_fulltext, open_fulltext, retrieval_counts
from reviewkit.fulltext.index import fulltext_name, load_index
from reviewkit.fulltext.retrieval import retrieval_rows
from reviewkit.screening import Screening

PDF = b"%PDF-1.4\n% a small real-looking file\n1 0 obj <<>> endobj\n%%EOF\n"


def _pdf(tmp_path, name="paper.PDF", data=PDF):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_attach_copies_under_the_documented_name_with_its_sha256(tmp_path):
    # not screened at full text yet (a report screened there was evidently retrieved)
    project, store, units = project_with_decisions(tmp_path, ft_includes=0, ft_decided=0)
    rid = units[0]
    res = run_cli("fulltext", "attach", rid, str(_pdf(tmp_path)), cwd=project.root)
    assert res.returncode == 0, res.stderr
    # the documented name: '/' and ':' of the id as '_', the extension in lower case
    target = project.root / "fulltext" / (rid.replace("/", "_").replace(":", "_") + ".pdf")
    assert fulltext_name(rid, ".PDF") == target.name
    assert target.read_bytes() == PDF
    entry = load_index(project)[rid]
    assert entry.file == target.name and entry.original == "paper.PDF"
    assert entry.sha256 == hashlib.sha256(PDF).hexdigest()
    res = run_cli("fulltext", "status", "-f", "json", cwd=project.root)
    out = json.loads(res.stdout)[0]
    states = {r["record_id"]: r["state"] for r in out["reports"]}
    assert states[rid] == "obtained" and list(states) == units[:6]
    assert out["counts"] == {"sought": 6, "obtained": 1, "not_retrieved": 0, "awaiting": 5}


def test_an_older_form_of_the_id_resolves_to_the_record(tmp_path):
    project, store, units = project_with_decisions(tmp_path)
    rid = units[1]
    old = "wos/" + rid.split("/", 1)[1]  # the first design's <search id>/<key>
    assert store.resolve(old) == rid
    done = attach_fulltext(project, store, old, _pdf(tmp_path))
    assert done.record_id == rid and done.path.name == fulltext_name(rid, ".pdf")


def test_user_mistakes_are_one_line_and_write_nothing(tmp_path):
    project, store, units = project_with_decisions(tmp_path)
    attach_fulltext(project, store, units[0], _pdf(tmp_path))
    (tmp_path / "noext").write_bytes(PDF)
    (tmp_path / "empty.pdf").write_bytes(b"")
    other = _pdf(tmp_path, "other.pdf", PDF + b"x")
    cases = [
        (lambda: attach_fulltext(project, store, units[1], tmp_path / "missing.pdf"),
         "no such file"),
        (lambda: attach_fulltext(project, store, units[1], tmp_path / "noext"), "extension"),
        (lambda: attach_fulltext(project, store, units[1], tmp_path / "empty.pdf"), "empty"),
        (lambda: attach_fulltext(project, store, units[0], other), "--replace"),
        (lambda: mark_fulltext(project, store, units[0], not_retrieved=True, reason="gone"),
         "has a full text"),
        (lambda: mark_fulltext(project, store, units[1]), "say one of"),
        (lambda: open_fulltext(project, store, units[1]), "no full text"),
    ]
    before = snapshot(project.root)
    for call, said in cases:
        with pytest.raises(ReviewkitError, match=re.escape(said)):
            call()
        assert snapshot(project.root) == before, said
    # and as a user sees them: one line, exit 2
    for args, said in [(["attach", "wos/no-such-record", str(other)], "no record with id"),
                       (["mark", units[1], "--not-retrieved"], "needs --reason")]:
        res = run_cli("fulltext", *args, cwd=project.root)
        lines = res.stderr.strip().splitlines()
        assert res.returncode == 2 and len(lines) == 1 and said in lines[0], res.stderr
        assert snapshot(project.root) == before, args


def test_marks_and_counts_for_prisma(tmp_path):
    # units[2:] not screened at full text yet (a screened report was evidently retrieved)
    project, store, units = project_with_decisions(tmp_path, ta_includes=8, ft_includes=2,
                                                   ft_decided=2)
    attach_fulltext(project, store, units[0], _pdf(tmp_path))
    attach_fulltext(project, store, units[1], _pdf(tmp_path, "b.html", b"<html>b</html>"))
    mark_fulltext(project, store, units[2], not_retrieved=True, reason="not held by any library")
    mark_fulltext(project, store, units[3], requested=True)
    mark_fulltext(project, store, units[4], requested=True)
    mark_fulltext(project, store, units[4], clear=True)
    mark_fulltext(project, store, units[40], requested=True)  # excluded at title/abstract
    screening = Screening(project, store)
    rows = {r["record_id"]: r for r in retrieval_rows(screening)}
    assert [rows[u]["state"] for u in units[:5]] == ["obtained", "obtained", "not retrieved",
                                                    "requested", "sought"]
    assert rows[units[2]]["reason"] == "not held by any library"
    assert units[40] not in rows  # never sought: it did not pass title/abstract
    counts = retrieval_counts(screening)
    assert (counts.sought, counts.obtained, counts.not_retrieved, counts.awaiting) == (8, 2, 1, 5)


def test_a_changed_or_deleted_file_is_flagged_and_hand_comments_are_kept(tmp_path):
    # not screened at full text yet (a report screened there was evidently retrieved)
    project, store, units = project_with_decisions(tmp_path, ft_includes=0, ft_decided=0)
    a = attach_fulltext(project, store, units[0], _pdf(tmp_path))
    b = attach_fulltext(project, store, units[1], _pdf(tmp_path, "b.pdf", PDF + b"b"))
    index = project.root / "fulltext" / "index.toml"
    index.write_text(index.read_text() + "# asked the author by email\n")
    a.path.write_bytes(PDF + b"edited")
    b.path.unlink()
    mark_fulltext(project, store, units[2], requested=True)
    assert "# asked the author by email" in index.read_text()
    rows = {r["record_id"]: r for r in retrieval_rows(Screening(project, store))}
    assert "differs" in rows[units[0]]["check"] and rows[units[0]]["state"] == "obtained"
    assert "missing" in rows[units[1]]["check"] and rows[units[1]]["state"] == "sought"


def test_replace_removes_the_earlier_file(tmp_path):
    project, store, units = project_with_decisions(tmp_path)
    first = attach_fulltext(project, store, units[0], _pdf(tmp_path))
    second = attach_fulltext(project, store, units[0], _pdf(tmp_path, "v2.html", b"<p>v2</p>"),
                             replace=True)
    assert second.replaced == first.path and not first.path.exists()
    assert second.path.read_bytes() == b"<p>v2</p>"
    assert load_index(project)[units[0]].file == second.path.name


def test_a_bad_index_names_its_line(tmp_path):
    project, store, units = project_with_decisions(tmp_path)
    folder = project.root / "fulltext"
    folder.mkdir()
    (folder / "index.toml").write_text('# mine\n[record."x/y"]\nfile = "a.pdf"\nsha = "1"\n')
    before = snapshot(project.root)
    res = run_cli("fulltext", "mark", units[0], "--requested", cwd=project.root)
    assert res.returncode == 2 and "index.toml:4" in res.stderr, res.stderr
    assert snapshot(project.root) == before


def test_retrieval_list_for_a_librarian(tmp_path):
    project, store, units = project_with_decisions(tmp_path, ft_includes=1, ft_decided=1)
    attach_fulltext(project, store, units[0], _pdf(tmp_path))
    mark_fulltext(project, store, units[1], not_retrieved=True, reason="withdrawn")
    mark_fulltext(project, store, units[2], requested=True)
    res = run_cli("fulltext", "list", "--missing", cwd=project.root)
    assert res.returncode == 0, res.stderr
    rows = list(csv.DictReader(io.StringIO(res.stdout)))
    assert [r["record_id"] for r in rows] == units[2:6]
    assert [r["state"] for r in rows] == ["requested", "sought", "sought", "sought"]
    for row in rows:
        rec = store.get_record(row["record_id"]).record
        assert row["title"] == rec.title and row["doi"] == rec.doi and row["year"] == str(rec.year)
        assert row["url"] == (rec.urls[0] if rec.urls else
                              f"https://doi.org/{rec.doi}" if rec.doi else "")
    out = tmp_path / "retrieve.csv"
    res = run_cli("fulltext", "list", "-o", str(out), cwd=project.root)
    assert res.returncode == 0 and "wrote 6 reports" in res.stderr
    assert len(list(csv.DictReader(out.open()))) == 6
    again = run_cli("fulltext", "list", "-o", str(out), cwd=project.root)
    assert again.returncode == 2 and "already exists" in again.stderr


VIEWER = "import sys, pathlib; pathlib.Path(sys.argv[1]).write_text(sys.argv[2])\n"


def fake_viewer(tmp_path):
    """A real program standing in for xdg-open: writes the file it was given to a file."""
    script, seen = tmp_path / "viewer.py", tmp_path / "opened.txt"
    script.write_text(VIEWER)
    return f"{sys.executable} {script} {seen}", seen


def wait_for(path, seconds=10.0):
    end = time.monotonic() + seconds
    while not path.exists() and time.monotonic() < end:
        time.sleep(0.02)
    return path.read_text() if path.exists() else None


def test_open_starts_the_viewer_on_the_attached_file(tmp_path, monkeypatch):
    project, store, units = project_with_decisions(tmp_path)
    done = attach_fulltext(project, store, units[0], _pdf(tmp_path))
    command, seen = fake_viewer(tmp_path)
    monkeypatch.setenv("REVIEWKIT_VIEWER", command)
    res = run_cli("fulltext", "open", units[0], cwd=project.root)
    assert res.returncode == 0, res.stderr
    assert wait_for(seen) == str(done.path)
    monkeypatch.setenv("REVIEWKIT_VIEWER", str(tmp_path / "no-such-viewer"))
    res = run_cli("fulltext", "open", units[0], cwd=project.root)
    assert res.returncode == 2 and "cannot start the viewer" in res.stderr
    monkeypatch.setenv("REVIEWKIT_VIEWER", 'evince "my file')  # an unbalanced quote
    res = run_cli("fulltext", "open", units[0], cwd=project.root)
    assert res.returncode == 2 and "Traceback" not in res.stderr, res.stderr
    assert res.stderr == ("error: field 'REVIEWKIT_VIEWER': not a command line (no closing "
                          "quotation): 'evince \"my file'\n")


def test_a_full_text_attached_to_a_duplicate_counts_for_its_cluster(tmp_path):
    from fulltext_support import TA, decide
    from helpers import new_project
    from reviewkit.dedup.run import run_dedup
    from reviewkit.fulltext.viewer import fulltext_file
    from reviewkit.io.importer import import_files
    from reviewkit.screening import add_reviewer

    from conftest import export_file

    project, store = new_project(tmp_path)
    import_files(project, store, [export_file("ris/bluelight-endnote_reflib.ris"),
                                  export_file("medline-nbib/bluelight-pubmed_reflib.nbib")])
    run_dedup(project, store)
    unit = next(u for u in Screening(project, store).units if len(u.members) == 2)
    for name in ("ana", "ben"):  # both include the cluster; only it reaches full text
        add_reviewer(project, name)
        decide(project, TA, name, {unit.id: "include"})
    duplicate = unit.members[1]
    assert duplicate != unit.id  # not the record the cluster is shown as
    done = attach_fulltext(project, store, duplicate, _pdf(tmp_path))
    screening = Screening(project, store)
    rows = retrieval_rows(screening)
    assert [(r["record_id"], r["state"]) for r in rows] == [(unit.id, "obtained")]
    assert fulltext_file(project, store, unit.id, unit.members) == done.path


def test_prisma_counts_reports_marked_not_retrieved(tmp_path):
    from fulltext_support import FT, TA, decide
    from helpers import new_project
    from reviewkit.io.importer import import_files
    from reviewkit.reporting.prisma import project_counts
    from reviewkit.screening import add_reviewer

    from conftest import export_file

    project, store = new_project(tmp_path, ("wos", None))
    import_files(project, store, [export_file("ris/wos_asysd.ris")], "wos")
    units = sorted(u.id for u in Screening(project, store).units)
    for name in ("ana", "ben"):
        add_reviewer(project, name)
        decide(project, TA, name, {u: "include" for u in units[:8]})
        decide(project, TA, name, {u: "exclude" for u in units[8:]})
        decide(project, FT, name, {u: "include" for u in units[:4]})  # 4 left at full text
    mark_fulltext(project, store, units[5], not_retrieved=True, reason="not held")
    mark_fulltext(project, store, units[6], not_retrieved=True, reason="not held")
    counts = project_counts(project, store)
    assert (counts.dbr.sought, counts.dbr.not_retrieved, counts.dbr.assessed) == (8, 2, 4)
    # the text turned up after all and was screened: the screening outcome counts
    for name in ("ana", "ben"):
        decide(project, FT, name, {units[6]: "exclude"}, reason="wrong population")
    counts = project_counts(project, store)
    assert (counts.dbr.not_retrieved, counts.dbr.assessed) == (1, 5)
    assert [(c.name, c.n) for c in counts.dbr.excluded] == [("wrong population", 1)]


def test_a_hand_edited_index_is_checked_at_its_own_table(tmp_path):
    project, store, units = project_with_decisions(tmp_path)
    for rid in units[:3]:
        mark_fulltext(project, store, rid, requested=True)
    path = project.root / "fulltext" / "index.toml"
    good = path.read_text("utf-8")
    lines = good.splitlines()
    third = next(n for n, line in enumerate(lines, 1) if units[2] in line)  # its header
    at = next(n for n in range(third, len(lines) + 1) if lines[n - 1].startswith("requested"))
    lines[at - 1] = 'requested = "yesterday"'
    path.write_text("\n".join(lines) + "\n", "utf-8")
    with pytest.raises(ReviewkitError, match="'yesterday' is not a date") as err:
        load_index(project)
    assert err.value.line == at and err.value.field == f"record.{units[2]}.requested"
    path.write_text(good + '\n[record."wos-nothing/WOS:0"]\nrequested = "2026-12-01"\n',
                    "utf-8")
    res = run_cli("doctor", cwd=project.root)
    assert res.returncode == 1
    assert "full-text entry" in res.stdout and "wos-nothing/WOS:0" in res.stdout, res.stdout
