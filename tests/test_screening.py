"""Screening as a library and a command: logs, reviewers, order, stages, batch path."""

from __future__ import annotations

import csv
import io
import json
import os

import pytest

from helpers import run_cli, snapshot
from reviewkit.dedup.run import run_dedup
from reviewkit.errors import ReviewkitError
from reviewkit.project import find_project
from reviewkit.screening import (
    Screening,
    ScreenSession,
    conflicts,
    register_order,
    resolve,
    resolve_reviewer,
    screening_status,
)
from reviewkit.screening.batch import import_decisions
from reviewkit.screening.calibration import draw_calibration
from reviewkit.screening.duplicates import mark_duplicate
from reviewkit.screening.highlight import Highlighter, terms_from_search_string
from reviewkit.screening.log import append_events, log_path, read_events
from reviewkit.searches.log import get_search
from reviewkit.store import open_store
from test_screening_support import screening_project

from conftest import REPO

TA, FT = "title-abstract", "full-text"


def _screen(project, store, reviewer, decisions, stage=TA):
    s = ScreenSession(project, store, reviewer, stage)
    for d in decisions:
        s.decide(*d) if isinstance(d, tuple) else s.decide(d)
    s.close()
    return s


def test_log_survives_a_torn_last_line(tmp_path):
    path = tmp_path / "ana.jsonl"
    append_events(path, [{"type": "decision", "record": "a"}])
    with path.open("ab") as fh:
        fh.write(b'{"type": "decision", "rec')          # a crash mid-write
    assert len(read_events(path)) == 1
    append_events(path, [{"type": "decision", "record": "b"}])
    assert [e["record"] for e in read_events(path)] == ["a", "b"]
    path.write_text('{"a": 1}\nnot json\n{"b": 2}\n')
    assert read_events(path) == [{"a": 1}, {"b": 2}]  # the bad line is a problem (read_log)


def test_reviewer_add_keeps_comments_and_is_idempotent(tmp_path):
    project, _ = screening_project(tmp_path, reviewers=())
    before = (project.root / "reviewkit.toml").read_text()
    assert run_cli("reviewer", "add", "ana", cwd=project.root).stdout == "added reviewer ana\n"
    res = run_cli("reviewer", "add", "ana", cwd=project.root)
    assert res.returncode == 0 and "already" in res.stdout
    after = (project.root / "reviewkit.toml").read_text()
    assert after == before.replace("reviewers = []", 'reviewers = ["ana"]')
    bad = run_cli("reviewer", "add", "../evil", cwd=project.root)
    assert bad.returncode == 2 and bad.stderr.startswith("error: field 'reviewer'")


def test_reviewer_from_option_or_environment(tmp_path, monkeypatch):
    project, _ = screening_project(tmp_path)
    assert resolve_reviewer(project, "ben") == "ben"
    monkeypatch.setenv("REVIEWKIT_REVIEWER", "ana")
    assert resolve_reviewer(project, None) == "ana"
    with pytest.raises(ReviewkitError, match="not a reviewer of this project"):
        resolve_reviewer(project, "zoe")
    monkeypatch.delenv("REVIEWKIT_REVIEWER")
    with pytest.raises(ReviewkitError, match="REVIEWKIT_REVIEWER"):
        resolve_reviewer(project, None)


def test_order_is_seeded_random_never_import_order_and_pluggable(tmp_path):
    project, store = screening_project(tmp_path)
    imported = [sr.id for sr in store.iter_records()]
    order = ScreenSession(project, store, "ana").order
    assert sorted(order) == sorted(imported) and order != imported and order != sorted(imported)
    assert ScreenSession(project, store, "ben").order == order          # reproducible
    register_order("reverse", lambda p, s, stage, units: sorted(units, reverse=True)[:10])
    conf = project.root / "reviewkit.toml"
    conf.write_text(conf.read_text() + '\n[screening]\norder = "reverse"\n')
    project = find_project(project.root)
    ranked = ScreenSession(project, store, "ana").order
    assert ranked[:10] == sorted(imported, reverse=True)[:10]            # the ranker's order
    assert sorted(ranked) == sorted(imported)                           # nothing left out


def test_calibration_sample_is_seeded_and_screened_first(tmp_path):
    project, store = screening_project(tmp_path)
    screening = Screening(project, store)
    sample = draw_calibration(screening, TA, 8)
    assert len(set(sample)) == 8 and draw_calibration(screening, TA, 8) == sample
    with pytest.raises(ReviewkitError, match="already drawn"):
        draw_calibration(screening, TA, 9)
    session = ScreenSession(project, store, "ana")
    assert session.order[:8] == sample and session.current() in session.calibration
    res = run_cli("screen", "calibrate", "-f", "json", cwd=project.root)
    assert json.loads(res.stdout)[0]["progress"][0] == {"reviewer": "ana", "done": 0,
                                                        "sample": 8}


def test_promotion_rule_conflicts_and_resolution(tmp_path):
    project, store = screening_project(tmp_path, ("ana", "ben", "cleo"))
    # records 1-4 in screening order: include+include, include+maybe, include+exclude,
    # exclude+exclude
    _screen(project, store, "ana", ["include", "include", "include", "exclude"])
    _screen(project, store, "ben", ["include", "maybe", "exclude", "exclude"])
    screening = Screening(project, store)
    order = ScreenSession(project, store, "ana").order
    assert screening.eligible(FT) == sorted(order[:2])          # default rule
    rows = conflicts(screening, TA)
    assert [r["record_id"] for r in rows] == [order[2]]
    assert rows[0]["decisions"] == "ana: include; ben: exclude"
    with pytest.raises(ReviewkitError, match="not a conflict"):
        resolve(screening, TA, order[0], "exclude", "ana")
    with pytest.raises(ReviewkitError, match="ben made one of the conflicting decisions"):
        resolve(screening, TA, order[2], "include", "ben")      # not their own conflict
    resolve(Screening(project, store), TA, order[2], "include", "cleo", note="agreed on call")
    screening = Screening(project, store)
    assert conflicts(screening, TA) == [] and len(conflicts(screening, TA, resolved=True)) == 1
    assert screening.eligible(FT) == sorted(order[:3])
    assert len(read_events(log_path(project, TA, "ben"))) == 4
    event = read_events(log_path(project, TA, "cleo"))[-1]
    assert event["type"] == "resolution" and event["note"] == "agreed on call"
    status = {(r["stage"], r["reviewer"]): r for r in screening_status(project, store)}
    assert status[(TA, "ana")] == {"stage": TA, "reviewer": "ana", "done": 4, "remaining": 46,
                                   "conflicts": 0, "awaiting_second": 0}
    assert status[(FT, "ben")]["remaining"] == 3
    # the rule is data: make include+maybe a conflict too
    conf = project.root / "reviewkit.toml"
    conf.write_text(conf.read_text() + '\n[screening.outcomes]\ninclude = "include"\n'
                    'exclude = "exclude"\n')
    strict = Screening(find_project(project.root), store)
    assert strict.eligible(FT) == sorted([order[0], order[2]])


def test_changed_decision_is_a_new_event_and_awaiting_second(tmp_path):
    project, store = screening_project(tmp_path)
    s = ScreenSession(project, store, "ana")
    first = s.current()
    s.decide("include")
    s.jump(first)
    s.decide("exclude")
    s.close()
    events = read_events(log_path(project, TA, "ana"))
    assert [e["decision"] for e in events] == ["include", "exclude"]
    row = screening_status(project, store)[0]
    assert (row["done"], row["awaiting_second"]) == (1, 1)


def _export_csv(root, reviewer="ana", *extra):
    res = run_cli("screen", "export", "--reviewer", reviewer, *extra, cwd=root)
    assert res.returncode == 0, res.stderr
    return list(csv.DictReader(io.StringIO(res.stdout)))


def _write_csv(path, rows):
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=["record_id", "decision", "reason", "note"],
                           extrasaction="ignore")
        w.writeheader()
        w.writerows(rows)


def test_batch_round_trip_export_fill_import(tmp_path):
    project, store = screening_project(tmp_path)
    store.close()
    rows = _export_csv(project.root)
    assert len(rows) == 50 and rows[0]["decision"] == "" and rows[0]["title"]
    order = ScreenSession(project, open_store(project.store_path), "ana").order
    assert [r["record_id"] for r in rows] == order                       # screening order
    for r, d in zip(rows[:5], ["include", "Exclude", "maybe", "exclude", "include"],
                    strict=True):
        r["decision"] = d
    rows[3]["reason"], rows[3]["note"] = "not empirical", "a commentary"
    filled = tmp_path / "ana.csv"
    _write_csv(filled, rows)
    res = run_cli("screen", "import-decisions", str(filled), "--reviewer", "ana", cwd=project.root)
    assert res.returncode == 0, res.stderr
    assert res.stdout == "5 decisions imported, 0 unchanged, 45 rows without a decision\n"
    again = run_cli("screen", "import-decisions", str(filled), "-r", "ana", cwd=project.root)
    assert again.stdout.startswith("0 decisions imported, 5 unchanged")     # safe to re-run
    events = read_events(log_path(project, TA, "ana"))
    assert [(e["decision"], e["reason"], e["via"]) for e in events][3] == (
        "exclude", "not empirical", "csv")
    assert len(_export_csv(project.root)) == 45                           # what is left
    ris = run_cli("screen", "export", "-r", "ana", "--format", "ris", cwd=project.root).stdout
    assert ris.count("\nER  - ") == 45


@pytest.mark.parametrize(("row", "stage", "message"), [
    ({"record_id": "wos/nope", "decision": "include"}, TA, "unknown record id 'wos/nope'"),
    ({"decision": "yes"}, TA, "unknown decision 'yes'"),
    ({"decision": "exclude", "reason": "too long"}, TA, "unknown reason 'too long'"),
    ({"decision": "exclude"}, FT, "needs a reason"),
    ({"decision": "include"}, FT, "is not screened at full-text"),
])
def test_import_errors_name_the_line_and_import_nothing(tmp_path, row, stage, message):
    project, store = screening_project(tmp_path)
    ids = ScreenSession(project, store, "ana").order
    if stage == FT:   # the first two records reach full text
        _screen(project, store, "ana", ["include", "include"])
        _screen(project, store, "ben", ["include", "include"])
        ids = [ids[0], ids[1], ids[5] if "not screened" in message else ids[1], ids[0]]
    store.close()
    good = [{"record_id": ids[0], "decision": "include"}] * 2
    path = tmp_path / "decisions.csv"
    _write_csv(path, [*good, {"record_id": ids[2], **row}, {"record_id": ids[3],
                                                          "decision": "include"}])
    before = snapshot(project.root)
    res = run_cli("screen", "import-decisions", str(path), "-r", "ana", "--stage", stage,
                  cwd=project.root)
    assert res.returncode == 2
    assert res.stderr.startswith(f"error: {path}:4: ") and message in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1
    assert snapshot(project.root) == before                                # nothing imported


def test_a_decision_on_any_member_counts_for_the_cluster(tmp_path):
    project, store = screening_project(tmp_path)
    order = ScreenSession(project, store, "ana").order
    mark_duplicate(project, order[0], order[1], "ana")       # as the screener's 'd' key does
    run_dedup(project, store)
    screening = Screening(project, store)
    a = screening.unit_of(order[0])
    b = next(m for m in order[:2] if m != a)                # the non-representative member
    assert screening.unit_of(b) == a and len(screening.units) == 49
    path = tmp_path / "d.csv"
    _write_csv(path, [{"record_id": b, "decision": "include"}])
    import_decisions(screening, path, "ben", TA)
    state = Screening(project, store).state(TA)
    assert state.log("ben").current(a)["decision"] == "include"
    assert ScreenSession(project, store, "ben").done == 1


def test_highlight_terms_from_the_example_search_log():
    project = find_project(REPO)
    terms = terms_from_search_string(get_search(project, "medline").search_string)
    lower = [t.lower() for t in terms]
    for term in ("budget*", "Personali*ed budget*", "Self-directed support*", "alcohol*",
                 "substance-related disorders", "direct payment*"):
        assert term.lower() in lower
    assert not any(t.isdigit() or t.lower().startswith("limit") for t in terms)
    assert "us*" not in terms                                 # too short to be useful
    h = Highlighter(terms, ["rat*"])
    text = "Personalised budgets and self-directed support for rats misusing alcohol"
    got = [(text[s:e], k) for s, e, k in h.spans(text)]
    assert got == [("Personalised budgets", "include"), ("self-directed support", "include"),
                   ("rats", "exclude"), ("misusing", "include"), ("alcohol", "include")]


def test_bad_screening_config_names_the_line(tmp_path):
    project, _ = screening_project(tmp_path)
    conf = project.root / "reviewkit.toml"
    conf.write_text(conf.read_text() + '\n[screening]\nreviewers_per_record = 0\n')
    res = run_cli("screen", "conflicts", cwd=project.root)
    assert res.returncode == 2
    line = conf.read_text().splitlines().index("reviewers_per_record = 0") + 1
    assert res.stderr.startswith(f"error: {conf}:{line}: field 'screening.reviewers_per_record'")
    assert os.path.exists(conf)


def test_export_follows_the_screeners_order_and_all_fills_in_my_decisions(tmp_path):
    project, store = screening_project(tmp_path)
    session = _screen(project, store, "ana", ["include", ("exclude", "", "off topic"),
                                              "maybe"])
    _screen(project, store, "ben", ["exclude", "exclude"])  # not ana's: never shown to her
    # the screener's queue after ana's three decisions (the session ana would open now)
    queue = list(ScreenSession(project, store, "ana").pending)
    assert len(queue) == 47 and queue == session.order[3:]
    store.close()
    assert [r["record_id"] for r in _export_csv(project.root)] == queue
    rows = _export_csv(project.root, "ana", "--all")
    assert [r["record_id"] for r in rows] == session.order
    assert [(r["decision"], r["note"]) for r in rows[:4]] == [
        ("include", ""), ("exclude", "off topic"), ("maybe", ""), ("", "")]
    filled = tmp_path / "again.csv"
    _write_csv(filled, rows)
    again = import_decisions(Screening(project, open_store(project.store_path)), filled, "ana",
                             TA)
    assert (again.added, again.unchanged) == (0, 3)                    # a round trip


def test_calibration_larger_than_the_stage_is_refused(tmp_path):
    project, store = screening_project(tmp_path)
    store.close()
    before = snapshot(project.root)
    res = run_cli("screen", "calibrate", "--size", "1000", cwd=project.root)
    assert res.returncode == 2 and res.stderr.count("\n") == 1
    assert res.stderr == ("error: field 'size': only 50 records are screened at "
                          "title-abstract: choose --size 50 or fewer\n")
    assert snapshot(project.root) == before
    assert len(draw_calibration(Screening(project, open_store(project.store_path)), TA,
                                50)) == 50


def test_unknown_order_names_the_line_under_screening(tmp_path):
    project, store = screening_project(tmp_path)
    store.close()
    conf = project.root / "reviewkit.toml"
    conf.write_text(conf.read_text() + '\n[report]\norder = "x"\n\n[screening]\n'
                    'order = "rankd"\n')
    before = snapshot(project.root)
    res = run_cli("screen", "export", "-r", "ana", cwd=project.root)
    line = conf.read_text().splitlines().index('order = "rankd"') + 1
    assert res.returncode == 2 and res.stderr == (
        f"error: {conf}:{line}: field 'screening.order': unknown screening order 'rankd'; "
        "expected one of: random, ranked\n")
    assert snapshot(project.root) == before
