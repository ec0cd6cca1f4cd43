r"""Parameters of the models, as frozen keyword-only dataclasses validated on construction.

Values are stored exactly: a decimal string or ``int`` becomes a :class:`fractions.Fraction`, so
``rho=0.01`` and ``rho="0.01"`` both mean exactly one hundredth to every digit the mpmath path prints
(a ``float`` is read as the shortest decimal that round-trips to it, which is what was typed). :math:`\kappa = \infty` is ``math.inf``, never a sentinel.

>>> p = LuParams(tau=2, alpha=1, kappa="0.5", rho="0.01")
>>> p.rho
Fraction(1, 100)
>>> p.branch
'tau>1'
>>> LuParams(tau=1, alpha=1, kappa=1, rho=0)
Traceback (most recent call last):
...
iclverify.runtime.errors.ParameterError: tau = 1 with lam = 0 is the interpolation threshold, where the ridgeless error diverges; give lam > 0 or tau != 1
"""

from __future__ import annotations

import dataclasses
import math
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from numbers import Real
from typing import Literal

from iclverify.runtime.errors import ParameterError

Exact = Fraction | float  # a Fraction, or math.inf where infinity is allowed

__all__ = ["Exact", "LuParams", "exact_real"]


def exact_real(
    name: str,
    value: object,
    *,
    low: Fraction | int | None = None,
    low_open: bool = False,
    allow_inf: bool = False,
) -> Exact:
    """Convert ``value`` to an exact Fraction (or ``math.inf``) and check ``value >(=) low``.

    >>> exact_real("rho", "1e-3", low=0)
    Fraction(1, 1000)
    >>> exact_real("rho", 0.1, low=0)  # the float 0.1 read as the decimal it prints as
    Fraction(1, 10)
    >>> exact_real("kappa", "inf", low=0, low_open=True, allow_inf=True)
    inf
    >>> exact_real("alpha", "nan", low=0, low_open=True)
    Traceback (most recent call last):
    ...
    iclverify.runtime.errors.ParameterError: alpha must be a finite number > 0, got nan
    """
    bound = "" if low is None else f" {'>' if low_open else '>='} {low}"
    kind = "a number" if allow_inf else "a finite number"
    what = f"{name} must be {kind}{bound}"
    if isinstance(value, bool):
        raise ParameterError(f"{what}, got {value!r}")
    try:
        if isinstance(value, Fraction):
            x: Exact = value
        elif isinstance(value, int):
            x = Fraction(value)
        elif isinstance(value, (str, Decimal)):
            text = str(value).strip().lower()
            if text in {"inf", "+inf", "infinity", "+infinity", "∞"}:
                x = math.inf
            else:
                d = Decimal(text)
                x = Fraction(d) if d.is_finite() else math.nan
        elif isinstance(value, Real):
            f = float(value)
            x = math.inf if f == math.inf else Fraction(repr(f)) if math.isfinite(f) else math.nan
        else:
            x = Fraction(str(value))  # mpmath mpf and friends print exactly enough to round-trip
    except (InvalidOperation, ValueError, TypeError, OverflowError, ZeroDivisionError):
        raise ParameterError(f"{what}, got {value!r}") from None
    if isinstance(x, float) and (math.isnan(x) or (x == math.inf and not allow_inf) or x == -math.inf):
        raise ParameterError(f"{what}, got {value}")
    if low is not None and (x <= low if low_open else x < low):
        raise ParameterError(f"{what}, got {value}")
    return x


@dataclasses.dataclass(frozen=True, kw_only=True)
class LuParams:
    r"""Scaling-limit parameters of Lu, Letey, Zavatone-Veth, Maiti & Pehlevan (2024).

    :math:`\tau = n/d^2` pretraining contexts, :math:`\alpha = \ell/d` context length,
    :math:`\kappa = k/d` task diversity (``inf``: a fresh task per context), :math:`\rho` label-noise
    variance, :math:`\lambda \ge 0` ridge strength (0 means ridgeless, :math:`\lambda \to 0^+`).
    """

    tau: Exact
    alpha: Exact
    kappa: Exact
    rho: Exact
    lam: Exact = Fraction(0)

    def __post_init__(self) -> None:
        fix = lambda name, v: object.__setattr__(self, name, v)  # noqa: E731  (frozen)
        fix("tau", exact_real("tau", self.tau, low=0, low_open=True))
        fix("alpha", exact_real("alpha", self.alpha, low=0, low_open=True))
        fix("kappa", exact_real("kappa", self.kappa, low=0, low_open=True, allow_inf=True))
        fix("rho", exact_real("rho", self.rho, low=0))
        fix("lam", exact_real("lam", self.lam, low=0))
        if self.tau == 1 and self.lam == 0:
            raise ParameterError(
                "tau = 1 with lam = 0 is the interpolation threshold, where the ridgeless error "
                "diverges; give lam > 0 or tau != 1"
            )

    @property
    def ridgeless(self) -> bool:
        """True for :math:`\\lambda = 0` (the limit :math:`\\lambda \\to 0^+`)."""
        return self.lam == 0

    @property
    def branch(self) -> Literal["tau<1", "tau=1", "tau>1"]:
        """Which side of the interpolation threshold :math:`\\tau = 1` the point lies on."""
        return "tau<1" if self.tau < 1 else "tau>1" if self.tau > 1 else "tau=1"

    def replace(self, **changes: object) -> LuParams:
        """A copy with some fields changed (validated again)."""
        return dataclasses.replace(self, **changes)

    def as_floats(self) -> dict[str, float]:
        """The five parameters as floats (``kappa`` may be ``inf``)."""
        return {f.name: float(getattr(self, f.name)) for f in dataclasses.fields(self)}

    def as_strings(self) -> dict[str, str]:
        """The five parameters as exact strings, for JSON (``'1/100'``, ``'inf'``)."""
        return {f.name: str(getattr(self, f.name)) for f in dataclasses.fields(self)}
