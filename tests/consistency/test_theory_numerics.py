"""Theory <-> numerics: SymPy's own evaluation, the certified mpmath path and the float path agree, and the
symbolic limits of §4 equal high-precision numeric limits.

SymPy evaluates the expressions here with ``subs(...).evalf`` on exact rational parameters, a route that
shares nothing with the lambdified mpmath/numpy code except the expressions themselves.
"""

from __future__ import annotations

import math
from fractions import Fraction

import mpmath
import sympy as sp
from hypothesis import assume, given, note, settings
from hypothesis import strategies as st

from iclverify.numerics.lu2024 import certified as mp_path
from iclverify.numerics.lu2024 import vectorised as fl
from iclverify.theory import marchenko_pastur as mpt
from iclverify.theory.lu2024 import formulas as th
from iclverify.theory.lu2024 import limits as lim
from iclverify.theory.params import LuParams


def rationals(lo: str, hi: str, denominator: int = 997) -> st.SearchStrategy[Fraction]:
    """Exact rationals in [lo, hi], spread over decades (log-uniform on a grid of 997 points)."""
    a, b = math.log(float(lo)), math.log(float(hi))
    return st.integers(0, denominator).map(
        lambda i: Fraction(math.exp(a + (b - a) * i / denominator)).limit_denominator(10**6)
    )


taus = rationals("0.05", "30").filter(lambda t: abs(t - 1) >= Fraction(1, 20))
alphas = rationals("0.05", "50")
kappas = st.one_of(rationals("0.05", "30"), st.just(math.inf))
rhos = st.one_of(st.just(Fraction(0)), rationals("0.001", "2"))
lams = rationals("1e-6", "10")


def _symbols(p: LuParams) -> dict[sp.Symbol, sp.Expr]:
    return {th.tau: sp.Rational(p.tau), th.alpha: sp.Rational(p.alpha), th.rho: sp.Rational(p.rho)}


def _sympy_value(expr: sp.Expr, p: LuParams, digits: int = 40) -> mpmath.mpf:
    """``expr`` in the five parameters (kappa = oo via the theory's own limit), evaluated by SymPy.

    Call inside ``mpmath.workdps(50)``: the conversion to mpf rounds to the current precision.
    """
    if p.kappa == math.inf:
        xs = th.x_star()
        m_inf = mpt.closed_form_infinite(xs)  # kappa/tau = oo as well, so mu* = x* M_oo(x*)
        full = th.at_infinite_kappa(expr).subs({th.m: m_inf, th.mu: xs * m_inf, th.x: xs}, simultaneous=True)
        values = _symbols(p)
    else:
        full = th.full(expr)
        values = {**_symbols(p), th.kappa: sp.Rational(p.kappa)}
    return mpmath.mpf(str(full.subs(values).evalf(digits)))


@settings(max_examples=40, deadline=None)
@given(tau=taus, alpha=alphas, kappa=kappas, rho=rhos)
def test_sympy_evalf_equals_certified_mpmath_and_float_path(tau, alpha, kappa, rho):
    p = LuParams(tau=tau, alpha=alpha, kappa=kappa, rho=rho)
    branch = p.branch
    with mpmath.workdps(50):
        _compare_three_ways(p, branch)


def _compare_three_ways(p: LuParams, branch: str) -> None:
    tau, alpha, kappa, rho = p.tau, p.alpha, p.kappa, p.rho
    sym = {"e_icl": _sympy_value(th.e_icl_ridgeless(branch), p), "e_idg": _sympy_value(th.e_idg_ridgeless(branch), p)}
    cert = mp_path.evaluate(p, dps=25)
    flt = fl.evaluate(float(tau), float(alpha), float(kappa), float(rho))
    for name, value in sym.items():
        certified = getattr(cert, name)
        note(f"{name}: SymPy {mpmath.nstr(value, 25)}, mpmath {cert.decimal(name)}, float {float(flt[name])!r}")
        assert abs(certified - value) <= mpmath.mpf("1e-22") * abs(value), (
            f"{name}: certified mpmath path differs from SymPy"
        )
        assert abs(float(flt[name]) - float(value)) <= 1e-10 * abs(float(value)), (
            f"{name}: float path differs from SymPy"
        )


@settings(max_examples=20, deadline=None)
@given(tau=rationals("0.05", "30"), alpha=alphas, kappa=kappas, rho=rhos, lam=lams)
def test_solved_ridge_root_is_a_root_of_the_sympy_fixed_point(tau, alpha, kappa, rho, lam):
    p = LuParams(tau=tau, alpha=alpha, kappa=kappa, rho=rho, lam=lam)  # tau = 1 allowed: lam > 0
    root = mp_path.solve_fixed_point(p, dps=30)
    xs = th.x_star().subs(_symbols(p))
    m_form = mpt.closed_form_infinite if kappa == math.inf else (lambda z: mpt.closed_form(z, sp.Rational(kappa)))
    fp = th.fixed_point()

    def f(eps_value: mpmath.mpf) -> sp.Float:
        e = sp.Float(str(eps_value), 45)
        s_value = m_form(xs + e)
        return fp.subs({th.eps: e, th.S: s_value, th.x: xs, th.tau: sp.Rational(tau), th.lam: sp.Rational(lam)}).evalf(
            45
        )

    lo, hi = root.bracket
    with mpmath.workdps(60):  # str(mpf) below must carry every digit of the bracket
        note(f"root {mpmath.nstr(root.value, 30)} in [{mpmath.nstr(lo, 30)}, {mpmath.nstr(hi, 30)}]")
        assert lo <= root.value <= hi
        assert f(lo) > 0 > f(hi), "the fixed point's left side must fall through zero across the returned bracket"
        assert abs(f(root.value)) < sp.Float("1e-20")


@settings(max_examples=25, deadline=None)
@given(tau=rationals("1.1", "30"), alpha=alphas, rho=rhos)
def test_kappa_to_infinity_formula_is_the_numeric_limit(tau, alpha, rho):
    p = LuParams(tau=tau, alpha=alpha, kappa=10**30, rho=rho)
    x_value = (1 + p.rho) / p.alpha
    formula = lim.kappa_infinity_formula().subs(
        {th.tau: sp.Rational(tau), th.rho: sp.Rational(rho), th.x: sp.Rational(x_value)}
    )
    numeric = mp_path.evaluate(p, dps=30)
    # the error at finite kappa differs from the limit by O(1/kappa) = 1e-30
    with mpmath.workdps(50):
        for name in ("e_icl", "e_idg"):
            assert abs(getattr(numeric, name) - mpmath.mpf(str(formula.evalf(40)))) < mpmath.mpf("1e-25"), name


@settings(max_examples=25, deadline=None)
@given(alpha=alphas, kappa=rationals("0.05", "30"), rho=rhos)
def test_tau_to_infinity_limits_are_the_numeric_limits(alpha, kappa, rho):
    p = LuParams(tau=10**40, alpha=alpha, kappa=kappa, rho=rho)
    values = {th.x: sp.Rational((1 + p.rho) / p.alpha), th.rho: sp.Rational(rho), th.kappa: sp.Rational(kappa)}
    m_value = mpt.closed_form(values[th.x], values[th.kappa])
    icl = lim.tau_infinity_icl().subs({th.m: m_value}).subs(values).evalf(40)
    idg = (th.rho + th.x * (1 - th.x * th.m)).subs({th.m: m_value}).subs(values).evalf(40)
    numeric = mp_path.evaluate(p, dps=30)
    with mpmath.workdps(50):  # the corrections are O(1/tau) = 1e-40
        assert abs(numeric.e_icl - mpmath.mpf(str(icl))) < mpmath.mpf("1e-28")
        assert abs(numeric.e_idg - mpmath.mpf(str(idg))) < mpmath.mpf("1e-28")


@settings(max_examples=25, deadline=None)
@given(kappa=rationals("0.05", "30"), rho=rhos)
def test_task_diversity_transition_is_the_numeric_double_limit(kappa, rho):
    """tau -> oo, then alpha -> oo: e_icl -> rho + (1 - kappa)_+, e_idg -> rho."""
    assume(abs(kappa - 1) > Fraction(1, 20))  # at kappa = 1 the alpha-limit converges like alpha^(-1/2)
    p = LuParams(tau=10**60, alpha=10**24, kappa=kappa, rho=rho)
    numeric = mp_path.evaluate(p, dps=30)
    expected = float(rho) + max(1 - float(kappa), 0.0)
    # corrections are O(1/tau) and O(x*) = O(1/alpha) with bounded prefactors away from kappa = 1
    assert abs(float(numeric.e_icl) - expected) < 1e-9
    assert abs(float(numeric.e_idg) - float(rho)) < 1e-9


@settings(max_examples=25, deadline=None)
@given(alpha=alphas, kappa=kappas, rho=rhos, side=st.sampled_from([-1, 1]))
def test_divergence_at_the_threshold_has_the_derived_constant(alpha, kappa, rho, side):
    delta = Fraction(1, 10**25)
    p = LuParams(tau=1 + side * delta, alpha=alpha, kappa=kappa, rho=rho)
    numeric = mp_path.evaluate(p, dps=30)
    x_value = sp.Rational((1 + p.rho) / p.alpha)
    m_value = mpt.closed_form_infinite(x_value) if kappa == math.inf else mpt.closed_form(x_value, sp.Rational(kappa))
    c = lim.threshold_constant().subs({th.m: m_value, th.x: x_value, th.rho: sp.Rational(rho)}).evalf(40)
    with mpmath.workdps(50):
        scaled = numeric.e_icl * mpmath.mpf(delta.numerator) / delta.denominator
        note(f"|tau - 1| e_icl = {mpmath.nstr(scaled, 20)}, C = {c}")
        # e_icl = C/|tau - 1| + O(1): the scaled error is C to within O(|tau - 1|) = 1e-25
        assert abs(scaled - mpmath.mpf(str(c))) < mpmath.mpf("1e-20") * (1 + abs(mpmath.mpf(str(c))))
