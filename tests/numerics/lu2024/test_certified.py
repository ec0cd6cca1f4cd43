"""The certified mpmath path: reference values, certified digits, the ridge root, tau = 1, kappa = inf, lam -> 0."""

from __future__ import annotations

from fractions import Fraction

import mpmath
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from mpmath import mp

from iclverify.numerics.lu2024 import certified as nl
from iclverify.numerics.marchenko_pastur import transform
from iclverify.runtime.errors import ParameterError
from iclverify.theory.params import LuParams

REF = dict(tau=2, alpha=1, kappa="0.5", rho="0.01")
# From the brief's independent implementation (15 and 14 significant digits given).
E_ICL_REF, E_IDG_REF = "1.23399254303922", "0.60956140634974"


def test_reference_values_to_the_given_digits():
    pred = nl.evaluate(LuParams(**REF), dps=30)
    assert mpmath.nstr(pred.e_icl, 15) == E_ICL_REF
    assert mpmath.nstr(pred.e_idg, 14) == E_IDG_REF
    assert pred.root is None and not pred.e_idg_conjectured and pred.certified


def test_decimal_strings_carry_the_requested_digits():
    for dps in (5, 30, 80):
        text = nl.evaluate(LuParams(**REF), dps=dps).decimal("e_icl")
        assert len(text.replace(".", "").lstrip("0")) == dps


def test_digits_are_stable_under_more_precision():
    low = nl.evaluate(LuParams(**REF, lam="1e-7"), dps=40)
    high = nl.evaluate(LuParams(**REF, lam="1e-7"), dps=90)
    for name in ("e_icl", "e_idg", "g_task"):
        assert high.decimal(name).startswith(low.decimal(name)[:-1])  # last digit may round up
        lo, hi = high.enclosures[name]
        assert lo <= high.__getattribute__(name) <= hi


params = st.builds(
    dict,
    tau=st.one_of(st.decimals("0.05", "0.95", places=3), st.decimals("1.05", "30", places=3)),
    alpha=st.decimals("0.01", "500", places=3),
    kappa=st.one_of(st.decimals("0.05", "50", places=3), st.just("inf")),
    rho=st.decimals("0", "2", places=3),
    lam=st.one_of(st.just("0"), st.decimals("1e-8", "10", places=8).filter(lambda v: v > 0)),
)


@settings(deadline=None)
@given(params)
def test_certified_digits_agree_with_a_much_higher_precision(p):
    low = nl.evaluate(LuParams(**p), dps=20)
    high = nl.evaluate(LuParams(**p), dps=45)
    for name in ("e_icl", "e_idg"):
        value = getattr(high, name)
        assert abs(getattr(low, name) - value) <= abs(value) * mp.mpf(10) ** -19
    assert abs(low.g_task - high.g_task) <= max(abs(high.e_icl), abs(high.e_idg)) * mp.mpf(10) ** -19


@settings(deadline=None)
@given(params.filter(lambda p: p["lam"] != "0"))
def test_ridge_root_is_certified_and_solves_the_fixed_point(p):
    pred = nl.evaluate(LuParams(**p), dps=25)
    r = pred.root
    assert r is not None and r.certified and pred.e_idg_conjectured
    lo, hi = r.bracket
    assert lo < r.value < hi and (hi - lo) / r.value < mp.mpf(10) ** -25
    with mp.workdps(60):
        tau, lam = mp.mpf(Fraction(p["tau"]).numerator) / Fraction(p["tau"]).denominator, mp.mpf(str(p["lam"]))
        x = (1 + mp.mpf(str(p["rho"]))) / mp.mpf(str(p["alpha"]))
        kappa = mp.inf if p["kappa"] == "inf" else mp.mpf(str(p["kappa"]))
        f = lambda e: 1 - tau + tau * lam / e - e * transform(e + x, kappa)  # noqa: E731
        assert f(lo) > 0 > f(hi)  # independent recomputation of the sign change


def test_the_reference_implementations_failure_point():
    # tau=2, alpha=1, kappa=0.5, rho=0.01, lam=1e-7: a local solver from 100 guesses returned 1.127
    pred = nl.evaluate(LuParams(**REF, lam="1e-7"), dps=30)
    ridgeless = nl.evaluate(LuParams(**REF), dps=30)
    assert abs(pred.e_icl - ridgeless.e_icl) < 1e-6
    assert abs(pred.e_icl - mp.mpf("1.127")) > 0.1
    # the root is the small one: eps ~ tau lam / (tau - 1) for tau > 1
    with mp.workdps(40):
        assert abs(pred.root.value / mp.mpf("2e-7") - 1) < 1e-6


@pytest.mark.parametrize("tau,kappa", [("2", "0.5"), ("0.5", "0.5"), ("0.3", "inf"), ("5", "3")])
def test_ridge_tends_to_ridgeless_linearly_in_lambda(tau, kappa):
    base = dict(tau=tau, alpha=1, kappa=kappa, rho="0.01")
    limit = nl.evaluate(LuParams(**base), dps=40)
    gaps = []
    for lam in ("1e-6", "1e-12", "1e-24"):
        pred = nl.evaluate(LuParams(**base, lam=lam), dps=40)
        gaps.append(max(abs(pred.e_icl - limit.e_icl), abs(pred.e_idg - limit.e_idg)))
    assert gaps[1] < gaps[0] * 1e-5 and gaps[2] < gaps[1] * 1e-11  # O(lam)


def test_tau_one_needs_a_ridge_and_is_finite_with_one():
    with pytest.raises(ParameterError):
        LuParams(tau=1, alpha=1, kappa=1, rho=0)
    pred = nl.evaluate(LuParams(tau=1, alpha=1, kappa="0.5", rho="0.01", lam="1e-3"), dps=30)
    assert mpmath.isfinite(pred.e_icl) and pred.e_icl > 0 and pred.root.certified


def test_near_the_threshold_digits_survive_the_cancellation():
    tau = Fraction(1) + Fraction(1, 10**25)
    pred = nl.evaluate(LuParams(tau=tau, alpha=1, kappa="0.5", rho="0.01"), dps=30)
    with mp.workdps(80):
        x = mp.mpf("1.01")
        m = transform(x, mp.mpf("0.5"))
        c = m * (1 + x) * (mp.mpf("0.01") + x * (1 - x * m))
        # |tau-1| e -> C with an O(|tau-1|) correction
        assert abs(pred.e_icl * mp.mpf(10) ** -25 / c - 1) < 1e-20
    assert pred.working_dps > 30 + nl.GUARD_DIGITS  # it had to raise the precision


def test_kappa_infinity_has_no_gap_and_uses_the_limit_forms():
    for lam in ("0", "0.1"):
        for tau in ("0.5", "2"):
            pred = nl.evaluate(LuParams(tau=tau, alpha=1, kappa="inf", rho="0.01", lam=lam), dps=30)
            assert pred.g_task == 0 and pred.decimal("e_icl") == pred.decimal("e_idg")
            near = nl.evaluate(LuParams(tau=tau, alpha=1, kappa="1e30", rho="0.01", lam=lam), dps=30)
            with mp.workdps(40):
                assert abs(near.e_icl / pred.e_icl - 1) < 1e-25


def test_ridge_root_at_infinite_kappa_is_the_jensen_root():
    # M_inf(z) = 1/(1+z) makes Jensen's bound exact: the root sits on the upper bracket end
    pred = nl.evaluate(LuParams(tau=3, alpha=10, kappa="inf", rho=0, lam="1e3"), dps=30)
    _, hi = pred.root.initial_bracket
    with mp.workdps(40):
        assert abs(pred.root.value / hi - 1) < 1e-28


@pytest.mark.parametrize("dps", [0, -3, 1.5, "30", True])
def test_bad_precision_is_a_parameter_error(dps):
    with pytest.raises(ParameterError):
        nl.evaluate(LuParams(**REF), dps=dps)


def test_solve_fixed_point_refuses_the_ridgeless_case():
    with pytest.raises(ParameterError, match="ridgeless"):
        nl.solve_fixed_point(LuParams(**REF))


def test_bayes_ridge_error_known_values():
    with mp.workdps(40):
        assert mpmath.almosteq(nl.bayes_ridge_error(2, 1, dps=30), mp.sqrt(2), 1e-28)
    assert nl.bayes_ridge_error(3, 0) == 0  # noiseless, alpha > 1
    assert abs(nl.bayes_ridge_error("1e20", "0.5") - mp.mpf("0.5")) < 1e-15
