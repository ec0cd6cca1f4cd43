"""RRS sums: the optimal loss, its exponent, the gradient flow on gamma, the compute-optimal shape."""

from __future__ import annotations

import numpy as np
import pytest

from iclverify.numerics.bordelon2025.rrs import compute_optimal_shape, gamma_flow, local_exponents, rrs_loss
from iclverify.runtime.errors import ParameterError


def test_optimum_beats_neighbouring_steps():
    r = rrs_loss(8, nu=2.0, beta=1.0, modes=5000)
    k = np.arange(1, 5001.0)
    p, lam = k**-3.0, k**-2.0
    loss = lambda eta: float(np.dot(p, (1 - eta * lam) ** 16)) + 5000.0**-2 / 2  # noqa: E731
    assert loss(r.eta) == pytest.approx(r.loss, rel=1e-12)
    assert loss(r.eta * 1.05) > r.loss and loss(r.eta * 0.95) > r.loss


def test_depth_exponent_approaches_beta():
    Ls = [256, 512]
    assert local_exponents(Ls, [rrs_loss(L, nu=2.0, beta=0.75).loss for L in Ls])[0] == pytest.approx(0.75, rel=0.03)


def test_gamma_flow_converges_to_the_optimum():
    f = gamma_flow(2, nu=2.0, beta=1.0, modes=2000)
    assert not f["capped"] and f["gap"][-1] < 1e-12 * f["gap"][0]
    assert f["gamma_final"] == pytest.approx(f["gamma_star"], rel=1e-5)


def test_shape_exponent():
    assert compute_optimal_shape(2.0, 1.0)["L_vs_N"] == pytest.approx(2.0, rel=0.1)


def test_bad_spectrum():
    with pytest.raises(ParameterError):
        rrs_loss(2, nu=1.0, beta=1.0)
