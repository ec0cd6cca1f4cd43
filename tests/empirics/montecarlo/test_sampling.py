"""Explicit and exact-law samplers: shapes, task designs, and moments against the analytic law.

The moments of the context summary ``u`` given a task ``w`` (s = ‖w‖²/d + ρ, derived independently):
E u = (w, s);  Cov(u_{1:d}) = (d s/ℓ) I + w wᵀ/ℓ;  E[u_{1:d} u_{d+1}] = (1 + 2/ℓ) s w;  E u_{d+1}² = (1 + 2/ℓ) s².
Both samplers are held to them with z-tests at 5 standard errors (false alarm ~1e-6 per moment).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from iclverify.empirics.montecarlo.exact_law import sample_features, summaries_given_tasks
from iclverify.empirics.montecarlo.features import context_features
from iclverify.empirics.montecarlo.sampling import (
    assign_tasks,
    lu_sizes,
    sample_contexts,
    sample_idg_contexts,
    sample_tasks,
)
from iclverify.runtime.errors import ParameterError
from iclverify.runtime.seeding import rng

Z = 5.0


def _analytic(w: np.ndarray, ell: int, rho: float) -> tuple[np.ndarray, np.ndarray]:
    d = w.size
    s = w @ w / d + rho
    mean = np.append(w, s)
    second = np.empty((d + 1, d + 1))
    second[:d, :d] = (d * s / ell) * np.eye(d) + (1 + 1 / ell) * np.outer(w, w)
    second[:d, d] = second[d, :d] = (1 + 2 / ell) * s * w
    second[d, d] = (1 + 2 / ell) * s * s
    return mean, second


def _check_moments(u: np.ndarray, w: np.ndarray, ell: int, rho: float) -> None:
    mean, second = _analytic(w, ell, rho)
    n = u.shape[0]
    m_hat = u.mean(axis=0)
    se_m = u.std(axis=0, ddof=1) / math.sqrt(n)
    assert np.all(np.abs(m_hat - mean) <= Z * se_m + 1e-12), (m_hat, mean)
    prods = u[:, :, None] * u[:, None, :]
    s_hat = prods.mean(axis=0)
    se_s = prods.std(axis=0, ddof=1) / math.sqrt(n)
    assert np.all(np.abs(s_hat - second) <= Z * se_s + 1e-12), np.abs(s_hat - second) / se_s


def test_shapes_and_designs() -> None:
    w = sample_tasks(rng(0, "t"), k=4, d=6)
    assert np.allclose(np.linalg.norm(w, axis=1), math.sqrt(6))
    c = sample_contexts(rng(0, "c"), d=6, ell=5, n=10, tasks=w, rho=0.2)
    assert c.x.shape == (10, 6, 6) and c.y.shape == (10, 6) and c.w.shape == (10, 6)
    assert np.bincount(c.task_index, minlength=4).tolist() == [3, 3, 2, 2]
    assert np.array_equal(c.w, w[c.task_index])
    r = sample_idg_contexts(rng(0, "i"), tasks=w, ell=5, n=400, rho=0.2)
    counts = np.bincount(r.task_index, minlength=4)
    assert counts.min() > 50  # uniform with replacement over 4 tasks: ~100 each
    fresh = sample_contexts(rng(0, "f"), d=6, ell=5, n=3, rho=0.0)
    assert fresh.task_index is None
    assert np.allclose(fresh.y, np.einsum("nid,nd->ni", fresh.x, fresh.w))  # ρ = 0: noiseless labels
    assert lu_sizes(10, tau=0.5, alpha=2, kappa=0.25) == {"ell": 20, "n": 50, "k": 2}


def test_bad_input_is_refused() -> None:
    with pytest.raises(ParameterError, match="rho"):
        sample_contexts(rng(0), d=3, ell=2, n=2, rho=-1)
    with pytest.raises(ParameterError, match="assignment"):
        assign_tasks(rng(0), n=3, k=2, assignment="sorted")
    with pytest.raises(ParameterError, match="task law"):
        sample_tasks(rng(0), k=2, d=2, law="uniform")
    with pytest.raises(ParameterError, match="shape"):
        sample_contexts(rng(0), d=3, ell=2, n=2, rho=0.1, tasks=np.ones((2, 4)))
    with pytest.raises(ParameterError, match="ell"):
        sample_features(rng(0), d=3, ell=0, n=2, rho=0.1)
    with pytest.raises(ParameterError, match="kappa"):
        lu_sizes(8, tau=1, alpha=1, kappa=0)


def test_gaussian_tasks_have_identity_second_moment() -> None:
    w = sample_tasks(rng(3, "g"), k=200_000, d=3, law="gaussian")
    assert np.allclose(w.T @ w / w.shape[0], np.eye(3), atol=0.02)


@settings(max_examples=12, deadline=None)
@given(
    d=st.integers(2, 4),
    ell=st.integers(1, 9),
    rho=st.sampled_from([0.0, 0.05, 0.7]),
    seed=st.integers(0, 2**32),
)
def test_explicit_sampler_moments(d: int, ell: int, rho: float, seed: int) -> None:
    w = sample_tasks(rng(seed, "w"), k=1, d=d, law="gaussian")
    f = context_features(sample_contexts(rng(seed, "x"), d=d, ell=ell, n=20_000, tasks=w, rho=rho))
    _check_moments(f.u, w[0], ell, rho)


@settings(max_examples=25, deadline=None)
@given(
    d=st.integers(2, 6),
    ell=st.integers(1, 200),
    rho=st.sampled_from([0.0, 0.01, 0.3, 2.0]),
    scale=st.sampled_from([0.0, 0.5, 1.0, 3.0]),
    seed=st.integers(0, 2**32),
)
def test_exact_law_moments(d: int, ell: int, rho: float, scale: float, seed: int) -> None:
    w = scale * sample_tasks(rng(seed, "w"), k=1, d=d, law="gaussian")
    u = summaries_given_tasks(rng(seed, "u"), np.repeat(w, 20_000, axis=0), ell=ell, rho=rho)
    _check_moments(u, w[0], ell, rho)


@given(d=st.integers(2, 12), ell=st.integers(1, 500), seed=st.integers(0, 2**32))
def test_exact_law_noiseless_identity(d: int, ell: int, seed: int) -> None:
    """ρ = 0: Σ y_i (x_i·w) = Σ y_i², so w·u_{1:d} = d·u_{d+1} exactly, for any tokens."""
    w = sample_tasks(rng(seed, "w"), k=5, d=d, law="gaussian")
    u = summaries_given_tasks(rng(seed, "u"), w, ell=ell, rho=0.0)
    lhs, rhs = np.einsum("nd,nd->n", w, u[:, :d]), d * u[:, d]
    assert np.allclose(lhs, rhs, rtol=1e-9, atol=1e-12 * (1 + np.abs(rhs).max()))


def test_exact_law_query_and_labels() -> None:
    """The query is N(0, I/d), independent of u, and its label has variance ‖w‖²/d + ρ."""
    d, rho = 4, 0.3
    f = sample_features(rng(5, "q"), d=d, ell=7, n=100_000, rho=rho, fresh_law="sphere")
    n = f.n
    assert np.allclose(f.x_query.T @ f.x_query / n, np.eye(d) / d, atol=Z * math.sqrt(2 / n) / d)
    cross = f.x_query.T @ f.u / n
    assert np.abs(cross).max() < Z * 0.02
    resid = f.y - np.einsum("nd,nd->n", f.x_query, f.w)
    assert abs(resid.var() - rho) < Z * rho * math.sqrt(2 / n)
