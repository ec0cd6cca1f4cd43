"""The SymPy layer: M_kappa from its quadratic, the paper's formulas, and the derived §4 limits."""

from __future__ import annotations

import pytest
import sympy as sp

from iclverify.theory import marchenko_pastur as mpt
from iclverify.theory.derivation import Derivation
from iclverify.theory.lu2024 import formulas as th
from iclverify.theory.lu2024 import limits as lim

z, kappa = mpt.z, mpt.kappa
REF = {th.tau: 2, th.alpha: 1, th.kappa: sp.Rational(1, 2), th.rho: sp.Rational(1, 100)}


def test_mp_derivation_is_fully_symbolic_and_ends_in_the_closed_form():
    d = mpt.derivation()
    assert d.fully_symbolic and len(d.steps) >= 8
    assert sp.simplify(d.result.rhs - mpt.closed_form()) == 0


@pytest.mark.parametrize(
    "zz,kk", [(sp.Rational(1, 3), sp.Rational(1, 2)), (sp.Rational(7, 2), 3), (sp.Rational(1, 100), sp.Rational(1, 10))]
)
def test_closed_forms_are_the_positive_root(zz, kk):
    roots = sp.Poly(mpt.defining_quadratic(sp.Symbol("M"), zz, kk) * kk, sp.Symbol("M")).nroots(n=40)
    positive = [r for r in roots if r > 0]
    assert len(positive) == 1
    for form in (mpt.closed_form, mpt.closed_form_direct):
        assert abs(sp.N(form(zz, kk), 40) - positive[0]) < 1e-35


def test_reduce_modulo_quadratic_detects_a_false_identity():
    assert mpt.reduce_modulo_quadratic(1 - z * mpt.M - kappa * mpt.M / (kappa + mpt.M), mpt.M, z, kappa) == 0
    assert mpt.reduce_modulo_quadratic(1 - z * mpt.M - mpt.M / (kappa + mpt.M), mpt.M, z, kappa) != 0


def test_reference_values_from_the_sympy_expressions():
    # the brief's independent implementation: 1.23399254303922..., 0.60956140634974...
    assert str(sp.N(th.full(th.e_icl_ridgeless("tau>1")).subs(REF), 15)) == "1.23399254303922"
    assert str(sp.N(th.full(th.e_idg_ridgeless("tau>1")).subs(REF), 14)) == "0.60956140634974"


@pytest.mark.parametrize("expr", [th.e_icl_ridgeless("tau>1"), th.e_idg_ridgeless("tau<1"), th.k_star()])
def test_infinite_kappa_forms_equal_sympy_limits(expr):
    fast = th.at_infinite_kappa(expr)
    assert not fast.has(th.kappa)
    assert sp.simplify(fast - sp.limit(expr, th.kappa, sp.oo)) == 0


def test_alternative_forms_used_by_the_numerics_are_identities():
    assert sp.simplify(th.jensen_upper_root() - th.jensen_upper_root_rationalised()) == 0
    parts = th.e_idg_below_split()
    assert sp.cancel(parts["expr"] - th.e_idg_ridgeless("tau<1").subs(th.mu, th.x * th.N)) == 0
    assert sp.simplify(th.e_icl_ridge(expanded=False).subs(sp.Symbol("c_e"), th.c_e()) - th.e_icl_ridge()) == 0


def test_jensen_root_bounds_the_ridge_root_from_above():
    # f <= g (Jensen) and g(eps_J) = 0, so f(eps_J) <= 0 for any finite kappa
    point = {th.tau: sp.Rational(3, 2), th.lam: sp.Rational(1, 10), th.x: sp.Rational(1, 2)}
    eps_j = th.jensen_upper_root().subs(point)
    s_val = mpt.closed_form(th.x + eps_j, sp.Rational(1, 3)).subs(point)
    assert sp.N(th.fixed_point().subs(point).subs({th.eps: eps_j, th.S: s_val}), 30) < 0


@pytest.fixture(scope="module")
def derivations() -> list[Derivation]:
    return lim.all_derivations()


def test_every_limit_derivation_builds(derivations):
    ids = [d.id for d in derivations]
    assert len(ids) == len(set(ids)) and all(i.startswith("lu2024.") for i in ids)
    for d in derivations:
        assert any(s.how == "symbolic" for s in d.steps), d.id


def test_which_derivations_rest_on_words(derivations):
    by_id = {d.id: d for d in derivations}
    for name in (
        "lu2024.kappa-inf",
        "lu2024.tau-kappa-inf",
        "lu2024.tau-inf",
        "lu2024.task-diversity",
        "lu2024.alpha-inf",
    ):
        assert by_id[name].fully_symbolic, name
    # the convergence of the root and the ridge's regularisation are arguments, labelled as such
    assert [s.how for s in by_id["lu2024.ridgeless-limit"].steps].count("stated") == 1
    assert by_id["lu2024.threshold"].steps[-1].how == "stated"


def test_limit_results_agree_with_direct_evaluation():
    # task-diversity transition: at tau = inf, the ICL error at tiny x* is rho + (1 - kappa)_+
    for k, expected in ((sp.Rational(1, 4), sp.Rational(3, 4)), (sp.Integer(3), 0)):
        e = lim.tau_infinity_icl().subs(th.m, mpt.closed_form(th.x, k)).subs({th.kappa: k, th.rho: sp.Rational(1, 10)})
        assert abs(sp.N(e.subs(th.x, sp.Rational(1, 10**30)), 40) - sp.Rational(1, 10) - expected) < 1e-12
    # kappa > 1, tau > 1: the finite alpha -> inf limit
    finite = lim.finite_alpha_limits()["tau>1, kappa>1"].subs({th.rho: 1, th.kappa: 2, th.tau: 3})
    e = (
        th.e_icl_ridgeless("tau>1")
        .subs(th.m, mpt.closed_form(th.x, 2))
        .subs({th.rho: 1, th.kappa: 2, th.tau: 3, th.x: sp.Rational(2, 10**30)})
    )
    assert abs(sp.N(e, 40) - finite) < 1e-20


def test_threshold_constant_is_positive_on_a_grid():
    c = lim.threshold_constant()
    for xv in (sp.Rational(1, 100), 1, 50):
        for kv in (sp.Rational(1, 10), 1, 10):
            for rv in (0, sp.Rational(1, 2)):
                assert sp.N(c.subs(th.m, mpt.closed_form(xv, kv)).subs({th.x: xv, th.rho: rv})) > 0


def test_bayes_baseline_is_a_marchenko_pastur_transform():
    c, a = sp.Symbol("c", positive=True), th.alpha
    assert sp.simplify(th.bayes_ridge_S(c, a) - mpt.closed_form(c / a, a) / a) == 0
