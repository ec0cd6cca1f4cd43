r"""Bracketed roots of strictly monotone functions, with the final bracket certified by interval arithmetic.

The caller supplies a bracket ``[lo, hi]`` with a sign change of a function :math:`f` that is continuous
and strictly monotone on :math:`(0, \infty)` (an analytic argument, stated where the bracket is built), so
the root is unique.
:func:`bracketed_root` then

1. solves with mpmath's Anderson–Björck method (a bracketing, superlinear regula falsi) in the variable
   :math:`u = \log\varepsilon`, so mpmath's absolute stopping rule is a relative one for the root;
2. shrinks the bracket to :math:`[r - \delta, r + \delta]` and, when an interval version of :math:`f`
   is given, proves with mpmath's ``iv`` arithmetic that :math:`f` has opposite strict signs at the two
   ends; with monotonicity that pins the unique root inside. ``Root.certified`` says whether this proof
   went through (a caller that needs certified digits raises its precision until it does).

>>> from mpmath import mp, iv, mpf, sqrt
>>> with mp.workdps(30):
...     r = bracketed_root(lambda t: 2 - t * t, mpf(1), mpf(2), f_interval=lambda t: 2 - t * t)
...     inside = r.bracket[0] < sqrt(2) < r.bracket[1]
>>> r.certified, inside, mp.nstr(r.value, 25)
(True, True, '1.414213562373095048801689')
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Callable, Iterator

import mpmath
from mpmath import iv, mp
from mpmath.calculus.optimization import Anderson

from iclverify.numerics.backends import Mp

__all__ = ["Root", "bracketed_root", "interval_ends", "interval_precision"]


@dataclasses.dataclass(frozen=True, kw_only=True)
class Root:
    """A root with its bracket: ``f`` changes sign strictly between ``bracket[0]`` and ``bracket[1]``.

    ``residual`` is ``f(value)`` at the working precision; ``iterations`` counts evaluations of ``f`` by
    the solver; ``certified`` is True when interval arithmetic proved the sign change at the bracket's
    ends; ``initial_bracket`` is the analytic bracket the search started from.
    """

    value: Mp
    bracket: tuple[Mp, Mp]
    residual: Mp
    iterations: int
    certified: bool = False
    initial_bracket: tuple[Mp, Mp] | None = None

    @property
    def width(self) -> Mp:
        """Relative width of the bracket, ``(hi - lo)/|value|``."""
        return (self.bracket[1] - self.bracket[0]) / abs(self.value)


def _anderson(h: Callable[[Mp], Mp], a: Mp, b: Mp, maxsteps: int = 400) -> Mp:
    """Anderson–Björck iterations until the bracket is a few ulps of the root wide (relative, not |h| small)."""
    solver = Anderson(mp, h, (a, b), tol=mp.mpf(2) ** (-4 * mp.prec), verbose=False)
    u = (a + b) / 2
    for step, (u, width) in enumerate(solver):
        if width <= 16 * mp.eps * max(1, abs(u)) or step >= maxsteps:
            break
    return u


@contextlib.contextmanager
def interval_precision(prec: int) -> Iterator[None]:
    """Set mpmath's ``iv`` context to ``prec`` bits (it has no ``workprec`` of its own)."""
    saved = iv.prec
    iv.prec = prec
    try:
        yield
    finally:
        iv.prec = saved


def interval_ends(value: Mp) -> tuple[Mp, Mp]:
    """The two ends of an ``iv`` interval as ``mp`` numbers, at their full precision."""
    lo, hi = value._mpi_
    return mp.make_mpf(lo), mp.make_mpf(hi)


def _sign(value: Mp) -> int:
    """+1 / -1 for an mpf or an interval that excludes 0; 0 when undecided."""
    if isinstance(value, mpmath.ctx_iv.ivmpf):
        a, b = interval_ends(value)
        return 1 if a > 0 else -1 if b < 0 else 0
    return 1 if value > 0 else -1 if value < 0 else 0


def bracketed_root(
    f: Callable[[Mp], Mp],
    lo: Mp,
    hi: Mp,
    *,
    f_interval: Callable[[Mp], Mp] | None = None,
    rel_width: Mp = None,
    widen: int = 12,
) -> Root:
    r"""The unique root of ``f`` in ``[lo, hi]`` (``0 < lo < hi``), at ``mp``'s precision.

    ``f`` must be continuous and strictly monotone on the whole positive axis (the certified bracket may
    reach past ``[lo, hi]`` when the root sits on an end, e.g. an analytic bound that is exact), with a
    sign change on ``[lo, hi]`` guaranteed analytically (a computed sign may still round the wrong way
    when the root lies within rounding of an end; that is handled).

    ``f_interval`` evaluates ``f`` on an ``iv`` interval. ``rel_width`` is the
    target half-width of the certified bracket relative to the root (default :math:`10^{-(dps-5)}`).

    >>> with mp.workdps(20):
    ...     r = bracketed_root(lambda e: mpf("1e-30") / e - e, mpf("1e-20"), mpf(1))
    >>> mp.nstr(r.value, 15), r.certified   # no interval version given: not certified
    ('1.0e-15', False)
    """
    lo, hi = mp.mpf(lo), mp.mpf(hi)
    if not 0 < lo < hi:
        raise ValueError(f"need 0 < lo < hi, got lo={lo}, hi={hi}")
    calls = 0

    def in_log(u: Mp) -> Mp:
        nonlocal calls
        calls += 1
        return f(mp.exp(u))

    u_lo, u_hi = mp.log(lo), mp.log(hi)
    f_lo, f_hi = f(lo), f(hi)
    s_lo, s_hi = _sign(f_lo), _sign(f_hi)
    if s_lo == 0:
        value = lo
    elif s_hi == 0:
        value = hi
    elif s_lo == s_hi:
        # The analytic bracket guarantees a sign change; equal signs mean the root is within rounding of an end.
        value = lo if abs(f_lo) <= abs(f_hi) else hi
    else:
        u = _anderson(in_log, u_lo, u_hi)
        if not (u_lo <= u <= u_hi):  # never seen; bisection cannot leave the bracket
            u = mpmath.findroot(in_log, (u_lo, u_hi), solver="bisect", verify=False, maxsteps=4 * mp.prec)
        value = mp.exp(u)
    iterations = calls

    if rel_width is None:
        rel_width = mp.mpf(10) ** (-(mp.dps - 5))
    delta = abs(value) * rel_width
    bracket, certified = (lo, hi), False
    for _ in range(widen):
        # f is monotone on the whole positive axis, so the certified bracket may reach past [lo, hi].
        a, b = max(value - delta, value / 2), value + delta
        if f_interval is not None:
            with interval_precision(mp.prec):
                fa, fb = f_interval(iv.mpf(a)), f_interval(iv.mpf(b))
        else:
            fa, fb = f(a), f(b)
        sa, sb = _sign(fa), _sign(fb)
        if sa != 0 and sb not in (0, sa):
            bracket, certified = (a, b), f_interval is not None
            break
        delta *= 16
    return Root(
        value=value,
        bracket=bracket,
        residual=f(value),
        iterations=iterations,
        certified=certified,
        initial_bracket=(lo, hi),
    )


mpf = mp.mpf  # for the doctests
