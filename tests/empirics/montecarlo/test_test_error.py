"""The exact finite-d test error e(Γ): plain Monte Carlo agrees within its CI; known closed forms hold."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from iclverify.empirics.montecarlo import test_error as te
from iclverify.empirics.montecarlo.features import context_features, predict
from iclverify.empirics.montecarlo.sampling import sample_contexts, sample_tasks
from iclverify.empirics.training.attention_check import attention_predict, max_reduction_error
from iclverify.runtime.errors import ParameterError
from iclverify.runtime.seeding import rng

Z = 5.0  # z-test at 5 standard errors


def _mc(gamma: np.ndarray, *, ell: int, rho: float, n: int, seed: int, tasks=None, law="sphere") -> tuple[float, float]:
    c = sample_contexts(
        rng(seed, "mc"), d=gamma.shape[0], ell=ell, n=n, rho=rho, tasks=tasks, assignment="random", fresh_law=law
    )
    err = (c.y[:, -1] - predict(gamma, context_features(c))) ** 2
    return float(err.mean()), float(err.std(ddof=1) / math.sqrt(n))


@settings(max_examples=15, deadline=None)
@given(
    d=st.integers(2, 5),
    ell=st.integers(1, 12),
    rho=st.sampled_from([0.0, 0.1, 1.0]),
    law=st.sampled_from(["sphere", "gaussian"]),
    scale=st.sampled_from([0.1, 0.5]),
    seed=st.integers(0, 2**32),
)
def test_icl_functional_equals_plain_monte_carlo(
    d: int, ell: int, rho: float, law: str, scale: float, seed: int
) -> None:
    gamma = scale * rng(seed, "g").standard_normal((d, d + 1))
    mean, se = _mc(gamma, ell=ell, rho=rho, n=40_000, seed=seed, law=law)
    exact = te.e_icl(gamma, ell=ell, rho=rho, law=law)
    assert abs(mean - exact) <= Z * se, (mean, se, exact)


@settings(max_examples=15, deadline=None)
@given(
    d=st.integers(2, 5),
    k=st.integers(1, 6),
    ell=st.integers(1, 12),
    rho=st.sampled_from([0.0, 0.1, 1.0]),
    law=st.sampled_from(["sphere", "gaussian"]),
    seed=st.integers(0, 2**32),
)
def test_idg_functional_equals_plain_monte_carlo(d: int, k: int, ell: int, rho: float, law: str, seed: int) -> None:
    """IDG: tasks uniform on a finite set (not centred, not on the sphere when Gaussian)."""
    tasks = sample_tasks(rng(seed, "t"), k=k, d=d, law=law) + 0.3  # a non-zero mean exercises m_sw
    gamma = 0.3 * rng(seed, "g").standard_normal((d, d + 1))
    mean, se = _mc(gamma, ell=ell, rho=rho, n=40_000, seed=seed, tasks=tasks)
    exact = te.e_idg(gamma, tasks, ell=ell, rho=rho)
    assert abs(mean - exact) <= Z * se, (mean, se, exact)


@given(d=st.integers(2, 30), ell=st.integers(1, 300), rho=st.floats(0, 3))
def test_known_values(d: int, ell: int, rho: float) -> None:
    """Zero predictor: 1 + ρ. One-step estimator ŵ = (d/ℓ)Σ y_i x_i, Γ = [I, 0], sphere tasks:
    E‖w − ŵ‖²/d = (d/ℓ)(1 + ρ) + 1/ℓ (trace of its covariance), so e = ρ + (d/ℓ)(1+ρ) + 1/ℓ."""
    assert te.e_icl(np.zeros((d, d + 1)), ell=ell, rho=rho) == pytest.approx(1 + rho, rel=1e-12)
    one_step = np.hstack([np.eye(d), np.zeros((d, 1))])
    expected = rho + (d / ell) * (1 + rho) + 1 / ell
    assert te.e_icl(one_step, ell=ell, rho=rho) == pytest.approx(expected, rel=1e-10)


def test_idg_of_spherical_tasks_matches_paper_form() -> None:
    """For tasks on the sphere the general functional is the paper's A/B formula with μ̂, R̂."""
    d, ell, rho = 6, 9, 0.2
    tasks = sample_tasks(rng(2, "t"), k=3, d=d)
    gamma = rng(2, "g").standard_normal((d, d + 1))
    mu, r = tasks.mean(axis=0), tasks.T @ tasks / 3
    a = np.vstack([r, (1 + rho) * mu[None, :]])
    b = np.zeros((d + 1, d + 1))
    b[:d, :d] = (d / ell) * np.eye(d) + (1 + 1 / ell) * r / (1 + rho)
    b[:d, d] = b[d, :d] = (1 + 2 / ell) * mu
    b[d, d] = (1 + rho) * (1 + 2 / ell)
    paper = 1 + rho - 2 / d * np.trace(gamma @ a) + (1 + rho) / d * np.trace(gamma.T @ gamma @ b)
    assert te.e_idg(gamma, tasks, ell=ell, rho=rho) == pytest.approx(paper, rel=1e-12)


def test_shape_errors() -> None:
    with pytest.raises(ParameterError, match="shape"):
        te.e_icl(np.zeros((3, 3)), ell=2, rho=0.1)
    with pytest.raises(ParameterError, match="law"):
        te.icl_moments(3, 0.1, "cauchy")  # type: ignore[arg-type]


@settings(deadline=None)
@given(d=st.integers(1, 9), ell=st.integers(1, 20), seed=st.integers(0, 2**32))
def test_attention_forward_pass_reduces_to_gamma_inner_product(d: int, ell: int, seed: int) -> None:
    gamma = rng(seed, "g").standard_normal((d, d + 1))
    assert max_reduction_error(gamma, seed=seed, ell=ell, n=4) < 1e-12


def test_attention_reduction_is_not_vacuous() -> None:
    """A different Γ gives a different read-out (the check can fail)."""
    c = sample_contexts(rng(1, "c"), d=3, ell=5, n=4, rho=0.1)
    g = rng(1, "g").standard_normal((3, 4))
    g2 = g.copy()
    g2[0, 3] += 1.0
    assert not np.allclose(attention_predict(g, c), predict(g2, context_features(c)))
