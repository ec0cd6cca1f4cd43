"""Baselines: dMMSE (stable, equal to a brute-force posterior), Bayes ridge and least squares against
finite-d identities, and the Wishart sufficient-statistics sampler against explicit tokens."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from iclverify.empirics.montecarlo import baselines as bl
from iclverify.empirics.montecarlo.sampling import sample_tasks
from iclverify.numerics.stats.intervals import mean_ci
from iclverify.runtime.errors import ParameterError
from iclverify.runtime.seeding import rng

Z = 5.0


def _tokens(seed: int, w: np.ndarray, ell: int, rho: float) -> tuple[np.ndarray, np.ndarray]:
    n, d = w.shape
    g = rng(seed, "tok")
    x = g.standard_normal((n, ell, d)) / math.sqrt(d)
    y = np.einsum("nid,nd->ni", x, w) + math.sqrt(rho) * g.standard_normal((n, ell))
    return x, y


@settings(deadline=None)
@given(
    d=st.integers(1, 5),
    k=st.integers(1, 8),
    ell=st.integers(1, 10),
    rho=st.sampled_from([0.05, 0.5, 3.0]),
    seed=st.integers(0, 2**32),
)
def test_dmmse_equals_brute_force_posterior(d: int, k: int, ell: int, rho: float, seed: int) -> None:
    tasks = sample_tasks(rng(seed, "t"), k=k, d=d)
    w = tasks[rng(seed, "i").integers(0, k, size=6)]
    x, y = _tokens(seed, w, ell, rho)
    resid = ((y[:, None, :] - np.einsum("nid,kd->nki", x, tasks)) ** 2).sum(axis=2)  # ‖y − X w_j‖²
    logp = -resid / (2 * rho)
    post = np.exp(logp - logp.max(axis=1, keepdims=True))
    post /= post.sum(axis=1, keepdims=True)
    brute = post @ tasks
    assert np.allclose(bl.dmmse_estimate(*bl.stats_from_tokens(x, y), tasks, rho=rho), brute, rtol=1e-8, atol=1e-10)


def test_dmmse_is_stable_at_tiny_noise() -> None:
    """Log-likelihoods of order 1e8 would overflow a naive softmax; the estimate must pick the true task."""
    tasks = sample_tasks(rng(1, "t"), k=50, d=8)
    w = tasks[[3, 17]]
    x, y = _tokens(1, w, 40, 1e-8)
    est = bl.dmmse_estimate(*bl.stats_from_tokens(x, y), tasks, rho=1e-8)
    assert np.isfinite(est).all() and np.allclose(est, w, atol=1e-6)
    exact = bl.dmmse_estimate(*bl.stats_from_tokens(x, np.einsum("nid,nd->ni", x, w)), tasks, rho=0.0)
    assert np.allclose(exact, w)


def test_dmmse_known_values() -> None:
    """k = 1: the posterior is the one task, so IDG error = ρ and ICL error = E‖w − w₁‖²/d + ρ = 2 + ρ (sphere)."""
    icl, idg = bl.dmmse_run_errors(rng(2, "k1"), d=6, ell=12, k=1, rho=0.1, runs=20_000)
    assert np.allclose(idg, 0.1)
    ci = mean_ci(icl)
    assert abs(ci.mean - 2.1) <= Z * ci.se


@settings(max_examples=10, deadline=None)
@given(d=st.integers(1, 4), ell=st.integers(4, 9), rho=st.sampled_from([0.0, 0.2]), seed=st.integers(0, 2**32))
def test_wishart_statistics_match_tokens(d: int, ell: int, rho: float, seed: int) -> None:
    """E G = (ℓ/d) I, Var G_ij = ℓ(1 + δ_ij)/d², E b = (ℓ/d) w, Cov b = ρ(ℓ/d) I + (ℓ/d²)(‖w‖² I + w wᵀ)."""
    n = 20_000
    w = np.repeat(sample_tasks(rng(seed, "t"), k=1, d=d, law="gaussian"), n, axis=0)
    g, b = bl.sample_stats(rng(seed, "s"), w, ell=ell, rho=rho)
    w0 = w[0]
    eye = np.eye(d)
    checks = [
        (g, (ell / d) * eye),
        ((g - (ell / d) * eye) ** 2, ell * (1 + eye) / d**2),
        (b, (ell / d) * w0),
        (
            (b - (ell / d) * w0)[:, :, None] * (b - (ell / d) * w0)[:, None, :],
            rho * (ell / d) * eye + (ell / d**2) * (w0 @ w0 * eye + np.outer(w0, w0)),
        ),
    ]
    for samples, expected in checks:
        m, se = samples.mean(axis=0), samples.std(axis=0, ddof=1) / math.sqrt(n)
        assert np.all(np.abs(m - expected) <= Z * se + 1e-12)


def test_wishart_path_and_token_path_give_the_same_dmmse_errors() -> None:
    d, ell, k, rho, n = 5, 9, 6, 0.05, 6000
    tasks = sample_tasks(rng(3, "t"), k=k, d=d)
    w = tasks[rng(3, "i").integers(0, k, size=n)]
    x, y = _tokens(3, w, ell, rho)
    e_tok = bl.estimator_error(bl.dmmse_estimate(*bl.stats_from_tokens(x, y), tasks, rho=rho), w, rho=rho)
    e_wis = bl.estimator_error(
        bl.dmmse_estimate(*bl.sample_stats(rng(4, "s"), w, ell=ell, rho=rho), tasks, rho=rho), w, rho=rho
    )
    a, b = mean_ci(e_tok), mean_ci(e_wis)
    assert abs(a.mean - b.mean) <= Z * math.hypot(a.se, b.se)


@pytest.mark.parametrize(("d", "alpha", "rho"), [(10, 1, 0.1), (20, 2, 0.5), (8, 0.5, 0.2)])
def test_bayes_ridge_error_is_the_mean_posterior_variance(d: int, alpha: float, rho: float) -> None:
    """For w ~ N(0, I) the Bayes error equals ρ + ρ E tr (G + ρI)⁻¹ / d at every d."""
    ell, n = round(alpha * d), 8000
    gen = rng(5, d)
    errors = bl.linear_baseline_errors(gen, d=d, ell=ell, rho=rho, n=n, estimator="ridge")
    w = sample_tasks(rng(6, d), k=n, d=d, law="gaussian")
    g, _ = bl.sample_stats(rng(7, d), w, ell=ell, rho=rho)
    post_var = rho + rho * np.trace(np.linalg.inv(g + rho * np.eye(d)), axis1=1, axis2=2) / d
    a, b = mean_ci(errors), mean_ci(post_var)
    assert abs(a.mean - b.mean) <= Z * math.hypot(a.se, b.se)


@pytest.mark.parametrize(("d", "ell", "rho"), [(5, 12, 0.3), (10, 30, 0.1)])
def test_least_squares_known_value(d: int, ell: int, rho: float) -> None:
    """ℓ > d + 1: E (XᵀX)⁻¹ = d I/(ℓ − d − 1), so e = ρ + ρ d/(ℓ − d − 1)."""
    errors = bl.linear_baseline_errors(rng(8, d), d=d, ell=ell, rho=rho, n=15_000, estimator="least-squares")
    ci = mean_ci(errors)
    assert abs(ci.mean - (rho + rho * d / (ell - d - 1))) <= Z * ci.se


def test_bad_baseline_arguments() -> None:
    with pytest.raises(ParameterError, match="estimator"):
        bl.linear_baseline_errors(rng(0), d=3, ell=3, rho=0.1, n=2, estimator="lasso")
    with pytest.raises(ParameterError, match="rho > 0"):
        bl.ridge_estimate(np.eye(2)[None], np.ones((1, 2)), rho=0.0)
