r"""Lu et al. (2024) in vectorised float64: :math:`e^{\rm ICL}`, :math:`e^{\rm IDG}`, :math:`g_{\rm task}` on grids.

The same SymPy expressions as the mpmath path (:mod:`iclverify.theory.lu2024.formulas`), lambdified for numpy with
common-subexpression elimination. Arguments broadcast against each other; ``kappa`` may be ``inf``
(the SymPy :math:`\kappa\to\infty` limits are used there). Points are dispatched by branch:

* ``lam == 0``, ``tau < 1`` / ``tau > 1``: the ridgeless closed forms (``tau == 1`` gives ``+inf``: the
  ridgeless error diverges like :math:`C/|\tau-1|` with :math:`C > 0` on both sides);
* ``lam > 0``: the fixed point is solved elementwise by :func:`scipy.optimize.elementwise.find_root`
  (Chandrupatla) on the analytic bracket of :func:`iclverify.numerics.lu2024.certified.ridge_bracket`, both ends
  pushed out by :math:`10^{-9}` relative so that rounding cannot flip their signs (:math:`f` falls strictly on
  the whole axis). ``e_idg`` there is the conjecture :math:`-\tau c_e`.

Agreement with the certified mpmath path is property-tested (hypothesis) to ~1e-10 relative away from
:math:`\tau = 1`.

>>> round(float(e_icl(2, 1, 0.5, 0.01)), 13), round(float(e_idg(2, 1, 0.5, 0.01)), 13)  # the reference values
(1.2339925430392, 0.6095614063497)
>>> round(float(e_icl(2, 1, 0.5, 0.01, lam=1e-7)), 12)   # not the reference code's 1.127
1.233992271261
>>> e_icl([0.5, 2.0], 1.0, np.inf, 0.01).round(12).tolist()
[1.273731343284, 1.024975124378]
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from numpy.typing import ArrayLike
from scipy.optimize import elementwise

from iclverify.numerics.backends import Compiled
from iclverify.numerics.lu2024 import compiled
from iclverify.numerics.marchenko_pastur import derivative_float, transform_float
from iclverify.runtime.errors import ParameterError
from iclverify.runtime.validation import real_array

Floats = npt.NDArray[np.float64]

__all__ = ["bayes_ridge_error", "e_icl", "e_idg", "evaluate", "formulas", "g_task", "ridge_root"]

BRACKET_MARGIN = 1e-9
MIN_ALPHA = 1e-6  # below it the float path loses all digits (alpha = 1e-10: errors of order 1)
# The ridge formulas cancel in float64 outside these λ (λ = 1e12: e_idg off by 1e-4; τ = 1, λ = 1e-300: -inf).
LAM_RANGE = (1e-100, 1e10)


def formulas() -> Compiled:
    """The theory's expressions compiled for numpy.

    :func:`iclverify.numerics.lu2024.compiled.formulas` ``("numpy")``.
    """
    return compiled.formulas("numpy")


def _arrays(tau: ArrayLike, alpha: ArrayLike, kappa: ArrayLike, rho: ArrayLike, lam: ArrayLike) -> tuple[Floats, ...]:
    """The five parameters checked like :class:`~iclverify.theory.params.LuParams` checks them, broadcast."""
    checked = (
        real_array("tau", tau, low=0, low_open=True),
        real_array("alpha", alpha, low=0, low_open=True),
        real_array("kappa", kappa, low=0, low_open=True, allow_inf=True),
        real_array("rho", rho, low=0),
        real_array("lam", lam, low=0),
    )
    t, a, k, r, l = np.broadcast_arrays(*checked)
    if (a < MIN_ALPHA).any():  # x* = (1+rho)/alpha > 1e6: the closed forms cancel to garbage in float64
        raise ParameterError(
            f"alpha below {MIN_ALPHA:g} is outside the float64 path's accuracy; "
            "use iclverify.numerics.lu2024.certified.evaluate (any precision)"
        )
    ridge = l[l > 0]
    if ridge.size and (ridge.min() < LAM_RANGE[0] or ridge.max() > LAM_RANGE[1]):
        raise ParameterError(
            f"lam outside [{LAM_RANGE[0]:g}, {LAM_RANGE[1]:g}] (or 0) is outside the float64 path's accuracy; "
            "use iclverify.numerics.lu2024.certified.evaluate (any precision)"
        )
    return t, a, k, r, l


def ridge_root(tau: ArrayLike, alpha: ArrayLike, kappa: ArrayLike, rho: ArrayLike, lam: ArrayLike) -> Floats:
    r"""The ridge root :math:`\varepsilon(\lambda)` elementwise (``lam > 0`` everywhere), by bracketed Chandrupatla.

    >>> round(float(ridge_root(2, 1, 0.5, 0.01, 1e-7)), 18)
    1.99999971955e-07
    """
    t, a, k, r, l = _arrays(tau, alpha, kappa, rho, lam)
    if not (l > 0).all():
        raise ParameterError("ridge_root needs lam > 0 everywhere (lam = 0 is the ridgeless limit)")
    return _ridge_root(t, formulas()["x_star"](a, r), k, l)


def _ridge_root(t: Floats, x: Floats, k: Floats, l: Floats) -> Floats:
    f = formulas()
    with np.errstate(invalid="ignore", divide="ignore"):  # numpy's select evaluates the form it discards
        hi = np.asarray(f["jensen"](x, t, l), dtype=float)
    lo = l.copy()
    below = t < 1
    if below.any():
        mu = compiled.mu_star(x[below], k[below], t[below], "numpy")
        lo[below] = np.maximum(l[below], f["eps0"](x[below], mu, t[below]))
    lo, hi = lo * (1 - BRACKET_MARGIN), hi * (1 + BRACKET_MARGIN)

    def fixed(e: Floats, t: Floats, x: Floats, k: Floats, l: Floats) -> Floats:
        return f["fixed_point"](e, transform_float(e + x, k), x, t, l)

    res = elementwise.find_root(fixed, (lo, hi), args=(t, x, k, l))
    if not np.all(res.success):
        i = np.flatnonzero(~np.asarray(res.success))[0]
        point = {n: float(np.ravel(v)[i]) for n, v in (("tau", t), ("x", x), ("kappa", k), ("lam", l))}
        raise ArithmeticError(f"ridge root not found (status {int(np.ravel(res.status)[i])}) at {point}: a bug")
    return np.asarray(res.x, dtype=float)


def evaluate(
    tau: ArrayLike, alpha: ArrayLike, kappa: ArrayLike, rho: ArrayLike, lam: ArrayLike = 0.0
) -> dict[str, Floats]:
    """``{"e_icl", "e_idg", "g_task"}`` as float64 arrays of the broadcast shape (one pass over the branches).

    >>> {k: round(float(v), 10) for k, v in evaluate(2, 1, 0.5, 0.01).items()}
    {'e_icl': 1.233992543, 'e_idg': 0.6095614063, 'g_task': 0.6244311367}
    """
    t, a, k, r, l = _arrays(tau, alpha, kappa, rho, lam)
    f = formulas()
    x = f["x_star"](a, r)
    shape = t.shape
    icl, idg = np.empty(shape), np.empty(shape)
    inf_k = np.isinf(k)
    groups = (
        ((l == 0) & (t > 1), "above"),
        ((l == 0) & (t < 1), "below"),
        ((l == 0) & (t == 1), "threshold"),
        (l > 0, "ridge"),
    )
    for mask, branch in groups:
        if not mask.any():
            continue
        full = bool(mask.all())
        idx = Ellipsis if full else mask  # a view of everything, or the branch's points
        tt, kk, rr, xx, ll, ki = t[idx], k[idx], r[idx], x[idx], l[idx], inf_k[idx]
        e1: Floats
        e2: Floats
        if branch == "above":
            m = compiled.m_star(xx, kk, "numpy")
            if ki.any():
                with np.errstate(invalid="ignore", divide="ignore"):  # the finite-kappa form at inf is discarded
                    e1 = np.asarray(
                        np.where(ki, f["e_icl>inf"](xx, m, tt, rr), f["e_icl>"](xx, m, tt, kk, rr)), dtype=float
                    )
            else:
                e1 = f["e_icl>"](xx, m, tt, kk, rr)
            e2 = f["e_idg>"](xx, m, tt, rr)
        elif branch == "below":
            mu = compiled.mu_star(xx, kk, tt, "numpy")
            e1 = f["e_icl<"](xx, mu, tt, rr)
            if ki.any():
                with np.errstate(invalid="ignore", divide="ignore"):  # the finite-kappa form at inf is discarded
                    e2 = np.asarray(
                        np.where(ki, f["e_idg<inf"](xx, mu, tt, rr), f["e_idg<"](xx, mu, tt, kk, rr)), dtype=float
                    )
            else:
                e2 = f["e_idg<"](xx, mu, tt, kk, rr)
        elif branch == "threshold":
            e1 = e2 = np.full(tt.shape, np.inf)
        else:
            e = _ridge_root(tt, xx, kk, ll)
            s = transform_float(e + xx, kk)
            s1 = derivative_float(s, e + xx, kk)
            e1 = f["e_icl_ridge"](e, s, s1, xx, tt, rr)
            e2 = f["e_idg_ridge"](e, s, s1, xx, tt, rr)
        if full:
            icl, idg = np.asarray(e1, dtype=float), np.asarray(e2, dtype=float)
        else:
            icl[mask], idg[mask] = e1, e2
    with np.errstate(invalid="ignore"):  # inf - inf at the threshold
        gap = np.where(inf_k, 0.0, icl - idg)  # g_task = 0 exactly at kappa = inf (theory)
    gap = np.where((l == 0) & (t == 1) & ~inf_k, np.nan, gap)
    return {"e_icl": icl, "e_idg": idg, "g_task": gap}


def e_icl(tau: ArrayLike, alpha: ArrayLike, kappa: ArrayLike, rho: ArrayLike, lam: ArrayLike = 0.0) -> Floats:
    """Float64 :math:`e^{\\rm ICL}` (ridgeless Result 1 for ``lam == 0``, the ridge formula otherwise).

    >>> e_icl(2, [1, 10], 0.5, 0.01).round(8).tolist()
    [1.23399254, 0.89116386]
    """
    return evaluate(tau, alpha, kappa, rho, lam)["e_icl"]


def e_idg(tau: ArrayLike, alpha: ArrayLike, kappa: ArrayLike, rho: ArrayLike, lam: ArrayLike = 0.0) -> Floats:
    """Float64 :math:`e^{\\rm IDG}` (for ``lam > 0`` the conjecture :math:`-\\tau c_e`).

    >>> round(float(e_idg(0.5, 1, 0.5, 0.01)), 12)
    0.801849166794
    """
    return evaluate(tau, alpha, kappa, rho, lam)["e_idg"]


def g_task(tau: ArrayLike, alpha: ArrayLike, kappa: ArrayLike, rho: ArrayLike, lam: ArrayLike = 0.0) -> Floats:
    """Float64 :math:`g_{\\rm task} = e^{\\rm ICL} - e^{\\rm IDG}` (exactly 0 at ``kappa = inf``).

    >>> g_task(2, 1, [0.5, np.inf], 0.01).round(10).tolist()
    [0.6244311367, 0.0]
    """
    return evaluate(tau, alpha, kappa, rho, lam)["g_task"]


def bayes_ridge_error(alpha: ArrayLike, rho: ArrayLike) -> Floats:
    r"""Bayes-optimal ridge baseline :math:`\rho(1 + S(\rho,\alpha))`, :math:`S(c,\alpha) =
    2/[c+\alpha-1+\sqrt{(c+\alpha-1)^2+4c}]`.

    >>> bayes_ridge_error([2.0, 1e6], 1.0).round(12).tolist()   # sqrt(2); -> rho as alpha -> inf
    [1.414213562373, 1.000001]
    """
    a, r = np.broadcast_arrays(real_array("alpha", alpha, low=0, low_open=True), real_array("rho", rho, low=0))
    with np.errstate(divide="ignore", invalid="ignore"):  # numpy's select evaluates the branch it discards
        return np.asarray(formulas()["bayes"](a, r), dtype=float)
