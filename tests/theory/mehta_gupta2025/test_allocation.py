"""Allocation derivations (MG-A): the closed forms minimise the objective, and the conditions are exact."""

from __future__ import annotations

import itertools
import math

import pytest
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st
from scipy.optimize import minimize_scalar

from iclverify.runtime.errors import ParameterError
from iclverify.theory.derivation import DerivationError
from iclverify.theory.mehta_gupta2025 import allocation as al

pos = st.floats(0.1, 4.0)


@pytest.fixture(scope="module")
def additive():
    return al.additive_allocation()


@pytest.fixture(scope="module")
def param_budget():
    return al.parameter_budget_allocation()


def test_derivations_are_fully_symbolic(additive, param_budget):
    for der in (
        additive.derivation,
        param_budget.derivation,
        al.stated_exponent_condition(),
        al.multiplicative_error(),
        al.product_only_terms(),
        al.parameter_budget_unattainable(),
    ):
        assert all(s.how in ("definition", "symbolic", "stated") for s in der.steps), der.id
        assert any(s.how == "symbolic" for s in der.steps)


@given(a=pos, b=pos, A=pos, B=pos, logN=st.floats(2, 10))
def test_closed_form_is_the_numerical_minimum(additive, a, b, A, B, logN):
    """Independent check: minimise A L^-a + B (N/L)^-b over log L numerically."""
    N = 10**logN
    L_star = float(additive.L_star.subs({al.a: a, al.b: b, al.A: A, al.B: B, al.N: N}))
    d_star = float(additive.d_star.subs({al.a: a, al.b: b, al.A: A, al.B: B, al.N: N}))
    assert L_star * d_star == pytest.approx(N, rel=1e-10)
    res = minimize_scalar(
        lambda x: A * math.exp(-a * x) + B * (N * math.exp(-x)) ** -b,
        bracket=(math.log(L_star) - 2, math.log(L_star) + 2),
        tol=1e-12,
    )
    assert math.exp(res.x) == pytest.approx(L_star, rel=1e-5)


def test_exponents_and_condition(additive):
    assert additive.exponent_L == al.b / (al.a + al.b)
    assert sp.solve(sp.Eq(additive.exponent_L, sp.Rational(2, 3)), al.b) == [2 * al.a]
    assert al.stated_exponent_condition().result == sp.Eq(al.b, 2 * al.a)
    assert al.allocation(1, 2).exponent_L == sp.Rational(2, 3)
    assert al.allocation(3, 6).exponent_d == sp.Rational(1, 3)


@given(
    a=st.fractions(min_value="1/10", max_value=4, max_denominator=12),
    b=st.fractions(min_value="1/10", max_value=4, max_denominator=12),
)
def test_stated_pair_iff_b_equals_2a(a, b):
    alloc = al.allocation(a, b)
    assert (alloc.exponent_L == sp.Rational(2, 3)) == (b == 2 * a)


def test_shape_law_at_b_2a(additive):
    L2 = additive.L_star.subs(al.b, 2 * al.a)
    d2 = additive.d_star.subs(al.b, 2 * al.a)
    for N in (1e3, 1e7):
        vals = {al.a: 0.7, al.A: 2.0, al.B: 3.0, al.N: N}
        assert float((L2 / d2**2).subs(vals)) == pytest.approx((2.0 / 6.0) ** (1 / 0.7), rel=1e-10)


@given(a=pos, b=pos, N=st.floats(10, 1e6))
def test_multiplicative_error_is_monotone(a, b, N):
    E = lambda L: L**-a * (N / L) ** -b  # noqa: E731
    Ls = [1.0, 2.0, 5.0, 9.0]
    diffs = [E(y) - E(x) for x, y in itertools.pairwise(Ls)]
    if abs(a - b) > 1e-3:
        assert all(math.copysign(1, dv) == math.copysign(1, b - a) for dv in diffs)


def test_parameter_budget(param_budget):
    assert param_budget.exponent_L == al.b / (2 * al.a + al.b)
    assert param_budget.exponent_d == al.a / (2 * al.a + al.b)
    assert sp.simplify(param_budget.exponent_L + 2 * param_budget.exponent_d) == 1
    vals = {al.a: 0.8, al.b: 1.3, al.A: 1.5, al.B: 0.4, al.P: 1e12}
    L, d = float(param_budget.L_star.subs(vals)), float(param_budget.d_star.subs(vals))
    assert 12 * L * d * d == pytest.approx(1e12, rel=1e-10)
    res = minimize_scalar(
        lambda x: 1.5 * (1e12 / (12 * math.exp(2 * x))) ** -0.8 + 0.4 * math.exp(-1.3 * x),
        bracket=(math.log(d) - 1, math.log(d) + 1),
        tol=1e-12,
    )
    assert math.exp(res.x) == pytest.approx(d, rel=1e-5)
    assert al.parameter_budget_unattainable().result == sp.Eq(sp.Rational(4, 3), sp.Rational(4, 3))


def test_shape_law_is_budget_independent(additive, param_budget):
    assert additive.shape_exponent == param_budget.shape_exponent == al.b / al.a


def test_false_identities_are_refused():
    x, c = sp.symbols("x c", positive=True)
    assert al.positive_simplify((x * 2) ** c - 2**c * x**c) == 0
    assert al.positive_simplify(x ** (c + 1) - x**c) != 0
    with pytest.raises(DerivationError):
        al._eq("wrong exponent", al.additive_allocation().exponent_L, al.a / (al.a + al.b))


@pytest.mark.parametrize("kwargs", [{"a_value": 0}, {"b_value": "x"}, {"a_value": 1, "budget": "P"}, {"A_value": -1}])
def test_allocation_rejects_bad_input(kwargs):
    with pytest.raises(ParameterError):
        al.allocation(**kwargs)
