r"""Checks of user-given values at a boundary, each rule written once: sizes, reals, exact numbers, choices.

Every check takes the field's ``name`` first (it starts the message), returns the value converted to the
type the caller computes with, and raises :class:`~iclverify.runtime.errors.ParameterError` (a
``ValueError`` and a ``UserError``; pass ``error=ConfigError`` for an option or an environment variable)
whose message is one line: ``"<name> must be <rule>, got <value>"``.

=======================  ==========================================================================
:func:`integer`          an integer :math:`\ge` ``low`` (and :math:`\le` ``high``); ``bool`` and fractions
                         refused, a decimal string read only with ``from_text=True`` (options, environment)
:func:`positive_int`     an integer :math:`\ge 1`
:func:`nonnegative_int`  an integer :math:`\ge 0`
:func:`real`             a finite float in a range (``inf`` only where ``allow_inf``); NaN refused
:func:`positive_real`    a float :math:`> 0`
:func:`nonnegative_real` a float :math:`\ge 0`
:func:`probability`      a float in :math:`(0, 1)`, ends included on request
:func:`exact`            an exact :class:`~fractions.Fraction` from ``'1/2'``, ``'0.01'``, ``'1e-3'``, ``3``
                         or a float (read as the decimal it prints as); ``'inf'`` → ``math.inf`` where allowed
:func:`one_of`           a member of a fixed tuple of names
:func:`real_array`       a float array whose every entry obeys a :func:`real` rule
=======================  ==========================================================================

>>> positive_int("d", 8), nonnegative_int("run", "0", from_text=True), positive_real("rho", "0.5")
(8, 0, 0.5)
>>> exact("rho", "1/100"), exact("kappa", "inf", low=0, low_open=True, allow_inf=True)
(Fraction(1, 100), inf)
>>> one_of("law", "sphere", ("sphere", "gaussian"))
'sphere'
>>> positive_int("d", 2.5)
Traceback (most recent call last):
...
iclverify.runtime.errors.ParameterError: d must be an integer >= 1, got 2.5
>>> probability("confidence", 1)
Traceback (most recent call last):
...
iclverify.runtime.errors.ParameterError: confidence must be a number in (0, 1), got 1
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from numbers import Integral, Real
from typing import TypeVar

import numpy as np
import numpy.typing as npt

from iclverify.runtime.errors import ParameterError, UserError

__all__ = [
    "Exact",
    "exact",
    "integer",
    "nonnegative_int",
    "nonnegative_real",
    "one_of",
    "positive_int",
    "positive_real",
    "probability",
    "real",
    "real_array",
]

Exact = Fraction | float  # a Fraction, or math.inf where infinity is allowed
Bound = int | float | Fraction
T = TypeVar("T")

_INFINITY = frozenset({"inf", "+inf", "infinity", "+infinity", "∞"})


def _range(low: Bound | None, low_open: bool, high: Bound | None = None, high_open: bool = False) -> str:
    """`` > 0``, `` >= 1``, `` in [0, 1)`` or ``''``: the rule's range as the message prints it."""
    if low is not None and high is not None:
        return f" in {'(' if low_open else '['}{low}, {high}{')' if high_open else ']'}"
    if low is not None:
        return f" {'>' if low_open else '>='} {low}"
    if high is not None:
        return f" {'<' if high_open else '<='} {high}"
    return ""


def _outside(x: float | Fraction, low: Bound | None, low_open: bool, high: Bound | None, high_open: bool) -> bool:
    below = low is not None and (x <= low if low_open else x < low)
    above = high is not None and (x >= high if high_open else x > high)
    return below or above


def integer(
    name: str,
    value: object,
    *,
    low: int | None = 1,
    high: int | None = None,
    from_text: bool = False,
    error: type[UserError] = ParameterError,
) -> int:
    """An ``int`` in ``[low, high]`` from an int, a numpy integer or an integral float.

    ``bool`` and fractional numbers are refused (never rounded); a string only with ``from_text=True``
    (an option or an environment variable), where it must be a decimal integer.

    >>> integer("workers", " 4 ", from_text=True), integer("n", 3.0), integer("run", 0, low=0)
    (4, 3, 0)
    >>> integer("dps", "30")
    Traceback (most recent call last):
    ...
    iclverify.runtime.errors.ParameterError: dps must be an integer >= 1, got '30'
    >>> integer("k", True)
    Traceback (most recent call last):
    ...
    iclverify.runtime.errors.ParameterError: k must be an integer >= 1, got True
    >>> integer("L", 9, high=8)
    Traceback (most recent call last):
    ...
    iclverify.runtime.errors.ParameterError: L must be an integer in [1, 8], got 9
    """
    message = f"{name} must be an integer{_range(low, False, high, False)}, got {value!r}"
    if isinstance(value, (bool, np.bool_)):
        raise error(message)
    if isinstance(value, Integral):
        n = int(value)
    elif isinstance(value, Real) and math.isfinite(float(value)) and float(value).is_integer():
        n = int(float(value))
    elif isinstance(value, str) and from_text:
        try:
            n = int(value.strip())
        except ValueError:
            raise error(message) from None
    else:
        raise error(message)
    if _outside(n, low, False, high, False):
        raise error(message)
    return n


def positive_int(name: str, value: object, *, from_text: bool = False, error: type[UserError] = ParameterError) -> int:
    """An integer ``>= 1`` (see :func:`integer`).

    >>> positive_int("steps", 100)
    100
    """
    return integer(name, value, low=1, from_text=from_text, error=error)


def nonnegative_int(
    name: str, value: object, *, from_text: bool = False, error: type[UserError] = ParameterError
) -> int:
    """An integer ``>= 0`` (see :func:`integer`).

    >>> nonnegative_int("seed", 0)
    0
    """
    return integer(name, value, low=0, from_text=from_text, error=error)


def real(
    name: str,
    value: object,
    *,
    low: Bound | None = None,
    low_open: bool = False,
    high: Bound | None = None,
    high_open: bool = False,
    allow_inf: bool = False,
    error: type[UserError] = ParameterError,
) -> float:
    """A ``float`` from a number or a numeric string, finite unless ``allow_inf``, in the given range; NaN refused.

    >>> real("lam", "1e-3", low=0), real("kappa", "inf", low=0, low_open=True, allow_inf=True)
    (0.001, inf)
    >>> real("tol", 0, low=0, low_open=True)
    Traceback (most recent call last):
    ...
    iclverify.runtime.errors.ParameterError: tol must be a finite number > 0, got 0
    """
    kind = "a number" if allow_inf else "a finite number"
    message = f"{name} must be {kind}{_range(low, low_open, high, high_open)}, got {value!r}"
    if isinstance(value, (bool, np.bool_)):
        raise error(message)
    try:
        x = float(value.strip() if isinstance(value, str) else value)  # type: ignore[arg-type]
    except (ValueError, TypeError, OverflowError):
        raise error(message) from None
    if math.isnan(x) or (math.isinf(x) and not allow_inf) or _outside(x, low, low_open, high, high_open):
        raise error(message)
    return x


def positive_real(
    name: str, value: object, *, allow_inf: bool = False, error: type[UserError] = ParameterError
) -> float:
    """A float ``> 0`` (see :func:`real`).

    >>> positive_real("alpha", 2)
    2.0
    """
    return real(name, value, low=0, low_open=True, allow_inf=allow_inf, error=error)


def nonnegative_real(
    name: str, value: object, *, allow_inf: bool = False, error: type[UserError] = ParameterError
) -> float:
    """A float ``>= 0`` (see :func:`real`).

    >>> nonnegative_real("rho", "0")
    0.0
    """
    return real(name, value, low=0, allow_inf=allow_inf, error=error)


def probability(
    name: str,
    value: object,
    *,
    include_low: bool = False,
    include_high: bool = False,
    error: type[UserError] = ParameterError,
) -> float:
    """A float in ``(0, 1)``; ``include_low`` / ``include_high`` close the interval at 0 / 1.

    >>> probability("confidence", 0.95), probability("warmup", 0, include_low=True)
    (0.95, 0.0)
    >>> probability("batch_fraction", 0, include_high=True)
    Traceback (most recent call last):
    ...
    iclverify.runtime.errors.ParameterError: batch_fraction must be a number in (0, 1], got 0
    """
    try:
        return real(name, value, low=0, low_open=not include_low, high=1, high_open=not include_high, error=error)
    except UserError as exc:  # the range already says the number is finite
        raise error(str(exc).replace("a finite number in", "a number in", 1)) from None


def exact(
    name: str,
    value: object,
    *,
    low: Bound | None = None,
    low_open: bool = False,
    high: Bound | None = None,
    allow_inf: bool = False,
    error: type[UserError] = ParameterError,
) -> Exact:
    """An exact :class:`~fractions.Fraction` (or ``math.inf`` where ``allow_inf``), checked ``>(=) low``
    and ``<= high``.

    Strings may be decimals (``'0.01'``, ``'1e-3'``), fractions (``'1/3'``) or ``'inf'``; a ``float`` is
    read as the shortest decimal that round-trips to it (what was typed); anything else whose ``str``
    is a number (an mpmath ``mpf``, a SymPy ``Rational``) is read from that string.

    >>> exact("rho", "1e-3", low=0), exact("rho", 0.1, low=0), exact("h", "1/3")
    (Fraction(1, 1000), Fraction(1, 10), Fraction(1, 3))
    >>> exact("alpha", "nan", low=0, low_open=True)
    Traceback (most recent call last):
    ...
    iclverify.runtime.errors.ParameterError: alpha must be a finite number > 0, got nan
    """
    kind = "a number" if allow_inf else "a finite number"
    what = f"{name} must be {kind}{_range(low, low_open, high)}"
    if isinstance(value, (bool, np.bool_)):
        raise error(f"{what}, got {value!r}")
    x: Exact
    try:
        if isinstance(value, Fraction):
            x = value
        elif isinstance(value, Integral):
            x = Fraction(int(value))
        elif isinstance(value, (str, Decimal)):
            text = str(value).strip().lower()
            if text in _INFINITY:
                x = math.inf
            elif "/" in text:
                x = Fraction(text)
            else:
                d = Decimal(text)
                x = Fraction(d) if d.is_finite() else math.nan
        elif isinstance(value, Real):
            f = float(value)
            x = math.inf if f == math.inf else Fraction(repr(f)) if math.isfinite(f) else math.nan
        else:
            x = Fraction(str(value))  # mpmath mpf, SymPy Rational: their str round-trips
    except (InvalidOperation, ValueError, TypeError, OverflowError, ZeroDivisionError):
        raise error(f"{what}, got {value!r}") from None
    if isinstance(x, float) and (math.isnan(x) or (x == math.inf and not allow_inf) or x == -math.inf):
        raise error(f"{what}, got {value}")
    if _outside(x, low, low_open, high, False):
        raise error(f"{what}, got {value}")
    return x


def one_of(name: str, value: T, choices: Iterable[T], *, error: type[UserError] = ParameterError) -> T:
    """``value`` itself if it is one of ``choices``.

    >>> one_of("solver", "cg", ("cholesky", "cg"))
    'cg'
    >>> one_of("device", "tpu", ("auto", "cpu", "cuda"))
    Traceback (most recent call last):
    ...
    iclverify.runtime.errors.ParameterError: device must be one of auto, cpu, cuda, got 'tpu'
    """
    options = tuple(choices)
    try:
        if value in options:
            return value
    except TypeError:  # an unhashable or incomparable value is simply not a choice
        pass
    raise error(f"{name} must be one of {', '.join(map(str, options))}, got {value!r}")


def real_array(
    name: str,
    values: object,
    *,
    low: Bound | None = None,
    low_open: bool = False,
    allow_inf: bool = False,
    error: type[UserError] = ParameterError,
) -> npt.NDArray[np.float64]:
    """``values`` as a float array whose entries all obey the :func:`real` rule; the message shows the first bad one.

    >>> real_array("kappa", [0.5, "inf"], low=0, low_open=True, allow_inf=True).tolist()
    [0.5, inf]
    >>> real_array("tau", [1.0, 0.0], low=0, low_open=True)
    Traceback (most recent call last):
    ...
    iclverify.runtime.errors.ParameterError: tau must be a finite number > 0, got 0.0
    """
    kind = "a number" if allow_inf else "a finite number"
    what = f"{name} must be {kind}{_range(low, low_open)}"
    if isinstance(values, (bytes, bytearray, memoryview)):  # numpy would read b"1" as the number 1
        raise error(f"{what}, got {values!r}")
    try:
        a = np.asarray(values, dtype=np.float64)
    except (ValueError, TypeError, OverflowError):
        raise error(f"{what}, got {values!r}") from None
    ok = ~np.isnan(a) if allow_inf else np.isfinite(a)
    ok &= a > -np.inf
    if low is not None:
        ok &= (a > float(low)) if low_open else (a >= float(low))
    if not ok.all():
        raise error(f"{what}, got {a[~ok].flat[0]}")
    return a
