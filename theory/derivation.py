r"""Derivations: ordered steps from definitions to a result, each saying how it was established.

A step is ``symbolic`` only when SymPy proved it (:func:`proved_equal` checks ``lhs - rhs`` simplifies to
zero and refuses otherwise), ``numeric`` when it was established by high-precision evaluation (``detail``
says how), ``definition`` for what is posited, and ``stated`` for what a paper asserts without proof here.
The LaTeX layer (:mod:`iclverify.theory.latex`) renders these objects; nothing here does I/O.

>>> import sympy as sp
>>> z = sp.Symbol("z", positive=True)
>>> step = proved_equal("Partial fractions.", 1 / (z * (z + 1)), 1 / z - 1 / (z + 1))
>>> step.how
'symbolic'
>>> proved_equal("Wrong.", z**2, z)
Traceback (most recent call last):
...
iclverify.theory.derivation.DerivationError: SymPy could not prove: Wrong. (z**2 = z)
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from typing import Literal, TypeAlias

import sympy as sp

How = Literal["definition", "symbolic", "numeric", "stated"]
Math: TypeAlias = sp.Basic | str | None  # a SymPy object, raw LaTeX, or nothing

__all__ = ["Derivation", "DerivationError", "How", "Step", "proved_equal", "proved_limit"]


class DerivationError(AssertionError):
    """A step that was to be proved symbolically did not go through."""


@dataclasses.dataclass(frozen=True, kw_only=True)
class Step:
    """One line of a derivation: ``text`` (LaTeX allowed), then ``lhs relation rhs`` displayed."""

    text: str
    lhs: Math = None
    rhs: Math = None
    relation: str = "="
    how: How = "definition"
    detail: str = ""

    def __post_init__(self) -> None:
        if self.how not in ("definition", "symbolic", "numeric", "stated"):
            raise ValueError(f"unknown step kind {self.how!r}")


@dataclasses.dataclass(frozen=True, kw_only=True)
class Derivation:
    """A titled sequence of steps; ``result`` is the final expression (for tables and checks).

    ``title``, ``summary`` and each step's ``text`` are LaTeX in paragraph mode (math inside ``$...$``).
    """

    id: str
    title: str
    steps: tuple[Step, ...]
    summary: str = ""
    result: Math = None

    @property
    def fully_symbolic(self) -> bool:
        """True when no step rests on numerics or on a paper's word."""
        return all(s.how in ("definition", "symbolic") for s in self.steps)


def _is_zero(expr: sp.Expr, simplifier: Callable[[sp.Expr], sp.Expr]) -> bool:
    expr = sp.sympify(expr)
    if expr == 0:
        return True
    return bool(simplifier(expr) == 0)


def proved_equal(
    text: str,
    lhs: sp.Basic,
    rhs: sp.Basic,
    *,
    simplifier: Callable[[sp.Expr], sp.Expr] = sp.simplify,
    detail: str = "",
) -> Step:
    """A ``symbolic`` step, after checking with SymPy that ``lhs - rhs`` simplifies to 0."""
    if not _is_zero(sp.sympify(lhs) - sp.sympify(rhs), simplifier):
        raise DerivationError(f"SymPy could not prove: {text} ({lhs} = {rhs})")
    return Step(text=text, lhs=lhs, rhs=rhs, how="symbolic", detail=detail or "lhs - rhs simplifies to 0")


def proved_limit(
    text: str,
    expr: sp.Expr,
    var: sp.Symbol,
    point: sp.Expr,
    expected: sp.Expr,
    *,
    direction: str = "+-",
    lhs: Math = None,
    simplifier: Callable[[sp.Expr], sp.Expr] = sp.simplify,
) -> Step:
    r"""A ``symbolic`` step ``lim_{var -> point} expr = expected``, computed by :func:`sympy.limit`.

    >>> x = sp.Symbol("x", positive=True)
    >>> proved_limit("A classic.", sp.sin(x) / x, x, 0, sp.Integer(1)).how
    'symbolic'
    """
    got = sp.limit(expr, var, point, dir=direction) if point not in (sp.oo, -sp.oo) else sp.limit(expr, var, point)
    if got.has(sp.Limit) or not _is_zero(got - expected, simplifier):
        raise DerivationError(f"SymPy could not prove: {text} (limit gave {got}, expected {expected})")
    arrow = r"\to" if direction == "+-" else (r"\to" + ("^+" if direction == "+" else "^-"))
    shown = lhs if lhs is not None else rf"\lim_{{{sp.latex(var)} {arrow} {sp.latex(point)}}} " + sp.latex(expr)
    return Step(text=text, lhs=shown, rhs=expected, how="symbolic", detail="sympy.limit")


def steps(*items: Step | Sequence[Step]) -> tuple[Step, ...]:
    """Flatten steps and lists of steps into the tuple a :class:`Derivation` holds."""
    out: list[Step] = []
    for item in items:
        out.extend([item] if isinstance(item, Step) else item)
    return tuple(out)
