r"""The error-minimising context length on a (κ, ρ) grid: the data of Lu et al.'s Fig. 3.

For each :math:`(\kappa, \rho)` the ridgeless error is evaluated along a grid :math:`\alpha_1 < \dots < \alpha_n`
(the paper: ``logspace(-2, 3)``) with the theory's formulas (lambdified, restructured by SymPy). Definitions,
on the grid:

* the curve is **monotone** when :math:`e_{i+1} \le e_i + \delta_i` for every :math:`i` (non-increasing) or
  :math:`e_{i+1} \ge e_i - \delta_i` for every :math:`i` (non-decreasing), with the round-off allowance
  :math:`\delta_i = \text{rtol}\cdot|e_i|` (``rtol = 1e-11``, a hundred times the float path's measured
  error, far below the smallest real step of a non-monotone curve);
* the **minimising** :math:`\alpha` is :math:`\alpha_{i^*}`, :math:`i^*` the first index where :math:`e_i` is
  smallest. A monotone curve has its minimum at an end of the grid (no optimal context length inside it):
  Fig. 3 paints those cells grey.

Everything that does not depend on κ (:math:`x^*`, and the coefficients of the error as a polynomial in
:math:`M`, derived by SymPy from the theory's expressions) is computed once; per κ only :math:`M` and a
short Horner scheme remain, on (α × ρ-block) tiles small enough to stay in cache, one κ per task on a
thread pool (numpy's ufuncs release the GIL). The 3 × 401 × 300 × 500 points of Fig. 3 take seconds.

>>> scan = scan_alpha("icl", 20.0, [0.5, 2.0], [0.1], np.logspace(-2, 3, 200))
>>> scan.monotone.tolist()          # kappa < min(tau, 1): the curve turns up again; kappa > 1: it falls
[[False], [True]]
>>> 1 < float(scan.alpha_star[0, 0]) < 1000
True
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import sympy as sp

from iclverify.numerics.backends import compile_table
from iclverify.numerics.lu2024.compiled import formulas
from iclverify.runtime.errors import ParameterError
from iclverify.runtime.validation import one_of, real, real_array
from iclverify.theory.lu2024 import formulas as th

__all__ = ["AlphaScan", "Kind", "monotone_mask", "scan_alpha"]

Kind = Literal["icl", "idg"]
KINDS: tuple[Kind, ...] = ("icl", "idg")
Floats = npt.NDArray[np.float64]
Bools = npt.NDArray[np.bool_]
RTOL = 1e-11
BLOCK_ELEMENTS = 1 << 16  # ~512 KiB of float64 per temporary: stays in L2


@dataclasses.dataclass(frozen=True, kw_only=True)
class AlphaScan:
    """Per :math:`(\\kappa, \\rho)` cell: the minimising grid :math:`\\alpha`, the minimum, and monotonicity."""

    kind: Kind
    tau: float
    kappas: Floats
    rhos: Floats
    alphas: Floats
    alpha_star: Floats  # shape (len(kappas), len(rhos))
    e_min: Floats
    monotone: Bools


def _transform(x: Floats, inv_x: Floats, kappa: float, splits: tuple[Floats, Floats]) -> Floats:
    """:math:`M_\\kappa(x)` for one finite κ on an (α, ρ) block, in the cancellation-free form on each side of
    :math:`b = 0`.

    With :math:`q = \\sqrt{b^2 + 4x/\\kappa} + |b|` (no cancellation), :math:`M = 2/q` for :math:`b \\ge 0` and
    :math:`M = \\kappa q/(2x)` for :math:`b < 0` (the theory's two closed forms, proved equal). For
    :math:`\\kappa \\ge 1`, :math:`b > 0` everywhere. Otherwise :math:`b < 0` exactly where :math:`x < 1/\\kappa - 1`
    (the sign of a rounded sum is the sign of the exact sum). :math:`x = (1+\\rho)/\\alpha` falls down each
    column, so with the block's row-wise :math:`-\\min_\\rho x` and :math:`-\\max_\\rho x` (increasing, ``splits``)
    the rows split into a ``2/q`` part, a ``κq/2x`` part and a narrow band where each cell chooses.
    """
    shift = 1.0 - 1.0 / kappa
    b = x + shift
    q = np.multiply(b, b)
    q += x * (4.0 / kappa)
    np.sqrt(q, out=q)
    q += np.abs(b, out=b)  # b is not needed after its sign, which x and the splits carry
    if shift >= 0:
        return np.divide(2.0, q, out=q)
    neg_x_min, neg_x_max = splits
    r1 = int(np.searchsorted(neg_x_min, shift, side="right"))  # rows < r1: b >= 0 in every column
    r2 = int(np.searchsorted(neg_x_max, shift, side="right"))  # rows >= r2: b < 0 in every column
    out = q
    if r2 < q.shape[0]:
        tail = out[r2:]
        tail *= inv_x[r2:]
        tail *= 0.5 * kappa
    if r2 > r1:
        band = slice(r1, r2)
        out[band] = np.where(x[band] + shift >= 0, 2.0 / q[band], q[band] * inv_x[band] * (0.5 * kappa))
    if r1 > 0:
        np.divide(2.0, out[:r1], out=out[:r1])
    return out


@dataclasses.dataclass(frozen=True)
class _Kernel:
    """The error along one κ, with every κ-free piece precomputed once per grid.

    ``value`` is :math:`v = M_\\kappa(x^*)` (``m``, :math:`\\tau > 1`) or :math:`N = M_{\\kappa/\\tau}(x^*)` (``N``,
    :math:`\\tau < 1`); ``coefficients`` are functions of :math:`(x^*, \\rho)`; ``combine`` turns the value, κ
    and the coefficient blocks into the error (it may overwrite the value's array).
    """

    value: Literal["m", "N"]
    coefficients: dict[str, Callable[[Floats, Floats], Floats]]
    combine: Callable[[Floats, float, dict[str, Floats]], Floats]


def _kernel(kind: Kind, tau: float) -> _Kernel:
    """Split the theory's ridgeless error into κ-free coefficients (SymPy) and the per-κ work."""
    tau = real("tau", tau, low=0, low_open=True)
    if tau == 1:
        raise ParameterError("tau = 1 is the interpolation threshold, where the ridgeless error diverges")
    one_of("kind", kind, KINDS)
    t = sp.nsimplify(tau, rational=True)

    def coeff(expr: sp.Expr) -> Callable[[Floats, Floats], Floats]:
        fn = compile_table({"c": ((th.x, th.rho), sp.together(sp.sympify(expr).subs(th.tau, t)))}, "numpy")["c"]
        return lambda xx, rr: np.broadcast_to(
            np.asarray(fn(xx, rr), dtype=float), np.broadcast_shapes(np.shape(xx), np.shape(rr))
        )

    if kind == "idg" and tau < 1:  # only R mixes kappa and N (theory.e_idg_below_split, proved equal)
        parts = th.e_idg_below_split()
        am1 = float(parts["am1"].subs(th.tau, t))
        r_fn = compile_table({"R": ((th.N, th.kappa), parts["R"].subs(th.tau, t))}, "numpy")["R"]

        def combine_idg(n: Floats, k: float, c: dict[str, Floats]) -> Floats:
            out = c["b1"] * n
            np.subtract(c["b0"], out, out=out)
            out *= r_fn(n, k)
            out += c["a0"]
            out += c["a1"] * n
            out += np.divide(am1, n, out=n)
            out *= tau
            return out

        return _Kernel(
            value="N", coefficients={k: coeff(parts[k]) for k in ("a1", "a0", "b0", "b1")}, combine=combine_idg
        )

    # Otherwise the error is a polynomial in v (and linear in k*) with kappa-free coefficients.
    above = tau > 1
    big_k = sp.Symbol("K")
    expr = (th.e_icl_ridgeless if kind == "icl" else th.e_idg_ridgeless)("tau>1" if above else "tau<1")
    expr = expr.xreplace({th.k_star(): big_k}).subs(th.mu, th.x * th.N)
    v = th.m if above else th.N
    poly = sp.Poly(sp.expand(expr), v, big_k)
    if th.kappa in poly.free_symbols:
        raise AssertionError("kappa left in the coefficients")  # the theory's formulas never do this
    terms = poly.as_dict()
    degree = max(i for i, _ in terms)

    def combine_poly(vv: Floats, k: float, c: dict[str, Floats]) -> Floats:
        kstar = _k_star(vv, k) if any(j for _, j in terms) else None
        out: Floats | None = None
        for i in range(degree, -1, -1):  # Horner in v; each coefficient linear in K
            term = None
            if (i, 1) in terms:
                assert kstar is not None
                term = c[f"{i},1"] * kstar
            if (i, 0) in terms:
                term = c[f"{i},0"] if term is None else np.add(term, c[f"{i},0"], out=term)
            if out is None:
                out = np.array(term, dtype=float) if term is not None else np.zeros_like(vv)
            else:
                out *= vv
                if term is not None:
                    out += term
        assert out is not None  # the loop runs at least once (degree >= 0)
        return out

    coefficients = {f"{i},{j}": coeff(cf) for (i, j), cf in terms.items()}
    return _Kernel(value="m" if above else "N", coefficients=coefficients, combine=combine_poly)


def _k_star(m: Floats, kappa: float) -> Floats:
    """:math:`k^*` of the theory (:func:`iclverify.theory.lu2024.formulas.k_star`) on a block of :math:`m`."""
    return np.asarray(formulas("numpy")["k_star"](m, kappa), dtype=float)


@dataclasses.dataclass(frozen=True)
class _Block:
    """A block of ρ-columns (α down the rows) with everything that does not depend on κ."""

    cols: slice
    x: Floats
    inv_x: Floats
    splits: tuple[Floats, Floats]  # -min_rho x and -max_rho x per row, increasing down the rows
    coeffs: dict[str, Floats]


def _grid(a: Floats, r: Floats) -> tuple[Floats, Floats, Floats]:
    """:math:`x^* = (1+\\rho)/\\alpha` on the (α rows × ρ columns) grid, falling down each column; its inverse; ρ."""
    x = np.asarray(formulas("numpy")["x_star"](a[:, None], r[None, :]), dtype=float)
    return x, 1.0 / x, np.broadcast_to(r[None, :], x.shape)


def _block(kernel: _Kernel, x: Floats, inv_x: Floats, rho: Floats, cols: slice = slice(None)) -> _Block:
    xs = np.ascontiguousarray(x[:, cols])
    coeffs = {name: np.ascontiguousarray(c(xs, rho[:, cols])) for name, c in kernel.coefficients.items()}
    return _Block(
        cols=cols,
        x=xs,
        inv_x=np.ascontiguousarray(inv_x[:, cols]),
        splits=(-xs.min(axis=1), -xs.max(axis=1)),
        coeffs=coeffs,
    )


def _evaluate(kernel: _Kernel, block: _Block, kappa: float, tau: float) -> Floats:
    """The error on an (α, ρ) block for one κ (α increasing down the rows)."""
    v = _transform(block.x, block.inv_x, kappa if kernel.value == "m" else kappa / tau, block.splits)
    return kernel.combine(v, kappa, block.coeffs)


def monotone_mask(e: Floats, rtol: float = RTOL, axis: int = -1) -> Bools:
    """True where the curves along ``axis`` are monotone (either way) up to the round-off allowance.

    :math:`\\delta_i = \\text{rtol}\\,|e_i|`: non-increasing if every :math:`e_{i+1} - e_i \\le \\delta_i`,
    non-decreasing if every :math:`e_{i+1} - e_i \\ge -\\delta_i`.

    >>> monotone_mask(np.array([[3.0, 2.0, 2.0, 1.0], [3.0, 1.0, 2.0, 1.5]])).tolist()
    [True, False]
    """
    e = np.moveaxis(e, axis, 0)
    step = e[1:] - e[:-1]
    allow = np.abs(e[:-1])
    allow *= rtol
    up = np.any(step > allow, axis=0)  # some step rises beyond round-off
    step += allow
    down = np.any(step < 0, axis=0)  # some step falls beyond round-off
    return ~(up & down)


def scan_alpha(
    kind: Kind,
    tau: float,
    kappas: Any,
    rhos: Any,
    alphas: Any,
    *,
    threads: int | None = None,
    rtol: float = RTOL,
) -> AlphaScan:
    """Minimising α and monotonicity for every (κ, ρ) on the grid (finite κ > 0, ρ ≥ 0, α > 0 increasing)."""
    k = real_array("kappas", kappas, low=0, low_open=True).ravel()
    r = real_array("rhos", rhos, low=0).ravel()
    a = real_array("alphas", alphas, low=0, low_open=True).ravel()
    if np.any(np.diff(a) <= 0):
        raise ParameterError("alphas must increase")
    kernel = _kernel(kind, float(tau))
    x, inv_x, rho = _grid(a, r)
    width = max(1, BLOCK_ELEMENTS // a.size)
    blocks = [_block(kernel, x, inv_x, rho, slice(j, j + width)) for j in range(0, r.size, width)]
    alpha_star = np.empty((k.size, r.size))
    e_min = np.empty((k.size, r.size))
    monotone = np.empty((k.size, r.size), dtype=bool)

    def work(i: int) -> None:
        for blk in blocks:
            e = _evaluate(kernel, blk, float(k[i]), float(tau))
            idx = np.argmin(e, axis=0)
            alpha_star[i, blk.cols] = a[idx]
            e_min[i, blk.cols] = np.take_along_axis(e, idx[None, :], axis=0)[0]
            monotone[i, blk.cols] = monotone_mask(e, rtol, axis=0)

    starts = list(range(k.size))  # one task per kappa; the work inside is split along rho to stay in cache
    n_threads = threads if threads is not None else min(len(starts), os.cpu_count() or 1)
    with np.errstate(over="ignore"):
        if n_threads <= 1:
            for i in starts:
                work(i)
        else:
            with ThreadPoolExecutor(max_workers=n_threads) as pool:
                list(pool.map(work, starts))
    if not np.all(np.isfinite(e_min)):
        raise ArithmeticError(f"non-finite errors in the {kind} alpha scan at tau={tau}: a bug")
    return AlphaScan(
        kind=kind, tau=float(tau), kappas=k, rhos=r, alphas=a, alpha_star=alpha_star, e_min=e_min, monotone=monotone
    )
