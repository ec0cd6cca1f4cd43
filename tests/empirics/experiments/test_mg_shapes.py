r"""Shapes of the depth-versus-width experiments, the transition's normalisation and critical scale, and the
per-layer GD steps of linear self-attention (by parametrisation, and the best constant step)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from iclverify.empirics.experiments.shape_grids import (
    TAB3_RATIO,
    aspect_family,
    fixed_parameters,
    fixed_product,
    tab3_shapes,
)
from iclverify.empirics.experiments.transition import normalised, predicted_N_c
from iclverify.runtime.errors import ParameterError

# ---------------------------------------------------------------------------------------------------
# shape grids


@settings(deadline=None)
@given(st.integers(1, 5000), st.sets(st.integers(1, 80), min_size=1, max_size=8), st.integers(1, 8))
def test_fixed_product_shapes_have_product_N(N, depths, min_width):
    usable = sorted(L for L in depths if N % L == 0 and min_width <= N // L)
    if not usable:
        with pytest.raises(ParameterError, match="no depth"):
            fixed_product(N, depths=sorted(depths), min_width=min_width)
        return
    shapes = fixed_product(N, depths=sorted(depths), min_width=min_width)
    assert all(L * D == N and min_width <= D and L in depths for L, D in shapes)
    assert [L for L, _ in shapes] == usable  # every usable depth, in order, none twice


@settings(deadline=None)
@given(st.integers(4, 40), st.integers(1, 4), st.integers(1, 4))
def test_fixed_parameters_shapes_have_equal_L_D_squared(base, count, min_width):
    width = base * 2 ** (count - 1)  # halvable count - 1 times, ending at base >= min_width
    shapes = fixed_parameters(width, count=count, min_width=min_width)
    assert len(shapes) == count
    assert {L * D * D for L, D in shapes} == {width * width}
    assert [L for L, _ in shapes] == [4**j for j in range(count)]


def test_fixed_parameters_refuses_widths_it_cannot_halve():
    with pytest.raises(ParameterError, match="cannot be halved"):
        fixed_parameters(12, count=3)  # 12 -> 6 -> 3
    with pytest.raises(ParameterError, match="cannot be halved"):
        fixed_parameters(16, count=3, min_width=8)  # 16 -> 8 -> 4 < 8


@settings(deadline=None)
@given(st.integers(1, 64), st.integers(1, 4096))
def test_tab3_pair_has_equal_budget_and_ratios_16(L0, D0):
    s = tab3_shapes(L0, D0)
    (Ld, Dd), (Lw, Dw) = s["deep"], s["wide"]
    assert Ld * Dd == Lw * Dw == 16 * L0 * D0
    assert Ld / Lw == TAB3_RATIO == 16 and Dw / Dd == 16
    # the summary's own pair has the same ratios
    assert TAB3_RATIO == 64 / 4 and TAB3_RATIO == 500000 / 31250 and 64 * 31250 == 4 * 500000


@settings(deadline=None)
@given(st.lists(st.integers(1, 100), min_size=1, max_size=6), st.integers(1, 10))
def test_aspect_family(depths, ratio):
    assert aspect_family(depths, ratio=ratio) == [(L, ratio * L) for L in depths]


@pytest.mark.parametrize(
    "call",
    [
        lambda: fixed_product(0, depths=(1,)),
        lambda: fixed_product(16, depths=(0, 1)),
        lambda: fixed_product(16.0, depths=(1,)),
        lambda: fixed_product(True, depths=(1,)),
        lambda: fixed_parameters(16, count=0),
        lambda: aspect_family((1, 2), ratio=0),
        lambda: aspect_family((1, -2), ratio=2),
        lambda: tab3_shapes(0, 4),
        lambda: tab3_shapes(1, 2.5),
    ],
)
def test_shape_grids_refuse_non_positive_integers(call):
    with pytest.raises(ParameterError, match="positive integer"):
        call()


# ---------------------------------------------------------------------------------------------------
# the transition's scores and scale


@settings(deadline=None)
@given(st.floats(-10, 10), st.floats(-10, 10), st.floats(-3, 3))
def test_normalised_is_zero_at_zero_predictor_and_one_at_bayes(zero, bayes, t):
    assume(abs(bayes - zero) > 1e-3)
    assert normalised(zero, zero=zero, bayes=bayes) == 0
    assert normalised(bayes, zero=zero, bayes=bayes) == pytest.approx(1.0, rel=1e-12)
    assert normalised(zero + t * (bayes - zero), zero=zero, bayes=bayes) == pytest.approx(t, abs=1e-9)


@pytest.mark.parametrize("k, h", [(1, 1), (2, 1), (4, 1), (8, 1), (2, 2), (3, 3), (20, 1)])
def test_predicted_N_c_is_the_summary_scale(k, h):
    from iclverify.theory.mehta_gupta2025.formulas import critical_scale

    n = predicted_N_c(k, h)
    assert isinstance(n, int) and n == int(critical_scale(k, h)) == (k * h) ** (2 * (h + 1))
    # N_c ∝ k^{2(h+1)}: doubling k multiplies it by 2^{2(h+1)}
    assert predicted_N_c(2 * k, h) == 2 ** (2 * (h + 1)) * n


# ---------------------------------------------------------------------------------------------------
# per-layer steps


def test_parametrisation_step_is_one_over_root_L_width(one_torch_thread):
    from iclverify.empirics.experiments.eta_measurement import parametrisation_steps

    Ls, ds = [1, 2, 3, 8], [1, 2, 5, 9]
    rows = parametrisation_steps(Ls, ds, seed=3, contexts=16)
    assert [(r["L"], r["d"]) for r in rows] == [(L, d) for L in Ls for d in ds]
    for r in rows:
        exact = 1 / math.sqrt(r["L"] * (r["d"] + 1))
        assert r["width"] == r["d"] + 1
        assert r["eta"] == pytest.approx(exact, rel=1e-10) and r["predicted"] == pytest.approx(exact, rel=1e-15)


def _gd_error_closed_form(L: int, d: int, alpha: int, rho: float, contexts: int, seed: int):
    """The error of L GD steps of size η from w = 0 as a function of η, written independently of the code under
    test: with S = XᵀX/n = Q diag(λ) Qᵀ and b = Xᵀy/n, w_L = Q diag((1 - (1 - ηλ)^L)/λ) Qᵀ b. The contexts
    are the ones :func:`gd_optimal_step` draws (same named stream)."""
    from iclverify.empirics.training.tasks import Task
    from iclverify.runtime.seeding import torch_generator

    batch = Task(name="linear", d=d, ell=alpha * d, rho=rho).sample(
        torch_generator(seed, "mg-gd-optimal", L, d), contexts
    )
    X, y, xq, t = (v.numpy() for v in (batch.x[:, :-1], batch.y, batch.x[:, -1], batch.target))
    n = X.shape[1]
    lam, Q = np.linalg.eigh(np.einsum("nid,nie->nde", X, X) / n)
    bq = np.einsum("nde,nd->ne", Q, np.einsum("nid,ni->nd", X, y) / n)  # Qᵀ b
    xqq = np.einsum("nde,nd->ne", Q, xq)  # Qᵀ x_q

    def error(eta: float) -> float:
        gain = (1 - (1 - eta * lam) ** L) / lam
        return float(np.mean((np.einsum("ne,ne->n", gain * bq, xqq) - t) ** 2))

    return error, np.mean(t**2), (bq, xqq, t)


@pytest.mark.parametrize("L, d", [(1, 4), (2, 3), (4, 2)])
def test_gd_optimal_step_is_the_minimiser(L, d, one_torch_thread):
    from iclverify.empirics.experiments.eta_measurement import gd_optimal_step

    r = gd_optimal_step(L, d, contexts=300, seed=1)
    error, zero_error, (bq, xqq, t) = _gd_error_closed_form(L, d, 2, 0.01, 300, 1)
    assert r["L"] == L and r["d"] == d and 0 < r["eta"] < 2
    assert r["error"] == pytest.approx(error(r["eta"]), rel=1e-10)  # the reported error is that step's error
    assert error(0.0) == pytest.approx(zero_error, rel=1e-12) and r["error"] < zero_error
    alternatives = np.linspace(0.0, 2.0, 401)
    assert r["error"] <= min(error(e) for e in alternatives) + 1e-12
    if L == 1:  # one step: the prediction is η·(bᵀx_q), so the best η is a 1-d least-squares solution
        u = np.einsum("ne,ne->n", bq, xqq)
        assert r["eta"] == pytest.approx(float(u @ t / (u @ u)), abs=1e-5)
