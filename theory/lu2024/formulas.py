r"""Lu, Letey, Zavatone-Veth, Maiti & Pehlevan (2024): the asymptotic errors of linear attention, in SymPy.

Every formula of §3 of ``papers/lu2024.md`` is written once here, as a SymPy expression in *intermediate*
symbols (:math:`x^* = (1+\rho)/\alpha`, :math:`m^* = M_\kappa(x^*)`, :math:`\mu^* = x^* M_{\kappa/\tau}(x^*)`,
the ridge root :math:`\varepsilon` with :math:`S = M_\kappa(x^*+\varepsilon)`, :math:`S' = M_\kappa'(x^*+\varepsilon)`),
so that the numerics layer can lambdify each of them (mpmath at any precision, numpy for grids) and
feed them the Marchenko–Pastur values it computed. :func:`full` substitutes the closed forms to get an
expression in the five parameters only (what the limits of §4 are taken of).

Ridgeless (:math:`\lambda \to 0^+`, Result 1 and the IDG formula), both branches of :math:`\tau \gtrless 1`;
ridge :math:`\lambda > 0`: the fixed point, :math:`c_e`, :math:`e^{\rm ICL}(\lambda)` and the *conjectured*
:math:`e^{\rm IDG}(\lambda) = -\tau c_e`; the Bayes-optimal ridge baseline.
``kappa = oo`` versions come from :func:`at_infinite_kappa` (a SymPy limit, not a retyped formula).

At the reference point :math:`\tau=2, \alpha=1, \kappa=1/2, \rho=1/100`:

>>> point = {tau: 2, alpha: 1, kappa: sp.Rational(1, 2), rho: sp.Rational(1, 100)}
>>> full(e_icl_ridgeless("tau>1")).subs(point).evalf(20)
1.2339925430392193117
>>> full(e_idg_ridgeless("tau>1")).subs(point).evalf(20)
0.60956140634974044389
"""

from __future__ import annotations

from functools import cache
from typing import Literal

import sympy as sp

from iclverify.theory import marchenko_pastur as mp_transform
from iclverify.theory.marchenko_pastur import kappa

__all__ = [
    "Branch",
    "S",
    "Sp",
    "alpha",
    "at_infinite_kappa",
    "bayes_ridge_S",
    "bayes_ridge_error",
    "bayes_ridge_error_stable",
    "c_e",
    "e_icl_ridge",
    "e_icl_ridgeless",
    "e_idg_below_split",
    "e_idg_ridge_conjecture",
    "e_idg_ridgeless",
    "eps",
    "eps0",
    "fixed_point",
    "full",
    "jensen_b",
    "jensen_upper_root",
    "jensen_upper_root_rationalised",
    "jensen_upper_root_stable",
    "k_star",
    "kappa",
    "lam",
    "latex_document",
    "m",
    "mu",
    "rho",
    "tau",
    "x",
    "x_star",
]

Branch = Literal["tau<1", "tau>1"]

# The five parameters (kappa is shared with the Marchenko-Pastur module).
tau = sp.Symbol("tau", positive=True)
alpha = sp.Symbol("alpha", positive=True)
rho = sp.Symbol("rho", nonnegative=True)
lam = sp.Symbol("lambda", positive=True)
# Intermediate quantities the formulas are written in.
x = sp.Symbol("x^*", positive=True)  # (1 + rho) / alpha
m = sp.Symbol("m^*", positive=True)  # M_kappa(x*)
mu = sp.Symbol("mu^*", positive=True)  # x* M_{kappa/tau}(x*)
eps = sp.Symbol("varepsilon", positive=True)  # the ridge root
S = sp.Symbol("S", positive=True)  # M_kappa(x* + eps)
Sp = sp.Symbol("S'", negative=True)  # M_kappa'(x* + eps)


def x_star() -> sp.Expr:
    r""":math:`x^* = (1+\rho)/\alpha`.

    >>> x_star()
    (rho + 1)/alpha
    """
    return (1 + rho) / alpha


def k_star(mm: sp.Expr = m, kk: sp.Expr = kappa) -> sp.Expr:
    r""":math:`k^* = [1 - \kappa\,(m^*/(\kappa + m^*))^2]^{-1}`.

    >>> k_star(1, 1)
    4/3
    """
    mm, kk = sp.sympify(mm), sp.sympify(kk)
    return 1 / (1 - kk * (mm / (kk + mm)) ** 2)


def e_icl_ridgeless(branch: Branch) -> sp.Expr:
    r"""Result 1, ridgeless :math:`e^{\rm ICL}`, in :math:`x^*, m^*` (:math:`\tau>1`) or :math:`x^*, \mu^*`
    (:math:`\tau<1`).

    .. math::
        \tau<1:\ \frac{\tau(1+x^*)}{1-\tau}\Bigl[1 - \tau(1-\mu^*)^2 - \frac{x^*-\rho}{x^*}\mu^*\Bigr] -
        2\tau(1-\mu^*) + 1 + \rho

        \tau>1:\ \Bigl(k^* - \frac1{\tau-1}\Bigr)(1+x^*)(x^*m^*)^2 + \frac{3-2\tau}{\tau-1}m^*x^{*2}
                 + \Bigl(\frac{(1+\rho)m^*}{\tau-1} + 1\Bigr)x^* + \frac{\rho m^*}{\tau-1} + \rho

    >>> point = {tau: sp.Rational(1, 2), alpha: 1, kappa: sp.Rational(1, 2), rho: sp.Rational(1, 100)}
    >>> full(e_icl_ridgeless("tau<1")).subs(point).evalf(20)
    1.2610768959342765377
    """
    if branch == "tau<1":
        return tau * (1 + x) / (1 - tau) * (1 - tau * (1 - mu) ** 2 - (x - rho) / x * mu) - 2 * tau * (1 - mu) + 1 + rho
    if branch == "tau>1":
        t1 = tau - 1
        return (
            (k_star() - 1 / t1) * (1 + x) * (x * m) ** 2
            + (3 - 2 * tau) / t1 * m * x**2
            + ((1 + rho) * m / t1 + 1) * x
            + rho * m / t1
            + rho
        )
    raise ValueError(f"branch must be 'tau<1' or 'tau>1', got {branch!r}")


def eps0(xx: sp.Expr = x, mmu: sp.Expr = mu, tt: sp.Expr = tau) -> sp.Expr:
    r"""Ridgeless limit of the ridge root for :math:`\tau<1`: :math:`\varepsilon_0 = (1-\tau)x^*/(\tau\mu^*)`.

    >>> eps0()
    x^**(1 - tau)/(mu^**tau)
    """
    return (1 - tt) * xx / (tt * mmu)


def e_idg_ridgeless(branch: Branch, *, expanded: bool = True) -> sp.Expr:
    r"""Ridgeless :math:`e^{\rm IDG}` (both branches).

    .. math::
        \tau>1:\ \frac{\tau}{\tau-1}\bigl[\rho + x^*(1 - x^*m^*)\bigr]

        \tau<1:\ \tau\Bigl\{\frac{(x^*+\varepsilon_0)^2}{\varepsilon_0}
            + \frac{\rho + x^* - 2x^*(1-\tau)(x^*/\varepsilon_0 + 1)}{1 - \tau - c(1-\tau)^2}\Bigr\},\quad
            c = \Bigl[1 - \frac{\kappa}{(1 + \kappa\varepsilon_0/(1-\tau))^2}\Bigr]^{-1}

    >>> e_idg_ridgeless("tau>1").subs({tau: 2, m: 0})
    2*rho + 2*x^*
    >>> e_idg_ridgeless("tau<1", expanded=False).has(sp.Symbol("c"))   # with the shorthands, for display
    True
    """
    if branch == "tau>1":
        return tau / (tau - 1) * (rho + x * (1 - x * m))
    if branch == "tau<1":
        if expanded:
            e0 = eps0()
            c = 1 / (1 - kappa / (1 + kappa * e0 / (1 - tau)) ** 2)
        else:  # for display: the shorthands as symbols
            e0, c = sp.Symbol("varepsilon_0", positive=True), sp.Symbol("c")
        return tau * (
            (x + e0) ** 2 / e0 + (rho + x - 2 * x * (1 - tau) * (x / e0 + 1)) / (1 - tau - c * (1 - tau) ** 2)
        )
    raise ValueError(f"branch must be 'tau<1' or 'tau>1', got {branch!r}")


N = sp.Symbol("N", positive=True)  # M_{kappa/tau}(x*) = mu*/x*


def e_idg_below_split() -> dict[str, sp.Expr]:
    r"""Ridgeless :math:`e^{\rm IDG}` (:math:`\tau<1`) split for fast grids, in :math:`N = M_{\kappa/\tau}(x^*)`.

    .. math::
        e^{\rm IDG} = \tau\Bigl[a_1 N + a_0 + \frac{a_{-1}}{N} + (b_0 - b_1 N)\,R\Bigr],\quad
        R = \frac{(1+w)^2 - \kappa}{\tau(1+w)^2 - \kappa},\ w = \frac{\kappa}{\tau N},

    with :math:`a_1 = \tau x^{*2}/(1-\tau)`, :math:`a_0 = 2x^*`, :math:`a_{-1} = (1-\tau)/\tau`,
    :math:`b_0 = [\rho + x^* - 2x^*(1-\tau)]/(1-\tau)`, :math:`b_1 = 2\tau x^{*2}/(1-\tau)`: only :math:`R` mixes
    :math:`\kappa` and :math:`N`. SymPy proves it equal to :func:`e_idg_ridgeless` (a rational identity):

    >>> parts = e_idg_below_split()
    >>> sp.cancel(parts["expr"] - e_idg_ridgeless("tau<1").subs(mu, x * N))
    0
    """
    w = kappa / (tau * N)
    parts = {
        "a1": tau * x**2 / (1 - tau),
        "a0": 2 * x,
        "am1": (1 - tau) / tau,
        "b0": (rho + x - 2 * x * (1 - tau)) / (1 - tau),
        "b1": 2 * tau * x**2 / (1 - tau),
        "R": ((1 + w) ** 2 - kappa) / (tau * (1 + w) ** 2 - kappa),
    }
    parts["expr"] = tau * (
        parts["a1"] * N + parts["a0"] + parts["am1"] / N + (parts["b0"] - parts["b1"] * N) * parts["R"]
    )
    return parts


def fixed_point() -> sp.Expr:
    r"""The ridge fixed-point function :math:`f(\varepsilon) = 1 - \tau + \tau\lambda/\varepsilon - \varepsilon
    S`, :math:`S = M_\kappa(\varepsilon + x^*)`.

    For :math:`\lambda > 0` it falls strictly from :math:`+\infty` to :math:`-\tau` on :math:`(0,\infty)`
    (:math:`\varepsilon M_\kappa(\varepsilon + x) = \mathbb E[\varepsilon/(s + x + \varepsilon)]` increases),
    so its root is unique.

    >>> fixed_point().subs({tau: 2, lam: 1, eps: 2, S: 0})
    0
    """
    return 1 - tau + tau * lam / eps - eps * S


def jensen_b() -> sp.Expr:
    r""":math:`B = (1-\tau)(1+x^*) + \tau\lambda`: the Jensen root's linear coefficient, whose sign picks its
    stable form.

    >>> jensen_b().subs({tau: 1, lam: 3})
    3
    """
    return (1 - tau) * (1 + x) + tau * lam


def jensen_upper_root() -> sp.Expr:
    r"""Upper bracket end: the root of :math:`1 - \tau + \tau\lambda/\varepsilon - \varepsilon/(1 + x^* + \varepsilon)`.

    Since :math:`M_\kappa(z) \ge 1/(1+z)` (Jensen; equality at :math:`\kappa = \infty`), :math:`f` lies below
    this function, which also falls strictly, so :math:`f < 0` beyond its root:
    :math:`\varepsilon_J = \bigl[B + \sqrt{B^2 + 4\tau^2\lambda(1+x^*)}\bigr]/(2\tau)`, :math:`B` = :func:`jensen_b`.
    At :math:`\kappa=\infty` it *is* the ridge root.

    >>> jensen_upper_root().subs({tau: 1, lam: 2, x: 1})   # root of eps^2 - 2 eps - 4
    1 + sqrt(5)
    """
    b = jensen_b()
    return (b + sp.sqrt(b**2 + 4 * tau**2 * lam * (1 + x))) / (2 * tau)


def jensen_upper_root_rationalised() -> sp.Expr:
    r"""The same root as :func:`jensen_upper_root`, rationalised: :math:`2\tau\lambda(1+x^*)/[\sqrt{B^2 +
    4\tau^2\lambda(1+x^*)} - B]`.

    Free of cancellation when :math:`B < 0` (e.g. :math:`\tau > 1`, small :math:`\lambda`), where the other form
    subtracts nearly equal numbers. SymPy proves the two equal:

    >>> sp.simplify(jensen_upper_root_rationalised() - jensen_upper_root())
    0
    """
    b = jensen_b()
    return 2 * tau * lam * (1 + x) / (sp.sqrt(b**2 + 4 * tau**2 * lam * (1 + x)) - b)


def jensen_upper_root_stable() -> sp.Expr:
    r"""The Jensen root in the form free of cancellation at each point: :func:`jensen_upper_root` where
    :math:`B \ge 0`, :func:`jensen_upper_root_rationalised` where :math:`B < 0` (what numerics evaluates).

    >>> jensen_upper_root_stable().subs({tau: 2, lam: 1, x: 1})   # B = 0: the first form, sqrt(32)/4
    sqrt(2)
    >>> point = {tau: 3, lam: 1, x: 1}   # B = -1: the rationalised form
    >>> jensen_upper_root_stable().subs(point) == jensen_upper_root_rationalised().subs(point)
    True
    """
    return sp.Piecewise((jensen_upper_root(), jensen_b() >= 0), (jensen_upper_root_rationalised(), True))


def c_e() -> sp.Expr:
    r""":math:`c_e = [\rho + \nu - \nu^2 S - \varepsilon(1 - 2\nu S - \nu^2 S')]/[1 - 2\varepsilon S -
    \varepsilon^2 S' - \tau]`, :math:`\nu = x^* + \varepsilon`.

    >>> c_e().subs({eps: 0, S: m, tau: 2}) == -(rho + x - x**2 * m)
    True
    """
    nu = x + eps
    return (rho + nu - nu**2 * S - eps * (1 - 2 * nu * S - nu**2 * Sp)) / (1 - 2 * eps * S - eps**2 * Sp - tau)


def e_icl_ridge(*, expanded: bool = True) -> sp.Expr:
    r""":math:`e^{\rm ICL}(\lambda) = (x^*+1)[1 - 2\nu S - \nu^2 S' - c_e(S + \varepsilon S')] - 2(1 - \nu S) +
    1 + \rho`.

    >>> sorted(map(str, e_icl_ridge().free_symbols))   # lambda enters only through the root
    ['S', "S'", 'rho', 'tau', 'varepsilon', 'x^*']
    """
    nu = x + eps
    ce = c_e() if expanded else sp.Symbol("c_e")
    return (x + 1) * (1 - 2 * nu * S - nu**2 * Sp - ce * (S + eps * Sp)) - 2 * (1 - nu * S) + 1 + rho


def e_idg_ridge_conjecture() -> sp.Expr:
    r"""The *conjectured* :math:`e^{\rm IDG}(\lambda) = -\tau c_e` (no published source; tested, not assumed).

    >>> e_idg_ridge_conjecture().subs({eps: 0, S: m}).equals(e_idg_ridgeless("tau>1"))
    True
    """
    return -tau * c_e()


def bayes_ridge_S(c: sp.Expr, a: sp.Expr) -> sp.Expr:
    r""":math:`S(c, \alpha) = 2/[c + \alpha - 1 + \sqrt{(c+\alpha-1)^2 + 4c}]`.

    >>> bayes_ridge_S(0, 2)   # noiseless, alpha > 1: 1/(alpha - 1)
    1
    """
    c, a = sp.sympify(c), sp.sympify(a)
    return 2 / (c + a - 1 + sp.sqrt((c + a - 1) ** 2 + 4 * c))


def bayes_ridge_error(a: sp.Expr = alpha, r: sp.Expr = rho) -> sp.Expr:
    r"""Bayes-optimal ridge baseline for :math:`w \sim N(0, I)`: :math:`e = \rho(1 + S(\rho, \alpha))`.

    >>> sp.radsimp(bayes_ridge_error(2, 1))   # S(1, 2) = sqrt(2) - 1
    sqrt(2)
    """
    a, r = sp.sympify(a), sp.sympify(r)
    return r * (1 + bayes_ridge_S(r, a))


def bayes_ridge_error_stable(a: sp.Expr = alpha, r: sp.Expr = rho) -> sp.Expr:
    r"""The Bayes-optimal error in a form that is exact at :math:`\rho = 0` and free of cancellation.

    With :math:`b = \rho + \alpha - 1` and :math:`q = \sqrt{b^2 + 4\rho}`, :math:`\rho S = 2\rho/(b + q) = (q - b)/2`
    (multiply by :math:`q - b`; :math:`q^2 - b^2 = 4\rho`). The first form cancels nothing when :math:`b > 0`,
    the second when :math:`b \le 0`, and the second stays finite at :math:`\rho = 0`, where
    :math:`\rho(1+S)` is :math:`0\cdot\infty` for :math:`\alpha < 1`: the noiseless error is :math:`(1-\alpha)_+`.

    >>> [bayes_ridge_error_stable(sp.Rational(1, 4), 0), bayes_ridge_error_stable(2, 0), bayes_ridge_error_stable(1, 0)]
    [3/4, 0, 0]
    >>> sp.simplify(bayes_ridge_error_stable().args[1][0] - bayes_ridge_error())   # the two forms agree for rho > 0
    0
    """
    a, r = sp.sympify(a), sp.sympify(r)
    b = r + a - 1
    q = sp.sqrt(b**2 + 4 * r)
    return sp.Piecewise((r + 2 * r / (b + q), b > 0), (r + (q - b) / 2, True))


@cache
def at_infinite_kappa(expr: sp.Expr) -> sp.Expr:
    r"""``expr`` at :math:`\kappa = \infty` (the other symbols held fixed).

    The formulas are rational in :math:`\kappa`: with :math:`t = 1/\kappa`, ``together`` writes
    ``expr`` as :math:`N(t)/D(t)`; when :math:`D(0) \not\equiv 0` the function is continuous at
    :math:`t = 0` and the limit is :math:`N(0)/D(0)` (fast, and exact). Otherwise :func:`sympy.limit`.

    >>> at_infinite_kappa(k_star())
    1
    >>> sp.simplify(at_infinite_kappa(e_icl_ridgeless("tau>1")) - sp.limit(e_icl_ridgeless("tau>1"), kappa, sp.oo))
    0
    """
    t = sp.Symbol("t_kappa", positive=True)
    num, den = sp.fraction(sp.together(sp.sympify(expr).subs(kappa, 1 / t)))
    den0 = den.subs(t, 0)
    # D(0) is not identically zero if it is nonzero at one rational point (exact arithmetic, no simplify).
    probe = {sym: sp.Rational(2 * i + 3, 7 * i + 5) for i, sym in enumerate(sorted(den0.free_symbols, key=str))}
    continuous = den0.is_zero is False or sp.nsimplify(den0.subs(probe)) != 0
    if continuous and not num.has(sp.zoo, sp.nan, sp.oo):
        result = num.subs(t, 0) / den0
    else:
        result = sp.limit(expr, kappa, sp.oo)
    if result.has(sp.Limit, sp.oo, -sp.oo, sp.nan, sp.zoo):
        raise ArithmeticError(f"no finite kappa -> oo limit of {expr}")
    return result


def full(expr: sp.Expr) -> sp.Expr:
    r"""Substitute :math:`x^*, m^*, \mu^*` by their closed forms in the five parameters.

    >>> full(m).subs({alpha: 1, rho: 0, kappa: sp.oo})
    1/2
    """
    xs = x_star()
    return sp.sympify(expr).subs(
        {
            m: mp_transform.closed_form(xs, kappa),
            mu: xs * mp_transform.closed_form(xs, kappa / tau),
            x: xs,
        },
        simultaneous=True,
    )


def latex_document() -> str:
    """The LaTeX source of ``icl-verify latex lu2024`` (definitions, results, derived limits)."""
    from iclverify.theory.lu2024.document import document

    return document()
