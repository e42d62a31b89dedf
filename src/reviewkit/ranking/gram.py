"""The linear SVM of models.py, refitted fast for simulation through the Gram matrix.

Same model as ``LinearSVC(loss="squared_hinge", fit_intercept=True,
intercept_scaling=1)`` with sample weights: minimise
½‖w‖² + Σᵢ cᵢ max(0, 1 − yᵢ w·xᵢ)² over [x, 1], cᵢ = C·weightᵢ. Its solution
is w = Σᵢ βᵢ xᵢ with, on the active set A (margin < 1),
(K_AA + diag(1/2c_A)) β_A = y_A, K = XXᵀ + 1. We precompute K once per
dataset and, after each decision, re-solve from the previous β (warm start)
with a finite Newton method: conjugate gradients for the system, an exact-
enough backtracking step, stop when the active set is stable. A refit then
costs a few n_A² products instead of a liblinear run from scratch, which is
what makes a whole simulation fast. Used when K fits in memory (``fits``).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from scipy import sparse

MAX_RECORDS = 15_000     # K is N×N float32: 15k records = 0.9 GB
_TOL = 1e-4             # relative CG residual: far below what changes a ranking
_F = np.float32          # memory bandwidth bounds every product here; halve it


def fits(n_records: int) -> bool:
    return n_records <= MAX_RECORDS


def gram(X: sparse.csr_matrix) -> np.ndarray:
    """K = XXᵀ + 1 (the +1 is the intercept, regularised as liblinear does).

    A column used by one record only adds to that record's own K_ii, so the
    product runs on the shared columns and the diagonal is set from the full
    rows: the same K for far fewer products (most bigrams occur once).
    """
    X = sparse.csr_matrix(X)
    shared = np.flatnonzero(np.bincount(X.indices, minlength=X.shape[1]) > 1)
    Xs = X[:, shared]
    K = np.asarray((Xs @ Xs.T).toarray(), dtype=_F)
    K[np.diag_indices_from(K)] = np.asarray(X.multiply(X).sum(axis=1), dtype=_F).ravel()
    return K + _F(1.0)


def _cg(matvec: Callable[[np.ndarray], np.ndarray], b: np.ndarray, x: np.ndarray,
        iters: int = 200) -> np.ndarray:
    """Conjugate gradients for a symmetric positive definite system, from ``x``."""
    r = b - matvec(x)
    p = r.copy()
    rs = r @ r
    stop = (_TOL * np.linalg.norm(b)) ** 2
    for _ in range(iters):
        if rs <= stop:
            break
        Mp = matvec(p)
        a = rs / (p @ Mp)
        x = x + a * p
        r = r - a * Mp
        rs_new = r @ r
        p = r + (rs_new / rs) * p
        rs = rs_new
    return x


class GramSVM:
    """Warm-started squared-hinge SVM over a precomputed kernel (one per simulation).

    Records are usually labelled one at a time, so the rows of K for the
    labelled records are kept in labelling order and only new rows are copied.
    """

    def __init__(self, K: np.ndarray) -> None:
        self.K = K
        self._beta = np.zeros(K.shape[0])             # per record; 0 = not a support
        self._idx = np.empty(0, dtype=np.intp)
        self._rows = np.empty((0, K.shape[0]), _F)  # K rows of the labelled records
        self._kl = np.empty((0, 0), _F)             # K_LL, same order

    def _sync(self, idx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(K rows, K_LL) for ``idx``; appended records cost one row and one column each."""
        m, n = len(self._idx), len(idx)
        if n < m or not np.array_equal(idx[:m], self._idx):
            self._idx, m = self._idx[:0], 0
        if n > m:
            cap = self._rows.shape[0]
            if n > cap or m == 0:
                cap = max(n, 2 * cap, 64)
                rows, kl = np.empty((cap, self.K.shape[0]), _F), np.empty((cap, cap), _F)
                rows[:m], kl[:m, :m] = self._rows[:m], self._kl[:m, :m]
                self._rows, self._kl = rows, kl
            self._rows[m:n] = self.K[idx[m:]]
            self._kl[m:n, :n] = self._rows[m:n][:, idx]
            self._kl[:m, m:n] = self._kl[m:n, :m].T
            self._idx = np.array(idx, dtype=np.intp)
        return self._rows[:n], self._kl[:n, :n]

    def _objective(self, KL: np.ndarray, beta: np.ndarray, y: np.ndarray, c: np.ndarray
                   ) -> tuple[float, np.ndarray]:
        f = (KL @ beta.astype(_F)).astype(np.float64)
        v = np.maximum(0.0, 1.0 - y * f)
        return 0.5 * beta @ f + float(c @ (v * v)), f

    def fit_scores(self, idx: np.ndarray, y01: np.ndarray, c: np.ndarray) -> np.ndarray:
        """Fit on records ``idx`` (labels 0/1, per-record C ``c``); scores for every record."""
        y = np.where(y01 == 1, 1.0, -1.0)
        rows, KL = self._sync(np.asarray(idx))
        beta = self._beta[idx]
        obj, f = self._objective(KL, beta, y, c)
        active = (y * f < 1.0)
        for _ in range(50):
            A = np.flatnonzero(active)
            diag = 0.5 / c[A]
            if len(A) == len(idx):
                def matvec(v: np.ndarray, d: np.ndarray = diag) -> np.ndarray:
                    return (KL @ v.astype(_F)) + d * v
            else:  # zero outside A, so the full K_LL product needs no submatrix copy
                def matvec(v: np.ndarray, A: np.ndarray = A, d: np.ndarray = diag
                           ) -> np.ndarray:
                    full = np.zeros(len(idx))
                    full[A] = v
                    return (KL @ full.astype(_F))[A] + d * v
            target = np.zeros_like(beta)
            target[A] = _cg(matvec, y[A], beta[A])
            step, d = 1.0, target - beta
            while True:  # backtrack until the objective does not rise
                new_obj, new_f = self._objective(KL, beta + step * d, y, c)
                if new_obj <= obj + 1e-12 or step < 1e-4:
                    break
                step /= 2
            beta, obj, f = beta + step * d, new_obj, new_f
            new_active = (y * f < 1.0)
            if step == 1.0 and np.array_equal(new_active, active):
                break
            active = new_active
        self._beta[:] = 0.0
        self._beta[idx] = beta
        return (beta.astype(_F) @ rows).astype(np.float64)
