"""Refit-and-score for simulation: each preset member, warm-started, scoring every record.

A simulation refits after every one of up to N decisions, so each member has
a form that reuses the last fit: the SVM through the Gram matrix (gram.py),
logistic regression by a warm-started primal Newton solve (primal.py), naive
Bayes by adding the new record's counts. Each ``fit_scores(idx, y)`` gives
the same scores as fitting that member's RelevanceClassifier on ``X[idx]``
and calling ``decision_function(X)`` (tests/test_ranking_models.py).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy import sparse

from reviewkit.ranking import gram
from reviewkit.ranking.models import RelevanceClassifier, balanced_weights
from reviewkit.ranking.primal import fit_primal_logistic


class SVMScorer:
    def __init__(self, X: sparse.csr_matrix, C: float, ratio: float | None,
                 K: np.ndarray | None = None) -> None:
        self.C, self.ratio = C, ratio
        self.svm = gram.GramSVM(gram.gram(X) if K is None else K)

    def fit_scores(self, idx: np.ndarray, y: np.ndarray) -> np.ndarray:
        w = balanced_weights(y, self.ratio)
        c = self.C * (w if w is not None else np.ones(len(y)))
        return self.svm.fit_scores(idx, y, c)


class LogisticScorer:
    def __init__(self, X: sparse.csr_matrix, C: float, ratio: float | None) -> None:
        self.X, self.C, self.ratio = X, C, ratio
        self.wb: np.ndarray | None = None

    def fit_scores(self, idx: np.ndarray, y: np.ndarray) -> np.ndarray:
        w = balanced_weights(y, self.ratio)
        c = self.C * (w if w is not None else np.ones(len(y)))
        self.wb = fit_primal_logistic(self.X[idx], y, c, w0=self.wb)
        return np.asarray(self.X @ self.wb[:-1]).ravel() + self.wb[-1]


class NBScorer:
    """MultinomialNB(alpha) with class-constant sample weights, from running class sums."""

    def __init__(self, X: sparse.csr_matrix, alpha: float, ratio: float | None) -> None:
        self.X, self.alpha, self.ratio = X, alpha, ratio
        self.idx = np.empty(0, dtype=np.intp)
        self.sums = np.zeros((2, X.shape[1]))

    def _sync(self, idx: np.ndarray, y: np.ndarray) -> None:
        m = len(self.idx)
        if len(idx) < m or not np.array_equal(idx[:m], self.idx):
            self.idx, m = self.idx[:0], 0
            self.sums[:] = 0.0
        for cls in (0, 1):
            new = idx[m:][y[m:] == cls]
            if len(new):
                self.sums[cls] += np.asarray(self.X[new].sum(axis=0)).ravel()
        self.idx = np.array(idx, dtype=np.intp)

    def fit_scores(self, idx: np.ndarray, y: np.ndarray) -> np.ndarray:
        idx, y = np.asarray(idx), np.asarray(y)
        self._sync(idx, y)
        w = balanced_weights(y, self.ratio)
        w1, w0 = (1.0, 1.0) if w is None else (w[y == 1][0], w[y == 0][0])
        n1, n0 = w1 * np.sum(y == 1), w0 * np.sum(y == 0)
        fc1, fc0 = w1 * self.sums[1] + self.alpha, w0 * self.sums[0] + self.alpha
        log_ratio = np.log(fc1) - np.log(fc1.sum()) - np.log(fc0) + np.log(fc0.sum())
        return np.asarray(self.X @ log_ratio).ravel() + np.log(n1) - np.log(n0)


class FitScorer:
    """Any other member: a fresh fit on the labelled rows (when K would not fit in memory)."""

    def __init__(self, X: sparse.csr_matrix, params: dict[str, Any], seed: int | None) -> None:
        self.X, self.clf = X, RelevanceClassifier(random_state=seed, **params)

    def fit_scores(self, idx: np.ndarray, y: np.ndarray) -> np.ndarray:
        return self.clf.fit(self.X[idx], y).decision_function(self.X)


def make_scorer(X: sparse.csr_matrix, params: dict[str, Any], seed: int | None = None,
                K: np.ndarray | None = None) -> Any:
    """The fast form of one member (RelevanceClassifier parameters)."""
    kind = params.get("kind", "svm")
    ratio = params.get("ratio")
    if kind == "svm" and (K is not None or gram.fits(X.shape[0])):
        return SVMScorer(X, params.get("C", 1.0), ratio, K)
    if kind == "logistic":
        return LogisticScorer(X, params.get("C", 1.0), ratio)
    if kind == "nb":
        return NBScorer(X, params.get("alpha", 1.0), ratio)
    return FitScorer(X, params, seed)
