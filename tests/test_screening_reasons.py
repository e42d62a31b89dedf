"""Several reasons per exclusion, "other: why", reasons that must agree, and PRISMA's count."""

from __future__ import annotations

import pytest

from helpers import run_cli, snapshot
from reviewkit.errors import ReviewkitError
from reviewkit.project import find_project
from reviewkit.reporting.prisma import project_counts
from reviewkit.screening import Screening, ScreenSession, conflicts, resolve
from reviewkit.screening.log import log_path, read_events
from reviewkit.screening.reasons import agreed_reason, normalise_reasons, primary_reason
from test_screening_support import screening_project

TA, FT = "title-abstract", "full-text"
KNOWN = ["wrong population", "wrong intervention", "not empirical", "not retrieved"]


def test_reasons_take_the_projects_spelling_and_order():
    assert normalise_reasons("Not empirical;  wrong POPULATION", KNOWN) == \
        "wrong population; not empirical"
    assert normalise_reasons("other: a protocol only; not empirical", KNOWN) == \
        "not empirical; other: a protocol only"
    assert normalise_reasons("OTHER:conference abstract", KNOWN) == "other: conference abstract"
    assert normalise_reasons("not empirical; not empirical", KNOWN) == "not empirical"
    assert normalise_reasons("", KNOWN) == ""
    with pytest.raises(ReviewkitError, match="'other' needs its reason"):
        normalise_reasons("other", KNOWN)
    with pytest.raises(ReviewkitError, match="unknown reason 'wrong outcome'"):
        normalise_reasons("not empirical; wrong outcome", KNOWN)
    assert primary_reason("wrong population; not empirical") == "wrong population"


def test_agreed_reason_is_the_settled_or_the_shared_one():
    a = {"decision": "exclude", "reason": "not empirical"}
    b = {"decision": "exclude", "reason": "wrong population"}
    assert agreed_reason({"ana": a, "ben": dict(a)}, None) == "not empirical"
    assert agreed_reason({"ana": a, "ben": b}, None) is None
    assert agreed_reason({"ana": a, "ben": b}, {"reason": "wrong population"}) == \
        "wrong population"
    assert agreed_reason({"ana": a, "ben": {"decision": "exclude", "reason": ""}}, None) == \
        "not empirical"


def _to_full_text(project, store, n: int) -> list[str]:
    """Both reviewers include the first ``n`` records at title/abstract."""
    for name in ("ana", "ben"):
        s = ScreenSession(project, store, name, TA)
        for _ in range(n):
            s.decide("include")
        s.close()
    return Screening(project, store).eligible(FT)


def _exclude(project, store, reviewer, reasons):
    s = ScreenSession(project, store, reviewer, FT)
    for reason in reasons:
        s.decide("exclude", reason)
    s.close()


def test_different_reasons_are_a_conflict_where_the_project_says_so(tmp_path):
    project, store = screening_project(tmp_path, ("ana", "ben", "cleo"))
    units = _to_full_text(project, store, 3)
    _exclude(project, store, "ana", ["wrong population", "not empirical; wrong population",
                                     "not empirical"])
    _exclude(project, store, "ben", ["wrong population", "wrong population; not empirical",
                                     "wrong intervention"])
    # no rule: not a conflict, and PRISMA does not pick one reviewer's reason
    counts = project_counts(project, store)
    assert {c.name: c.n for c in counts.dbr.excluded} == {
        "wrong population": 2, "reasons differ, not settled": 1}
    assert conflicts(Screening(project, store), FT) == []
    # the rule: the third record (reasons differ) is a conflict for a third reviewer
    conf = project.root / "reviewkit.toml"
    conf.write_text(conf.read_text() + '\n[screening]\nreasons_must_agree = ["full-text"]\n')
    project = find_project(project.root)
    rows = conflicts(Screening(project, store), FT)
    assert len(rows) == 1 and "not empirical" in rows[0]["decisions"] \
        and "wrong intervention" in rows[0]["decisions"]
    r = run_cli("screen", "conflicts", "--stage", FT, "--format", "csv", cwd=project.root)
    assert r.returncode == 0 and rows[0]["record_id"] in r.stdout
    resolve(Screening(project, store), FT, rows[0]["record_id"], "exclude", "cleo",
            reason="wrong intervention")
    counts = project_counts(project, store)
    assert {c.name: c.n for c in counts.dbr.excluded} == {
        "wrong population": 2, "wrong intervention": 1}
    assert sorted(units) == sorted(Screening(project, store).eligible(FT))
    # what was written: each reviewer's reasons in the project's order
    assert [e["reason"] for e in read_events(log_path(project, FT, "ana"))] == [
        "wrong population", "wrong population; not empirical", "not empirical"]


def test_cli_decisions_with_several_reasons_and_mistakes(tmp_path):
    project, store = screening_project(tmp_path)
    _to_full_text(project, store, 2)
    ids = Screening(project, store).eligible(FT)
    csv_file = tmp_path / "ft.csv"
    csv_file.write_text("record_id,decision,reason\n"
                        f"{ids[0]},exclude,not empirical; other: a protocol\n"
                        f"{ids[1]},exclude,other\n", "utf-8")
    before = snapshot(project.root)
    r = run_cli("screen", "import-decisions", str(csv_file), "-r", "ana", "--stage", FT,
                cwd=project.root)
    assert r.returncode == 2 and "'other' needs its reason" in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1 and snapshot(project.root) == before
    csv_file.write_text("record_id,decision,reason\n"
                        f"{ids[0]},exclude,not empirical; other: a protocol\n", "utf-8")
    r = run_cli("screen", "import-decisions", str(csv_file), "-r", "ana", "--stage", FT,
                cwd=project.root)
    assert r.returncode == 0, r.stderr
    [event] = read_events(log_path(project, FT, "ana"))
    assert event["reason"] == "not empirical; other: a protocol"


def test_unknown_stage_in_reasons_must_agree_names_the_line(tmp_path):
    project, _ = screening_project(tmp_path)
    conf = project.root / "reviewkit.toml"
    conf.write_text(conf.read_text() + '\n[screening]\nreasons_must_agree = ["fulltext"]\n')
    r = run_cli("screen", "conflicts", "--stage", FT, cwd=project.root)
    line = conf.read_text().splitlines().index('reasons_must_agree = ["fulltext"]') + 1
    assert r.returncode == 2 and f"reviewkit.toml:{line}:" in r.stderr
    assert "unknown stage 'fulltext'" in r.stderr


def test_no_stage_means_the_first_and_an_unknown_one_is_refused(tmp_path):
    from reviewkit.errors import ReviewkitError
    from reviewkit.screening.config import screening_config

    project, _ = screening_project(tmp_path)
    conf = screening_config(project)
    assert conf.check_stage(None) == conf.stages[0] == "title-abstract"
    assert conf.check_stage(FT) == FT
    with pytest.raises(ReviewkitError, match="unknown stage 'nope'"):
        conf.check_stage("nope")


def test_a_configured_reason_holding_a_semicolon_is_refused_at_its_line(tmp_path):
    from helpers import new_project, run_cli, snapshot

    project, _ = new_project(tmp_path)
    toml = project.root / "reviewkit.toml"
    toml.write_text(toml.read_text() + '\n[screening]\nreasons = ["wrong population", '
                    '"not empirical; editorial"]\n')
    line = toml.read_text().split("\n").index(
        'reasons = ["wrong population", "not empirical; editorial"]') + 1
    before = snapshot(project.root)
    r = run_cli("screen", "conflicts", cwd=project.root)
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert f"reviewkit.toml:{line}:" in r.stderr and "holds ';'" in r.stderr
    assert snapshot(project.root) == before
