"""Γ* solvers: the structured ones (CG, dual) equal the dense solve; failures are reported, never silent."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from iclverify.empirics.montecarlo.exact_law import sample_features
from iclverify.empirics.montecarlo.features import context_features
from iclverify.empirics.montecarlo.reduced_model import (
    KroneckerPreconditioner,
    RidgeGamma,
    SolverNotConverged,
    gram_matvec,
    normal_rhs,
)
from iclverify.empirics.montecarlo.sampling import sample_contexts, sample_tasks
from iclverify.runtime.errors import ParameterError
from iclverify.runtime.seeding import rng


def _features(seed: int, d: int, n: int, kappa: float | None, ell: int = 12, rho: float = 0.05):
    tasks = None if kappa is None else sample_tasks(rng(seed, "t"), k=max(1, round(kappa * d)), d=d)
    return sample_features(rng(seed, "f"), d=d, ell=ell, n=n, tasks=tasks, rho=rho, fresh_law="sphere")


def _rel(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.abs(a - b).max() / np.abs(b).max())


@given(d=st.integers(2, 7), seed=st.integers(0, 2**32), gamma_seed=st.integers(0, 2**32))
def test_matvec_and_rhs_match_dense_features(d: int, seed: int, gamma_seed: int) -> None:
    f = _features(seed, d, 3 * d * d, 0.5)
    h = f.h()
    g = rng(gamma_seed, "g").standard_normal((d, d + 1))
    assert np.allclose(gram_matvec(f.x_query, f.u, g).ravel(), h.T @ (h @ g.ravel()), rtol=1e-10, atol=1e-12)
    assert np.allclose(normal_rhs(f.x_query, f.u, f.y).ravel(), h.T @ f.y, rtol=1e-10, atol=1e-12)


def test_preconditioner_inverts_its_kronecker_matrix() -> None:
    f = _features(1, 4, 50, None)
    pre = KroneckerPreconditioner.build(f.x_query, f.u, c=0.3)
    full = np.kron(f.x_query.T @ f.x_query, f.u.T @ f.u) / f.n + 0.3 * np.eye(20)
    r = rng(1, "r").standard_normal((4, 5))
    assert np.allclose(full @ pre.apply(r).ravel(), r.ravel(), rtol=1e-10)


@settings(deadline=None)
@given(
    d=st.integers(2, 8),
    ratio=st.sampled_from([0.3, 0.7, 1.6, 3.0, 8.0]),
    lam=st.sampled_from([0.0, 1e-6, 1e-3, 0.1, 2.0]),
    kappa=st.sampled_from([None, 0.25, 1.0]),
    seed=st.integers(0, 2**32),
)
def test_structured_solvers_equal_dense(d: int, ratio: float, lam: float, kappa: float | None, seed: int) -> None:
    """CG (n > p, or any n with λ > 0 not too small) and dual (n ≤ p) against the dense normal equations."""
    p = d * (d + 1)
    n = max(2, round(ratio * p))
    f = _features(seed, d, n, kappa)
    dense = RidgeGamma(lam=lam, solver="dense").fit(f).gamma_
    auto = RidgeGamma(lam=lam, tol=1e-12).fit(f)
    assert auto.converged_ and auto.solver_ == ("cg" if n > p else "dual")
    # the dense reference itself carries round-off times cond; 1e-6 relative is far inside that budget
    assert _rel(auto.gamma_, dense) < 1e-6, (auto.info(), _rel(auto.gamma_, dense))
    if n > p or lam >= 1e-3:
        cg = RidgeGamma(lam=lam, solver="cg", tol=1e-12, max_iter=5000).fit(f)
        assert cg.converged_ and _rel(cg.gamma_, dense) < 1e-6, cg.info()


def test_ridgeless_is_the_minimum_norm_interpolator() -> None:
    """λ = 0, n < p: Γ* interpolates the training labels and lies in the row space of H."""
    f = _features(4, 5, 20, 0.4)
    g = RidgeGamma(lam=0).fit(f)
    assert g.solver_ == "dual"
    assert np.allclose(g.predict(f), f.y, atol=1e-9)
    h = f.h()
    coef, *_ = np.linalg.lstsq(h.T, g.gamma_.ravel(), rcond=None)
    assert np.allclose(h.T @ coef, g.gamma_.ravel(), atol=1e-9)


def test_ridge_limits() -> None:
    """Huge λ shrinks Γ* to 0 like b/((n/d)λ); λ → 0 approaches the ridgeless solution."""
    f = _features(5, 4, 100, 1.0)
    big = RidgeGamma(lam=1e9).fit(f)
    b = normal_rhs(f.x_query, f.u, f.y)
    assert np.allclose(big.gamma_ * (f.n / f.d) * 1e9, b, rtol=1e-5)
    g0 = RidgeGamma(lam=0).fit(f).gamma_
    assert _rel(RidgeGamma(lam=1e-10).fit(f).gamma_, g0) < 1e-6


def test_explicit_contexts_fit_too() -> None:
    c = sample_contexts(rng(6, "c"), d=4, ell=10, n=200, rho=0.1)
    model = RidgeGamma(lam=1e-3).fit(context_features(c))
    assert model.gamma_.shape == (4, 5) and model.converged_
    assert model.predict(context_features(c)).shape == (200,)


def test_unconverged_solve_raises_or_flags() -> None:
    f = _features(7, 6, 300, None)
    with pytest.raises(SolverNotConverged, match="residual"):
        RidgeGamma(lam=1e-6, solver="cg", max_iter=2).fit(f)
    flagged = RidgeGamma(lam=1e-6, solver="cg", max_iter=2, on_failure="flag").fit(f)
    assert flagged.converged_ is False and flagged.residual_ > flagged.tol and flagged.n_iter_ == 2


def test_bad_arguments() -> None:
    f = _features(8, 3, 10, None)
    with pytest.raises(ParameterError, match="lam"):
        RidgeGamma(lam=-1)
    with pytest.raises(ParameterError, match="solver"):
        RidgeGamma(lam=1, solver="lu")  # type: ignore[arg-type]
    with pytest.raises(ParameterError, match="dual"):
        RidgeGamma(lam=0, solver="cg").fit(f)  # n = 10 < p = 12: no unique least-squares solution
    g = _features(8, 3, 40, None)
    with pytest.raises(ParameterError, match="singular"):
        RidgeGamma(lam=0, solver="dual").fit(g)


def test_auto_falls_back_to_dense_when_cg_stalls() -> None:
    """Ridgeless, two contexts more than parameters: CG capped at 20 iterations stalls; auto solves directly."""
    f = _features(9, 8, 74, None)
    model = RidgeGamma(lam=0, max_iter=20).fit(f)
    assert model.solver_ == "dense" and model.converged_
    assert _rel(model.gamma_, RidgeGamma(lam=0, solver="dense").fit(f).gamma_) < 1e-10


@settings(max_examples=20, deadline=None)
@given(d=st.integers(3, 10), ratio=st.sampled_from([2.0, 5.0, 10.0]), seed=st.integers(0, 2**32))
def test_mixed_precision_meets_the_float64_residual(d: int, ratio: float, seed: int) -> None:
    """Single-precision CG plus a float64 finish: the float64 residual meets tol, Γ* matches the dense one."""
    f = _features(seed, d, round(ratio * d * (d + 1)), 0.5)
    mixed = RidgeGamma(lam=1e-6, tol=1e-9, precision="mixed").fit(f)
    assert mixed.converged_ and mixed.residual_ <= 1e-9 and mixed.n_iter_float32_ > 0
    assert _rel(mixed.gamma_, RidgeGamma(lam=1e-6, solver="dense").fit(f).gamma_) < 1e-6
