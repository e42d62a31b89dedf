"""Edge cases of the stopping test found by exploring `screen stop`: the boundary p = α,
the order a bias may be assumed in, percentages that must not round to a false claim,
and what is said for a reviewer who has not screened."""

from __future__ import annotations

import json

import pytest

from helpers import run_cli
from reviewkit.project import find_project
from reviewkit.ranking.stopping import methods_text, p_value, stopping_status
from reviewkit.ranking.stopping_sim import first_stop
from reviewkit.screening import Screening
from reviewkit.screening.events import resolution_event
from reviewkit.screening.log import append_events, log_path
from reviewkit.screening.ranked import stop_lines, stopping, stopping_report
from test_screening_stop import STAGE, project_with


def test_p_equal_to_alpha_is_not_a_stop():
    """Nothing relevant in 99 of 100 records: p = 1 - 99/100 = 0.01 exactly, and the rule
    stops at p < 0.01 only (floating point put p just under 0.01 and said stop)."""
    assert abs(p_value([0] * 99, 100, min_urn=0.2) - 0.01) < 1e-12
    st = stopping_status([0] * 99, 100, confidence=0.99)
    assert not st.criterion_met and st.verdict.startswith("keep screening")
    assert stopping_status([0] * 199, 200, confidence=0.99).criterion_met  # p = 0.005
    # the bound agrees with the verdict at the target itself (0.95 is on the grid)
    assert st.recall_lower_bound < 0.95
    # the simulation's first stop (the bench's) agrees with the verdict
    assert first_stop([0] * 100, 100, confidence=0.99, min_urn=0.2) == 100


def test_a_bias_is_assumed_in_ranked_order_only(tmp_path):
    """docs/stopping.md: in random or file order the records screened last are not richer
    than the rest, so reviewkit always uses b = 1 there, whatever [stopping] bias says."""
    labels = [1] * 10 + [0] * 80
    project, store, units = project_with(tmp_path, ["include"] * 10 + ["exclude"] * 80)
    toml = project.root / "reviewkit.toml"
    with toml.open("a", encoding="utf-8") as fh:
        fh.write("\n[stopping]\nbias = 3.0\n")
    # random order (the default): the published test
    rows = stopping_report(Screening(project, store), STAGE)
    published = stopping_status(labels, len(units), bias=1.0)
    assert rows[0]["bias"] == 1.0 and rows[0]["p_value"] == published.p_value
    assert stopping(Screening(project, store), STAGE, "ana", bias=3.0)["bias"] == 1.0
    # ranked order: the project's odds ratio
    toml.write_text(toml.read_text("utf-8").replace(
        "[stopping]", '[screening]\norder = "ranked"\n\n[stopping]'), "utf-8")
    project = find_project(project.root)
    rows = stopping_report(Screening(project, store), STAGE)
    biased = stopping_status(labels, len(units), bias=3.0)
    assert rows[0]["bias"] == 3.0 and rows[0]["p_value"] == biased.p_value
    assert biased.p_value < published.p_value       # the bias did change the test
    store.close()


def test_percentages_never_round_up_to_a_claim_not_made():
    """A target of 99.9% is not "recall >= 100%", nor 99.9% confidence "100%"."""
    st = stopping_status([1] * 50 + [0] * 950, 1000, target=0.999, confidence=0.999)
    assert "100%" not in st.verdict.split(",")[0]
    assert "99.9%" in st.verdict
    text = methods_text(target=0.999, confidence=0.995)
    assert "100%" not in text and "99.9%" in text and "99.5%" in text
    # round numbers stay as they were
    assert methods_text().count("95%") == 1 and "99% confidence" in methods_text()
    assert stopping_status([1] * 50 + [0] * 950, 1000).verdict.startswith(
        "stop: recall >= 95% shown at 99% confidence")


def test_a_named_reviewer_who_has_not_screened_is_named(tmp_path):
    """`screen stop --reviewer cleo` for a resolver with no decisions said "nobody has
    screened yet" though ana had."""
    project, store, units = project_with(tmp_path, ["maybe", "exclude"], ["exclude"] * 2)
    append_events(log_path(project, STAGE, "cleo"),
                  [resolution_event(STAGE, "cleo", units[0], "exclude")])
    store.close()
    out = run_cli("screen", "stop", "--reviewer", "cleo", cwd=project.root)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "cleo has made no screening decision yet"
    assert stop_lines([]) == ["nobody has screened yet"]
    rows = json.loads(run_cli("screen", "stop", "-f", "json", cwd=project.root).stdout)
    assert {r["reviewer"] for r in rows} == {"ana", "ben"}


def test_a_reviewer_with_nothing_screened_is_not_told_a_p_value(tmp_path):
    """`screen stop --stage S` lists every reviewer with a log there, a resolver too: with
    no decision the verdict said "keep screening: p = 1 (stop at < 0.01)"."""
    project, store, units = project_with(tmp_path, ["maybe", "exclude"], ["exclude"] * 2)
    append_events(log_path(project, STAGE, "cleo"),
                  [resolution_event(STAGE, "cleo", units[0], "exclude")])
    rows = {r["reviewer"]: r for r in stopping_report(Screening(project, store), STAGE)}
    assert rows["cleo"]["screened"] == 0 and not rows["cleo"]["criterion_met"]
    assert rows["cleo"]["verdict"] == f"nothing screened yet, {len(units):,} left"
    assert rows["ana"]["verdict"].startswith("keep screening: p = ")
    assert stopping_status([], 5).verdict == "nothing screened yet, 5 left"
    store.close()


def test_simulate_names_the_prior_option_a_dataset_cannot_meet(tmp_path):
    """Every record relevant: the default irrelevant prior cannot be drawn, and the line
    said only "the dataset has 30 and 0", not which option to change."""
    rows = "".join(f"r{i},heart trial {i},drug dose {i % 3} nurse,1\n" for i in range(30))
    data = tmp_path / "all.csv"
    data.write_text("record_id,title,abstract,label_included\n" + rows, "utf-8")
    out = run_cli("simulate", str(data), cwd=tmp_path)
    assert out.returncode == 2 and out.stderr.count("\n") == 1, out.stderr
    assert "--prior-excluded" in out.stderr and "0 irrelevant" in out.stderr
    assert "--prior-excluded 0" in out.stderr and "--prior-included" not in out.stderr
    many = run_cli("simulate", str(data), "--prior-included", "31", "--prior-excluded", "0",
                   cwd=tmp_path)
    assert many.returncode == 2 and "--prior-included 30" in many.stderr
    ok = run_cli("simulate", str(data), "--prior-excluded", "0", "-f", "json", cwd=tmp_path)
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)[0]["priors"] == 1


@pytest.mark.parametrize("line, key", [("bias = inf", "bias"), ("bias = nan", "bias"),
                                       ("heuristic_n = true", "heuristic_n"),
                                       ('target = "0.9"', "target")])
def test_a_stopping_setting_of_the_wrong_kind_is_refused_at_its_line(tmp_path, line, key):
    from helpers import new_project, snapshot

    project, _ = new_project(tmp_path)
    toml = project.root / "reviewkit.toml"
    toml.write_text(toml.read_text() + f"\n[stopping]\n{line}\n")
    number = toml.read_text().split("\n").index(line) + 1
    before = snapshot(project.root)
    for args in (("screen", "stop"), ("status",)):
        r = run_cli(*args, cwd=project.root)
        assert r.returncode == 2 and "Traceback" not in r.stderr, args
        assert f"reviewkit.toml:{number}: field 'stopping.{key}'" in r.stderr, args
    assert snapshot(project.root) == before


def test_the_screener_and_the_report_name_the_target_as_set(tmp_path):
    from types import SimpleNamespace

    from reviewkit.reporting.report.screening import stopping_table
    from reviewkit.reporting.report.settings import StoppingSettings
    from reviewkit.screening.session import ScreenSession

    project, store, _ = project_with(tmp_path, ["include"] * 5 + ["exclude"] * 40)
    table = stopping_table(Screening(project, store), StoppingSettings(target=0.999))
    assert "below 99.9%" in " ".join(table.notes)
    met = stopping_status([1] * 30 + [0] * 3000, 3040, target=0.999)
    assert met.criterion_met
    live = SimpleNamespace(error="", stop_error="", stopping_busy=lambda: False)
    shown = ScreenSession.stopping_text(SimpleNamespace(live=live, stop_status=met,
                                                           bare_left=lambda: 0))
    assert shown == "stop? yes, recall ≥99.9%"
