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

from collections.abc import Callable
from functools import cache
from typing import Any

import numpy as np
import sympy as sp
from scipy.optimize import elementwise

from iclverify.numerics.marchenko_pastur import derivative_float, transform_float
from iclverify.runtime.errors import ParameterError
from iclverify.theory.lu2024 import formulas as th

__all__ = ["bayes_ridge_error", "e_icl", "e_idg", "evaluate", "formulas", "g_task", "ridge_root"]

BRACKET_MARGIN = 1e-9


@cache
def formulas() -> dict[str, Callable[..., Any]]:
    """The theory's expressions lambdified for numpy (with CSE), built once."""
    x, m, mu, tau, kappa, rho, lam, eps, S, Sp = (
        th.x,
        th.m,
        th.mu,
        th.tau,
        th.kappa,
        th.rho,
        th.lam,
        th.eps,
        th.S,
        th.Sp,
    )

    def fn(args: tuple[sp.Symbol, ...], expr: sp.Expr) -> Callable[..., Any]:
        return sp.lambdify(args, expr, "numpy", cse=True)

    icl_above, idg_below = th.e_icl_ridgeless("tau>1"), th.e_idg_ridgeless("tau<1")
    return {
        "e_icl<": fn((x, mu, tau, rho), th.e_icl_ridgeless("tau<1")),
        "e_icl>": fn((x, m, tau, kappa, rho), icl_above),
        "e_icl>inf": fn((x, m, tau, rho), th.at_infinite_kappa(icl_above)),
        "e_idg>": fn((x, m, tau, rho), th.e_idg_ridgeless("tau>1")),
        "e_idg<": fn((x, mu, tau, kappa, rho), idg_below),
        "e_idg<inf": fn((x, mu, tau, rho), th.at_infinite_kappa(idg_below)),
        "fixed_point": fn((eps, S, x, tau, lam), th.fixed_point()),
        "c_e": fn((eps, S, Sp, x, tau, rho), th.c_e()),
        "e_icl_ridge": fn((eps, S, Sp, x, tau, rho), th.e_icl_ridge()),
        "jensen": fn((x, tau, lam), th.jensen_upper_root()),
        "jensen_rationalised": fn((x, tau, lam), th.jensen_upper_root_rationalised()),
        "eps0": fn((x, mu, tau), th.eps0()),
        "bayes": fn((th.alpha, rho), th.bayes_ridge_error_stable()),
    }


def _arrays(tau: Any, alpha: Any, kappa: Any, rho: Any, lam: Any) -> tuple[np.ndarray, ...]:
    arrays = np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in (tau, alpha, kappa, rho, lam)))
    t, a, k, r, l = arrays
    checks = (
        ("tau", t, np.isfinite(t) & (t > 0), "> 0"),
        ("alpha", a, np.isfinite(a) & (a > 0), "> 0"),
        ("kappa", k, ~np.isnan(k) & (k > 0), "> 0 (inf allowed)"),
        ("rho", r, np.isfinite(r) & (r >= 0), ">= 0"),
        ("lam", l, np.isfinite(l) & (l >= 0), ">= 0"),
    )
    for name, values, ok, rule in checks:
        if not ok.all():
            bad = values[~ok].flat[0]
            raise ParameterError(f"{name} must be a finite number {rule}, got {bad}")
    return t, a, k, r, l


def ridge_root(tau: Any, alpha: Any, kappa: Any, rho: Any, lam: Any) -> np.ndarray:
    r"""The ridge root :math:`\varepsilon(\lambda)` elementwise (``lam > 0`` everywhere), by bracketed Chandrupatla.

    >>> round(float(ridge_root(2, 1, 0.5, 0.01, 1e-7)), 18)
    1.99999971955e-07
    """
    t, a, k, r, l = _arrays(tau, alpha, kappa, rho, lam)
    if not (l > 0).all():
        raise ParameterError("ridge_root needs lam > 0 everywhere (lam = 0 is the ridgeless limit)")
    return _ridge_root(t, (1 + r) / a, k, l)


def _ridge_root(t: np.ndarray, x: np.ndarray, k: np.ndarray, l: np.ndarray) -> np.ndarray:
    f = formulas()
    b = (1 - t) * (1 + x) + t * l  # the sign of B picks the form of the Jensen root without cancellation
    with np.errstate(invalid="ignore", divide="ignore"):
        hi = np.where(b >= 0, f["jensen"](x, t, l), f["jensen_rationalised"](x, t, l))
    lo = l.copy()
    below = t < 1
    if below.any():
        mu = x[below] * transform_float(x[below], k[below] / t[below])
        lo[below] = np.maximum(l[below], f["eps0"](x[below], mu, t[below]))
    lo, hi = lo * (1 - BRACKET_MARGIN), hi * (1 + BRACKET_MARGIN)

    def fixed(e: np.ndarray, t: np.ndarray, x: np.ndarray, k: np.ndarray, l: np.ndarray) -> np.ndarray:
        return f["fixed_point"](e, transform_float(e + x, k), x, t, l)

    res = elementwise.find_root(fixed, (lo, hi), args=(t, x, k, l))
    if not np.all(res.success):
        i = np.flatnonzero(~np.asarray(res.success))[0]
        point = {n: float(np.ravel(v)[i]) for n, v in (("tau", t), ("x", x), ("kappa", k), ("lam", l))}
        raise ArithmeticError(f"ridge root not found (status {int(np.ravel(res.status)[i])}) at {point}: a bug")
    return np.asarray(res.x, dtype=float)


def evaluate(tau: Any, alpha: Any, kappa: Any, rho: Any, lam: Any = 0.0) -> dict[str, np.ndarray]:
    """``{"e_icl", "e_idg", "g_task"}`` as float64 arrays of the broadcast shape (one pass over the branches).

    >>> {k: round(float(v), 10) for k, v in evaluate(2, 1, 0.5, 0.01).items()}
    {'e_icl': 1.233992543, 'e_idg': 0.6095614063, 'g_task': 0.6244311367}
    """
    t, a, k, r, l = _arrays(tau, alpha, kappa, rho, lam)
    f = formulas()
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
        sel = (lambda v: v) if full else (lambda v: v[mask])
        tt, kk, rr, xx, ll, ki = sel(t), sel(k), sel(r), sel((1 + r) / a), sel(l), sel(inf_k)
        if branch == "above":
            m = transform_float(xx, kk)
            if ki.any():
                with np.errstate(invalid="ignore", divide="ignore"):  # the finite-kappa form at inf is discarded
                    e1 = np.where(ki, f["e_icl>inf"](xx, m, tt, rr), f["e_icl>"](xx, m, tt, kk, rr))
            else:
                e1 = f["e_icl>"](xx, m, tt, kk, rr)
            e2 = f["e_idg>"](xx, m, tt, rr)
        elif branch == "below":
            mu = xx * transform_float(xx, kk / tt)
            e1 = f["e_icl<"](xx, mu, tt, rr)
            if ki.any():
                with np.errstate(invalid="ignore", divide="ignore"):  # the finite-kappa form at inf is discarded
                    e2 = np.where(ki, f["e_idg<inf"](xx, mu, tt, rr), f["e_idg<"](xx, mu, tt, kk, rr))
            else:
                e2 = f["e_idg<"](xx, mu, tt, kk, rr)
        elif branch == "threshold":
            e1 = e2 = np.full(tt.shape, np.inf)
        else:
            e = _ridge_root(tt, xx, kk, ll)
            s = transform_float(e + xx, kk)
            s1 = derivative_float(s, e + xx, kk)
            e1 = f["e_icl_ridge"](e, s, s1, xx, tt, rr)
            e2 = -tt * f["c_e"](e, s, s1, xx, tt, rr)
        if full:
            icl, idg = np.asarray(e1, dtype=float), np.asarray(e2, dtype=float)
        else:
            icl[mask], idg[mask] = e1, e2
    with np.errstate(invalid="ignore"):  # inf - inf at the threshold
        gap = np.where(inf_k, 0.0, icl - idg)  # g_task = 0 exactly at kappa = inf (theory)
    gap = np.where((l == 0) & (t == 1) & ~inf_k, np.nan, gap)
    return {"e_icl": icl, "e_idg": idg, "g_task": gap}


def e_icl(tau: Any, alpha: Any, kappa: Any, rho: Any, lam: Any = 0.0) -> np.ndarray:
    """Float64 :math:`e^{\\rm ICL}` (ridgeless Result 1 for ``lam == 0``, the ridge formula otherwise).

    >>> e_icl(2, [1, 10], 0.5, 0.01).round(8).tolist()
    [1.23399254, 0.89116386]
    """
    return evaluate(tau, alpha, kappa, rho, lam)["e_icl"]


def e_idg(tau: Any, alpha: Any, kappa: Any, rho: Any, lam: Any = 0.0) -> np.ndarray:
    """Float64 :math:`e^{\\rm IDG}` (for ``lam > 0`` the conjecture :math:`-\\tau c_e`).

    >>> round(float(e_idg(0.5, 1, 0.5, 0.01)), 12)
    0.801849166794
    """
    return evaluate(tau, alpha, kappa, rho, lam)["e_idg"]


def g_task(tau: Any, alpha: Any, kappa: Any, rho: Any, lam: Any = 0.0) -> np.ndarray:
    """Float64 :math:`g_{\\rm task} = e^{\\rm ICL} - e^{\\rm IDG}` (exactly 0 at ``kappa = inf``).

    >>> g_task(2, 1, [0.5, np.inf], 0.01).round(10).tolist()
    [0.6244311367, 0.0]
    """
    return evaluate(tau, alpha, kappa, rho, lam)["g_task"]


def bayes_ridge_error(alpha: Any, rho: Any) -> np.ndarray:
    r"""Bayes-optimal ridge baseline :math:`\rho(1 + S(\rho,\alpha))`, :math:`S(c,\alpha) = 2/[c+\alpha-1+\sqrt{(c+\alpha-1)^2+4c}]`.

    >>> bayes_ridge_error([2.0, 1e6], 1.0).round(12).tolist()   # sqrt(2); -> rho as alpha -> inf
    [1.414213562373, 1.000001]
    """
    a, r = np.broadcast_arrays(np.asarray(alpha, dtype=float), np.asarray(rho, dtype=float))
    if not (np.isfinite(a) & (a > 0)).all():
        raise ParameterError(f"alpha must be a finite number > 0, got {a[~(np.isfinite(a) & (a > 0))].flat[0]}")
    if not (np.isfinite(r) & (r >= 0)).all():
        raise ParameterError(f"rho must be a finite number >= 0, got {r[~(np.isfinite(r) & (r >= 0))].flat[0]}")
    with np.errstate(divide="ignore", invalid="ignore"):  # numpy's select evaluates the branch it discards
        return np.asarray(formulas()["bayes"](a, r), dtype=float)
