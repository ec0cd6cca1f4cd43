r"""One policy for symbolic checks: SymPy's work under a time limit, and equality decided by proof or counterexample.

* :func:`symbolic_verdict` runs ``build`` (a derivation or a SymPy computation) and ``compare`` (its result
  against what the claim states) under a time limit. A SymPy step that fails (:class:`DerivationError`,
  ``NotImplementedError``, a polynomial error) or does not finish in time gives ``inconclusive`` with the
  reason — never ``confirmed``, never a crash.
* :func:`equality_rule` compares a computed expression with the stated one: ``confirmed`` when SymPy
  simplifies the difference to 0, ``refuted`` when the difference is non-zero at a probe point (exact
  positive rationals for the free symbols, evaluated to 30 digits: a counterexample), ``inconclusive``
  when neither happens.

>>> import sympy as sp
>>> x = sp.Symbol("x", positive=True)
>>> equality_rule("square", (x + 1) ** 2, x**2 + 2 * x + 1).status
'confirmed'
>>> v = equality_rule("square", (x + 1) ** 2, x**2 + 1)
>>> v.status, v.evidence["counterexample"]["point"]
('refuted', {'x': '3/7'})
>>> def broken() -> sp.Expr:
...     raise DerivationError("SymPy could not prove: demo")
>>> symbolic_verdict("demo", broken, lambda r: equality_rule("demo", r, x)).status
'inconclusive'
>>> symbolic_verdict("demo", lambda: sp.diff(x**3, x), lambda r: equality_rule("d/dx x^3", r, 3 * x**2)).status
'confirmed'
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

import sympy as sp
from sympy.polys.polyerrors import PolynomialError

from iclverify.proofs.framework.claims import Verdict
from iclverify.theory.derivation import DerivationError

__all__ = [
    "PROBES",
    "TIME_LIMIT_S",
    "SymbolicTimeout",
    "derivation_evidence",
    "equality_rule",
    "symbolic_verdict",
    "time_limit",
]

T = TypeVar("T")

TIME_LIMIT_S = 120.0  # the longest a symbolic check may take before it is inconclusive
PROBES = (sp.Rational(3, 7), sp.Rational(5, 3), sp.Rational(11, 4), sp.Rational(2, 9), sp.Rational(7, 2))
SYMPY_FAILURES = (DerivationError, NotImplementedError, PolynomialError, RecursionError)


class SymbolicTimeout(Exception):
    """A SymPy computation ran past its time limit."""


@contextlib.contextmanager
def time_limit(seconds: float | None) -> Iterator[None]:
    """Raise :class:`SymbolicTimeout` inside the block after ``seconds`` (main thread with SIGALRM only;
    elsewhere, or with ``None``, no limit is enforced)."""
    if seconds is None:
        yield
        return
    usable = (
        hasattr(signal, "setitimer")
        and threading.current_thread() is threading.main_thread()
        and signal.getitimer(signal.ITIMER_REAL)[0] == 0  # never override a timer someone else set
    )
    if not usable:
        yield
        return

    def expire(signum: int, frame: Any) -> None:
        raise SymbolicTimeout(f"SymPy did not finish within {seconds:g} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def symbolic_verdict(
    what: str,
    build: Callable[[], T],
    compare: Callable[[T], Verdict],
    *,
    seconds: float | None = None,
) -> Verdict:
    """``compare(build())`` under a time limit (``seconds``, default :data:`TIME_LIMIT_S`); a SymPy failure or
    timeout is ``inconclusive`` with the reason."""
    seconds = TIME_LIMIT_S if seconds is None else seconds
    try:
        with time_limit(seconds):
            return compare(build())
    except SymbolicTimeout as exc:
        return Verdict.inconclusive(f"{what}: {exc}", time_limit_s=seconds, failure="timeout")
    except SYMPY_FAILURES as exc:
        return Verdict.inconclusive(
            f"{what}: a SymPy step failed ({type(exc).__name__}: {exc})", time_limit_s=seconds, failure=str(exc)
        )


def _free_symbols(expr: sp.Basic) -> list[sp.Symbol]:
    return sorted(expr.free_symbols, key=sp.default_sort_key)


def _counterexample(diff: sp.Expr, scale: sp.Expr) -> dict[str, Any] | None:
    """A probe point where ``diff`` is a number clearly different from 0 (relative to ``scale``), if any."""
    symbols = _free_symbols(diff)
    for shift in range(len(PROBES)):
        point = {s: PROBES[(i + shift) % len(PROBES)] for i, s in enumerate(symbols)}
        try:
            value = sp.N(diff.subs(point), 30)
            size = sp.N(scale.subs(point), 30)
        except (TypeError, ValueError, ZeroDivisionError):
            continue
        if not (value.is_number and size.is_number) or value.has(sp.nan, sp.zoo):
            continue
        if value.is_real is False or size.is_real is False:
            continue
        if abs(value) > sp.Float("1e-20") * max(1, abs(size)):
            return {"point": {str(s): str(v) for s, v in point.items()}, "difference": str(sp.N(value, 6))}
    return None


def equality_rule(
    what: str,
    computed: sp.Basic,
    stated: sp.Basic,
    *,
    simplifier: Callable[[sp.Expr], sp.Expr] = sp.simplify,
    condition: str | None = None,
    **extra: Any,
) -> Verdict:
    """Confirmed when ``computed - stated`` simplifies to 0; refuted at a numeric counterexample; else inconclusive."""
    computed, stated = sp.sympify(computed), sp.sympify(stated)
    diff = computed - stated
    evidence = {"what": what, "computed": str(computed), "stated": str(stated), **extra}
    if diff == 0 or simplifier(diff) == 0:
        return Verdict.confirmed(
            f"{what}: SymPy proves {sp.sstr(computed)} = {sp.sstr(stated)} (the statement)",
            condition=condition,
            **evidence,
        )
    witness = _counterexample(diff, stated)
    if witness is not None:
        return Verdict.refuted(
            f"{what}: computed {sp.sstr(computed)}, stated {sp.sstr(stated)}; they differ at {witness['point']}",
            counterexample=witness,
            **evidence,
        )
    return Verdict.inconclusive(
        f"{what}: SymPy could neither prove nor refute {sp.sstr(computed)} = {sp.sstr(stated)}", **evidence
    )


def derivation_evidence(*derivations: Any) -> dict[str, Any]:
    """Evidence that derivations went through: ids and how many steps SymPy proved."""
    rows: Sequence[dict[str, Any]] = [
        {
            "id": d.id,
            "steps": len(d.steps),
            "sympy_proved": sum(s.how == "symbolic" for s in d.steps),
            "fully_symbolic": d.fully_symbolic,
        }
        for d in derivations
    ]
    return {"derivations": list(rows)}
