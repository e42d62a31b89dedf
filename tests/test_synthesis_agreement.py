"""Agreement between blind coders: kappa on sentences, alpha on characters, checked by hand."""

from __future__ import annotations

import csv
import io
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import cohen_kappa_score

from helpers import run_cli, snapshot
from reviewkit.errors import ReviewkitError
from reviewkit.screening.reviewers import add_reviewer
from reviewkit.synthesis.agreement import (
    Table2,
    agreement,
    char_table,
    cohen_kappa,
    krippendorff_alpha,
    percent_agreement,
    sentence_table,
    sentences,
)
from reviewkit.synthesis.edit import code_text
from synthesis_support import TEXT_A, TEXT_B, synth_project

A = "callanan-2012-findings"  # TEXT_A: 3 sentences
B = "b"  # TEXT_B: 2 sentences
CHARS = len(TEXT_A.replace("\r\n", "\n")) + len(TEXT_B)


# --- the statistics against tables worked out by hand ------------------------------------

def test_kappa_of_the_textbook_table():
    # Wikipedia "Cohen's kappa", worked example: 50 proposals, both yes 20, A yes B no 5,
    # A no B yes 10, both no 15. po = 35/50 = 0.7; pe = 0.5*0.6 + 0.5*0.4 = 0.5;
    # kappa = (0.7 - 0.5) / (1 - 0.5) = 0.4
    table = Table2(both=20, first=5, second=10, neither=15)
    kappa, why = cohen_kappa(table)
    assert why == "" and kappa == pytest.approx(0.4)
    assert percent_agreement(table) == pytest.approx(70.0)


def test_alpha_of_krippendorffs_binary_example_built_from_characters():
    # Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", section A (binary
    # data, two observers, no missing data), 10 units:
    #   observer A: 0 1 0 0 0 0 0 0 1 0      observer B: 1 1 1 0 0 1 0 0 0 0
    # published alpha = 0.095: n = 20, n0 = 14, n1 = 6, 4 disagreeing units,
    # alpha = 1 - 19 * 4 / (14 * 6) = 1 - 76/84
    first = [(1, 2), (8, 9)]  # the units observer A marked 1, as character spans
    second = [(0, 3), (5, 6)]
    table = char_table(10, first, second)
    assert table == Table2(both=1, first=1, second=3, neither=5)
    alpha, why = krippendorff_alpha(table)
    assert why == "" and alpha == pytest.approx(1 - 76 / 84) and round(alpha, 3) == 0.095
    # kappa on the same table, by hand: po = 6/10; pe = 0.2*0.4 + 0.8*0.6 = 0.56;
    # kappa = 0.04 / 0.44
    assert cohen_kappa(table)[0] == pytest.approx(0.04 / 0.44)


def test_perfect_and_one_sided_tables():
    assert cohen_kappa(Table2(2, 0, 0, 3)) == (1.0, "")
    assert krippendorff_alpha(Table2(2, 0, 0, 3)) == (1.0, "")
    # the second coder coded every unit: pe = 0.6*1 + 0.4*0 = po = 0.6 -> kappa 0;
    # alpha: n = 10, n1 = 2*3 + 2 = 8, n0 = 2, d = 2 -> 1 - 9*2/(2*8) = -0.125
    assert cohen_kappa(Table2(3, 0, 2, 0))[0] == pytest.approx(0.0)
    assert krippendorff_alpha(Table2(3, 0, 2, 0))[0] == pytest.approx(-0.125)


@pytest.mark.parametrize("table, word", [(Table2(0, 0, 0, 5), "uncoded"),
                                         (Table2(4, 0, 0, 0), "coded")])
def test_no_variation_is_undefined_not_a_division_by_zero(table, word):
    for stat in (cohen_kappa, krippendorff_alpha):
        value, why = stat(table)
        assert value is None and why == f"no variation (every unit {word} by both)"
    assert percent_agreement(table) == 100.0


def test_no_units_is_undefined():
    empty = Table2(0, 0, 0, 0)
    assert cohen_kappa(empty) == (None, "no units")
    assert krippendorff_alpha(empty) == (None, "no units")
    assert percent_agreement(empty) is None


def runs(marks: list[int]) -> list[tuple[int, int]]:
    """The 1s of a 0/1 list as (start, end) spans."""
    spans, start = [], None
    for i, m in enumerate([*marks, 0]):
        if m and start is None:
            start = i
        elif not m and start is not None:
            spans.append((start, i))
            start = None
    return spans


def alpha_by_coincidences(x: list[int], y: list[int]) -> float:
    """Krippendorff's nominal alpha from its coincidence matrix, the general way."""
    o = {(a, b): 0 for a in (0, 1) for b in (0, 1)}
    for a, b in zip(x, y, strict=True):
        o[(a, b)] += 1
        o[(b, a)] += 1
    n = 2 * len(x)
    n_c = {c: o[(c, 0)] + o[(c, 1)] for c in (0, 1)}
    d_o = (o[(0, 1)] + o[(1, 0)]) / n
    d_e = (n_c[0] * n_c[1] + n_c[1] * n_c[0]) / (n * (n - 1))
    return 1 - d_o / d_e


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 1), st.integers(0, 1)), min_size=1, max_size=60))
def test_statistics_agree_with_brute_force_sklearn_and_coincidences(pairs):
    x, y = [a for a, _ in pairs], [b for _, b in pairs]
    table = char_table(len(x), runs(x), runs(y))
    count = {k: sum(1 for p in pairs if p == k) for k in [(1, 1), (1, 0), (0, 1), (0, 0)]}
    assert table == Table2(*count.values())
    units = [(i, i + 1) for i in range(len(x))]
    assert sentence_table(units, runs(x), runs(y)) == table
    kappa, why = cohen_kappa(table)
    if len(set(x) | set(y)) == 1:
        assert kappa is None and why.startswith("no variation")
        assert krippendorff_alpha(table)[0] is None
    else:
        assert kappa == pytest.approx(cohen_kappa_score(x, y), abs=1e-9)
        assert krippendorff_alpha(table)[0] == pytest.approx(alpha_by_coincidences(x, y))


# --- units ---------------------------------------------------------------------------------

def test_sentences_split_at_line_breaks_and_end_marks_only():
    text = 'Dr. Smith came.  She left!\n\nHe said "no." Then (twice?) went\nLast one'
    got = [text[s:e] for s, e in sentences(text)]
    assert got == ["Dr.", "Smith came.", "She left!", 'He said "no."', "Then (twice?)",
                   "went", "Last one"]
    a = TEXT_A.replace("\r\n", "\n")
    assert [a[s:e] for s, e in sentences(a)] == [
        "Participants said they wanted choice.", 'One said "I want control over my life".',
        "Staff felt rushed."]
    assert sentences(" \n\n ") == []


def test_a_sentence_is_coded_when_a_segment_overlaps_it_by_a_character():
    units = [(0, 5), (6, 10)]
    assert sentence_table(units, [(5, 6)], []) == Table2(0, 0, 0, 2)  # only the gap
    assert sentence_table(units, [(4, 7)], [(9, 10)]) == Table2(1, 1, 0, 0)


def test_characters_of_overlapping_segments_count_once():
    # first: 0..5 and 3..8 -> 0..8 (8); second 6..10 (4); both 6..8 (2); either 0..10
    assert char_table(12, [(0, 5), (3, 8)], [(6, 10)]) == Table2(2, 6, 2, 2)


# --- on a project ----------------------------------------------------------------------

def coded_project(tmp_path):
    """ann and bo code both sources blind; the expected tables are worked out below."""
    project = synth_project(tmp_path)
    code_text(project, A, "wanted choice", "choice-words", "ann")  # A sentence 1
    code_text(project, A, "want control", "choice-words", "ann")  # A sentence 2
    code_text(project, B, "time pressure", "time", "ann")  # B sentence 1
    code_text(project, A, "Participants said", "choice-words", "bo")  # A sentence 1
    code_text(project, A, "Staff felt rushed", "time", "bo")  # A sentence 3
    code_text(project, B, "time pressure", "time", "bo")  # B sentence 1
    return project


def test_project_agreement_per_code_pooled_and_mean(tmp_path):
    result = agreement(coded_project(tmp_path))
    rows = {r["code"]: r for r in result.rows()}
    assert list(rows) == ["choice-words", "time", "all (pooled)", "all (mean)"]
    # choice-words over 5 sentences: both 1 (A1), ann only 1 (A2), neither 3.
    # po = 0.8, pe = 0.4*0.2 + 0.6*0.8 = 0.56, kappa = 0.24/0.44
    cw = rows["choice-words"]
    assert (cw["coders"], cw["sources"], cw["units"], cw["both"], cw["first only"],
            cw["second only"], cw["neither"]) == ("ann & bo", 2, 5, 1, 1, 0, 3)
    assert cw["agree %"] == 80.0 and cw["kappa"] == round(0.24 / 0.44, 3)
    # characters: ann 13 + 12, bo 17, no overlap -> n = 2*CHARS, n1 = 42, d = 42
    assert (cw["chars"], cw["chars both"], cw["chars one only"]) == (CHARS, 0, 42)
    n = 2 * CHARS
    assert cw["alpha"] == round(1 - (n - 1) * 42 / ((n - 42) * 42), 3)
    # time: both 1 (B1), bo only 1 (A3): the mirror image, same kappa
    assert (rows["time"]["both"], rows["time"]["second only"]) == (1, 1)
    assert rows["time"]["kappa"] == round(0.24 / 0.44, 3)
    # pooled over 10 units: both 2, one only 2, neither 6; po = 0.8,
    # pe = 0.3*0.3 + 0.7*0.7 = 0.58, kappa = 0.22/0.42
    pooled = rows["all (pooled)"]
    assert (pooled["units"], pooled["both"], pooled["one only"]) == (10, 2, 2)
    assert pooled["kappa"] == round(0.22 / 0.42, 3)
    assert rows["all (mean)"]["kappa"] == round(0.24 / 0.44, 3)
    assert "kappa over 2 of 2 codes" in rows["all (mean)"]["note"]


def test_a_code_only_one_coder_used_and_pairs_without_a_common_source(tmp_path):
    project = coded_project(tmp_path)
    add_reviewer(project, "cy")
    (tmp_path / "c.md").write_text("Carers wanted choice as well.\n", "utf-8")
    from reviewkit.synthesis.sources import add_source
    add_source(project, tmp_path / "c.md", "smith-2015")
    code_text(project, "c", "Carers wanted", "choice-words", "cy")
    rows = agreement(project).rows()
    assert {r["coders"] for r in rows} == {"ann & bo"}  # cy shares no source
    rows = agreement(project, coders=["ann", "cy"]).rows()
    assert [(r["code"], r["units"]) for r in rows] == [("all (pooled)", 0)]
    assert rows[0]["note"] == "no source coded by both"
    # a code nobody used on the common sources: every unit uncoded -> undefined
    [row] = agreement(project, code="autonomy").rows()
    assert (row["units"], row["neither"], row["kappa"], row["alpha"]) == (5, 5, None, None)
    assert "kappa undefined: no variation" in row["note"]


def test_bad_requests_refuse_with_one_line(tmp_path):
    project = coded_project(tmp_path)
    for kwargs, words in [({"code": "nope"}, "unknown code 'nope'"),
                          ({"coders": ["ann"]}, "two or more coders"),
                          ({"coders": ["ann", "ann"]}, "two or more coders"),
                          ({"coders": ["ann", "zed"]}, "'zed' has no coding log")]:
        with pytest.raises(ReviewkitError) as err:
            agreement(project, **kwargs)
        assert words in str(err.value) and "\n" not in str(err.value)


# --- the command ---------------------------------------------------------------------------

def test_cli_table_json_csv_md(tmp_path):
    root = coded_project(tmp_path).root
    r = run_cli("synthesis", "agreement", cwd=root)
    assert r.returncode == 0, r.stderr
    assert "choice-words" in r.stdout and "0.545" in r.stdout and "0.524" in r.stdout
    assert "units: kappa on sentences" in r.stdout.splitlines()[-1]
    r = run_cli("synthesis", "agreement", "--code", "time", "--coders", "bo,ann",
                "--format", "json", cwd=root)
    assert r.returncode == 0, r.stderr
    [row] = json.loads(r.stdout)
    assert (row["code"], row["coders"], row["kappa"]) == ("time", "ann & bo", 0.545)
    r = run_cli("synthesis", "agreement", "-f", "csv", cwd=root)
    assert r.returncode == 0, r.stderr
    table = list(csv.DictReader(io.StringIO(r.stdout)))
    assert [t["code"] for t in table] == ["choice-words", "time", "all (pooled)",
                                         "all (mean)"]
    assert table[2]["kappa"] == "0.524"
    r = run_cli("synthesis", "agreement", "-f", "md", cwd=root)
    assert r.returncode == 0 and "| choice-words" in r.stdout, r.stderr


@pytest.mark.parametrize("args, words", [
    (["--code", "nope"], "unknown code 'nope'"),
    (["--coders", "ann,zed"], "'zed' has no coding log"),
    (["--coders", "ann"], "two or more coders"),
    (["-f", "xml"], "unknown --format"),
])
def test_cli_mistakes_one_line_exit_2_nothing_written(tmp_path, args, words):
    root = coded_project(tmp_path).root
    before = snapshot(root)
    r = run_cli("synthesis", "agreement", *args, cwd=root)
    assert r.returncode == 2, (r.stdout, r.stderr)
    assert len(r.stderr.strip().splitlines()) == 1 and words in r.stderr, r.stderr
    assert snapshot(root) == before


def test_cli_one_coder_only_refuses(tmp_path):
    project = synth_project(tmp_path)
    code_text(project, A, "wanted choice", "choice-words", "ann")
    before = snapshot(project.root)
    r = run_cli("synthesis", "agreement", cwd=project.root)
    assert r.returncode == 2 and "found ann" in r.stderr, r.stderr
    assert snapshot(project.root) == before


def test_three_coders_give_three_pairs(tmp_path):
    project = coded_project(tmp_path)
    add_reviewer(project, "cy")
    code_text(project, A, "Staff felt rushed", "time", "cy")
    pairs = {r["coders"] for r in agreement(project).rows()}
    assert pairs == {"ann & bo", "ann & cy", "bo & cy"}
    # ann & cy share source A only (3 sentences); time: cy only on A3
    row = next(r for r in agreement(project, "time", ["cy", "ann"]).rows())
    assert (row["coders"], row["units"], row["first only"], row["second only"]) == \
        ("ann & cy", 3, 0, 1)


def test_a_lost_segment_is_left_out_with_a_warning(tmp_path):
    project = coded_project(tmp_path)
    # source b rewritten: "time pressure" is gone, so both coders' segments on it are lost
    source = next(p for p in (project.root / "synthesis").rglob("b.md"))
    source.write_text("Nurses described rushing about.\nPatients wanted choice too.\n",
                      "utf-8")
    result = agreement(project)
    lost = [p for p in result.problems if "lost" in str(p)]
    assert len(lost) == 2 and "left out of agreement" in str(lost[0])
    time = next(r for r in result.rows() if r["code"] == "time")
    # only source A is common now: bo only on A3 -> po = 2/3, pe = 2/3, kappa 0
    assert (time["sources"], time["units"], time["second only"], time["kappa"]) == \
        (1, 3, 1, 0.0)


def test_rollup_counts_a_sub_code_for_the_themes_above_it(tmp_path):
    project = synth_project(tmp_path)
    code_text(project, A, "wanted choice", "choice-words", "ann")  # the sub-code
    code_text(project, A, "they wanted choice", "choice", "bo")  # its descriptive theme

    def table_of(result, code):
        return next(r.sentences for r in result.results if r.code == code)

    exact = agreement(project)
    assert table_of(exact, "choice") == Table2(0, 0, 1, table_of(exact, "choice").neither)
    rolled = agreement(project, rollup=True)
    assert table_of(rolled, "choice").both == 1
    assert table_of(rolled, "choice").first == table_of(rolled, "choice").second == 0
    assert table_of(rolled, "autonomy").both == 1  # and the analytical theme above it
    r = run_cli("synthesis", "agreement", "--rollup", "--code", "choice", "-f", "csv",
                cwd=project.root)
    assert r.returncode == 0 and ",1,0,0,0," in r.stdout.replace("\r", ""), r.stdout
