"""Exact GD construction (MG-T2): L linear self-attention layers = L gradient-descent steps, to round-off."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from iclverify.empirics.training import gd_construction as gdc
from iclverify.runtime.errors import ParameterError
from iclverify.runtime.seeding import rng
from iclverify.theory.mehta_gupta2025.formulas import eta_eff_float


def _data(seed, batch, n, d_x):
    g = rng(seed, "test-gd")
    X = g.standard_normal((batch, n, d_x)) / math.sqrt(d_x)
    y = X @ g.standard_normal(d_x) + 0.1 * g.standard_normal((batch, n))
    return X, y, g.standard_normal((batch, d_x)) / math.sqrt(d_x)


@settings(max_examples=25, deadline=None)
@given(
    d_x=st.integers(1, 12),
    n=st.integers(1, 40),
    L=st.integers(1, 10),
    seed=st.integers(0, 10**6),
    gamma=st.floats(0.1, 10),
)
def test_forward_pass_equals_gd(d_x, n, L, seed, gamma):
    X, y, xq = _data(seed, 4, n, d_x)
    etas = list(rng(seed, "etas").uniform(0.01, 1.0, size=L))
    sig, res = 1 / math.sqrt(d_x + 1), 1 / math.sqrt(L)
    layers = gdc.gd_layers(d_x=d_x, etas=etas, attn_scale=sig, residual_scale=res, gamma=gamma)
    lsa = gdc.lsa_predict(X, y, xq, layers, attn_scale=sig, residual_scale=res)
    gd = gdc.gd_predict(X, y, xq, etas)
    assert np.max(np.abs(lsa - gd)) <= 1e-12 * max(1.0, np.max(np.abs(gd)))


def test_context_slots_hold_the_residuals():
    X, y, xq = _data(1, 2, 15, 3)
    etas = [0.3, 0.2, 0.4]
    layers = gdc.gd_layers(d_x=3, etas=etas, attn_scale=1.0, residual_scale=1.0)
    Z = gdc.lsa_forward(gdc.tokens(X, y, xq), layers, attn_scale=1.0, residual_scale=1.0)
    _, w = gdc.gd_predict(X, y, xq, etas, return_weights=True)
    assert np.allclose(Z[:, -1, :-1], y - np.einsum("bnd,bd->bn", X, w), atol=1e-13)
    assert np.array_equal(Z[:, :-1, :], gdc.tokens(X, y, xq)[:, :-1, :])  # the x rows are untouched


def test_unit_weights_give_one_over_sqrt_L_d():
    for L in (1, 4, 16):
        for width in (4, 32):
            layer = gdc.LSALayer(
                W_K=np.diag([1.0] * (width - 1) + [0.0]),
                W_Q=np.diag([1.0] * (width - 1) + [0.0]),
                W_V=np.diag([0.0] * (width - 1) + [-1.0]),
            )
            r = gdc.implied_step(layer, d_x=width - 1, attn_scale=1 / math.sqrt(width), residual_scale=1 / math.sqrt(L))
            assert r.eta == pytest.approx(1 / math.sqrt(L * width), rel=1e-14) == eta_eff_float(L, width)
            X, y, xq = _data(L * width, 8, 2 * width, width - 1)
            Z = gdc.tokens(X, y, xq)
            after = gdc.lsa_forward(Z, [layer], attn_scale=1 / math.sqrt(width), residual_scale=1 / math.sqrt(L))
            assert gdc.fitted_step(Z, after) == pytest.approx(r.eta, rel=1e-12)


def test_readout_is_invariant_to_key_query_reparametrisation():
    """Only P = W_K^T W_Q matters: W_K -> M W_K, W_Q -> M^-T W_Q changes nothing."""
    layer = gdc.gd_layers(d_x=4, etas=[0.2], attn_scale=0.5, residual_scale=0.5)[0]
    M = rng(3, "M").standard_normal((5, 5)) + 3 * np.eye(5)
    moved = gdc.LSALayer(W_K=M @ layer.W_K, W_Q=np.linalg.inv(M).T @ layer.W_Q, W_V=layer.W_V)
    a = gdc.implied_step(layer, d_x=4, attn_scale=0.5, residual_scale=0.5)
    b = gdc.implied_step(moved, d_x=4, attn_scale=0.5, residual_scale=0.5)
    assert b.eta == pytest.approx(a.eta, rel=1e-12) and b.distance == pytest.approx(0.0, abs=1e-12)


def test_distance_and_anisotropy_detect_non_gd_weights():
    layer = gdc.gd_layers(d_x=3, etas=[0.1], attn_scale=1.0, residual_scale=1.0)[0]
    noisy = gdc.LSALayer(W_K=layer.W_K, W_Q=layer.W_Q, W_V=layer.W_V + 0.5 * np.eye(4))
    pre = gdc.LSALayer(W_K=np.diag([1.0, 2.0, 3.0, 0.0]), W_Q=layer.W_Q, W_V=layer.W_V)
    r_noisy = gdc.implied_step(noisy, d_x=3, attn_scale=1.0, residual_scale=1.0)
    r_pre = gdc.implied_step(pre, d_x=3, attn_scale=1.0, residual_scale=1.0)
    assert 0.3 < r_noisy.distance < 1 and r_pre.anisotropy > 0.3
    assert r_pre.eta == pytest.approx(0.1 * 2.0, rel=1e-12)  # trace of diag(1,2,3)/3 = 2


def test_accepts_torch_weights():
    torch = pytest.importorskip("torch")
    layer = gdc.gd_layers(d_x=2, etas=[0.7], attn_scale=1.0, residual_scale=1.0)[0]
    r = gdc.implied_step(
        W_K=torch.tensor(layer.W_K, dtype=torch.float32),
        W_Q=torch.tensor(layer.W_Q),
        W_V=torch.tensor(layer.W_V),
        d_x=2,
        attn_scale=1.0,
        residual_scale=1.0,
    )
    assert r.eta == pytest.approx(0.7, rel=1e-6)


@pytest.mark.parametrize(
    "call",
    [
        lambda: gdc.gd_layers(d_x=0, etas=[0.1], attn_scale=1, residual_scale=1),
        lambda: gdc.gd_layers(d_x=2, etas=[0.1], attn_scale=0, residual_scale=1),
        lambda: gdc.LSALayer(W_K=np.eye(3), W_Q=np.eye(2), W_V=np.eye(3)),
        lambda: gdc.implied_step(
            gdc.gd_layers(d_x=2, etas=[0.1], attn_scale=1, residual_scale=1)[0], d_x=3, attn_scale=1, residual_scale=1
        ),
        lambda: gdc.lsa_forward(np.zeros((3, 1)), [], attn_scale=1, residual_scale=1),
    ],
)
def test_bad_input(call):
    with pytest.raises(ParameterError):
        call()
