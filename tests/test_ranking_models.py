"""Ensemble, fast member refits, LSA features and leave-one-dataset-out selection."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import rankdata
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.naive_bayes import MultinomialNB

from reviewkit.ranking import load_labelled, simulate
from reviewkit.ranking.fast import LogisticScorer, NBScorer, make_scorer
from reviewkit.ranking.features import TextFeatures
from reviewkit.ranking.metrics import leave_one_out, pick_robust
from reviewkit.ranking.models import (
    EnsembleClassifier,
    RelevanceClassifier,
    balanced_weights,
    combine_ranks,
    make_classifier,
    presets,
)

from conftest import shared_path

UI = "data/screening/Cohen_2006_UrinaryIncontinence.csv"


@pytest.fixture(scope="module")
def ui():
    data = load_labelled(shared_path(UI))
    X = TextFeatures(lemmas=False, max_df=0.5).fit_transform(data.records).astype(np.float64)
    return data, X, np.array(data.labels)


def _labelled(y: np.ndarray, n_pos: int = 6, n_neg: int = 50, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    pos = rng.choice(np.flatnonzero(y == 1), n_pos, replace=False)
    neg = rng.choice(np.flatnonzero(y == 0), n_neg, replace=False)
    return rng.permutation(np.concatenate([pos, neg]))


def test_nb_scorer_is_multinomial_nb_with_balanced_weights(ui):
    _, X, y = ui
    idx = _labelled(y)
    scorer = NBScorer(X, alpha=0.3, ratio=2.0)
    for n in (30, len(idx)):  # the second call adds records to the running sums
        part = idx[:n]
        w = balanced_weights(y[part], 2.0)
        nb = MultinomialNB(alpha=0.3).fit(X[part], y[part], sample_weight=w)
        log = nb.predict_log_proba(X)
        assert np.abs(scorer.fit_scores(part, y[part]) - (log[:, 1] - log[:, 0])).max() < 1e-6


def test_logistic_scorer_is_liblinear_cold_and_warm(ui):
    _, X, y = ui
    idx = _labelled(y)
    scorer = LogisticScorer(X, C=3.0, ratio=9.8)
    scorer.fit_scores(idx[:30], y[idx[:30]])             # the next fit starts from this one
    got = scorer.fit_scores(idx, y[idx])
    w = balanced_weights(y[idx], 9.8)
    ref = LogisticRegression(C=3.0, solver="liblinear", tol=1e-8).fit(X[idx], y[idx],
                                                                        sample_weight=w)
    # stopped at 1e-3 of the initial gradient: scores agree to a few thousandths
    assert np.abs(got - ref.decision_function(X)).max() < 0.02
    assert np.corrcoef(got, ref.decision_function(X))[0, 1] > 0.9999


def test_every_fast_member_ranks_as_its_classifier(ui):
    _, X, y = ui
    idx = _labelled(y, seed=1)
    for params in ({"kind": "svm", "C": 0.11, "ratio": 9.8},
                   {"kind": "logistic", "C": 3.0, "ratio": 9.8},
                   {"kind": "nb", "alpha": 0.3, "ratio": 1.0}):
        fast = make_scorer(X, params, seed=0).fit_scores(idx, y[idx])
        slow = RelevanceClassifier(random_state=0, **params).fit(X[idx], y[idx]
                                                                ).decision_function(X)
        assert np.corrcoef(rankdata(fast), rankdata(slow))[0, 1] > 0.999, params


def test_ensemble_follows_estimator_conventions_and_averages_member_ranks(ui):
    _, X, y = ui
    idx = _labelled(y)
    members = [RelevanceClassifier("svm", C=0.11, ratio=9.8, random_state=0),
               RelevanceClassifier("nb", alpha=0.3, ratio=1.0)]
    ens = EnsembleClassifier(members, random_state=0)
    assert ens.get_params()["random_state"] == 0 and not hasattr(ens, "estimators_")
    assert ens.fit(X[idx], y[idx]) is ens
    svm = clone(members[0]).fit(X[idx], y[idx]).decision_function(X)
    nb = clone(members[1]).fit(X[idx], y[idx]).decision_function(X)
    expect = ((rankdata(svm) - 1) + (rankdata(nb) - 1)) / 2 / (len(y) - 1)
    assert np.allclose(ens.decision_function(X), expect)
    proba = ens.predict_proba(X)
    assert proba.shape == (len(y), 2) and np.allclose(proba.sum(axis=1), 1)
    # the combination is neither member's order
    assert not np.array_equal(np.argsort(expect), np.argsort(svm))
    assert not np.array_equal(np.argsort(expect), np.argsort(nb))
    again = clone(ens).fit(X[idx], y[idx]).decision_function(X)
    assert np.array_equal(again, ens.decision_function(X))


def test_combine_ranks_weights_and_single_member():
    a, b = np.array([3.0, 1.0, 2.0]), np.array([0.1, 0.3, 0.2])
    assert np.array_equal(combine_ranks([a]), a)
    # ranks a: 1, 0, .5; b: 0, 1, .5; weights 3:1
    assert np.allclose(combine_ranks([a, b], [3, 1]), [0.75, 0.25, 0.5])


def test_every_candidate_preset_builds_and_the_default_is_a_candidate():
    data = presets()
    assert data["default"] in data["candidates"]
    for name in data["candidates"]:
        clf = make_classifier(name, random_state=0)
        assert clf.get_params()["random_state"] == 0


def test_lsa_block_is_seeded_and_weighs_as_stated(ui):
    records = ui[0].records[:120]
    plain = TextFeatures(lemmas=False).fit_transform(records)
    a = TextFeatures(lemmas=False, lsa=20, lsa_weight=0.4, random_state=1)
    Xa = a.fit_transform(records)
    Xb = TextFeatures(lemmas=False, lsa=20, lsa_weight=0.4, random_state=1
                      ).fit_transform(records)
    assert Xa.shape == (len(records), plain.shape[1] + 20)
    assert (Xa != Xb).nnz == 0                             # same seed, same features
    Z = Xa[:, plain.shape[1]:].toarray()
    assert np.allclose((Z * Z).sum(axis=1), 0.4, atol=1e-5)  # each topic row weighs 0.4
    assert np.allclose(a.transform(records[:5]).toarray(), Xa[:5].toarray(), atol=1e-5)


def test_simulate_with_an_ensemble_preset_is_deterministic(ui):
    records, labels = ui[0].records[:150], ui[0].labels[:150]
    name = next(c for c in presets()["candidates"] if "members" in presets()["presets"][c])
    a = simulate(records, labels, name, seed=2)
    b = simulate(records, labels, name, seed=2)
    assert a.order == b.order and sorted(a.order) == list(range(len(records)))
    assert a.metrics()["wss@95"] > 0.05  # better than screening at random


def test_pick_robust_prefers_the_best_worst_set_then_the_mean():
    deltas = {"bold": {"a": 0.20, "b": 0.10, "c": -0.08},
              "safe": {"a": 0.03, "b": 0.02, "c": 0.00},
              "safer": {"a": 0.01, "b": 0.01, "c": 0.00}}
    assert pick_robust(deltas, ["a", "b", "c"]) == "safe"    # worst 0.00; then mean
    assert pick_robust(deltas, ["a", "b"]) == "bold"         # without c, bold's worst is 0.10


def test_leave_one_out_picks_on_the_other_sets_only():
    deltas = {"bold": {"a": 0.20, "b": 0.10, "c": -0.08},
              "safe": {"a": 0.03, "b": 0.02, "c": 0.00}}
    rows = {r["held out"]: r for r in leave_one_out(deltas)}
    # holding out c hides bold's loss: bold is picked and scores -0.08 on c
    assert rows["c"]["picked on the other sets"] == "bold"
    assert rows["c"]["delta on held-out set"] == -0.08
    assert rows["a"]["picked on the other sets"] == "safe"
    assert rows["a"]["delta on held-out set"] == 0.03


def test_leave_one_out_needs_two_datasets():
    assert leave_one_out({"a": {"x": 0.1}, "b": {"x": 0.2}}) == []


def test_the_screeners_ranker_runs_an_ensemble_preset(ui):
    from reviewkit.ranking import Ranker

    records, labels = ui[0].records[:150], ui[0].labels[:150]
    ranker = Ranker("svm-nb", random_state=0).prepare(records)
    known = {i: labels[i] for i in range(40)}
    out = ranker.order(known)
    assert sorted(out.order) == list(range(40, 150))   # every unlabelled record, once
    assert out.model_version.startswith("svm-nb/")
    # the refit ranks the relevant records above the rest on average
    pos = [k for k, i in enumerate(out.order) if labels[i] == 1]
    assert np.mean(pos) < len(out.order) / 2
