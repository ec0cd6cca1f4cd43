r"""The ISO loss :math:`\min_\gamma \mathcal L(\gamma)` of :math:`L`-step gradient descent, certified at any precision.

:math:`\mathcal L(\gamma) = \sum_{k=0}^{2L}\binom{2L}{k}(-\gamma/L)^k m_k(c)` (:mod:`iclverify.theory.bordelon2025.iso`,
:math:`\rho = 0`) with the Narayana moments computed *exactly* for rational :math:`c = 1/\alpha` by the three-term
recurrence :math:`(k+1)m_k = (2k-1)(1+c)m_{k-1} - (k-2)(c-1)^2 m_{k-2}` (checked against the Narayana sum in
the tests), so the polynomial's coefficients are exact rationals. The minimiser is the root of
:math:`\mathcal L'`, which increases strictly on the whole line (:math:`\mathcal L'' = \frac{2L(2L-1)}{L^2}\int
\lambda^2(1-\gamma\lambda/L)^{2L-2}d\mu_c > 0`): the root is unique. The bracket is analytic on the left
(:math:`\gamma \le L/\lambda_+` makes every factor :math:`1 - \gamma\lambda/L \ge 0`, so :math:`\mathcal L' < 0`;
we start at half that) and found by doubling on the right until interval arithmetic proves
:math:`\mathcal L' > 0`. A safeguarded Newton iteration (bisection whenever a step leaves the bracket) solves
:math:`\mathcal L' = 0`; mpmath's ``iv`` then proves :math:`\mathcal L' < 0 < \mathcal L'` at
:math:`\gamma^*(1 \mp 10^{-(dps+6)})`, a :class:`~iclverify.numerics.roots.Root` with ``certified=True``. The
minimum lies in :math:`[\mathcal L(m) - \max|\mathcal L'|\,(b-a),\ \mathcal L(m)]` over that bracket
(:math:`\mathcal L'` is monotone, so its largest size is at an end), evaluated in ``iv``. The monomial sum cancels about
:math:`2L\log_{10}3` digits, so the working precision is raised by that much, and again until the enclosure
is narrower than the requested digits. Nothing here uses the closed form :math:`\gamma^* = L\alpha/(1+\alpha)`:
the claims compare against it.

>>> r = iso_loss(2, 2, dps=20)
>>> r.decimal("loss"), r.decimal("gamma_star"), r.certified     # 5/27 and 2·2/3
('0.18518518518518518519', '1.3333333333333333333', True)
"""

from __future__ import annotations

import dataclasses
import math
from fractions import Fraction
from functools import lru_cache
from typing import Any

import mpmath
from mpmath import iv, mp

from iclverify.numerics.roots import Root, interval_ends, interval_precision
from iclverify.runtime.errors import ParameterError
from iclverify.theory.params import exact_real

__all__ = ["IsoLoss", "check_depth", "iso_loss", "loss_coefficients", "moments_exact"]


def check_depth(L: object) -> int:
    """``L`` as an int >= 1 (a bool, a float or anything else is a :class:`ParameterError`).

    >>> check_depth(3)
    3
    >>> check_depth(2.5)
    Traceback (most recent call last):
    ...
    iclverify.runtime.errors.ParameterError: L must be an integer >= 1, got 2.5
    """
    if isinstance(L, bool) or not isinstance(L, int) or L < 1:
        raise ParameterError(f"L must be an integer >= 1, got {L!r}")
    return L


@lru_cache(maxsize=256)
def moments_exact(c: Fraction, k_max: int) -> tuple[Fraction, ...]:
    r""":math:`m_0, \dots, m_{k_{\max}}` of the Marchenko–Pastur law of ratio ``c``, exactly.

    >>> [str(m) for m in moments_exact(Fraction(1, 2), 3)]
    ['1', '1', '3/2', '11/4']
    """
    m = [Fraction(1), Fraction(1)]
    for k in range(2, k_max + 1):
        m.append(((2 * k - 1) * (1 + c) * m[k - 1] - (k - 2) * (c - 1) ** 2 * m[k - 2]) / (k + 1))
    return tuple(m[: k_max + 1])


@lru_cache(maxsize=256)
def loss_coefficients(c: Fraction, L: int) -> tuple[Fraction, ...]:
    r"""Exact coefficients :math:`a_k = \binom{2L}k(-1/L)^k m_k` of :math:`\mathcal L(\gamma) = \sum_k a_k\gamma^k`.

    >>> [str(a) for a in loss_coefficients(Fraction(1), 1)]
    ['1', '-2', '2']
    """
    m = moments_exact(c, 2 * L)
    return tuple(Fraction(math.comb(2 * L, k) * (-1) ** k, L**k) * m[k] for k in range(2 * L + 1))


def _cancelled_digits(coeffs: tuple[Fraction, ...], scale: float) -> int:
    """Digits the monomial sum loses near ``γ = scale``: log10 of its largest term (the loss is at most 1).

    Only the working precision depends on this estimate (``scale`` is where the minimiser is expected);
    the certification does not.
    """
    logs = [
        (abs(a.numerator).bit_length() - a.denominator.bit_length()) * math.log10(2) + k * math.log10(scale)
        for k, a in enumerate(coeffs)
        if a != 0
    ]
    return max(0, math.ceil(max(logs)) + 1)


def _horner(coeffs: list[Any], x: Any) -> Any:
    acc = coeffs[-1]
    for a in reversed(coeffs[:-1]):
        acc = acc * x + a
    return acc


@dataclasses.dataclass(frozen=True, kw_only=True)
class IsoLoss:
    """The minimum ``loss`` and minimiser ``gamma_star`` at ``dps`` digits; ``certified`` when both enclosures
    are narrower than the digits printed; ``root`` the certified bracket of the minimiser."""

    alpha: Fraction
    L: int
    dps: int
    loss: Any
    gamma_star: Any
    loss_enclosure: tuple[Any, Any]
    root: Root
    certified: bool
    working_dps: int

    def decimal(self, name: str) -> str:
        """``loss`` or ``gamma_star`` as a decimal string of ``dps`` significant digits."""
        return mpmath.nstr(getattr(self, name), self.dps, strip_zeros=False)


def _to_iv(q: Fraction) -> Any:
    """An ``iv`` interval holding the rational ``q``: its quotient rounded down and up at the working precision."""
    num, den = q.numerator, q.denominator  # Python ints: mpmath converts them exactly, then divides with rounding
    return iv.mpf([mp.fdiv(num, den, rounding="f"), mp.fdiv(num, den, rounding="c")])


def iso_loss(alpha: object, L: object, *, dps: int = 30) -> IsoLoss:
    r""":math:`\min_\gamma\mathcal L(\gamma)` and its minimiser for the ISO model at :math:`\rho = 0`.

    ``alpha`` is read exactly (a decimal string or ``Fraction``; > 0); ``L`` an int >= 1; ``dps`` >= 1.

    >>> r = iso_loss("0.5", 1, dps=15)
    >>> r.decimal("loss")                          # 1/(1+α)
    '0.666666666666667'
    """
    a = exact_real("alpha", alpha, low=0, low_open=True)
    if not isinstance(a, Fraction):
        raise ParameterError(f"alpha must be finite, got {alpha!r}")
    L = check_depth(L)
    if isinstance(dps, bool) or not isinstance(dps, int) or dps < 1:
        raise ParameterError(f"dps must be an integer >= 1, got {dps!r}")
    c = 1 / a
    coeffs = loss_coefficients(c, L)
    deriv = [k * coeffs[k] for k in range(1, len(coeffs))]
    wp = dps + 15 + _cancelled_digits(coeffs, L / (1 + float(c)))
    for _ in range(6):
        result, more = _solve(coeffs, deriv, c, L=L, dps=dps, wp=wp)
        if result.certified:
            return result
        wp += max(more, wp // 2)
    return result


def _newton(f: Any, df: Any, lo: Any, hi: Any, *, L: int, rtol: Any) -> tuple[Any, int]:
    """The root of the increasing ``f`` on ``[lo, hi]`` (f(lo) < 0 < f(hi)): bisection until the bracket is
    ``1/(8L)`` of its left end wide (a degree-2L polynomial is then close to its tangent), then Newton from
    the left end, bisecting whenever a step leaves the bracket, until a step is below ``rtol`` relative."""
    calls = 0
    while hi - lo > lo / (8 * L):
        mid = (lo + hi) / 2
        calls += 1
        if f(mid) > 0:
            hi = mid
        else:
            lo = mid
    x = lo
    for _ in range(20 * mp.prec):
        fx = f(x)
        calls += 1
        if fx == 0:
            return x, calls
        if fx > 0:
            hi = x
        else:
            lo = x
        new = x - fx / df(x)
        if not lo < new < hi:
            new = (lo + hi) / 2
        if abs(new - x) <= rtol * abs(x) or hi - lo <= rtol * abs(x):
            return new, calls
        x = new
    return x, calls  # pragma: no cover - the bracket halves at least every other step


def _solve(
    coeffs: tuple[Fraction, ...], deriv: list[Fraction], c: Fraction, *, L: int, dps: int, wp: int
) -> tuple[IsoLoss, int]:
    """One attempt at working precision ``wp``; also returns how many more digits a failed attempt needs."""
    second = [k * deriv[k] for k in range(1, len(deriv))]
    with mp.workdps(wp), interval_precision(mp.prec):
        d_mp = [mp.mpf(q.numerator) / q.denominator for q in deriv]
        d2_mp = [mp.mpf(q.numerator) / q.denominator for q in second] or [mp.zero]
        d_iv = [_to_iv(q) for q in deriv]

        def f(g: Any) -> Any:
            return _horner(d_mp, g)

        def f2(g: Any) -> Any:
            return _horner(d2_mp, g)

        def f_iv(g: Any) -> Any:
            return _horner(d_iv, g)

        lam_plus = (1 + mp.sqrt(mp.mpf(c.numerator) / c.denominator)) ** 2
        lo = L / lam_plus / 2  # L'(γ) < 0 for γ <= L/λ+ (analytic)
        hi = 2 * lo
        for _ in range(200):  # double until L' > 0: searched in mp, then proved in iv
            if f(hi) > 0 and interval_ends(f_iv(iv.mpf(hi)))[0] > 0:
                break
            hi *= 2
        else:  # pragma: no cover - L' -> +inf, the doubling ends
            raise RuntimeError("no upper bracket for the ISO minimiser")
        value, calls = _newton(f, f2, lo, hi, L=L, rtol=mp.mpf(10) ** (-(dps + 10)))
        delta = abs(value) * mp.mpf(10) ** (-(dps + 6))
        bracket, certified = (lo, hi), False
        for _ in range(12):
            a, b = value - delta, value + delta
            fa_hi = interval_ends(f_iv(iv.mpf(a)))[1]
            fb_lo = interval_ends(f_iv(iv.mpf(b)))[0]
            if fa_hi < 0 < fb_lo:
                bracket, certified = (a, b), True
                break
            delta *= 16
        more = 0
        if not certified:  # L is very flat at its minimum: L' at the bracket's ends is below the rounding
            lo_b, hi_b = interval_ends(f_iv(iv.mpf(value * (1 + mp.mpf(10) ** (-(dps + 6))))))
            size = max(abs(lo_b + hi_b) / 2, mp.mpf(10) ** (-wp))
            more = int(mpmath.log10(max(hi_b - lo_b, mp.mpf(10) ** (-wp)) / size)) + 10
        root = Root(
            value=value,
            bracket=bracket,
            residual=f(value),
            iterations=calls,
            certified=certified,
            initial_bracket=(lo, hi),
        )
        a, b = bracket
        # min L lies in [L(m) - max|L'|·(b - a), L(m)]: L' is monotone, so max|L'| on [a, b] is at an end
        c_iv = [_to_iv(q) for q in coeffs]
        at_mid = _horner(c_iv, iv.mpf(value))
        slope = max(abs(x) for x in (*interval_ends(f_iv(iv.mpf(a))), *interval_ends(f_iv(iv.mpf(b)))))
        e_lo = interval_ends(at_mid - iv.mpf(slope) * iv.mpf(b - a))[0]
        e_hi = interval_ends(at_mid)[1]
        loss = (e_lo + e_hi) / 2
        tol = mp.mpf(10) ** (-(dps + 2))
        certified = certified and (e_hi - e_lo) <= tol * abs(loss) and (b - a) <= tol * abs(value)
        if certified is False and more == 0:  # a small loss needs as many more digits as it is below 1
            more = int(mpmath.log10(max(e_hi - e_lo, mp.mpf(10) ** (-wp)) / (abs(loss) * tol))) + 10
        result = IsoLoss(
            alpha=1 / c,
            L=L,
            dps=dps,
            loss=+loss,
            gamma_star=+value,
            loss_enclosure=(e_lo, e_hi),
            root=root,
            certified=bool(certified),
            working_dps=wp,
        )
        return result, max(more, 10)
