"""The float64 grid path: agreement with the certified mpmath path, broadcasting, branches and bad input."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from iclverify.numerics.lu2024 import certified as nl
from iclverify.numerics.lu2024 import vectorised as nf
from iclverify.numerics.marchenko_pastur import transform_float
from iclverify.runtime.errors import ParameterError
from iclverify.theory.params import LuParams

# away from tau = 1 (the brief: ~1e-10 relative there)
taus = st.one_of(st.floats(0.02, 0.95), st.floats(1.05, 60.0))
alphas = st.floats(-2, 3).map(lambda e: 10.0**e)
kappas = st.one_of(st.floats(-1.5, 2).map(lambda e: 10.0**e), st.just(math.inf))
rhos = st.one_of(st.floats(0.0, 2.0), st.just(0.0))
lams = st.one_of(st.just(0.0), st.floats(-8, 1).map(lambda e: 10.0**e))


@settings(deadline=None)
@given(taus, alphas, kappas, rhos, lams)
def test_float_path_agrees_with_mpmath(tau, alpha, kappa, rho, lam):
    fl = nf.evaluate(tau, alpha, kappa, rho, lam)
    ref = nl.evaluate(LuParams(tau=tau, alpha=alpha, kappa=kappa, rho=rho, lam=lam), dps=20)
    scale = max(abs(float(ref.e_icl)), abs(float(ref.e_idg)))
    for name in ("e_icl", "e_idg"):
        assert float(fl[name]) == pytest.approx(float(getattr(ref, name)), rel=1e-10, abs=0)
    assert abs(float(fl["g_task"]) - float(ref.g_task)) <= 1e-10 * scale


def test_reference_values():
    assert float(nf.e_icl(2, 1, 0.5, 0.01)) == pytest.approx(1.23399254303922, rel=5e-15)
    assert float(nf.e_idg(2, 1, 0.5, 0.01)) == pytest.approx(0.60956140634974, rel=5e-15)
    # the reference implementation's local solver gave 1.127 here
    assert float(nf.e_icl(2, 1, 0.5, 0.01, lam=1e-7)) == pytest.approx(1.23399227126058, rel=1e-13)


def test_broadcasting_and_mixed_branches_match_pointwise():
    tau = np.array([0.5, 2.0, 1.0, 3.0])[:, None]
    kappa = np.array([0.3, np.inf, 2.0])[None, :]
    lam = np.where(tau == 1.0, 1e-3, 0.0) + np.zeros_like(kappa)
    out = nf.evaluate(tau, 1.5, kappa, 0.2, lam)
    assert out["e_icl"].shape == (4, 3)
    for i in range(4):
        for j in range(3):
            single = nf.evaluate(float(tau[i, 0]), 1.5, float(kappa[0, j]), 0.2, float(lam[i, j]))
            for name in out:
                assert out[name][i, j] == single[name]


def test_threshold_without_ridge_is_infinite():
    out = nf.evaluate([0.5, 1.0, 2.0], 1.0, 0.5, 0.1)
    assert np.isinf(out["e_icl"][1]) and np.isinf(out["e_idg"][1]) and np.isnan(out["g_task"][1])
    assert np.all(np.isfinite(out["e_icl"][[0, 2]]))


def test_infinite_kappa_has_no_gap():
    assert np.all(nf.g_task([0.3, 3.0], 2.0, np.inf, 0.1, [0.0, 0.5]) == 0.0)


@pytest.mark.parametrize(
    "args, message",
    [
        ((0.0, 1, 1, 0), "tau"),
        ((2, -1, 1, 0), "alpha"),
        ((2, 1, 0, 0), "kappa"),
        ((2, 1, np.nan, 0), "kappa"),
        ((2, 1, 1, -0.1), "rho"),
        ((2, 1, 1, 0, -1e-3), "lam"),
        ((np.nan, 1, 1, 0), "tau"),
    ],
)
def test_bad_input_names_the_field(args, message):
    with pytest.raises(ParameterError, match=message):
        nf.evaluate(*args)


@settings(deadline=None)
@given(taus, alphas, kappas, rhos, st.floats(-9, 1).map(lambda e: 10.0**e))
def test_ridge_root_solves_the_fixed_point(tau, alpha, kappa, rho, lam):
    eps = float(nf.ridge_root(tau, alpha, kappa, rho, lam))
    x = (1 + rho) / alpha
    f = lambda e: 1 - tau + tau * lam / e - e * float(transform_float(e + x, kappa))  # noqa: E731
    # strictly decreasing f: a sign change across a relative step of 1e-9 pins the root
    assert f(eps * (1 - 1e-9)) > 0 > f(eps * (1 + 1e-9))


def test_bayes_ridge_error_baseline():
    assert float(nf.bayes_ridge_error(2.0, 1.0)) == pytest.approx(math.sqrt(2), rel=1e-15)
    assert float(nf.bayes_ridge_error(5.0, 0.0)) == 0.0
    assert float(nf.bayes_ridge_error(1e9, 0.3)) == pytest.approx(0.3, rel=1e-8)
    grid = nf.bayes_ridge_error(np.logspace(-2, 3, 7)[:, None], np.array([0.01, 0.5]))
    assert grid.shape == (7, 2)
    for a, r in ((0.1, 0.01), (30.0, 0.5)):
        assert float(nf.bayes_ridge_error(a, r)) == pytest.approx(float(nl.bayes_ridge_error(a, r, dps=20)), rel=1e-14)
    with pytest.raises(ParameterError):
        nf.bayes_ridge_error(0.0, 1.0)
