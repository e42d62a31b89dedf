"""The stopping test from a project's logs: maybe counts as relevant until settled, and
`reviewkit screen stop` / `reviewkit status` show the verdict."""

from __future__ import annotations

import json

from helpers import new_project, run_cli, snapshot
from reviewkit.io.importer import import_files
from reviewkit.project.status import project_status
from reviewkit.ranking.stopping import stopping_status
from reviewkit.screening import Screening
from reviewkit.screening.events import decision_event, resolution_event
from reviewkit.screening.log import append_events, log_path
from reviewkit.screening.ranked import stopping, stopping_labels

from conftest import export_file

STAGE = "title-abstract"


def project_with(tmp_path, ana: list[str], ben: list[str] | None = None):
    project, store = new_project(tmp_path)
    import_files(project, store, [export_file("ris/bluelight-endnote_reflib.ris")])
    units = Screening(project, store).eligible(STAGE)
    for who, said in (("ana", ana), ("ben", ben or [])):
        append_events(log_path(project, STAGE, who),
                      [decision_event(STAGE, who, u, d) for u, d in zip(units, said,
                                                                          strict=False)])
    return project, store, units


def test_maybe_counts_as_relevant_until_settled(tmp_path):
    ana = ["include", "maybe", "exclude", "maybe", "exclude"]
    ben = ["include", "exclude", "exclude", "include", "exclude"]
    project, store, units = project_with(tmp_path, ana, ben)
    state = Screening(project, store).state(STAGE)
    # units[1]: maybe vs exclude is a conflict, open: relevant; units[3]: maybe + include
    # is an include: relevant
    assert stopping_labels(state, state.log("ana")) == [1, 1, 0, 1, 0]
    append_events(log_path(project, STAGE, "cleo"),
                  [resolution_event(STAGE, "cleo", units[1], "exclude")])
    screening = Screening(project, store)
    state = screening.state(STAGE)
    assert stopping_labels(state, state.log("ana")) == [1, 0, 0, 1, 0]
    st = stopping(screening, STAGE, "ana")
    assert st["relevant_found"] == 2 and st["screened"] == 5
    assert st["total"] == len(units)


def test_a_redecision_counts_once_with_the_latest_decision(tmp_path):
    project, store, units = project_with(tmp_path, ["exclude", "exclude", "exclude"])
    append_events(log_path(project, STAGE, "ana"),
                  [decision_event(STAGE, "ana", units[0], "include")])
    state = Screening(project, store).state(STAGE)
    assert stopping_labels(state, state.log("ana")) == [1, 0, 0]


def test_screen_stop_json_and_text(tmp_path):
    said = ["include"] * 10 + ["exclude"] * 80
    project, store, units = project_with(tmp_path, said)
    store.close()
    root = project.root
    out = run_cli("screen", "stop", "--format", "json", cwd=root)
    assert out.returncode == 0, out.stderr
    rows = json.loads(out.stdout)
    assert [(r["stage"], r["reviewer"]) for r in rows] == [(STAGE, "ana")]
    # file order, not ranked: the test as published (bias 1), from the log's labels
    want = stopping_status([1] * 10 + [0] * 80, len(units), bias=1.0)
    assert {k: rows[0][k] for k in want.to_dict()} == want.to_dict()
    assert rows[0]["unscreened"] == len(units) - 90 and rows[0]["bias"] == 1.0
    text = run_cli("screen", "stop", "--reviewer", "ana", cwd=root)
    assert text.returncode == 0 and text.stdout.strip() == f"{STAGE} ana: {want.verdict}"
    status = run_cli("status", "--format", "json", cwd=root)
    row = next(r for r in json.loads(status.stdout)[0]["screening"]
               if r["stage"] == STAGE and r["reviewer"] == "ana")
    assert row["stopping"] == want.verdict
    table = run_cli("status", cwd=root)
    assert "stopping" in table.stdout and "keep screening" in table.stdout


def test_screen_stop_with_a_project_rule_and_ranked_order(tmp_path):
    project, store, units = project_with(tmp_path, ["include"] * 10 + ["exclude"] * 80)
    store.close()
    with (project.root / "reviewkit.toml").open("a", encoding="utf-8") as fh:
        # a bias is assumed in ranked order only (test_stopping_explore)
        fh.write('\n[screening]\norder = "ranked"\n\n[stopping]\ntarget = 0.8\n'
                 'confidence = 0.9\nbias = 3.0\n')
    rows = json.loads(run_cli("screen", "stop", "-f", "json", cwd=project.root).stdout)
    want = stopping_status([1] * 10 + [0] * 80, len(units), 0.8, 0.9, bias=3.0)
    assert rows[0]["p_value"] == want.p_value and rows[0]["target"] == 0.8


def test_screen_stop_mistakes_exit_2_and_change_nothing(tmp_path):
    project, store, _ = project_with(tmp_path, ["include", "exclude"])
    store.close()
    before = snapshot(project.root)
    for args in (("--reviewer", "nobody"), ("--stage", "nope"), ("--target", "1.5")):
        out = run_cli("screen", "stop", *args, cwd=project.root)
        assert out.returncode == 2, (args, out.stderr)
        assert out.stderr.count("\n") == 1 and out.stderr.startswith("error: ")
    assert snapshot(project.root) == before


def test_status_leaves_the_stopping_column_blank_for_who_has_not_screened(tmp_path):
    project, store, _ = project_with(tmp_path, ["include", "exclude"])
    project.config.reviewers.append("ben")
    rows = project_status(project, store)["screening"]
    by = {r["reviewer"]: r["stopping"] for r in rows if r["stage"] == STAGE}
    assert by["ana"].startswith("keep screening") and by["ben"] == ""


def test_a_stop_with_records_left_that_have_no_abstract_says_so(tmp_path):
    """The test assumes what is left is no richer than what was screened last; for a
    record without an abstract the ranker cannot judge that, so a stop says how many."""
    project, store = new_project(tmp_path)
    import_files(project, store, [export_file("ris/bluelight-endnote_reflib.ris")])
    screening = Screening(project, store)
    bare_ids = store.ids_without_abstract()
    units = screening.eligible(STAGE)
    bare = [u for u in units if set(screening.members[u]) <= bare_ids]
    rest = [u for u in units if u not in bare]
    assert len(bare) >= 2
    said = ["include"] * 10 + ["exclude"] * (len(rest) - 10)
    append_events(log_path(project, STAGE, "ana"),
                  [decision_event(STAGE, "ana", u, d) for u, d in zip(rest, said, strict=True)])
    st = stopping(Screening(project, store), STAGE, "ana", confidence=0.95)
    assert st["criterion_met"] and st["left_without_abstract"] == len(bare)
    assert st["caution"].startswith(f"{len(bare)} of the {len(bare)} records left have no "
                                    "abstract")
    strict = stopping(Screening(project, store), STAGE, "ana", confidence=0.999)
    assert not strict["criterion_met"] and strict["caution"] == ""  # said only with a stop
    store.close()
    text = run_cli("screen", "stop", "--confidence", "0.95", cwd=project.root)
    assert text.returncode == 0, text.stderr
    assert text.stdout.splitlines()[1] == f"  caution: {st['caution']}"
    (project.root / "reviewkit.toml").write_text(
        (project.root / "reviewkit.toml").read_text("utf-8") + "\n[stopping]\nconfidence = 0.95\n",
        "utf-8")
    status = run_cli("status", cwd=project.root)
    assert status.returncode == 0, status.stderr
    assert f"warning: {STAGE} ana: stop? {len(bare)} of the" in status.stderr
    assert run_cli("screen", "stop", "-f", "json", cwd=project.root).returncode == 0
    # once they are screened, nothing is left to caution about
    append_events(log_path(project, STAGE, "ana"),
                  [decision_event(STAGE, "ana", u, "exclude") for u in bare])
    done = run_cli("screen", "stop", "-f", "json", cwd=project.root)
    assert json.loads(done.stdout)[0]["left_without_abstract"] == 0
