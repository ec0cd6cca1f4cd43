r"""Numbers for :math:`M_\kappa(z)` and :math:`M_\kappa'(z)`, lambdified from :mod:`iclverify.theory.marchenko_pastur`.

Three back ends share the SymPy expressions: mpmath's ``mp`` context (any precision), its ``iv`` context
(interval enclosures, for certification) and numpy (float64 arrays). At each point the closed form that
does not cancel is used: :math:`2/(b+\sqrt D)` when :math:`b = z + 1 - 1/\kappa \ge 0`, else
:math:`\kappa(\sqrt D - b)/(2z)`. :math:`\kappa = \infty` gives :math:`M_\infty(z) = 1/(1+z)` (the SymPy limit).
The derivative is the implicit one, :math:`M' = -(M^2/\kappa + M)/(2zM/\kappa + z + 1 - 1/\kappa)`, a rational
function of the value just computed (no second square root).

>>> from mpmath import mp, mpf
>>> with mp.workdps(30):
...     print(transform(mpf(1), mpf(1)))          # M_1(1) = (sqrt 5 - 1)/2
0.618033988749894848204586834366
>>> [round(float(transform_float(1.0, k)), 15) for k in (1.0, math.inf)]
[0.618033988749895, 0.5]
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import cache
from typing import Any

import mpmath
import numpy as np
import sympy as sp

from iclverify.theory import marchenko_pastur as theory

__all__ = ["derivative", "derivative_float", "mpmath_functions", "transform", "transform_float"]

_IV_MODULES = [{"mpf": mpmath.iv.mpf, "sqrt": mpmath.iv.sqrt}, "mpmath"]


def modules_for(context: Any) -> list[Any] | str:
    """lambdify ``modules`` for an mpmath context (``mp`` or ``iv``)."""
    return _IV_MODULES if context is mpmath.iv else "mpmath"


@cache
def mpmath_functions(context_name: str = "mp") -> dict[str, Callable[..., Any]]:
    """The lambdified closed forms for ``mp`` or ``iv`` (cached per context)."""
    modules = modules_for(mpmath.iv if context_name == "iv" else mpmath.mp)
    z, k, M = theory.z, theory.kappa, theory.M
    return {
        "rationalised": sp.lambdify((z, k), theory.closed_form(), modules),
        "direct": sp.lambdify((z, k), theory.closed_form_direct(), modules),
        "infinite": sp.lambdify((z,), theory.closed_form_infinite(), modules),
        "derivative": sp.lambdify((M, z, k), theory.derivative_in_M(), modules),
        "derivative_infinite": sp.lambdify((M, z), theory.derivative_in_M(M, z, sp.oo), modules),
    }


def _is_inf(kappa: Any) -> bool:
    return kappa == math.inf or (isinstance(kappa, mpmath.ctx_iv.ivmpf) and kappa.a == math.inf)


def transform(z: Any, kappa: Any, *, context: Any = mpmath.mp) -> Any:
    r""":math:`M_\kappa(z)` in ``context`` (``mp`` or ``iv``) at its current precision; ``kappa`` may be ``inf``.

    >>> from mpmath import mp, mpf
    >>> with mp.workdps(20):
    ...     print(transform(mpf(3), mp.inf), transform(mpf("0.001"), mpf("0.1")))   # 1/4; ~ (1-kappa)/z
    0.25 900.011109739555257...
    """
    f = mpmath_functions("iv" if context is mpmath.iv else "mp")
    if _is_inf(kappa):
        return f["infinite"](z)
    b = z + 1 - 1 / kappa
    midpoint = b.mid if context is mpmath.iv else b
    return f["rationalised"](z, kappa) if midpoint >= 0 else f["direct"](z, kappa)


def derivative(value: Any, z: Any, kappa: Any, *, context: Any = mpmath.mp) -> Any:
    r""":math:`M_\kappa'(z)` from the value :math:`M = M_\kappa(z)` (implicit differentiation).

    >>> from mpmath import mp, mpf
    >>> with mp.workdps(20):
    ...     print(derivative(mpf(1) / 4, mpf(3), mp.inf))   # -1/(1+z)^2
    -0.0625
    """
    f = mpmath_functions("iv" if context is mpmath.iv else "mp")
    if _is_inf(kappa):
        return f["derivative_infinite"](value, z)
    return f["derivative"](value, z, kappa)


@cache
def _numpy_functions() -> dict[str, Callable[..., Any]]:
    z, k, M = theory.z, theory.kappa, theory.M
    return {
        "rationalised": sp.lambdify((z, k), theory.closed_form(), "numpy", cse=True),
        "direct": sp.lambdify((z, k), theory.closed_form_direct(), "numpy", cse=True),
        "derivative": sp.lambdify((M, z, k), theory.derivative_in_M(), "numpy", cse=True),
    }


def transform_float(z: Any, kappa: Any) -> np.ndarray:
    r"""Vectorised :math:`M_\kappa(z)` in float64 (numpy broadcasting; ``kappa`` may be ``inf``).

    The rationalised form is exact at :math:`\kappa=\infty` (:math:`1/\kappa = 0`); the direct form is
    evaluated only where :math:`b < 0`, which needs a finite :math:`\kappa`.

    >>> transform_float(np.array([1.0, 1e-3]), np.array([np.inf, 0.1])).round(6).tolist()
    [0.5, 900.01111]
    """
    z, kappa = np.broadcast_arrays(np.asarray(z, dtype=float), np.asarray(kappa, dtype=float))
    f = _numpy_functions()
    out = np.array(f["rationalised"](z, kappa), dtype=float)
    negative = (z + 1 - 1 / kappa) < 0
    if negative.any():
        out[negative] = f["direct"](z[negative], kappa[negative])
    return out


def derivative_float(value: Any, z: Any, kappa: Any) -> np.ndarray:
    r"""Vectorised :math:`M_\kappa'(z)` from :math:`M = M_\kappa(z)` (exact at :math:`\kappa=\infty` too).

    >>> float(derivative_float(0.25, 3.0, np.inf))
    -0.0625
    """
    return np.asarray(_numpy_functions()["derivative"](value, z, kappa), dtype=float)
