r"""The Marchenko–Pastur transform :math:`M_\kappa(z) = \lim \frac1d \operatorname{tr}(R_k + zI)^{-1}`.

:math:`R_k = \frac1k\sum_{j\le k} w_j w_j^\top` with :math:`k = \kappa d` tasks. :math:`M_\kappa(z)` is
*defined* here as the positive root of the quadratic

.. math:: \frac{z}{\kappa} M^2 + \Bigl(z + 1 - \frac1\kappa\Bigr) M - 1 = 0 \qquad (z > 0),

and everything else is derived from that definition with SymPy (nothing below is typed in and then
asserted): the closed form (which root is positive, by Vieta), its rationalised form, the derivative
(implicit differentiation, checked against the paper's expression), the identity
:math:`1 - zM = \kappa M/(\kappa + M)`, the Jensen bound :math:`M_\kappa(z) > 1/(1+z)` and the limit
:math:`M_\infty(z) = 1/(1+z)`.

Two equal closed forms are exported because they lose digits in different places:
:func:`closed_form` :math:`= 2/(b + \sqrt D)` is free of cancellation when :math:`b = z + 1 - 1/\kappa \ge 0`,
:func:`closed_form_direct` :math:`= \kappa(\sqrt D - b)/(2z)` when :math:`b < 0`
(:math:`D = b^2 + 4z/\kappa`). Numerics picks the one that is stable at each point.

>>> sp.radsimp(closed_form(sp.Rational(1, 3), sp.Rational(1, 2)))   # root of 2M^2 - 2M - 3
(1 + sqrt(7))/2
"""

from __future__ import annotations

from functools import cache
from typing import NoReturn

import sympy as sp

from iclverify.theory.derivation import Derivation, DerivationError, Step, proved_equal, proved_limit

__all__ = [
    "M",
    "closed_form",
    "closed_form_direct",
    "closed_form_infinite",
    "defining_quadratic",
    "derivation",
    "derivative",
    "derivative_in_M",
    "discriminant",
    "kappa",
    "linear_coefficient",
    "reduce_modulo_quadratic",
    "z",
]

z = sp.Symbol("z", positive=True)
kappa = sp.Symbol("kappa", positive=True)
M = sp.Symbol("M")  # the unknown of the quadratic (no sign assumed: the roots are found, then selected)


def linear_coefficient(zz: sp.Expr = z, kk: sp.Expr = kappa) -> sp.Expr:
    r""":math:`b = z + 1 - 1/\kappa`, the quadratic's linear coefficient; its sign picks the closed form
    without cancellation.

    >>> linear_coefficient(1, 2)
    3/2
    """
    zz, kk = sp.sympify(zz), sp.sympify(kk)
    return zz + 1 - 1 / kk


def defining_quadratic(m: sp.Expr = M, zz: sp.Expr = z, kk: sp.Expr = kappa) -> sp.Expr:
    r""":math:`\frac{z}{\kappa}M^2 + (z + 1 - 1/\kappa)M - 1`, whose positive root is :math:`M_\kappa(z)`.

    >>> defining_quadratic(sp.Rational(1, 2), 1, 1)
    -1/4
    >>> defining_quadratic((sp.sqrt(5) - 1) / 2, 1, 1).expand()   # M_1(1) is the golden ratio's inverse
    0
    """
    m, zz, kk = sp.sympify(m), sp.sympify(zz), sp.sympify(kk)
    return zz / kk * m**2 + linear_coefficient(zz, kk) * m - 1


def discriminant(zz: sp.Expr = z, kk: sp.Expr = kappa) -> sp.Expr:
    r""":math:`D = (z + 1 - 1/\kappa)^2 + 4z/\kappa` (divided by the leading coefficient's square, as in the paper).

    >>> discriminant(1, 1)
    5
    """
    zz, kk = sp.sympify(zz), sp.sympify(kk)
    return linear_coefficient(zz, kk) ** 2 + 4 * zz / kk


@cache
def _roots() -> tuple[sp.Expr, sp.Expr, sp.Expr, sp.Expr]:
    """(positive root, negative root) as SymPy solved them, then their difference and product."""
    roots = sp.solve(defining_quadratic(), M)
    if len(roots) != 2:
        raise DerivationError(f"expected two roots of the quadratic, got {roots}")
    r1, r2 = roots
    # SymPy cannot see that the radicand is positive; rewrite it as a square plus a positive term first.
    positive_radicand = (kappa * (z + 1) - 1) ** 2 + 4 * kappa * z
    radicals = {p for p in (r1 - r2).atoms(sp.Pow) if p.exp == sp.Rational(1, 2)}
    if len(radicals) != 1 or sp.expand(radicals.pop().base - positive_radicand) != 0:
        raise DerivationError(f"unexpected radicals in the roots {roots}")
    diff = sp.simplify((r1 - r2).subs(sp.expand(positive_radicand), positive_radicand))
    if diff.is_positive:
        plus, minus = r1, r2
    elif (-diff).is_positive:
        plus, minus = r2, r1
    else:
        raise DerivationError(f"SymPy could not order the roots: difference {diff}")
    product = sp.simplify(plus * minus)
    if not product.is_negative:
        raise DerivationError(f"SymPy could not show the product of the roots is negative: {product}")
    return plus, minus, diff, product


def closed_form(zz: sp.Expr = z, kk: sp.Expr = kappa) -> sp.Expr:
    r""":math:`M_\kappa(z) = 2/\bigl[b + \sqrt{b^2 + 4z/\kappa}\bigr]`, :math:`b = z + 1 - 1/\kappa` (stable
    for :math:`b \ge 0`).

    The form is checked against SymPy's positive root in :func:`derivation`.

    >>> closed_form(1, 1)
    2/(1 + sqrt(5))
    """
    zz, kk = sp.sympify(zz), sp.sympify(kk)
    return 2 / (linear_coefficient(zz, kk) + sp.sqrt(discriminant(zz, kk)))


@cache
def closed_form_infinite(zz: sp.Expr = z) -> sp.Expr:
    r""":math:`M_\infty(z) = \lim_{\kappa\to\infty} M_\kappa(z)`, computed by :func:`sympy.limit`.

    >>> closed_form_infinite()
    1/(z + 1)
    """
    limit = sp.simplify(sp.limit(closed_form(), kappa, sp.oo))
    return limit.subs(z, sp.sympify(zz))


def closed_form_direct(zz: sp.Expr = z, kk: sp.Expr = kappa) -> sp.Expr:
    r""":math:`M_\kappa(z) = \kappa\bigl[\sqrt{b^2 + 4z/\kappa} - b\bigr]/(2z)` (stable for :math:`b < 0`).

    >>> sp.simplify(closed_form_direct(1, 1) - closed_form(1, 1))
    0
    """
    zz, kk = sp.sympify(zz), sp.sympify(kk)
    return kk * (sp.sqrt(discriminant(zz, kk)) - linear_coefficient(zz, kk)) / (2 * zz)


def derivative(zz: sp.Expr = z, kk: sp.Expr = kappa) -> sp.Expr:
    r"""The paper's :math:`M_\kappa'(z) = -\tfrac12 M^2\bigl[1 + (z + 1 + 1/\kappa)/\sqrt{D}\bigr]` (proved in
    :func:`derivation`).

    >>> derivative(1, sp.oo)   # M_inf(z) = 1/(1+z): M_inf'(1) = -1/4
    -1/4
    """
    zz, kk = sp.sympify(zz), sp.sympify(kk)
    m = closed_form(zz, kk)
    return -sp.Rational(1, 2) * m**2 * (1 + (zz + 1 + 1 / kk) / sp.sqrt(discriminant(zz, kk)))


def derivative_in_M(m: sp.Expr = M, zz: sp.Expr = z, kk: sp.Expr = kappa) -> sp.Expr:
    r"""Implicit differentiation of the quadratic: :math:`M' = -(M^2/\kappa + M)/(2zM/\kappa + z + 1 - 1/\kappa)`.

    A rational function of :math:`M`; with :func:`reduce_modulo_quadratic` it turns identities that
    involve :math:`M'` into polynomial identities in :math:`M`.

    >>> derivative_in_M(sp.Rational(1, 2), 1, sp.oo)   # M_inf(1) = 1/2, M_inf'(1) = -1/4
    -1/4
    """
    q = defining_quadratic(M, z, kappa)
    expr = -sp.diff(q, z) / sp.diff(q, M)
    return expr.subs({M: m, z: zz, kappa: kk}, simultaneous=True)


def reduce_modulo_quadratic(expr: sp.Expr, m: sp.Symbol, zz: sp.Expr, kk: sp.Expr) -> sp.Expr:
    r"""The numerator of ``expr`` (a rational function of the symbol ``m``) reduced modulo the quadratic.

    When ``m`` stands for :math:`M_\kappa(z)` (a root of the quadratic), ``expr`` vanishes if the result
    is 0 and the denominator does not vanish: a SymPy proof by polynomial division.

    >>> reduce_modulo_quadratic(1 - z * M - kappa * M / (kappa + M), M, z, kappa)
    0
    """
    num, _ = sp.fraction(sp.together(sp.sympify(expr)))  # no expand first: it blows up rational expressions
    poly_q = sp.Poly(defining_quadratic(m, zz, kk), m)
    remainder = sp.rem(sp.Poly(num, m), poly_q)
    # The remainder's coefficients are rational functions of the other symbols: zero iff their numerators expand to 0.
    coeffs = [sp.expand(sp.fraction(sp.together(c))[0]) for c in remainder.all_coeffs()]
    return sp.Integer(0) if all(c == 0 for c in coeffs) else remainder.as_expr()


@cache
def derivation() -> Derivation:
    r"""From the defining quadratic to the closed form, derivative, identity, Jensen bound and
    :math:`\kappa\to\infty`."""
    plus, _, _, product = _roots()
    q = defining_quadratic()
    m = closed_form()
    identity_rhs = kappa * M / (kappa + M)
    steps = [
        Step(
            text=r"Definition: $M_\kappa(z)$, $z>0$, is the positive root of the quadratic",
            lhs=q,
            rhs=sp.Integer(0),
        ),
        Step(
            text="SymPy solves it; the two roots are",
            lhs=sp.Symbol("M_+"),
            rhs=plus,
            how="symbolic",
            detail="sympy.solve",
        ),
        Step(
            text=r"Vieta: the product of the roots is negative, so exactly one root is positive; the larger "
            r"one, since $M_+ - M_- > 0$",
            lhs=sp.Symbol("M_+") * sp.Symbol("M_-"),
            rhs=product,
            how="symbolic",
            detail="SymPy's sign assumptions: the product is negative, the difference positive",
        ),
        proved_equal(
            r"Rationalising the numerator gives the closed form (stable for $z + 1 - 1/\kappa \ge 0$)",
            plus,
            m,
        ),
        proved_equal(r"The un-rationalised form (stable for $z + 1 - 1/\kappa < 0$)", plus, closed_form_direct()),
        proved_equal(
            r"Implicit differentiation of the quadratic, evaluated at the root, equals the paper's $M_\kappa'(z)$",
            derivative_in_M(m),
            derivative(),
        ),
        proved_equal(r"and equals the derivative of the closed form", sp.diff(m, z), derivative()),
        Step(
            text=r"Identity: $1 - zM = \kappa M/(\kappa+M)$; the difference's numerator is a multiple of the quadratic",
            lhs=1 - z * M,
            rhs=identity_rhs,
            how="symbolic"
            if reduce_modulo_quadratic(1 - z * M - identity_rhs, M, z, kappa) == 0
            else _fail("identity 1 - zM = kappa M/(kappa+M)"),
            detail="remainder modulo the quadratic is 0",
        ),
        proved_equal(r"The identity also holds for the closed form itself", 1 - z * m, kappa * m / (kappa + m)),
        Step(
            text=r"Hence $0 < zM < 1$ and, since $\kappa M/(\kappa+M) < M$, the Jensen bound $M_\kappa(z) > 1/(1+z)$",
            lhs=M,
            relation=">",
            rhs=1 / (1 + z),
            how="symbolic",
            detail="from the identity: 1 - zM < M",
        ),
        proved_limit(
            r"Infinite task diversity",
            m,
            kappa,
            sp.oo,
            1 / (1 + z),
            lhs=r"M_\infty(z) = \lim_{\kappa\to\infty} M_\kappa(z)",
        ),
    ]
    return Derivation(
        id="mp.transform",
        title=r"The Marchenko--Pastur transform $M_\kappa$",
        steps=tuple(steps),
        summary=r"$M_\kappa(z) = \lim_{d\to\infty} \frac1d\operatorname{tr}(R_k + zI)^{-1}$ for $R_k = "
        r"\frac1k\sum_j w_j w_j^\top$, $k = \kappa d$.",
        result=sp.Eq(sp.Symbol(r"M_\kappa(z)"), m),
    )


def _fail(what: str) -> NoReturn:
    raise DerivationError(f"SymPy could not prove: {what}")
