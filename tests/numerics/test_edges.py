"""Numbers at the edges: the theory path stays finite and certified near τ = 1 ± 1e-30, κ → 0⁺, α → 0⁺,
α = 1e12, ρ = 0, λ = 1e-300 and dps up to 1000 — or refuses with a clear message where the math is undefined."""

from __future__ import annotations

import math
import warnings
from fractions import Fraction

import mpmath
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from iclverify.numerics.lu2024 import vectorised
from iclverify.numerics.lu2024.certified import evaluate
from iclverify.runtime.errors import ParameterError
from iclverify.theory.params import LuParams

TINY = Fraction(1, 10**30)
TAUS = st.sampled_from([1 + TINY, 1 - TINY, Fraction(1, 2), Fraction(2), 1 + Fraction(1, 10**6), Fraction(10**12)])
ALPHAS = st.sampled_from([TINY, Fraction(1, 10**8), Fraction(1), Fraction(10**12)])
KAPPAS = st.sampled_from([TINY, Fraction(1, 10**8), Fraction(1, 2), Fraction(4), math.inf])
RHOS = st.sampled_from([Fraction(0), Fraction(1, 100), Fraction(10**6)])
LAMS = st.sampled_from([Fraction(0), Fraction(1, 10**300), Fraction(1, 10**8), Fraction(1, 10), Fraction(10**12)])
EDGE = st.builds(LuParams, tau=TAUS, alpha=ALPHAS, kappa=KAPPAS, rho=RHOS, lam=LAMS)


def _finite(prediction) -> bool:
    return all(mpmath.isfinite(getattr(prediction, n)) for n in ("e_icl", "e_idg", "g_task"))


@settings(max_examples=30, deadline=None)
@given(EDGE, st.sampled_from([5, 15, 40]))
def test_certified_path_is_finite_and_certified_at_the_edges(params, dps):
    p = evaluate(params, dps=dps)
    assert p.certified and _finite(p), params
    assert p.e_icl > 0 and p.e_idg >= 0, params  # mean squared errors
    lo, hi = p.enclosures["e_icl"]
    assert lo <= p.e_icl <= hi


FLOAT_EDGE = st.builds(
    LuParams,
    tau=TAUS,
    alpha=st.sampled_from([TINY, Fraction(1, 10**6), Fraction(1), Fraction(10**12)]),
    kappa=KAPPAS,
    rho=RHOS,
    lam=st.sampled_from([Fraction(0), Fraction(1, 10**300), Fraction(1, 10**8), Fraction(1, 10)]),
)


@settings(max_examples=30, deadline=None)
@given(FLOAT_EDGE)
def test_float_path_agrees_or_refuses_at_the_edges(params):
    f = params.as_floats()
    args = (f["tau"], f["alpha"], f["kappa"], f["rho"], f["lam"])
    lam_outside = f["lam"] > 0 and not vectorised.LAM_RANGE[0] <= f["lam"] <= vectorised.LAM_RANGE[1]
    if f["alpha"] < vectorised.MIN_ALPHA or lam_outside:
        with pytest.raises(ParameterError, match="float64 path's accuracy"):
            vectorised.evaluate(*args)
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # lambdified intermediates may overflow and be discarded
        v = vectorised.evaluate(*args)
    if f["tau"] == 1:  # 1 ± 1e-30 rounds onto the threshold in float64: another point than the exact one
        if f["lam"] == 0:
            assert np.isinf(v["e_icl"]) and np.isinf(v["e_idg"])  # documented: the ridgeless error diverges
        return
    c = evaluate(params, dps=20)
    for name in ("e_icl", "e_idg"):
        exact = float(getattr(c, name))
        assert np.isfinite(v[name]), (params, name)
        assert abs(float(v[name]) - exact) <= 1e-5 * max(1.0, abs(exact)), (params, name, float(v[name]), exact)


@pytest.mark.parametrize(("tau", "lam"), [(1.0, 1e-300), (2.0, 1e12)])
def test_float_ridge_path_refuses_extreme_ridge(tau, lam):
    """Where float64 cancels (it gave -inf and an e_idg off by 1e-4 here) the float path refuses, never guesses."""
    with pytest.raises(ParameterError, match="float64 path's accuracy"):
        vectorised.evaluate(tau, 1.0, 0.5, 0.01, lam)


@pytest.mark.parametrize("lam", [vectorised.LAM_RANGE[0], 1e-7, 1e6, vectorised.LAM_RANGE[1]])
def test_float_ridge_path_is_accurate_inside_its_range(lam):
    exact = evaluate(LuParams(tau=2, alpha=1, kappa="0.5", rho="0.01", lam=Fraction(lam)), dps=20)
    v = vectorised.evaluate(2.0, 1.0, 0.5, 0.01, lam)
    for name in ("e_icl", "e_idg"):
        reference = float(getattr(exact, name))
        assert abs(float(v[name]) - reference) <= 1e-5 * max(1.0, abs(reference)), (lam, name)


def test_threshold_neighbourhood_diverges_like_one_over_distance():
    near = evaluate(LuParams(tau=1 + TINY, alpha=1, kappa="0.5", rho="0.01"), dps=20)
    nearer = evaluate(LuParams(tau=1 + TINY / 10, alpha=1, kappa="0.5", rho="0.01"), dps=20)
    assert near.certified and nearer.certified
    assert abs(nearer.e_icl / near.e_icl - 10) < 1e-20  # C/|τ−1|: ten times closer, ten times larger


@pytest.mark.parametrize("lam", ["0", "0.1"])
def test_a_thousand_digits(lam):
    p = evaluate(LuParams(tau=2, alpha=1, kappa="0.5", rho="0.01", lam=lam), dps=1000)
    q = evaluate(LuParams(tau=2, alpha=1, kappa="0.5", rho="0.01", lam=lam), dps=30)
    assert p.certified and len(p.decimal("e_icl").replace(".", "").lstrip("0")) >= 1000
    assert p.decimal("e_icl")[:30] == q.decimal("e_icl")[:30]  # the same number, more digits


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"tau": 1}, "interpolation threshold"),
        ({"kappa": 0}, "kappa"),
        ({"alpha": 0}, "alpha"),
        ({"tau": 0}, "tau"),
        ({"rho": "-1e-30"}, "rho"),
        ({"lam": "-1e-300"}, "lam"),
        ({"tau": "nan"}, "tau"),
        ({"alpha": "inf"}, "alpha"),
    ],
)
def test_undefined_points_are_refused_with_a_clear_message(fields, message):
    base = {"tau": 2, "alpha": 1, "kappa": "0.5", "rho": "0.01"}
    with pytest.raises(ParameterError, match=message):
        LuParams(**{**base, **fields})


@pytest.mark.parametrize("dps", [0, -1, 10**6, 2.5, "30", True])
def test_bad_precision_is_refused(dps):
    with pytest.raises((ParameterError, TypeError)):
        evaluate(LuParams(tau=2, alpha=1, kappa="0.5", rho="0.01"), dps=dps)
