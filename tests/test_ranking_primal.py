"""The warm-started primal SVM solves LinearSVC's problem, from cold and from warm."""

import numpy as np
from sklearn.svm import LinearSVC

from reviewkit.ranking import Ranker, load_labelled
from reviewkit.ranking.features import TextFeatures
from reviewkit.ranking.models import balanced_weights
from reviewkit.ranking.primal import fit_primal

from conftest import shared_path


def _data(n: int = 600):
    data = load_labelled(shared_path("data/screening/Kitchenham_2010.csv"))
    X = TextFeatures(lemmas=False).fit_transform(data.records[:n]).astype(np.float64)
    return data, X, np.array(data.labels[:n])


def test_primal_matches_liblinear_scores():
    _, X, y = _data()
    w = balanced_weights(y, 9.8)
    svc = LinearSVC(C=0.11, tol=1e-5).fit(X, y, sample_weight=w)
    wb = fit_primal(X, y, 0.11 * w, tol=1e-5)
    ours = X @ wb[:-1] + wb[-1]
    theirs = X @ svc.coef_.ravel() + svc.intercept_[0]
    assert np.abs(ours - theirs).max() < 1e-3


def test_warm_start_reaches_the_cold_solution():
    _, X, y = _data()
    c = 0.11 * balanced_weights(y[:-20], 9.8)
    first = fit_primal(X[:-20], y[:-20], c, tol=1e-6)
    c_all = 0.11 * balanced_weights(y, 9.8)
    warm = fit_primal(X, y, c_all, w0=first, tol=1e-6)
    cold = fit_primal(X, y, c_all, tol=1e-6)
    assert np.abs((X @ warm[:-1] + warm[-1]) - (X @ cold[:-1] + cold[-1])).max() < 1e-3
    assert not np.allclose(first, cold)  # the extra labels did move the optimum


def test_ranker_refits_warm_and_ranks_as_a_fresh_ranker():
    data, X, y = _data()
    ids = list(range(len(y)))
    pos, neg = np.flatnonzero(y == 1), np.flatnonzero(y == 0)
    labels = {int(i): 1 for i in pos[:3]} | {int(i): 0 for i in neg[:40]}
    warm = Ranker(random_state=0).prepare(data.records[:len(y)], ids, features=X)
    warm.order(labels)
    labels |= {int(i): 0 for i in neg[40:60]} | {int(pos[3]): 1}
    again = warm.order(labels).order
    fresh = Ranker(random_state=0).prepare(data.records[:len(y)], ids, features=X)
    first = fresh.order(labels).order
    # both solve the same problem to liblinear's tolerance: near-ties may swap, nothing more
    assert len(set(again[:50]) & set(first[:50])) >= 48
    assert len(again) == len(first) == len(y) - len(labels)
