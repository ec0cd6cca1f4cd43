"""The ISO derivations: Narayana moments, the optimal step, the Catalan form, the limits and the noise term."""

from __future__ import annotations

import mpmath
import pytest
import sympy as sp

from iclverify.runtime.errors import ParameterError
from iclverify.theory.bordelon2025 import iso


def _mp_moment(k: int, c: float) -> float:
    """∫ λ^k dμ_c by quadrature of the Marchenko–Pastur density (plus nothing: the atom has λ^k = 0 for k ≥ 1)."""
    lo, hi = (1 - mpmath.sqrt(c)) ** 2, (1 + mpmath.sqrt(c)) ** 2
    dens = lambda x: mpmath.sqrt((hi - x) * (x - lo)) / (2 * mpmath.pi * c * x)  # noqa: E731
    return float(mpmath.quad(lambda x: x**k * dens(x), [lo, hi]))


@pytest.mark.parametrize("c", [0.3, 2.5])
def test_narayana_moments_match_the_density(c):
    for k in (1, 2, 3, 5):
        assert float(iso.moment(k).subs(iso.c, c)) == pytest.approx(_mp_moment(k, c), rel=1e-10)


def test_optimal_step_is_a_root_of_the_derivative_and_a_shifted_step_is_not():
    for L in (2, 3):
        d1 = sp.diff(iso.loss_polynomial(L), iso.gamma)
        assert sp.cancel(d1.subs(iso.gamma, L / (1 + iso.c))) == 0
        assert sp.cancel(d1.subs(iso.gamma, L / (1 + iso.c) + sp.Rational(1, 10))) != 0


def test_closed_form_matches_the_minimised_polynomial_at_a_point():
    poly = iso.loss_polynomial(3).subs(iso.c, sp.Rational(3, 7))
    roots = [r for r in sp.Poly(sp.diff(poly, iso.gamma), iso.gamma).nroots(n=30) if r.is_real]
    best = min(poly.subs(iso.gamma, r) for r in roots)
    assert abs(best - iso.loss_closed_form(3, alpha=sp.Rational(7, 3))) < sp.Float("1e-25")


def test_limits_and_gain():
    assert iso.loss_closed_form(1) == 1 / (1 + iso.alpha)
    assert sp.limit(iso.alpha * iso.depth_gain(3), iso.alpha, sp.oo) == 1
    assert sp.limit(iso.depth_gain(3) / iso.alpha**2, iso.alpha, 0) == 1
    assert iso.depth_gain(1) == 0


def test_derivations_build_and_are_symbolic():
    for build in (iso.derivation_one_step, iso.derivation_gain_limits, iso.derivation_noise):
        d = build()
        assert d.fully_symbolic and d.steps
    d = iso.derivation_closed_form(3)
    assert d.fully_symbolic


def test_noise_one_step_is_lu_et_al():
    expected = iso.rho + (1 + iso.rho) / (iso.alpha + 1 + iso.rho)
    assert sp.simplify(iso.derivation_noise().result.rhs - expected) == 0


@pytest.mark.parametrize("bad", [0, -1, 2.5, True])
def test_bad_depth(bad):
    with pytest.raises(ParameterError):
        iso.loss_polynomial(bad)
