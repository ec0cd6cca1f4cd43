"""Finite-D Monte Carlo of the reduced-Γ model: the w-average, the schedules, the RRS residuals."""

from __future__ import annotations

import numpy as np
import pytest

from iclverify.empirics.montecarlo.bordelon2025 import (
    iso_context_losses,
    iso_eigenvalues,
    optimal_schedules,
    rrs_context_losses,
)
from iclverify.runtime.errors import ParameterError
from iclverify.runtime.seeding import rng


def test_rao_blackwellised_loss_equals_explicit_gd():
    """The eigenvalue formula against L explicit GD steps on one context with sampled tasks and queries."""
    d, alpha, L = 6, 2.0, 3
    r = iso_context_losses(d=d, alpha=alpha, Ls=(L,), contexts=1, seed=5)
    g = rng(5, "bordelon2025-iso", d, 12)
    X = g.standard_normal((1, 12, d))[0]
    eta = r["eta"]
    W = rng(1, "test").standard_normal((20000, d)) / np.sqrt(d)
    V = np.zeros_like(W)
    for _ in range(L):
        V = V + eta * ((W - V) @ X.T @ X) / 12
    assert np.mean(np.sum((W - V) ** 2, axis=1)) == pytest.approx(r["loss"][0, 0], rel=0.03)


def test_per_layer_schedule_is_never_worse_and_l1_equal():
    eigs, P = iso_eigenvalues(d=8, alpha=2.0, contexts=300, seed=0)
    assert P == 16
    one = optimal_schedules(eigs, 1)
    assert one["per_layer"] == one["shared"]
    two = optimal_schedules(eigs, 2)
    assert two["per_layer"] <= two["shared"] < one["shared"]


def test_rrs_min_norm_average_equals_sampled_tasks():
    """The exact task average of the min-norm residual against 20 000 sampled tasks on the same context."""
    d, P, nu, beta = 32, 6, 2.0, 1.0
    exact = rrs_context_losses(d=d, P=P, nu=nu, beta=beta, contexts=1, seed=3)[0]
    k = np.arange(1, d + 1.0)
    lam, scale = k**-nu, k ** ((nu - 1 - nu * beta) / 2)
    X = rng(3, "bordelon2025-rrs", d, P).standard_normal((P, d)) * np.sqrt(lam)
    proj = X.T @ np.linalg.solve(X @ X.T, X)
    W = rng(9, "test").standard_normal((20000, d)) * scale
    R = W - W @ proj.T
    assert np.mean(np.einsum("nd,d,nd->n", R, lam, R)) == pytest.approx(exact, rel=0.03)
    many = rrs_context_losses(d=d, P=P, nu=nu, beta=beta, contexts=1, seed=3, L=4000, eta=0.9)
    assert 0 < many[0] < 10 * exact  # one sampled task: same order as the average


def test_bad_input():
    with pytest.raises(ParameterError):
        iso_context_losses(d=0, alpha=1.0, Ls=(1,), contexts=1, seed=0)
    with pytest.raises(ParameterError):
        rrs_context_losses(d=8, P=16, nu=2.0, beta=1.0, contexts=1, seed=0)
