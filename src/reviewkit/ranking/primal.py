"""The linear SVM of models.py solved in the primal, warm-started from the last fit.

Same objective as ``LinearSVC(loss="squared_hinge")`` with sample weights and
liblinear's regularised intercept: minimise
½(‖w‖² + b²) + Σᵢ cᵢ max(0, 1 − yᵢ(w·xᵢ + b))², cᵢ = C·weightᵢ.
Solved by Newton's method with conjugate gradients on the active set (the
records inside the margin), as liblinear's TRON does, but started from the
previous solution. In the screener one decision barely moves the optimum, so
a refit after a decision takes one or two Newton steps instead of a cold
solve; that is what keeps retraining at 50k records under half a second.
"""

from __future__ import annotations

import numpy as np
from scipy import sparse


def _cg(hess, g: np.ndarray, tol: float, iters: int = 100) -> np.ndarray:
    """Solve H d = -g by conjugate gradients from zero."""
    d = np.zeros_like(g)
    r = -g
    p = r.copy()
    rs = r @ r
    stop = (tol * np.linalg.norm(g)) ** 2
    for _ in range(iters):
        if rs <= stop:
            break
        Hp = hess(p)
        a = rs / (p @ Hp)
        d += a * p
        r -= a * Hp
        rs_new = r @ r
        p = r + (rs_new / rs) * p
        rs = rs_new
    return d


def fit_primal(X: sparse.csr_matrix, y01: np.ndarray, c: np.ndarray,
               w0: np.ndarray | None = None, tol: float = 1e-3, max_iter: int = 50
               ) -> np.ndarray:
    """[w, b] minimising the objective above; ``w0`` (length n_features + 1) warm-starts it.

    Stops when the gradient norm falls below ``tol`` times its norm at zero
    (liblinear's criterion), so warm and cold starts meet the same bar.
    """
    y = np.where(np.asarray(y01) == 1, 1.0, -1.0)
    n_feat = X.shape[1]
    wb = np.zeros(n_feat + 1) if w0 is None else np.array(w0, dtype=np.float64)
    g0 = np.linalg.norm(np.append(2 * (X.T @ (c * y)), 2 * np.sum(c * y)))
    for _ in range(max_iter):
        f = X @ wb[:n_feat] + wb[n_feat]
        m = 1.0 - y * f
        A = np.flatnonzero(m > 0)
        XA, cA, yA, mA = X[A], c[A], y[A], m[A]
        u = 2 * cA * yA * mA
        grad = wb.copy()
        grad[:n_feat] -= XA.T @ u
        grad[n_feat] -= u.sum()
        if np.linalg.norm(grad) <= tol * g0:
            break

        def hess(v: np.ndarray, XA: sparse.csr_matrix = XA, cA: np.ndarray = cA) -> np.ndarray:
            z = 2 * cA * (XA @ v[:n_feat] + v[n_feat])
            out = v.copy()
            out[:n_feat] += XA.T @ z
            out[n_feat] += z.sum()
            return out

        d = _cg(hess, grad, tol=0.1)
        obj = 0.5 * wb @ wb + np.sum(c[A] * mA * mA)
        fd = X @ d[:n_feat] + d[n_feat]
        step = 1.0
        while step > 1e-6:  # backtracking on the (piecewise quadratic) objective
            new = wb + step * d
            mn = np.maximum(0.0, 1.0 - y * (f + step * fd))
            if 0.5 * new @ new + np.sum(c * mn * mn) <= obj + 0.01 * step * (grad @ d):
                break
            step /= 2
        wb = wb + step * d
    return wb


def fit_primal_logistic(X: sparse.csr_matrix, y01: np.ndarray, c: np.ndarray,
                        w0: np.ndarray | None = None, tol: float = 1e-3, max_iter: int = 50
                        ) -> np.ndarray:
    """[w, b] of liblinear's L2 logistic regression (regularised intercept), warm-startable.

    Minimises ½(‖w‖² + b²) + Σᵢ cᵢ log(1 + exp(−yᵢ(w·xᵢ + b))) by Newton-CG with
    the same relative-gradient stop as :func:`fit_primal`.
    """
    from scipy.special import expit, log_expit

    y = np.where(np.asarray(y01) == 1, 1.0, -1.0)
    n_feat = X.shape[1]
    wb = np.zeros(n_feat + 1) if w0 is None else np.array(w0, dtype=np.float64)
    g0 = np.linalg.norm(np.append(X.T @ (c * y * 0.5), np.sum(c * y * 0.5)))
    f = X @ wb[:n_feat] + wb[n_feat]
    for _ in range(max_iter):
        u = c * y * expit(-y * f)
        grad = wb.copy()
        grad[:n_feat] -= X.T @ u
        grad[n_feat] -= u.sum()
        if np.linalg.norm(grad) <= tol * g0:
            break
        p = expit(f)
        D = c * p * (1 - p)

        def hess(v: np.ndarray, D: np.ndarray = D) -> np.ndarray:
            z = D * (X @ v[:n_feat] + v[n_feat])
            out = v.copy()
            out[:n_feat] += X.T @ z
            out[n_feat] += z.sum()
            return out

        d = _cg(hess, grad, tol=0.1)
        obj = 0.5 * wb @ wb - np.sum(c * log_expit(y * f))
        fd = X @ d[:n_feat] + d[n_feat]
        step = 1.0
        while step > 1e-6:
            new = wb + step * d
            new_obj = 0.5 * new @ new - np.sum(c * log_expit(y * (f + step * fd)))
            if new_obj <= obj + 0.01 * step * (grad @ d):
                break
            step /= 2
        wb, f = wb + step * d, f + step * fd
    return wb
