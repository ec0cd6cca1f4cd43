r"""Numbers for Mehta & Gupta (2025): configurations, parameter counts, allocations, critical scales.

Formulas come from :mod:`iclverify.theory.mehta_gupta2025.formulas` and
:mod:`iclverify.theory.mehta_gupta2025.allocation`
(evaluated with SymPy/mpmath at ``dps`` digits) so each is written once. Counts are exact integers.

**Parameter-count convention** (:func:`transformer_param_count`): a pre-LN GPT-style block has attention
:math:`W_Q, W_K, W_V, W_O` (:math:`4d^2` weights, :math:`4d` biases), an MLP :math:`d \to rd \to d`
(:math:`2rd^2` weights, :math:`rd + d` biases; :math:`r = 4`) and two LayerNorms (:math:`4d`): with
:math:`r = 4` that is :math:`12d^2 + 13d` per block. Around the blocks: a final LayerNorm (:math:`2d`),
an input projection of the token (:math:`d_{\rm in} d + d`), learned positions (:math:`n_{\rm ctx} d`)
and a linear readout (:math:`d\,d_{\rm out} + d_{\rm out}`). The summary's "N = L d" is none of these.

>>> transformer_param_count(64, 31250).blocks_leading
750000000000
>>> int(critical_scale_value(20, 2).exact)
4096000000
>>> round(float(eta_eff_value(64, 31250)) * 2e6 ** 0.5, 12)
1.0
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from functools import cache
from typing import Any

import mpmath
import sympy as sp

from iclverify.numerics.backends import Compiled, Mp, Table, compile_table
from iclverify.runtime.errors import ParameterError
from iclverify.runtime.validation import integer, nonnegative_int, one_of, positive_int
from iclverify.theory.mehta_gupta2025 import allocation as talloc
from iclverify.theory.mehta_gupta2025 import formulas as mg
from iclverify.theory.mehta_gupta2025.formulas import exact_number

# Tree depths beyond this are no task anyone trains on, and (k h)^(2(h+1)) would have millions of digits.
MAX_DEPTH = 1000
MAX_DEMONSTRATIONS = 10**6

__all__ = [
    "AllocationValue",
    "CriticalScale",
    "ParamCount",
    "StepsOptimum",
    "allocation_value",
    "configurations",
    "critical_scale_table",
    "critical_scale_value",
    "eta_eff_value",
    "exponent_value",
    "rademacher_value",
    "steps_model_optimum",
    "transformer_param_count",
]


@dataclasses.dataclass(frozen=True, kw_only=True)
class ParamCount:
    """Parameter count of an L-block, width-d transformer, split by where the weights live (exact ints)."""

    L: int
    d: int
    per_block: int
    blocks: int
    final_norm: int
    embedding: int
    readout: int
    total: int
    blocks_leading: int  # 12 L d^2: the usual approximation
    convention: str

    @property
    def N(self) -> int:
        """The summary's budget variable, L d."""
        return self.L * self.d


def transformer_param_count(
    L: int,
    d: int,
    *,
    d_in: int = 1,
    d_out: int = 1,
    n_ctx: int = 0,
    mlp_ratio: int = 4,
) -> ParamCount:
    r"""Exact count under the convention in the module docstring.

    >>> c = transformer_param_count(2, 8, d_in=5, n_ctx=10)
    >>> c.per_block == 12 * 64 + 13 * 8, c.total == 2 * c.per_block + 16 + (5 * 8 + 8) + 80 + 9
    (True, True)
    """
    L, d = positive_int("L", L), positive_int("d", d)
    d_in, d_out, mlp_ratio = (
        positive_int("d_in", d_in),
        positive_int("d_out", d_out),
        positive_int("mlp_ratio", mlp_ratio),
    )
    n_ctx = nonnegative_int("n_ctx", n_ctx)
    attention = 4 * d * d + 4 * d
    mlp = 2 * mlp_ratio * d * d + mlp_ratio * d + d
    norms = 4 * d
    per_block = attention + mlp + norms
    embedding = d_in * d + d + n_ctx * d
    readout = d * d_out + d_out
    total = L * per_block + 2 * d + embedding + readout
    return ParamCount(
        L=L,
        d=d,
        per_block=per_block,
        blocks=L * per_block,
        final_norm=2 * d,
        embedding=embedding,
        readout=readout,
        total=total,
        blocks_leading=talloc.leading_parameter_count(L, d),
        convention=(
            f"pre-LN GPT block: attention 4d^2+4d, MLP (ratio {mlp_ratio}) {2 * mlp_ratio}d^2+{mlp_ratio + 1}d, "
            f"2 LayerNorms 4d; final LayerNorm 2d; input projection d_in*d+d; positions n_ctx*d; readout d*d_out+d_out"
        ),
    )


def exponent_value(h: object) -> tuple[sp.Rational, Mp]:
    """``(exact, mpf)`` of :math:`\\alpha(h) = 1/(2(h+1))`.

    >>> exponent_value("1/2")[0]
    1/3
    """
    exact = mg.exponent(exact_number("h", h, high=MAX_DEPTH))
    return exact, mpmath.mpf(exact.p) / exact.q


@dataclasses.dataclass(frozen=True, kw_only=True)
class CriticalScale:
    """:math:`N_c = (kh)^{2(h+1)}` at unit prefactor: ``exact`` (SymPy; an integer for integer k, h) and ``value``."""

    k: sp.Rational
    h: sp.Rational
    exact: sp.Expr
    value: Mp
    exponent: sp.Rational  # 1/alpha = 2(h+1)
    halving_factor: sp.Expr

    @property
    def is_integer(self) -> bool:
        return bool(self.exact.is_Integer)


def critical_scale_value(k: object, h: object, *, dps: int = 30) -> CriticalScale:
    r"""The stated critical scale with unit prefactor; ``k > 0``, ``h >= 0``.

    >>> c = critical_scale_value(20, 2)
    >>> c.exact, mpmath.nstr(c.value, 3), c.halving_factor
    (4096000000, '4.1e+9', 64)
    """
    kv = sp.Integer(integer("k", k, high=MAX_DEMONSTRATIONS, from_text=isinstance(k, str)))
    hv = exact_number("h", h, high=MAX_DEPTH)
    exact = mg.critical_scale(kv, hv)
    with mpmath.workdps(dps):
        value = mpmath.mpf(sp.N(exact, dps + 5)) if exact != 0 else mpmath.mpf(0)
    return CriticalScale(
        k=kv, h=hv, exact=exact, value=value, exponent=1 / mg.exponent(hv), halving_factor=mg.halving_factor(hv)
    )


def critical_scale_table(
    ks: tuple[int, ...] = (5, 10, 20, 50), hs: tuple[int, ...] = (1, 2, 3)
) -> list[dict[str, Any]]:
    """N_c for typical (k, h), unit prefactor."""
    return [{"k": k, "h": h, "N_c": int(critical_scale_value(k, h).exact)} for h in hs for k in ks]


@cache
def _mpmath_functions() -> Compiled:
    """The theory's scalings and the steps model compiled for mpmath, once."""
    model = mg.steps_model()
    steps_args = (mg.u, mg.N, mg.b, mg.kappa, mg.B)
    table: Table = {
        "eta_eff": ((mg.L, mg.d), mg.eta_eff()),
        "rademacher": ((mg.L, mg.d, mg.D), mg.rademacher()),
        **{name: (steps_args, expr) for name, expr in model.items()},
    }
    return compile_table(table, "mp")


def _mpf(value: sp.Rational) -> Mp:
    return mpmath.mpf(value.p) / value.q


def eta_eff_value(L: object, d: object) -> Mp:
    """:math:`1/\\sqrt{Ld}` (mpf): :func:`iclverify.theory.mehta_gupta2025.formulas.eta_eff`.

    >>> mpmath.nstr(eta_eff_value(4, 9), 10)
    '0.1666666667'
    """
    Lv, dv = exact_number("L", L, low_open=True), exact_number("d", d, low_open=True)
    return _mpmath_functions()["eta_eff"](_mpf(Lv), _mpf(dv))


def rademacher_value(L: object, d: object, D: object) -> Mp:
    """:math:`\\sqrt{Ld\\log(Ld)/D}` (mpf), the stated term at unit constant (needs :math:`Ld > 1`)."""
    Lv, dv = exact_number("L", L, low_open=True), exact_number("d", d, low_open=True)
    Dv = exact_number("D", D, low_open=True)
    if Lv * dv <= 1:
        raise ParameterError("L d must exceed 1 for log(L d) > 0")
    return _mpmath_functions()["rademacher"](_mpf(Lv), _mpf(dv), _mpf(Dv))


@dataclasses.dataclass(frozen=True, kw_only=True)
class AllocationValue:
    """The optimal shape at a budget: exact exponents, L* and d* (mpf), and the implied other quantities."""

    budget: str
    budget_value: sp.Rational
    a: sp.Rational
    b: sp.Rational
    ratio: sp.Rational  # A/B
    exponent_L: sp.Rational
    exponent_d: sp.Rational
    L_star: Mp
    d_star: Mp
    N: Mp  # L* d*
    P_leading: Mp  # 12 L* d*^2
    stated_pair: bool  # (2/3, 1/3) in the budget variable


def allocation_value(
    N: object, *, a: object = 1, b: object = 2, budget: str = "ld", ratio: object = 1, dps: int = 30
) -> AllocationValue:
    r"""Optimal (L*, d*) of :math:`A L^{-a} + B d^{-b}` at budget ``N`` (``L d = N`` or ``12 L d^2 = N``),
    with :math:`A/B` = ``ratio``. Defaults ``a = 1, b = 2`` satisfy the condition :math:`b = 2a`.

    >>> v = allocation_value(2 * 10**6)
    >>> v.exponent_L, mpmath.nstr(v.L_star, 8), mpmath.nstr(v.L_star * v.d_star, 8)
    (2/3, '12599.21', '2000000.0')
    """
    Nv = exact_number("N", N, low_open=True)
    av, bv = exact_number("a", a, low_open=True), exact_number("b", b, low_open=True)
    rv = exact_number("ratio", ratio, low_open=True)
    one_of("budget", budget, talloc.BUDGETS)
    base = talloc.additive_allocation() if budget == "ld" else talloc.parameter_budget_allocation()
    L_fn, d_fn = _allocation_functions(budget)
    exact = {talloc.a: av, talloc.b: bv}
    e_L, e_d = sp.Rational(base.exponent_L.subs(exact)), sp.Rational(base.exponent_d.subs(exact))
    with mpmath.workdps(dps):
        args = [mpmath.mpf(v.p) / v.q for v in (av, bv, rv, sp.Integer(1), Nv)]
        Ls, ds = L_fn(*args), d_fn(*args)
        return AllocationValue(
            budget=budget,
            budget_value=Nv,
            a=av,
            b=bv,
            ratio=rv,
            exponent_L=e_L,
            exponent_d=e_d,
            L_star=Ls,
            d_star=ds,
            N=Ls * ds,
            P_leading=talloc.leading_parameter_count(Ls, ds),
            stated_pair=(e_L, e_d) == (talloc.STATED_L, talloc.STATED_D),
        )


@cache
def _allocation_functions(budget: str) -> tuple[Callable[..., Mp], Callable[..., Mp]]:
    """The theory's L*, d* compiled for mpmath (numbers never pass through SymPy's exact powers)."""
    base = talloc.additive_allocation() if budget == "ld" else talloc.parameter_budget_allocation()
    args = (talloc.a, talloc.b, talloc.A, talloc.B, base.variable)
    f = compile_table({"L_star": (args, base.L_star), "d_star": (args, base.d_star)}, "mp")
    return f["L_star"], f["d_star"]


@dataclasses.dataclass(frozen=True, kw_only=True)
class StepsOptimum:
    r"""Interior minimum of :math:`E(L) = e^{-\kappa L/\sqrt N} + B (L/N)^b` (the "L steps of size
    :math:`\eta_{\rm eff}`" model): :math:`u = \kappa L^*/\sqrt N`, :math:`L^*`, the local log-log slope
    :math:`s = 1/2 + b/(2(u+b-1))`, and whether it beats the :math:`L \to 0` end (:math:`E \to 1`)."""

    N: Mp
    u: Mp
    L_star: Mp
    slope: Mp
    error: Mp
    beats_boundary: bool


def steps_model_optimum(
    N: object, *, b: object = 2, kappa: object = 1, B: object = 1, dps: int = 30
) -> StepsOptimum | None:
    r"""The local minimum, or ``None`` when there is none.

    Stationarity is :math:`G(u) = (b-1)\log u + u - \tfrac b2 \log N - \log(\kappa^b/(bB)) = 0`
    (:func:`iclverify.theory.mehta_gupta2025.formulas.eta_derivation`); minima need :math:`u > u_0 = \max(0, 1-b)`,
    where :math:`G' = (b-1)/u + 1 > 0`: :math:`G` is strictly increasing there and tends to :math:`+\infty`,
    so a root exists (and is unique) iff :math:`G(u_0^+) < 0`. It is bracketed and solved by bisection-type
    iteration (mpmath ``anderson``).

    >>> r = steps_model_optimum(10**6, b=1)
    >>> mpmath.nstr(r.u, 12) == mpmath.nstr(mpmath.log(1000), 12), mpmath.nstr(r.slope, 6)
    (True, '0.572382')
    """
    with mpmath.workdps(dps):
        Nv = mpmath.mpf(exact_number("N", N, low_open=True))
        bv = mpmath.mpf(exact_number("b", b, low_open=True))
        kv = mpmath.mpf(exact_number("kappa", kappa, low_open=True))
        Bv = mpmath.mpf(exact_number("B", B, low_open=True))
        f = _mpmath_functions()

        def G(u: Mp) -> Mp:
            return f["stationarity"](u, Nv, bv, kv, Bv)

        u0 = max(mpmath.mpf(0), 1 - bv)
        lo = u0 + mpmath.mpf(10) ** (-dps // 2) * max(1, u0) if u0 > 0 else mpmath.mpf(10) ** (-dps)
        if G(lo) >= 0:
            return None
        hi = max(2 * u0, mpmath.mpf(1))
        while G(hi) <= 0:
            hi *= 2
        u = mpmath.findroot(G, (lo, hi), solver="anderson")
        args = (u, Nv, bv, kv, Bv)
        L_star, err, slope = f["L_star"](*args), f["error"](*args), f["slope"](*args)
        return StepsOptimum(N=Nv, u=u, L_star=L_star, slope=slope, error=err, beats_boundary=bool(err < 1))


def configurations() -> list[dict[str, Any]]:
    """The configurations the summary names, with counts, eta_eff and the allocation's prediction
    (``a = 1, b = 2``, unit prefactors: a shape to compare with, not the paper's numbers)."""
    rows = []
    for name in ("tab3_deep", "tab3_wide"):
        L, d = mg.CONFIGURATIONS[name]
        count = transformer_param_count(L, d)
        rows.append(
            {
                "name": name,
                "L": L,
                "d": d,
                "N": L * d,
                "params_12Ld2": count.blocks_leading,
                "params_total": count.total,
                "eta_eff": float(eta_eff_value(L, d)),
                "ntk_bound_over_c": d,
            }
        )
    for N in mg.CONFIGURATIONS["sweep"]:
        pred = allocation_value(N)
        L_int = max(1, round(float(pred.L_star)))
        d_int = max(1, round(N / L_int))
        rows.append(
            {
                "name": f"sweep N={N:.0e}",
                "N": N,
                "L_star": float(pred.L_star),
                "d_star": float(pred.d_star),
                "params_12Ld2_at_optimum": talloc.leading_parameter_count(L_int, d_int),
                "eta_eff": float(eta_eff_value(N, 1)),
                "N_log_N": float(N * math.log(N)),
            }
        )
    return rows
