"""The one validation module: each rule accepts what it should, refuses the rest with one line naming the field."""

from __future__ import annotations

import math
from fractions import Fraction

import mpmath
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from iclverify.runtime import validation as v
from iclverify.runtime.errors import ConfigError, ParameterError


@pytest.mark.parametrize(
    "call, expected",
    [
        (lambda: v.positive_int("d", np.int64(3)), 3),
        (lambda: v.positive_int("d", 4.0), 4),
        (lambda: v.nonnegative_int("run", " 0 ", from_text=True), 0),
        (lambda: v.integer("L", 8, high=8), 8),
        (lambda: v.positive_real("alpha", "2.5"), 2.5),
        (lambda: v.nonnegative_real("rho", 0), 0.0),
        (lambda: v.real("kappa", math.inf, low=0, low_open=True, allow_inf=True), math.inf),
        (lambda: v.probability("warmup", 0, include_low=True), 0.0),
        (lambda: v.probability("batch_fraction", 1, include_high=True), 1.0),
        (lambda: v.exact("h", " 3/4 "), Fraction(3, 4)),
        (lambda: v.exact("N", "2e6", low=0, low_open=True), Fraction(2_000_000)),
        (lambda: v.exact("rho", 0.01, low=0), Fraction(1, 100)),
        (lambda: v.exact("x", mpmath.mpf("0.25")), Fraction(1, 4)),
        (lambda: v.one_of("law", "gaussian", ("sphere", "gaussian")), "gaussian"),
    ],
)
def test_accepts(call, expected):
    out = call()
    assert out == expected and type(out) is type(expected)


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: v.positive_int("d", 0), "d must be an integer >= 1, got 0"),
        (lambda: v.positive_int("d", 2.5), "d must be an integer >= 1, got 2.5"),
        (lambda: v.positive_int("d", True), "d must be an integer >= 1, got True"),
        (lambda: v.positive_int("d", "x", from_text=True), "d must be an integer >= 1, got 'x'"),
        (lambda: v.positive_int("d", "3"), "d must be an integer >= 1, got '3'"),
        (lambda: v.positive_int("d", None), "d must be an integer >= 1, got None"),
        (lambda: v.integer("runs", 1, low=2), "runs must be an integer >= 2, got 1"),
        (lambda: v.integer("L", 9, low=1, high=8), "L must be an integer in [1, 8], got 9"),
        (lambda: v.positive_real("tau", 0), "tau must be a finite number > 0, got 0"),
        (lambda: v.positive_real("tau", math.nan), "tau must be a finite number > 0, got nan"),
        (lambda: v.positive_real("tau", math.inf), "tau must be a finite number > 0, got inf"),
        (lambda: v.nonnegative_real("rho", "-1"), "rho must be a finite number >= 0, got '-1'"),
        (lambda: v.nonnegative_real("rho", [1.0]), "rho must be a finite number >= 0, got [1.0]"),
        (lambda: v.probability("confidence", 1.0), "confidence must be a number in (0, 1), got 1.0"),
        (lambda: v.probability("warmup", 1, include_low=True), "warmup must be a number in [0, 1), got 1"),
        (lambda: v.exact("kappa", "inf", low=0, low_open=True), "kappa must be a finite number > 0, got inf"),
        (lambda: v.exact("h", "1/0"), "h must be a finite number, got '1/0'"),
        (lambda: v.exact("h", "-1/2", low=0), "h must be a finite number >= 0, got -1/2"),
        (lambda: v.exact("h", "-inf", allow_inf=True), "h must be a number, got -inf"),
        (lambda: v.one_of("solver", "lu", ("cg", "cholesky")), "solver must be one of cg, cholesky, got 'lu'"),
        (lambda: v.one_of("solver", ["cg"], ("cg",)), "solver must be one of cg, got ['cg']"),
        (lambda: v.real_array("alpha", [1, -1], low=0, low_open=True), "alpha must be a finite number > 0, got -1.0"),
        (lambda: v.real_array("kappa", [np.nan], low=0, allow_inf=True), "kappa must be a number >= 0, got nan"),
    ],
)
def test_refuses_with_one_line(call, message):
    with pytest.raises(ParameterError) as info:
        call()
    assert str(info.value) == message and "\n" not in message


def test_error_class_is_the_callers_choice():
    with pytest.raises(ConfigError, match="ICLVERIFY_WORKERS must be an integer >= 1"):
        v.positive_int("ICLVERIFY_WORKERS", "0", from_text=True, error=ConfigError)
    with pytest.raises(ConfigError):
        v.probability("confidence", 2, error=ConfigError)


@given(st.integers(-(10**6), 10**6), st.integers(-5, 5))
def test_integer_rule_is_the_comparison(n, low):
    if n >= low:
        assert v.integer("n", n, low=low) == n == v.integer("n", str(n), low=low, from_text=True)
    else:
        with pytest.raises(ParameterError):
            v.integer("n", n, low=low)


@given(st.fractions(min_value=-10, max_value=10, max_denominator=1000))
def test_exact_reads_fraction_strings_exactly(q):
    assert v.exact("q", f"{q.numerator}/{q.denominator}") == q
    if q > 0:
        assert v.exact("q", q, low=0, low_open=True) == q
    else:
        with pytest.raises(ParameterError):
            v.exact("q", q, low=0, low_open=True)
