r"""The three back ends every SymPy formula is compiled for: mpmath ``mp``, mpmath ``iv`` (intervals), numpy.

A formula is written once in :mod:`iclverify.theory`; each numerics module lists it once in a table
``{name: (arguments, expression)}`` and :func:`compile_table` turns that table into callables for the
back end asked for (with common-subexpression elimination). ``mp`` evaluates at the current
``mp.dps``; ``iv`` returns rigorous enclosures (``iv`` intervals in, intervals out); ``numpy`` broadcasts
float64 arrays.

>>> import numpy as np
>>> a = sp.Symbol("a", positive=True)
>>> table = {"half_sqrt": ((a,), sp.sqrt(a) / 2)}
>>> compile_table(table, "numpy")["half_sqrt"](np.array([4.0, 9.0])).tolist()
[1.0, 1.5]
>>> with mpmath.mp.workdps(20):
...     print(compile_table(table, "mp")["half_sqrt"](mpmath.mpf(2)))
0.7071067811865475244
>>> compile_table(table, "iv")["half_sqrt"](mpmath.iv.mpf(4))
mpi('1.0', '1.0')
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, Literal, TypeAlias

import mpmath
import sympy as sp

__all__ = ["BACKENDS", "Backend", "Compiled", "Mp", "Table", "compile_table", "context"]

Backend: TypeAlias = Literal["mp", "iv", "numpy"]
BACKENDS: tuple[Backend, ...] = ("mp", "iv", "numpy")
Table: TypeAlias = Mapping[str, tuple[Sequence[sp.Symbol], sp.Expr]]
Compiled: TypeAlias = dict[str, Callable[..., Any]]
Mp: TypeAlias = Any  # an mpmath number: an mp.mpf, or an iv interval (mpmath ships no type information)

# iv needs its own mpf and sqrt (interval versions); everything else lambdify maps to mpmath is context-free.
_MODULES: dict[Backend, Any] = {
    "mp": "mpmath",
    "iv": [{"mpf": mpmath.iv.mpf, "sqrt": mpmath.iv.sqrt}, "mpmath"],
    "numpy": "numpy",
}


def context(backend: Backend) -> Any:
    """The mpmath context of an mpmath back end (``mp`` or ``iv``).

    >>> context("iv") is mpmath.iv
    True
    """
    if backend == "mp":
        return mpmath.mp
    if backend == "iv":
        return mpmath.iv
    raise ValueError(f"{backend!r} is not an mpmath back end")


def compile_table(table: Table, backend: Backend) -> Compiled:
    """Every ``(arguments, expression)`` of ``table`` lambdified for ``backend`` (with CSE)."""
    if backend not in _MODULES:
        raise ValueError(f"backend must be one of {', '.join(BACKENDS)}, got {backend!r}")
    modules = _MODULES[backend]
    return {name: sp.lambdify(tuple(args), expr, modules, cse=True) for name, (args, expr) in table.items()}
