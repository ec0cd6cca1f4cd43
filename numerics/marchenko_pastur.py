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
from functools import cache
from typing import Any

import mpmath
import numpy as np
import numpy.typing as npt
import sympy as sp
from numpy.typing import ArrayLike

from iclverify.numerics.backends import Backend, Compiled, Mp, Table, compile_table
from iclverify.theory import marchenko_pastur as theory

__all__ = ["derivative", "derivative_float", "functions", "is_infinite", "transform", "transform_float"]

Floats = npt.NDArray[np.float64]


@cache
def functions(backend: Backend) -> Compiled:
    """The theory's closed forms compiled for ``backend`` (``mp``, ``iv`` or ``numpy``), built once per back end.

    ``b`` is the quadratic's linear coefficient :math:`z + 1 - 1/\\kappa`, whose sign picks the stable form.
    """
    z, k, M = theory.z, theory.kappa, theory.M
    table: Table = {
        "b": ((z, k), theory.linear_coefficient()),
        "rationalised": ((z, k), theory.closed_form()),
        "direct": ((z, k), theory.closed_form_direct()),
        "infinite": ((z,), theory.closed_form_infinite()),
        "derivative": ((M, z, k), theory.derivative_in_M()),
        "derivative_infinite": ((M, z), theory.derivative_in_M(M, z, sp.oo)),
    }
    return compile_table(table, backend)


def is_infinite(kappa: Mp) -> bool:
    """``kappa`` is infinity (a float, an mpf, or an iv interval whose lower end is infinite)."""
    return kappa == math.inf or (isinstance(kappa, mpmath.ctx_iv.ivmpf) and kappa.a == math.inf)


def _backend(context: Any) -> Backend:
    return "iv" if context is mpmath.iv else "mp"


def transform(z: Mp, kappa: Mp, *, context: Any = mpmath.mp) -> Mp:
    r""":math:`M_\kappa(z)` in ``context`` (``mp`` or ``iv``) at its current precision; ``kappa`` may be ``inf``.

    >>> from mpmath import mp, mpf
    >>> with mp.workdps(20):
    ...     print(transform(mpf(3), mp.inf), transform(mpf("0.001"), mpf("0.1")))   # 1/4; ~ (1-kappa)/z
    0.25 900.011109739555257...
    """
    f = functions(_backend(context))
    if is_infinite(kappa):
        return f["infinite"](z)
    b = f["b"](z, kappa)
    midpoint = b.mid if context is mpmath.iv else b
    return f["rationalised"](z, kappa) if midpoint >= 0 else f["direct"](z, kappa)


def derivative(value: Mp, z: Mp, kappa: Mp, *, context: Any = mpmath.mp) -> Mp:
    r""":math:`M_\kappa'(z)` from the value :math:`M = M_\kappa(z)` (implicit differentiation).

    >>> from mpmath import mp, mpf
    >>> with mp.workdps(20):
    ...     print(derivative(mpf(1) / 4, mpf(3), mp.inf))   # -1/(1+z)^2
    -0.0625
    """
    f = functions(_backend(context))
    if is_infinite(kappa):
        return f["derivative_infinite"](value, z)
    return f["derivative"](value, z, kappa)


def transform_float(z: ArrayLike, kappa: ArrayLike) -> Floats:
    r"""Vectorised :math:`M_\kappa(z)` in float64 (numpy broadcasting; ``kappa`` may be ``inf``).

    The rationalised form is exact at :math:`\kappa=\infty` (:math:`1/\kappa = 0`); the direct form is
    evaluated only where :math:`b < 0`, which needs a finite :math:`\kappa`.

    >>> transform_float(np.array([1.0, 1e-3]), np.array([np.inf, 0.1])).round(6).tolist()
    [0.5, 900.01111]
    """
    z, kappa = np.broadcast_arrays(np.asarray(z, dtype=float), np.asarray(kappa, dtype=float))
    f = functions("numpy")
    out = np.array(f["rationalised"](z, kappa), dtype=float)
    negative = np.asarray(f["b"](z, kappa)) < 0
    if negative.any():
        out[negative] = f["direct"](z[negative], kappa[negative])
    return out


def derivative_float(value: ArrayLike, z: ArrayLike, kappa: ArrayLike) -> Floats:
    r"""Vectorised :math:`M_\kappa'(z)` from :math:`M = M_\kappa(z)` (exact at :math:`\kappa=\infty` too).

    >>> float(derivative_float(0.25, 3.0, np.inf))
    -0.0625
    """
    return np.asarray(functions("numpy")["derivative"](value, z, kappa), dtype=float)
