r"""Pretraining of the reduced linear-attention model: :math:`\Gamma^*` by ridge regression.

.. math:: \operatorname{vec}\Gamma^* = \Big(\sum_\mu h_\mu h_\mu^\top + \tfrac nd\lambda I\Big)^{-1}\sum_\mu
          y^\mu_{\ell+1} h_\mu,
          \qquad h_\mu = x^\mu_{\ell+1}\otimes u_\mu \in \mathbb R^{p},\ p = d(d+1).

``λ = 0`` is the ridgeless limit :math:`\lambda\to0^+`: the minimum-norm least-squares solution.

Solvers (``solver=``):

* ``"cg"`` — conjugate gradients on the normal equations, matrix-free. With :math:`X` the ``(n, d)``
  queries and :math:`U` the ``(n, d+1)`` summaries, :math:`A\,\mathrm{vec}\Gamma = \mathrm{vec}\big(X^\top
  \mathrm{diag}(s) U\big)` with :math:`s = \mathrm{rowsum}((X\Gamma)\odot U)`: two GEMMs, :math:`O(n d^2)`.
  Preconditioner :math:`P = (X^\top X)\otimes(U^\top U)/n + \frac nd\lambda I` — the expectation of
  :math:`A` given the empirical second moments, exact because the query is independent of the context —
  applied in :math:`O(d^3)` through the eigendecompositions of the two small Grams. For :math:`n > p` the
  preconditioned spectrum is Marchenko–Pastur-like with ratio :math:`p/n \approx 1/\tau`: about 20
  iterations at :math:`\tau = 10`, a few hundred just above :math:`\tau = 1`.
* ``"dual"`` — for :math:`n < p` the solution lies in the row space of the feature matrix
  :math:`H`: :math:`\Gamma^* = X^\top \mathrm{diag}(a)\,U` with :math:`(K + \frac nd\lambda I)a = y`,
  :math:`K = (XX^\top)\odot(UU^\top)` (``n × n``, two GEMMs), solved by Cholesky: :math:`O(n^2 d + n^3)`.
  Preconditioned CG is a poor choice there: the preconditioner pushes the Krylov space out of the row
  space of :math:`H`, and the null-space components it excites are damped only at the scale of the
  ridge, so CG stalls at small :math:`\lambda` — exactly the ridgeless regime :math:`\tau < 1`.
* ``"dense"`` — the explicit ``p × p`` Gram matrix and a direct solve (``λ = 0``: ``lstsq``), :math:`O(np^2 + p^3)
  = O(d^6)`; the reference for small ``d``.
* ``"auto"`` — ``cg`` when :math:`n > p`, ``dual`` when :math:`n \le p` and :math:`n \le` ``dual_max``,
  otherwise ``cg`` (which then needs ``λ > 0``). If CG stalls (just above the threshold, :math:`n \approx p`,
  with tiny λ) and :math:`p \le 6000`, ``auto`` finishes with the dense solve and reports ``solver_ = "dense"``.

A solve whose relative residual of the normal equations exceeds ``tol`` (CG; direct solves:
``max(tol, 1e-8)``, which only ill-conditioning can break) raises
:class:`SolverNotConverged`, or, with ``on_failure="flag"``, sets ``converged_ = False``.

>>> from iclverify.empirics.montecarlo.exact_law import sample_features
>>> from iclverify.runtime.seeding import rng
>>> f = sample_features(rng(0, "doc"), d=6, ell=12, n=200, rho=0.1, fresh_law="sphere")
>>> cg = RidgeGamma(lam=1e-3, solver="cg").fit(f)
>>> dense = RidgeGamma(lam=1e-3, solver="dense").fit(f)
>>> cg.gamma_.shape, cg.converged_, bool(np.allclose(cg.gamma_, dense.gamma_, atol=1e-8))
((6, 7), True, True)
"""

from __future__ import annotations

import dataclasses
import time
from typing import Any, Literal

import numpy as np
import scipy.linalg
import scipy.sparse.linalg

from iclverify.empirics.montecarlo.features import ContextFeatures, context_features, predict
from iclverify.runtime.errors import ParameterError, UserError
from iclverify.runtime.validation import nonnegative_real, one_of, probability

__all__ = [
    "ContextFeatures",
    "KroneckerPreconditioner",
    "RidgeGamma",
    "SolverNotConverged",
    "context_features",
    "gram_matvec",
    "normal_rhs",
]

Solver = Literal["auto", "cg", "dual", "dense"]
SOLVERS: tuple[Solver, ...] = ("auto", "cg", "dual", "dense")
Precision = Literal["float64", "mixed"]
PRECISIONS: tuple[Precision, ...] = ("float64", "mixed")
OnFailure = Literal["raise", "flag"]
ON_FAILURE: tuple[OnFailure, ...] = ("raise", "flag")
MIXED_INNER_TOL = 2e-6  # float32 CG is not asked for more than this; float64 CG finishes the job
DIRECT_TOL = 1e-8  # a direct solve whose normal-equation residual exceeds this was ruined by conditioning
# "auto" falls back to the dense solve when CG stalls and p = d(d+1) is at most this
DENSE_FALLBACK_P = 6000


class SolverNotConverged(UserError, RuntimeError):
    """An iterative solve stopped before reaching its tolerance (raise ``max_iter`` or ``lam``)."""


def gram_matvec(x: np.ndarray, u: np.ndarray, gamma: np.ndarray, xt: np.ndarray | None = None) -> np.ndarray:
    r""":math:`\sum_\mu h_\mu h_\mu^\top \mathrm{vec}\Gamma = X^\top \mathrm{diag}(s)\,U`, :math:`s =
    \mathrm{rowsum}((X\Gamma)\odot U)`,
    as a ``(d, d+1)`` matrix: two GEMMs, :math:`4nd(d+1)` flops.

    Rows are processed in blocks of about :math:`2^{16}/d` so that the intermediates stay in cache (about
    20% faster at d = 64, where whole-array intermediates are memory-bound). ``xt``: optionally a
    C-contiguous copy of ``x.T``, used when the rows fit in one block.

    >>> x, u, g = np.ones((2, 2)), np.ones((2, 3)), np.ones((2, 3))
    >>> gram_matvec(x, u, g).tolist()
    [[12.0, 12.0, 12.0], [12.0, 12.0, 12.0]]
    """
    n, d = x.shape
    block = max(256, (1 << 16) // max(d, 1))
    xt = x.T if xt is None else xt
    if n <= block:
        s = np.einsum("nj,nj->n", x @ gamma, u)
        return xt @ (s[:, None] * u)
    out = np.zeros((d, u.shape[1]), dtype=np.result_type(x, u, gamma))
    for a in range(0, n, block):
        xb, ub = x[a : a + block], u[a : a + block]
        s = np.einsum("nj,nj->n", xb @ gamma, ub)
        out += xb.T @ (s[:, None] * ub)
    return out


def normal_rhs(x: np.ndarray, u: np.ndarray, y: np.ndarray) -> np.ndarray:
    r""":math:`\sum_\mu y_\mu h_\mu` as a ``(d, d+1)`` matrix: :math:`X^\top \mathrm{diag}(y)\,U`."""
    return x.T @ (y[:, None] * u)


@dataclasses.dataclass(frozen=True)
class KroneckerPreconditioner:
    r""":math:`\big((X^\top X)\otimes(U^\top U)/n + cI\big)^{-1}` through two eigendecompositions.

    >>> x = np.random.default_rng(0).standard_normal((50, 3)); u = np.random.default_rng(1).standard_normal((50, 4))
    >>> p = KroneckerPreconditioner.build(x, u, c=0.5)
    >>> full = np.kron(x.T @ x, u.T @ u) / 50 + 0.5 * np.eye(12)
    >>> r = np.arange(12.0).reshape(3, 4)
    >>> bool(np.allclose(full @ p.apply(r).ravel(), r.ravel()))
    True
    """

    qx: np.ndarray
    qu: np.ndarray
    denom: np.ndarray

    @classmethod
    def build(cls, x: np.ndarray, u: np.ndarray, *, c: float) -> KroneckerPreconditioner:
        n = x.shape[0]
        dx, qx = np.linalg.eigh((x.T @ x).astype(np.float64))
        du, qu = np.linalg.eigh((u.T @ u).astype(np.float64))
        denom = np.outer(np.maximum(dx, 0.0), np.maximum(du, 0.0)) / n + c
        floor = denom.max() * 1e-14  # only matters for c = 0 with a rank-deficient Gram
        return cls(qx=qx, qu=qu, denom=np.maximum(denom, floor))

    def apply(self, r: np.ndarray) -> np.ndarray:
        return self.qx @ ((self.qx.T @ r @ self.qu) / self.denom) @ self.qu.T


class RidgeGamma:
    r"""Ridge estimator of :math:`\Gamma` with the paper's :math:`(n/d)\lambda` scaling (scikit-learn style).

    After :meth:`fit`: ``gamma_`` ``(d, d+1)``, ``solver_`` (the one used), ``n_iter_`` (CG iterations;
    0 for direct solves), ``residual_`` (relative residual of the normal equations), ``converged_``,
    ``seconds_``; :meth:`info` returns them as a dict.
    """

    def __init__(
        self,
        *,
        lam: float,
        solver: Solver = "auto",
        tol: float = 1e-10,
        max_iter: int | None = None,
        dual_max: int = 12000,
        on_failure: OnFailure = "raise",
        precision: Precision = "float64",
    ) -> None:
        self.lam = nonnegative_real("lam", lam)
        self.solver = one_of("solver", solver, SOLVERS)
        self.tol = probability("tol", tol)
        self.max_iter = max_iter
        self.on_failure = one_of("on_failure", on_failure, ON_FAILURE)
        self.precision = one_of("precision", precision, PRECISIONS)
        self.dual_max = dual_max
        self._low_iter = 0

    # -- public API -------------------------------------------------------------------------------
    def fit(self, features: ContextFeatures, y: np.ndarray | None = None) -> RidgeGamma:
        """Fit on the features of ``n`` contexts; ``y`` defaults to their query labels ``features.y``."""
        x, u = np.asarray(features.x_query, dtype=float), np.asarray(features.u, dtype=float)
        y = np.asarray(features.y if y is None else y, dtype=float)
        n, d = x.shape
        if u.shape != (n, d + 1) or y.shape != (n,):
            raise ParameterError(f"need x_query (n, d), u (n, d+1), y (n,); got {x.shape}, {u.shape}, {y.shape}")
        p = d * (d + 1)
        c = n * self.lam / d
        solver = self._choose(n, p)
        if solver == "cg" and c == 0 and n < p:
            raise ParameterError(
                f"lam = 0 with n = {n} < p = {p} has no unique least-squares solution for CG; use solver='dual' "
                f"or 'dense'"
            )
        if solver == "dual" and c == 0 and n > p:
            raise ParameterError(
                f"lam = 0 with n = {n} > p = {p} makes the dual kernel singular; use solver='cg' or 'dense'"
            )
        start = time.perf_counter()
        n_iter = 0
        self._low_iter = 0
        rhs = normal_rhs(x, u, y)
        if solver == "dense":
            gamma = self._dense(features, y, c, d)
        elif solver == "dual":
            gamma = self._dual(x, u, y, c)
        else:
            gamma, n_iter = self._cg(x, u, rhs, c)
            if self.solver == "auto" and p <= DENSE_FALLBACK_P and not self._small_residual(x, u, gamma, c, rhs):
                solver, gamma = "dense", self._dense(features, y, c, d)  # CG stalled near τ = 1: solve directly
        res = gram_matvec(x, u, gamma) + c * gamma - rhs  # the true residual, whatever the solver claims
        scale = np.linalg.norm(rhs)
        self.gamma_ = gamma
        self.solver_ = solver
        self.n_iter_ = n_iter
        self.n_iter_float32_ = self._low_iter
        self.residual_ = float(np.linalg.norm(res) / scale) if scale > 0 else float(np.linalg.norm(res))
        self.seconds_ = time.perf_counter() - start
        # direct solves are held to max(tol, DIRECT_TOL): their residual is round-off times the condition number
        limit = self.tol if solver == "cg" else max(self.tol, DIRECT_TOL)
        self.converged_ = bool(np.isfinite(gamma).all() and self.residual_ <= limit)
        if not self.converged_ and self.on_failure == "raise":
            raise SolverNotConverged(
                f"Gamma* solve ({solver}) stopped at relative residual {self.residual_:.2e} > tol {self.tol:g} "
                f"after {n_iter} iterations (n={n}, d={d}, lam={self.lam:g}); raise max_iter or lam"
            )
        return self

    def predict(self, features: ContextFeatures) -> np.ndarray:
        r""":math:`\hat y = x_{\ell+1}^\top \Gamma^* u` for each context."""
        return predict(self.gamma_, features)

    def info(self) -> dict[str, Any]:
        """Convergence report of the last fit."""
        return {
            "solver": self.solver_,
            "n_iter": self.n_iter_,
            "n_iter_float32": self.n_iter_float32_,
            "residual": self.residual_,
            "converged": self.converged_,
            "seconds": self.seconds_,
        }

    # -- solvers ------------------------------------------------------------------------------------
    def _small_residual(self, x: np.ndarray, u: np.ndarray, gamma: np.ndarray, c: float, rhs: np.ndarray) -> bool:
        res = gram_matvec(x, u, gamma) + c * gamma - rhs
        return bool(np.linalg.norm(res) <= self.tol * np.linalg.norm(rhs))

    def _choose(self, n: int, p: int) -> str:
        if self.solver != "auto":
            return self.solver
        if n > p:
            return "cg"
        return "dual" if n <= self.dual_max else "cg"

    def _cg(self, x: np.ndarray, u: np.ndarray, rhs: np.ndarray, c: float) -> tuple[np.ndarray, int]:
        d = x.shape[1]
        shape = (d, d + 1)
        maxiter = self.max_iter if self.max_iter is not None else 1000
        b = rhs.ravel()
        start, used = None, 0
        if self.precision == "mixed":
            # float32 GEMMs (about twice the speed) to a residual near single precision, then float64 from there
            xs, us = x.astype(np.float32), u.astype(np.float32)
            pre = KroneckerPreconditioner.build(xs, us, c=c)
            start, used = _pcg(xs, us, b, c, pre, rtol=max(self.tol, MIXED_INNER_TOL), maxiter=maxiter)
            self._low_iter = used
            r = gram_matvec(x, u, start.reshape(shape)).ravel() + c * start - b
            if np.linalg.norm(r) <= self.tol * np.linalg.norm(b):
                return start.reshape(shape), used
        else:
            pre = KroneckerPreconditioner.build(x, u, c=c)
        sol, more = _pcg(x, u, b, c, pre, rtol=self.tol, maxiter=max(1, maxiter - used), x0=start)
        return sol.reshape(shape), used + more

    @staticmethod
    def _dual(x: np.ndarray, u: np.ndarray, y: np.ndarray, c: float) -> np.ndarray:
        k = x @ x.T
        k *= u @ u.T  # (XXᵀ)⊙(UUᵀ), one n × n temporary
        if c > 0:
            k[np.diag_indices_from(k)] += c
        try:
            a = scipy.linalg.cho_solve(
                scipy.linalg.cho_factor(k, lower=True, check_finite=False), y, check_finite=False
            )
        except np.linalg.LinAlgError:  # K singular to working precision (c = 0 at n = p): least squares
            a = scipy.linalg.lstsq(k, y, check_finite=False)[0]
        return x.T @ (a[:, None] * u)

    @staticmethod
    def _dense(features: ContextFeatures, y: np.ndarray, c: float, d: int, chunk: int = 4096) -> np.ndarray:
        if c == 0:  # minimum-norm least squares: the λ → 0⁺ limit
            return scipy.linalg.lstsq(features.h(), y, check_finite=False)[0].reshape(d, d + 1)
        p = d * (d + 1)
        gram, rhs = np.zeros((p, p)), np.zeros(p)
        for start in range(0, features.n, chunk):  # rows of H in chunks: memory O(chunk p + p²)
            part = features.subset(slice(start, start + chunk))
            h = part.h()
            gram += h.T @ h
            rhs += h.T @ y[start : start + chunk]
        gram[np.diag_indices_from(gram)] += c
        return scipy.linalg.solve(gram, rhs, assume_a="pos", check_finite=False).reshape(d, d + 1)


def _pcg(
    x: np.ndarray,
    u: np.ndarray,
    b: np.ndarray,
    c: float,
    pre: KroneckerPreconditioner,
    *,
    rtol: float,
    maxiter: int,
    x0: np.ndarray | None = None,
) -> tuple[np.ndarray, int]:
    """Preconditioned CG (scipy) on ``(Σ h hᵀ + c I) γ = b`` in the precision of ``x`` and ``u``; returns the
    float64 iterate and the number of iterations. Stops at ``‖r‖ <= rtol ‖b‖`` (CG's recursive residual;
    the caller checks the true one)."""
    d = x.shape[1]
    shape, p, dtype = (d, d + 1), d * (d + 1), x.dtype
    xt = np.ascontiguousarray(x.T)
    op = scipy.sparse.linalg.LinearOperator(
        (p, p), matvec=lambda v: (gram_matvec(x, u, v.reshape(shape), xt) + c * v.reshape(shape)).ravel(), dtype=dtype
    )
    mop = scipy.sparse.linalg.LinearOperator(
        (p, p), matvec=lambda v: pre.apply(v.reshape(shape)).ravel().astype(dtype, copy=False), dtype=dtype
    )
    count = [0]

    def tick(_: np.ndarray) -> None:
        count[0] += 1

    start = None if x0 is None else x0.astype(dtype)
    sol, _info = scipy.sparse.linalg.cg(
        op, b.astype(dtype), x0=start, rtol=rtol, atol=0.0, maxiter=maxiter, M=mop, callback=tick
    )
    return sol.astype(np.float64), count[0]
