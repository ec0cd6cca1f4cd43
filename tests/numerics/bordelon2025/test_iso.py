"""The certified ISO minimiser: exact moments, certified brackets, agreement with an independent quadrature."""

from __future__ import annotations

import math
from fractions import Fraction

import mpmath
import pytest

from iclverify.numerics.bordelon2025.iso import iso_loss, loss_coefficients, moments_exact
from iclverify.runtime.errors import ParameterError
from iclverify.theory.bordelon2025 import iso as th


def test_recurrence_moments_equal_narayana():
    c = Fraction(5, 3)
    for k, m in enumerate(moments_exact(c, 12)):
        assert m == Fraction(str(th.moment(k).subs(th.c, th.sp.Rational(5, 3))))


def _quadrature_loss(alpha: float, L: int, gamma: float) -> float:
    """∫ (1 − γλ/L)^{2L} dμ_c by quadrature of the density plus the atom (1 − α)_+."""
    c = 1 / alpha
    lo, hi = (1 - mpmath.sqrt(c)) ** 2, (1 + mpmath.sqrt(c)) ** 2
    dens = lambda x: mpmath.sqrt((hi - x) * (x - lo)) / (2 * mpmath.pi * c * x)  # noqa: E731
    return float(max(1 - alpha, 0) + mpmath.quad(lambda x: (1 - gamma * x / L) ** (2 * L) * dens(x), [lo, hi]))


@pytest.mark.parametrize(("alpha", "L"), [("0.4", 3), ("2.5", 5)])
def test_minimum_against_quadrature_and_a_grid(alpha, L):
    r = iso_loss(alpha, L, dps=25)
    assert r.certified
    a = float(Fraction(alpha))
    assert float(r.loss) == pytest.approx(_quadrature_loss(a, L, float(r.gamma_star)), rel=1e-9)
    g = float(r.gamma_star)
    for h in (0.02, -0.02):  # the minimiser: the loss is larger on both sides
        assert _quadrature_loss(a, L, g * (1 + h)) > float(r.loss)


def test_enclosures_hold_the_value_and_are_narrow():
    r = iso_loss("1", 8, dps=40)
    lo, hi = r.loss_enclosure
    assert lo <= r.loss <= hi and (hi - lo) / r.loss < mpmath.mpf(10) ** -40
    a, b = r.root.bracket
    assert a < r.gamma_star < b
    with mpmath.workdps(60):
        catalan = [math.comb(2 * n, n) // (n + 1) for n in range(8)]  # Catalan numbers (alpha = 1: x = 1/4)
        assert abs(r.loss - (1 - sum(mpmath.mpf(cn) / 4**n for n, cn in enumerate(catalan)) / 2)) < 1e-38


def test_coefficients_sum_to_loss_at_zero():
    assert sum(loss_coefficients(Fraction(2), 3)[:1]) == 1


@pytest.mark.parametrize("bad", [("0", 1), ("-2", 1), ("1", 0), ("1", 2.5), ("inf", 1), ("nan", 2)])
def test_bad_input(bad):
    with pytest.raises(ParameterError):
        iso_loss(*bad)
