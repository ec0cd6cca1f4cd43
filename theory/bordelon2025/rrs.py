r"""The RRS setting in reduced-Γ form (reconstructed): power laws in depth and context, the compute-optimal shape.

Model (our precise reading of the summaries' RRS): each context has covariance :math:`\Sigma = O\Lambda O^\top`
with :math:`O` Haar-random and fresh per context, :math:`\Lambda = \operatorname{diag}(\lambda_k)`,
:math:`\lambda_k = k^{-\nu}` (capacity :math:`\nu > 1`), and task :math:`w = O\bar w` with
:math:`\lambda_k\,\mathbb E\bar w_k^2 = k^{-1-\nu\beta}` (source :math:`\beta > 0`); no label noise. The model is
the reduced-Γ recursion of the paper page, :math:`L` preconditioned GD steps on the context. Because the law
of a context is invariant under :math:`\Gamma \mapsto U\Gamma U^\top` for every rotation :math:`U`, the
population loss is too, and the minimiser over :math:`\Gamma` (as well as gradient flow from
:math:`\Gamma = 0`) stays at :math:`\Gamma = \gamma I` — the learned preconditioner cannot whiten a covariance
that rotates. At infinite context (:math:`\hat\Sigma = \Sigma`) the loss is

.. math:: \mathcal L_\infty(L) = \min_\eta \sum_k k^{-1-\nu\beta}(1 - \eta k^{-\nu})^{2L},\qquad \eta = \gamma/L,

and with :math:`(1-\eta\lambda)^{2L} \approx e^{-2\eta L\lambda}` the sum is the integral
:math:`\int_0^\infty k^{-1-\nu\beta}e^{-2\eta L k^{-\nu}}dk = \frac{\Gamma(\beta)}{\nu}(2\eta L)^{-\beta}`:
:math:`\mathcal L_\infty \propto L^{-\beta}` — depth helps at infinite context (:func:`depth_exponent`).

The compute-optimal shape of the summaries' additive form :math:`c_N N^{-\nu\beta} + c_L L^{-\beta}` is the
Mehta–Gupta allocation problem with :math:`a = \beta`, :math:`b = \nu\beta`
(:mod:`iclverify.theory.mehta_gupta2025.allocation`): :math:`L^* \propto N^{*\,\nu}` under any budget
:math:`L N` or :math:`L N^2`, and under :math:`L N = C`, :math:`L^* \propto C^{\nu/(1+\nu)}`.

>>> depth_exponent()
beta
>>> shape_exponents(2)
(2/3, 1/3, 2)
"""

from __future__ import annotations

from functools import cache

import sympy as sp

from iclverify.theory.derivation import Derivation, DerivationError, Step, proved_equal
from iclverify.theory.mehta_gupta2025 import allocation as mg_allocation

__all__ = ["beta", "depth_exponent", "depth_integral", "derivation_depth", "derivation_shape", "nu", "shape_exponents"]

nu = sp.Symbol("nu", positive=True)
beta = sp.Symbol("beta", positive=True)
k, t = sp.symbols("k t", positive=True)


@cache
def depth_integral() -> sp.Expr:
    r""":math:`\int_0^\infty k^{-1-\nu\beta}e^{-t k^{-\nu}}dk` by SymPy (:math:`t = 2\eta L`).

    >>> sp.simplify(depth_integral().subs({nu: 1, beta: 1}))
    1/t
    """
    result = sp.integrate(k ** (-1 - nu * beta) * sp.exp(-t * k ** (-nu)), (k, 0, sp.oo), conds="none")
    return sp.simplify(result)


def depth_exponent() -> sp.Expr:
    r"""The exponent :math:`p` of :math:`\mathcal L_\infty \propto L^{-p}`: :math:`-d\log I/d\log t`."""
    integral = depth_integral()
    return sp.simplify(-t * sp.diff(integral, t) / integral)


def shape_exponents(nu_value: object = None, beta_value: object = 1) -> tuple[sp.Expr, sp.Expr, sp.Expr]:
    r"""(exponent of :math:`L^*`, of :math:`N^*` in the budget :math:`C = LN`; the shape law :math:`L^*\propto
    N^{*s}`)."""
    b_nu = nu if nu_value is None else sp.nsimplify(sp.sympify(str(nu_value)), rational=True)
    b_beta = beta if beta_value is None else sp.nsimplify(sp.sympify(str(beta_value)), rational=True)
    alloc = mg_allocation.additive_allocation()
    subs = {mg_allocation.a: b_beta, mg_allocation.b: b_nu * b_beta}
    return tuple(sp.simplify(e.subs(subs)) for e in (alloc.exponent_L, alloc.exponent_d, alloc.shape_exponent))


@cache
def derivation_depth() -> Derivation:
    """The infinite-context depth law from the integral."""
    integral = depth_integral()
    expected = sp.gamma(beta) / nu * t ** (-beta)
    steps = [
        Step(
            text=r"Rotation invariance keeps $\Gamma=\gamma I$; at $P=\infty$, $\hat\Sigma=\Sigma$ and mode $k$ keeps "
            r"the fraction $(1-\eta\lambda_k)^{2L}\approx e^{-2\eta L\lambda_k}$ of its weight $k^{-1-\nu\beta}$",
            lhs=sp.Symbol(r"\mathcal{L}_\infty(L)"),
            rhs=sp.Integral(k ** (-1 - nu * beta) * sp.exp(-t * k ** (-nu)), (k, 0, sp.oo)),
        ),
        proved_equal(r"SymPy's integral ($t = 2\eta L$)", integral, expected),
        proved_equal(r"so the depth exponent is", depth_exponent(), beta),
    ]
    return Derivation(
        id="bordelon2025.rrs.depth",
        title=r"RRS: depth at infinite context",
        steps=tuple(steps),
        summary=r"$\mathcal L_\infty(L) \simeq \frac{\Gamma(\beta)}{\nu}(2\eta L)^{-\beta}$.",
        result=sp.Eq(sp.Symbol("p_L"), beta),
    )


@cache
def derivation_shape() -> Derivation:
    r"""The compute-optimal shape of :math:`c_N N^{-\nu\beta} + c_L L^{-\beta}` and when it is Mehta & Gupta's."""
    eL, eN, s = shape_exponents(None, None)
    if sp.simplify(s - nu) != 0:
        raise DerivationError(f"shape exponent {s} != nu")
    cond = sp.solve(sp.Eq(eL, sp.Rational(2, 3)), nu)
    steps = [
        Step(
            text=r"The summaries' additive form is Mehta--Gupta's $A L^{-a} + B d^{-b}$ with $a=\beta$, $b=\nu\beta$ "
            r"(their derivation, proved in SymPy)",
            lhs=sp.Symbol("(a, b)"),
            rhs=sp.Tuple(beta, nu * beta),
            how="symbolic",
            detail="iclverify.theory.mehta_gupta2025.allocation.additive_derivation",
        ),
        proved_equal(r"Under $LN = C$: $L^* \propto C^{\nu/(1+\nu)}$", eL, nu / (1 + nu)),
        proved_equal(r"$N^* \propto C^{1/(1+\nu)}$", eN, 1 / (1 + nu)),
        proved_equal(r"shape law $L^* \propto N^{*\nu}$", s, nu),
        Step(
            text=r"Mehta--Gupta's $L^*\propto N^{2/3}$ holds iff",
            lhs=nu,
            rhs=cond[0] if len(cond) == 1 else _fail(cond),
            how="symbolic",
            detail="sympy.solve",
        ),
    ]
    mg_allocation.additive_derivation()  # the allocation itself is proved there
    return Derivation(
        id="bordelon2025.rrs.shape",
        title=r"RRS: the compute-optimal shape",
        steps=tuple(steps),
        summary=r"$L^*\propto N^{*\nu}$; Mehta--Gupta's $(2/3, 1/3)$ iff $\nu = 2$.",
        result=sp.Eq(sp.Symbol("s"), nu),
    )


def _fail(cond: object) -> sp.Expr:
    raise DerivationError(f"expected one condition on nu, got {cond}")
