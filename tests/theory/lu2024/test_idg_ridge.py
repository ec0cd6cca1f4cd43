"""The IDG-at-ridge derivation: every equality proved, the spectral reduction checked against a discrete spectrum
averaged by hand, and false statements refused."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from iclverify.theory.derivation import DerivationError, proved_equal
from iclverify.theory.lu2024 import idg_ridge
from iclverify.theory.lu2024.formulas import S, Sp, c_e, e_icl_ridge, eps, rho, tau, x

SPECTRUM = np.array([0.2, 0.8, 2.0])  # eigenvalues of a task matrix with (1/d) tr R = 1
POINT = {"x": 0.3, "eps": 0.7, "rho": 0.05, "tau": 1.5}


def _by_hand() -> dict[str, float]:
    """The ansatz of the module evaluated by direct averages over SPECTRUM (no partial fractions)."""
    s, xs, e, r, t = SPECTRUM, POINT["x"], POINT["eps"], POINT["rho"], POINT["tau"]
    c, b = s + xs, s
    df2 = np.mean(c**2 / (c + e) ** 2) / t
    e_in = (np.mean(s) + r - np.mean(b**2 / c) + e**2 * np.mean(b**2 / (c * (c + e) ** 2))) / (1 - df2)
    gbar = b / (c + e)
    e_icl = 1 + r - 2 * np.mean(gbar) + np.mean((1 + xs) * gbar**2) + e_in * np.mean((1 + xs) * c / (c + e) ** 2) / t
    nu = xs + e
    return {"e_in": e_in, "e_icl": e_icl, "S": np.mean(1 / (s + nu)), "Sp": -np.mean(1 / (s + nu) ** 2)}


def _subs(expr: sp.Expr, hand: dict[str, float]) -> float:
    values = {x: POINT["x"], eps: POINT["eps"], rho: POINT["rho"], tau: POINT["tau"], S: hand["S"], Sp: hand["Sp"]}
    return float(expr.subs(values))


def test_every_step_of_the_derivation_is_proved_and_the_result_is_the_conjecture() -> None:
    der = idg_ridge.derivation()
    assert [s.how for s in der.steps].count("symbolic") == 4 and not der.fully_symbolic  # the ansatz is stated
    assert sp.simplify(idg_ridge.in_distribution_risk() + tau * c_e()) == 0


def test_the_reduction_to_s_and_s_prime_matches_a_spectrum_averaged_by_hand() -> None:
    hand = _by_hand()
    assert _subs(idg_ridge.in_distribution_risk(), hand) == pytest.approx(hand["e_in"], rel=1e-12)
    assert _subs(-tau * c_e(), hand) == pytest.approx(hand["e_in"], rel=1e-12)
    assert _subs(e_icl_ridge(), hand) == pytest.approx(hand["e_icl"], rel=1e-12)
    assert abs(hand["e_icl"] - hand["e_in"]) > 0.01  # ICL and IDG differ: the identification is not trivial


def test_false_statements_are_refused() -> None:
    with pytest.raises(DerivationError):
        proved_equal("wrong factor", idg_ridge.in_distribution_risk(), -(1 + rho) * tau * c_e())
    with pytest.raises(DerivationError):  # the ICL law does not give the IDG error
        proved_equal("wrong law", idg_ridge.shifted_risk(1 + x, sp.Integer(1)), -tau * c_e())
    with pytest.raises(DerivationError):  # a pole away from s = -nu has no expression in S, S'
        idg_ridge.spectral_average(1 / (idg_ridge.s_ev + x))
