"""Mehta & Gupta formulas and derivations: known values, relations, and the LaTeX document."""

from __future__ import annotations

import math

import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from iclverify.runtime.errors import ParameterError
from iclverify.theory.mehta_gupta2025 import formulas as mg


def test_known_values_from_the_summary():
    assert mg.exponent(1) == sp.Rational(1, 4)  # "exponent ≈ 0.25" at h = 1
    assert mg.halving_factor(1) == 16  # "α ≤ 1/4 halves the error only after 16× more N"
    assert abs(float(mg.critical_scale(20, 2)) - 4e9) / 4e9 < 0.03  # "N_c ≈ 4×10^9 for k = 20, h = 2"
    assert mg.critical_scale(7, 0) == 0


@given(h=st.integers(0, 6), k=st.integers(1, 60))
def test_critical_scale_is_where_kh_n_alpha_is_one(h, k):
    Nc = mg.critical_scale(k, h)
    if h > 0:
        assert k * h * Nc ** (-mg.exponent(h)) == 1
        assert mg.critical_scale(k + 1, h) > Nc
    assert mg.halving_factor(h) == 4 ** (h + 1)


@settings(max_examples=25)
@given(L=st.integers(1, 512), d=st.integers(1, 4096), h=st.fractions(0, 4, max_denominator=6), k=st.integers(1, 40))
def test_float_scalings_are_the_theory_expressions(L, d, h, k):
    # the helpers the trained models import evaluate the SymPy expressions, not a second copy of them
    width = d + 1
    assert mg.eta_eff_float(L, width) == pytest.approx(float(mg.eta_eff(L, width)), rel=1e-15)
    assert mg.eta_eff_float(L, width) == 1 / math.sqrt(L * width)
    assert mg.attention_scale_float(width) * mg.residual_scale_float(L) == pytest.approx(
        float(mg.residual_scale(L) * mg.attention_scale(width)), rel=1e-15
    )
    assert mg.critical_scale_float(k, float(h)) == pytest.approx(float(mg.critical_scale(k, h)), rel=1e-12)


@pytest.mark.parametrize(
    "call",
    [
        lambda: mg.eta_eff_float(0, 4),
        lambda: mg.attention_scale_float(-1),
        lambda: mg.residual_scale_float(float("nan")),
        lambda: mg.critical_scale_float(0, 1),
        lambda: mg.critical_scale_float(2, -1),
    ],
)
def test_float_scalings_refuse_bad_sizes(call):
    with pytest.raises(ParameterError):
        call()


def test_exact_number_parsing():
    assert mg.exact_number("h", "3/4") == sp.Rational(3, 4)
    for bad in ("1/0", "x/2", "-1"):
        with pytest.raises(ParameterError):
            mg.exact_number("h", bad)


@pytest.mark.parametrize(
    "factory",
    [
        mg.exponent_derivation,
        mg.sharpness_derivation,
        mg.mechanism_derivation,
        mg.eta_derivation,
        mg.gradient_identity_derivation,
        mg.gd_step_derivation,
        mg.bounds_derivation,
        mg.tab3_derivation,
    ],
)
def test_derivations_mark_provenance_and_prove_steps(factory):
    der = factory()
    assert any(s.how == "symbolic" for s in der.steps)
    text = der.summary.lower()
    assert "stated" in text or "reconstructed" in text


def test_steps_model_slope_formula_matches_finite_differences():
    """Independent of the derivation: solve the stationarity of exp(-u) + B (u/(kappa sqrt N))^b in u by
    bisection at two nearby N and compare d log L*/d log N with 1/2 + b/(2(u+b-1))."""
    b, kappa, B = 2.0, 1.0, 1.0

    def u_of(N):
        g = lambda u: -math.exp(-u) + b * B * u ** (b - 1) * (kappa * math.sqrt(N)) ** -b  # noqa: E731
        lo, hi = 1.0, 200.0  # g(1) < 0 < g(200) at this N, and g increases in u for b >= 1
        for _ in range(200):
            mid = (lo + hi) / 2
            lo, hi = (mid, hi) if g(mid) < 0 else (lo, mid)
        return lo

    N = 1e8
    u1, u2 = u_of(N), u_of(N * 1.0001)
    fd = (math.log(u2 * math.sqrt(N * 1.0001)) - math.log(u1 * math.sqrt(N))) / math.log(1.0001)
    formula = mg.eta_derivation().result.rhs.subs({mg.b: b, mg.u: u1})
    assert fd == pytest.approx(float(formula), abs=1e-4)


def test_gd_step_and_eta_are_shape_invariant():
    eta = mg.gd_step_derivation().result.rhs
    assert (
        sp.simplify(eta.subs({sp.Symbol("v_{yy}", real=True): -1, sp.Symbol("gamma", real=True): 1}) - mg.eta_eff())
        == 0
    )
    L = sp.Symbol("L", positive=True)
    assert sp.simplify(mg.eta_eff(L, mg.N / L) - 1 / sp.sqrt(mg.N)) == 0
    assert sp.simplify(mg.rademacher(L, mg.N / L) - sp.sqrt(mg.N * sp.log(mg.N) / mg.D)) == 0


def test_latex_document_has_every_section():
    tex = mg.latex_document()
    assert tex.startswith(r"\documentclass") and tex.rstrip().endswith(r"\end{document}")
    for heading in ("Optimal depth-width allocation", "Theorem 1", "gradient descent", "cannot prove"):
        assert heading in tex
    assert "as stated" in tex and "Reconstructed" in tex
    ids = [d.id for _, ders in mg.sections() for d in ders]
    assert len(ids) == len(set(ids))
