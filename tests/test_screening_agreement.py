"""Cohen's kappa: against scikit-learn, and a table worked by hand."""

from __future__ import annotations

import json
import random

import pytest

from helpers import run_cli
from reviewkit.screening import ScreenSession, cohen_kappa
from reviewkit.screening.agreement import confusion_text, pair_rows
from test_screening_support import screening_project

sklearn = pytest.importorskip("sklearn.metrics")
LABELS = ["include", "exclude", "maybe"]


def test_hand_worked_example():
    # 50 records. A: 25 include, 25 exclude. B: 30 include, 20 exclude.
    #              B include  B exclude
    #  A include       20          5
    #  A exclude       10         15
    # po = 35/50 = 0.70;  pe = .5*.6 + .5*.4 = 0.50;  kappa = (.70 - .50) / (1 - .50) = 0.40
    # SE (Fleiss, Cohen & Everitt 1969), p_ij = table / 50, rows .5 .5, columns .6 .4:
    #   diagonal  .4[1 - (.5+.6)(.6)]^2 + .3[1 - (.5+.4)(.6)]^2   = .04624 + .06348 = .10972
    #   off-diag  (.6)^2 [.1(.6+.5)^2 + .2(.4+.5)^2] = .36 * .283  = .10188
    #   minus     [.4 - .5(.6)]^2                                  = .01
    #   var = (.10972 + .10188 - .01) / (50 * .5^2) = .2016 / 12.5 = .016128;  SE = .12700
    # 95% CI = .40 -/+ 1.96 * .12700 = (.1511, .6489)
    a = ["include"] * 25 + ["exclude"] * 25
    b = ["include"] * 20 + ["exclude"] * 5 + ["include"] * 10 + ["exclude"] * 15
    k = cohen_kappa(a, b)
    assert k.n == 50 and k.agree == 35 and k.percent == pytest.approx(70.0)
    assert k.kappa == pytest.approx(0.40)
    assert k.se == pytest.approx(0.016128 ** 0.5) == pytest.approx(0.12700, abs=1e-5)
    assert (k.ci_low, k.ci_high) == (pytest.approx(0.1511, abs=1e-4),
                                     pytest.approx(0.6489, abs=1e-4))
    assert k.table == [[20, 5, 0], [10, 15, 0], [0, 0, 0]]


@pytest.mark.parametrize("seed", range(20))
def test_kappa_matches_scikit_learn(seed):
    rng = random.Random(seed)
    n = rng.randint(5, 400)
    a = [rng.choice(LABELS) for _ in range(n)]
    # the second reviewer agrees with probability p, otherwise picks at random
    p = rng.random()
    b = [x if rng.random() < p else rng.choice(LABELS) for x in a]
    ours = cohen_kappa(a, b)
    if ours.kappa is None:
        return
    assert ours.kappa == pytest.approx(sklearn.cohen_kappa_score(a, b, labels=LABELS))
    assert ours.ci_low <= ours.kappa <= ours.ci_high


def test_degenerate_cases():
    assert cohen_kappa([], []).kappa is None
    same = cohen_kappa(["exclude"] * 4, ["exclude"] * 4)  # chance agreement is 1
    assert same.kappa is None and same.percent == 100.0
    # one reviewer excluded all ten, the other included one: kappa is 0 whatever the other
    # said, and the large-sample variance is 0; no interval of [0, 0] is claimed
    flat = cohen_kappa(["exclude"] * 10, ["include"] + ["exclude"] * 9)
    assert flat.kappa == 0.0 and flat.percent == 90.0
    assert (flat.se, flat.ci_low, flat.ci_high) == (None, None, None)
    perfect = cohen_kappa(["include", "exclude"] * 3, ["include", "exclude"] * 3)
    assert (perfect.kappa, perfect.ci_low, perfect.ci_high) == (1.0, 1.0, 1.0)


def test_pair_rows_and_confusion_text():
    decided = {"ana": {"r1": "include", "r2": "exclude", "r3": "maybe"},
               "ben": {"r1": "include", "r2": "include", "r4": "exclude"}}
    row, = pair_rows("title-abstract", decided)
    assert (row["both"], row["agree"], row["percent"]) == (2, 1, 50.0)
    text = confusion_text(row)
    assert text.splitlines()[0].split() == ["ana", "\\", "ben", "include", "exclude", "maybe"]


def test_agreement_command_json(tmp_path):
    project, store = screening_project(tmp_path)
    for name, decisions in (("ana", "iixmxi"), ("ben", "ixxmii")):
        s = ScreenSession(project, store, name)
        for key in decisions:
            s.decide({"i": "include", "x": "exclude", "m": "maybe"}[key])
        s.close()
    store.close()
    res = run_cli("screen", "agreement", "--format", "json", cwd=project.root)
    assert res.returncode == 0, res.stderr
    row, = json.loads(res.stdout)
    a = ["include", "include", "exclude", "maybe", "exclude", "include"]
    b = ["include", "exclude", "exclude", "maybe", "include", "include"]
    assert row["both"] == 6 and row["agree"] == 4
    assert row["kappa"] == pytest.approx(sklearn.cohen_kappa_score(a, b), abs=1e-3)
    assert row["confusion"]["table"] == [[2, 1, 0], [1, 1, 0], [0, 0, 1]]
