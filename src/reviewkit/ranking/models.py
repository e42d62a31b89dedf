"""Classifiers that score records for relevance, with scikit-learn conventions.

Every model here follows the estimator rules: parameters are stored as given
in ``__init__`` (no work there), ``fit(X, y)`` returns ``self``, fitted state
ends in ``_``, randomness comes only from ``random_state``. ``decision_function``
gives the ranking score; ``predict_proba`` a monotone probability-like value
(for the SVM a logistic squashing of the margin, not a calibrated probability).

Which model a name means is data: ``presets.yaml`` beside this file.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from typing import Any

import numpy as np
import yaml
from scipy.special import expit
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression
from sklearn.naive_bayes import MultinomialNB
from sklearn.svm import LinearSVC

from reviewkit.errors import ReviewkitError
from reviewkit.ranking.primal import fit_primal


def balanced_weights(y: np.ndarray, ratio: float | None) -> np.ndarray | None:
    """Sample weights making the irrelevant records weigh 1/ratio of the relevant ones.

    Mean weight is 1, so the regularisation strength keeps its meaning as the
    labelled set grows. ``None`` (or one class only) means unweighted.
    """
    n1, n0 = int(np.sum(y == 1)), int(np.sum(y == 0))
    if not ratio or n1 == 0 or n0 == 0:
        return None
    w = np.where(y == 1, 1.0, n1 / (ratio * n0))
    return w * (len(y) / w.sum())


class RelevanceClassifier(ClassifierMixin, BaseEstimator):
    """One linear or naive-Bayes classifier with class balancing.

    kind: ``svm`` (LinearSVC, squared hinge), ``logistic`` (L2 logistic
    regression) or ``nb`` (multinomial naive Bayes; uses ``alpha``).
    ``warm_start`` (svm only): a refit on the same features starts from the
    previous solution (primal.py), as the screener refits after every decision.
    """

    def __init__(self, kind: str = "svm", C: float = 1.0, alpha: float = 1.0,
                 ratio: float | None = None, random_state: int | None = None,
                 warm_start: bool = False) -> None:
        self.kind = kind
        self.C = C
        self.alpha = alpha
        self.ratio = ratio
        self.random_state = random_state
        self.warm_start = warm_start

    def _estimator(self) -> BaseEstimator:
        if self.kind == "svm":
            # tol 1e-3: the ranking is stable long before liblinear's default 1e-4
            return LinearSVC(C=self.C, tol=1e-3, random_state=self.random_state)
        if self.kind == "logistic":
            return LogisticRegression(C=self.C, solver="liblinear", tol=1e-3,
                                      random_state=self.random_state)
        if self.kind == "nb":
            return MultinomialNB(alpha=self.alpha)
        raise ReviewkitError(f"unknown classifier kind {self.kind!r}; expected svm, logistic or nb")

    def fit(self, X: Any, y: Any) -> RelevanceClassifier:
        y = np.asarray(y, dtype=int)
        self.classes_ = np.array([0, 1])
        if len(np.unique(y)) < 2:
            raise ValueError("need at least one relevant and one irrelevant labelled record")
        weights = balanced_weights(y, self.ratio)
        if self.kind == "svm" and self.warm_start and getattr(self, "coef_", None) is not None \
                and self.coef_.shape[0] == X.shape[1]:
            c = self.C * (weights if weights is not None else np.ones(len(y)))
            wb = fit_primal(X, y, c, np.append(self.coef_, self.intercept_))
            self.coef_, self.intercept_ = wb[:-1], float(wb[-1])
            return self
        self.estimator_ = self._estimator().fit(X, y, sample_weight=weights)
        if self.kind != "nb":
            self.coef_ = self.estimator_.coef_.ravel().astype(np.float64)
            self.intercept_ = float(self.estimator_.intercept_[0])
        return self

    def decision_function(self, X: Any) -> np.ndarray:
        if self.kind == "nb":
            log = self.estimator_.predict_log_proba(X)
            return log[:, 1] - log[:, 0]
        return np.asarray(X @ self.coef_).ravel() + self.intercept_

    def predict_proba(self, X: Any) -> np.ndarray:
        p = expit(self.decision_function(X))
        return np.column_stack([1 - p, p])

    def predict(self, X: Any) -> np.ndarray:
        return (self.decision_function(X) > 0).astype(int)


def rank_scores(scores: np.ndarray) -> np.ndarray:
    """Each score's rank among ``scores`` scaled to [0, 1] (ties share their mean rank)."""
    from scipy.stats import rankdata

    n = len(scores)
    return (rankdata(scores) - 1) / max(1, n - 1)


class EnsembleClassifier(ClassifierMixin, BaseEstimator):
    """Differently-biased classifiers on the same features, combined by mean rank.

    Each member's scores are turned into ranks among the records scored, so no
    member's scale dominates (an SVM margin, a log-odds, a naive-Bayes
    log-ratio); ``weights`` (default equal) weigh the members' ranks. The
    ranking score is therefore relative to the rows given to
    ``decision_function``: score the whole pile at once, as the screener does.
    """

    def __init__(self, members: list[BaseEstimator] | None = None,
                 weights: list[float] | None = None, random_state: int | None = None) -> None:
        self.members = members
        self.weights = weights
        self.random_state = random_state

    def fit(self, X: Any, y: Any) -> EnsembleClassifier:
        if not self.members:
            raise ValueError("an ensemble needs at least one member")
        self.classes_ = np.array([0, 1])
        for member in self.members:
            member.fit(X, y)
        self.estimators_ = list(self.members)
        return self

    def member_scores(self, X: Any) -> list[np.ndarray]:
        return [np.asarray(m.decision_function(X), dtype=np.float64) for m in self.estimators_]

    def decision_function(self, X: Any) -> np.ndarray:
        return combine_ranks(self.member_scores(X), self.weights)

    def predict_proba(self, X: Any) -> np.ndarray:
        p = self.decision_function(X)
        return np.column_stack([1 - p, p])

    def predict(self, X: Any) -> np.ndarray:
        return (self.decision_function(X) > 0.5).astype(int)


def combine_ranks(scores: list[np.ndarray], weights: list[float] | None = None) -> np.ndarray:
    """The weighted mean of each member's [0, 1] ranks (one member: its own scores)."""
    if len(scores) == 1:
        return scores[0]
    w = np.ones(len(scores)) if weights is None else np.asarray(weights, dtype=np.float64)
    return sum(wi * rank_scores(s) for wi, s in zip(w, scores, strict=True)) / w.sum()


@lru_cache(maxsize=1)
def presets() -> dict[str, Any]:
    """The parsed presets.yaml: {'default': name, 'presets': {name: spec}}."""
    text = resources.files("reviewkit.ranking").joinpath("presets.yaml").read_text("utf-8")
    return yaml.safe_load(text)


def preset(name: str | None) -> tuple[str, dict[str, Any]]:
    """(name, spec) for a preset; None means the default."""
    data = presets()
    name = name or data["default"]
    if name not in data["presets"]:
        raise ReviewkitError(f"unknown model {name!r}; expected one of "
                             f"{', '.join(sorted(data['presets']))}")
    return name, data["presets"][name]


def member_specs(name: str | None = None) -> list[dict[str, Any]]:
    """A preset's classifiers as RelevanceClassifier parameters (kind, C/alpha, ratio).

    A single-model preset has ``classifier`` and ``balance``; an ensemble has
    ``members``, each with its own ``ratio``.
    """
    name, spec = preset(name)
    if "members" in spec:
        return [dict(m) for m in spec["members"]]
    params = dict(spec["classifier"])
    params["ratio"] = (spec.get("balance") or {}).get("ratio")
    return [params]


def make_classifier(name: str | None = None, random_state: int | None = None,
                    warm_start: bool = False) -> BaseEstimator:
    """An unfitted classifier for a preset name (an EnsembleClassifier for an ensemble)."""
    _, spec = preset(name)
    members = [RelevanceClassifier(random_state=random_state, warm_start=warm_start, **m)
               for m in member_specs(name)]
    if "members" not in spec:
        return members[0]
    return EnsembleClassifier(members, spec.get("weights"), random_state=random_state)


def feature_params(name: str | None = None) -> dict[str, Any]:
    """TextFeatures parameters of a preset."""
    name, spec = preset(name)
    params = dict(spec.get("features") or {})
    if "ngram_range" in params:
        params["ngram_range"] = tuple(params["ngram_range"])
    return params
