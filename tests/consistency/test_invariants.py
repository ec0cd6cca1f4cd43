"""Invariants every prediction must satisfy, property-tested over the whole parameter space and its edges
(tau near 1, kappa tiny and infinite, lambda -> 0, huge alpha). A counterexample is reported in words.

* No predictor beats the Bayes-optimal one: e_icl >= rho (1 + S(rho, alpha)) for every tau, kappa, lambda.
* The zero predictor is always available: with lambda large, e_icl < 1 + rho, so min over lambda <= 1 + rho.
* More label noise never helps: e_icl and e_idg increase with rho.
* g_task >= 0 above the interpolation threshold (tau > 1). Below it the theory itself predicts g_task < 0 in a
  corner (large alpha and rho, small tau): asserted as such, so a change in either direction is noticed.
"""

from __future__ import annotations

import math

import mpmath
import numpy as np
from hypothesis import assume, given
from hypothesis import strategies as st

from iclverify.numerics.lu2024 import certified as mp_path
from iclverify.numerics.lu2024 import vectorised as fl
from iclverify.theory.params import LuParams


def log_uniform(lo: float, hi: float) -> st.SearchStrategy[float]:
    return st.floats(math.log(lo), math.log(hi)).map(math.exp)


taus = st.one_of(log_uniform(0.01, 100), st.floats(0.999, 1.001))
alphas = log_uniform(0.01, 1e4)
kappas = st.one_of(log_uniform(1e-3, 1e3), st.just(math.inf))
rhos = st.one_of(st.just(0.0), log_uniform(1e-4, 10))
lams = st.one_of(st.just(0.0), log_uniform(1e-9, 1e3))


def _where(tau: float, alpha: float, kappa: float, rho: float, lam: float) -> str:
    return f"at tau={tau:.6g}, alpha={alpha:.6g}, kappa={kappa:.6g}, rho={rho:.6g}, lambda={lam:.6g}"


def _errors(tau: float, alpha: float, kappa: float, rho: float, lam: float) -> tuple[float, float]:
    """(e_icl, e_idg): the float path, or the certified path within 1e-3 of tau = 1 where floats lose digits."""
    if abs(tau - 1) < 1e-3:
        p = mp_path.evaluate(LuParams(tau=tau, alpha=alpha, kappa=kappa, rho=rho, lam=lam), dps=20)
        return float(p.e_icl), float(p.e_idg)
    r = fl.evaluate(tau, alpha, kappa, rho, lam)
    return float(r["e_icl"]), float(r["e_idg"])


@given(tau=taus, alpha=alphas, kappa=kappas, rho=rhos, lam=lams)
def test_no_predictor_beats_bayes_optimal_ridge(tau, alpha, kappa, rho, lam):
    assume(tau != 1 or lam > 0)
    e_icl, _ = _errors(tau, alpha, kappa, rho, lam)
    bayes = float(fl.bayes_ridge_error(alpha, rho))
    assert e_icl >= bayes * (1 - 1e-9), (
        f"{_where(tau, alpha, kappa, rho, lam)} linear attention's ICL error {e_icl:.10g} is below the "
        f"Bayes-optimal error {bayes:.10g}, which no predictor can beat"
    )


@given(tau=taus, alpha=alphas, kappa=kappas, rho=rhos)
def test_tuned_ridge_never_loses_to_the_zero_predictor(tau, alpha, kappa, rho):
    grid = np.logspace(-6, 8, 29)
    errors = fl.e_icl(tau, alpha, kappa, rho, grid)
    best = float(np.min(errors))
    assert best < 1 + rho, (
        f"{_where(tau, alpha, kappa, rho, float(grid[np.argmin(errors)]))} the best ridge gives ICL error {best:.10g}, "
        f"not below the zero predictor's 1 + rho = {1 + rho:.10g}"
    )


@given(tau=taus, alpha=alphas, kappa=kappas, rho=log_uniform(1e-4, 10), lam=lams, factor=st.floats(1.01, 10))
def test_more_label_noise_never_helps(tau, alpha, kappa, rho, lam, factor):
    assume(tau != 1 or lam > 0)
    low, high = _errors(tau, alpha, kappa, rho, lam), _errors(tau, alpha, kappa, rho * factor, lam)
    for name, a, b in zip(("ICL", "IDG"), low, high):
        assert b >= a * (1 - 1e-9), (
            f"{_where(tau, alpha, kappa, rho, lam)} raising rho to {rho * factor:.6g} lowered the {name} error "
            f"from {a:.10g} to {b:.10g}"
        )


@given(tau=log_uniform(1.001, 100), alpha=alphas, kappa=kappas, rho=rhos, lam=lams)
def test_no_negative_task_generalisation_gap_above_the_threshold(tau, alpha, kappa, rho, lam):
    e_icl, e_idg = _errors(tau, alpha, kappa, rho, lam)
    assert e_icl - e_idg >= -1e-9 * max(1.0, abs(e_icl)), (
        f"{_where(tau, alpha, kappa, rho, lam)} the in-distribution error {e_idg:.10g} exceeds the ICL error "
        f"{e_icl:.10g}: g_task < 0 above the interpolation threshold"
    )


def test_the_theory_predicts_a_negative_gap_below_the_threshold():
    """Below tau = 1 the ridgeless IDG error can exceed the ICL error (found by the property search above,
    restricted to tau < 1). Checked with the certified path so the sign is not a rounding artefact."""
    p = mp_path.evaluate(LuParams(tau="0.15", alpha=40, kappa="1.4", rho="1.5"), dps=30)
    assert p.g_task < 0 and p.certified
    assert mpmath.nstr(p.g_task, 3).startswith("-")
