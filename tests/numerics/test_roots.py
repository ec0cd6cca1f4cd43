"""Bracketed roots with interval certification, and the Marchenko-Pastur numerics."""

from __future__ import annotations

import math

import mpmath
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from mpmath import iv, mp

from iclverify.numerics import marchenko_pastur as mpn
from iclverify.numerics.roots import bracketed_root, interval_ends, interval_precision


def test_certified_bracket_contains_the_known_root():
    with mp.workdps(50):
        f = lambda t: t**3 - 2  # noqa: E731
        r = bracketed_root(f, mp.mpf(1), mp.mpf(2), f_interval=f)
        lo, hi = r.bracket
        assert r.certified and lo < mp.cbrt(2) < hi and (hi - lo) < mp.mpf(10) ** -40


def test_tiny_roots_are_found_to_relative_precision():
    with mp.workdps(30):
        f = lambda e: mp.mpf("1e-80") / e - e  # root 1e-40; decreasing  # noqa: E731
        r = bracketed_root(f, mp.mpf("1e-70"), mp.mpf(1), f_interval=lambda e: iv.mpf("1e-80") / e - e)
        assert r.certified and abs(r.value / mp.mpf("1e-40") - 1) < mp.mpf(10) ** -25


def test_root_on_the_bracket_end_is_certified_past_it():
    with mp.workdps(30):
        f = lambda e: 3 - e  # noqa: E731
        r = bracketed_root(f, mp.mpf(1), mp.mpf(3), f_interval=f)
        assert r.value == 3 and r.certified and r.bracket[0] < 3 < r.bracket[1]


def test_without_an_interval_version_nothing_is_certified():
    with mp.workdps(20):
        r = bracketed_root(lambda t: 2 - t * t, mp.mpf(1), mp.mpf(2))
        assert not r.certified and abs(r.value - mp.sqrt(2)) < mp.mpf(10) ** -18


def test_bad_bracket_is_rejected():
    with pytest.raises(ValueError):
        bracketed_root(lambda t: t, mp.mpf(2), mp.mpf(1))


def test_interval_precision_is_restored():
    before = iv.prec
    with interval_precision(300):
        assert iv.prec == 300
        lo, hi = interval_ends(iv.mpf(1) / 3)
        assert hi - lo < mp.mpf(2) ** -290
    assert iv.prec == before


@settings(deadline=None)
@given(st.floats(-5, 3).map(lambda e: 10.0**e), st.one_of(st.floats(-2, 2).map(lambda e: 10.0**e), st.just(math.inf)))
def test_transform_solves_its_quadratic_and_matches_the_float_path(z, kappa):
    with mp.workdps(40):
        zz = mp.mpf(z)
        kk = mp.inf if kappa == math.inf else mp.mpf(kappa)
        m = mpn.transform(zz, kk)
        assert m > 0
        if kappa != math.inf:
            assert abs(zz / kk * m**2 + (zz + 1 - 1 / kk) * m - 1) < mp.mpf(10) ** -35 * max(1, zz / kk * m**2)
        else:
            assert abs(m - 1 / (1 + zz)) < mp.mpf(10) ** -38
        # Jensen and the identity 1 - zM = kappa M/(kappa + M) in (0, 1)
        assert m >= 1 / (1 + zz) * (1 - mp.mpf(10) ** -35) and 0 < zz * m < 1
        # derivative: implicit form vs a central difference
        d = mpn.derivative(m, zz, kk)
        h = zz * mp.mpf(10) ** -12
        fd = (mpn.transform(zz + h, kk) - mpn.transform(zz - h, kk)) / (2 * h)
        assert abs(d / fd - 1) < mp.mpf(10) ** -15
        assert float(mpn.transform_float(z, kappa)) == pytest.approx(float(m), rel=1e-13)
        assert float(mpn.derivative_float(float(m), z, kappa)) == pytest.approx(float(d), rel=1e-12)


def test_interval_transform_encloses_the_point_value():
    with mp.workdps(30), interval_precision(mp.prec):
        for z, k in (("0.001", "0.1"), ("2", "3"), ("0.5", "1")):
            enclosure = mpn.transform(iv.mpf(z), iv.mpf(k), context=iv)
            lo, hi = interval_ends(enclosure)
            point = mpn.transform(mp.mpf(z), mp.mpf(k))
            assert lo <= point <= hi and hi - lo < mp.mpf(10) ** -25 * point


def test_float_transform_is_stable_where_b_is_negative():
    # b = z + 1 - 1/kappa << 0: the rationalised form would cancel; the direct one does not
    z, kappa = 1e-9, 1e-3
    with mp.workdps(50):
        exact = mpn.transform(mp.mpf(z), mp.mpf(kappa))
    assert float(mpn.transform_float(np.array([z]), np.array([kappa]))[0]) == pytest.approx(float(exact), rel=1e-14)
    assert mpmath.isfinite(exact)
