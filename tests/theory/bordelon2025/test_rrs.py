"""The RRS depth integral and the compute-optimal shape."""

from __future__ import annotations

import mpmath
import sympy as sp

from iclverify.theory.bordelon2025 import rrs


def test_depth_integral_against_quadrature():
    expr = rrs.depth_integral().subs({rrs.nu: 2, rrs.beta: sp.Rational(3, 4), rrs.t: 5})
    quad = mpmath.quad(lambda k: k ** (-1 - 1.5) * mpmath.exp(-5 * k**-2), [0, 1, mpmath.inf])
    assert abs(float(expr) - float(quad)) < 1e-10


def test_depth_exponent_and_shape():
    assert rrs.depth_exponent() == rrs.beta
    eL, eN, s = rrs.shape_exponents(3)
    assert (eL, eN, s) == (sp.Rational(3, 4), sp.Rational(1, 4), 3)
    assert rrs.derivation_shape().steps[-1].rhs == 2
    assert rrs.derivation_depth().fully_symbolic
