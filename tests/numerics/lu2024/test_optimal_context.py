"""Fig. 3's data: the minimising alpha and monotonicity, checked against their definitions on the float path."""

from __future__ import annotations

import numpy as np
import pytest

from iclverify.numerics.lu2024 import optimal_context as oc
from iclverify.numerics.lu2024 import vectorised as nf
from iclverify.numerics.marchenko_pastur import transform_float
from iclverify.runtime.errors import ParameterError

KAPPAS = np.linspace(0.1, 2.1, 23)
RHOS = np.linspace(0.01, 1.0, 7)
ALPHAS = np.logspace(-2, 3, 120)
PANELS = [("icl", 0.5), ("idg", 0.5), ("icl", 20.0), ("idg", 3.0)]


def _brute(kind, tau):
    f = nf.e_icl if kind == "icl" else nf.e_idg
    return f(tau, ALPHAS[None, None, :], KAPPAS[:, None, None], RHOS[None, :, None])


@pytest.mark.parametrize("kind,tau", PANELS)
def test_scan_matches_its_definitions_on_the_float_path(kind, tau):
    scan = oc.scan_alpha(kind, tau, KAPPAS, RHOS, ALPHAS)
    e = _brute(kind, tau)
    # the fast kernel evaluates the same formulas (restructured by SymPy) to round-off
    assert np.allclose(scan.e_min, e.min(axis=-1), rtol=1e-12, atol=0)
    step, allow = np.diff(e, axis=-1), oc.RTOL * np.abs(e[..., :-1])
    non_increasing, non_decreasing = np.all(step <= allow, axis=-1), np.all(step >= -allow, axis=-1)
    assert np.array_equal(scan.monotone, non_increasing | non_decreasing)
    first_min = np.argmin(e, axis=-1)
    # where two grid values tie to round-off the kernel may pick the other one
    picked = np.searchsorted(ALPHAS, scan.alpha_star)
    assert np.all(ALPHAS[picked] == scan.alpha_star)
    assert np.allclose(np.take_along_axis(e, picked[..., None], -1)[..., 0], e.min(axis=-1), rtol=1e-12, atol=0)
    assert np.mean(picked == first_min) > 0.99


def test_monotone_curves_have_their_minimum_at_an_end():
    scan = oc.scan_alpha("icl", 20.0, KAPPAS, RHOS, ALPHAS)
    at_end = (scan.alpha_star == ALPHAS[0]) | (scan.alpha_star == ALPHAS[-1])
    assert np.all(at_end[scan.monotone])
    assert np.any(scan.monotone) and np.any(~scan.monotone)


@pytest.mark.parametrize("tau", [0.5, 20.0])
def test_below_the_line_icl_curves_turn_up(tau):
    # derived (lu2024.alpha-inf): e_icl grows without bound as alpha -> inf when kappa < min(tau, 1)
    kappas = np.array([0.1, 0.25, min(tau, 1) - 0.05])
    scan = oc.scan_alpha("icl", tau, kappas, RHOS, ALPHAS)
    assert not scan.monotone.any()
    assert np.all(scan.alpha_star < ALPHAS[-1])


def test_threads_do_not_change_the_result():
    one = oc.scan_alpha("idg", 0.5, KAPPAS, RHOS, ALPHAS, threads=1)
    two = oc.scan_alpha("idg", 0.5, KAPPAS, RHOS, ALPHAS, threads=2)
    for field in ("alpha_star", "e_min", "monotone"):
        assert np.array_equal(getattr(one, field), getattr(two, field))


def test_monotone_mask_definition():
    e = np.array([[3.0, 2.0, 2.0, 1.0], [1.0, 1.0, 2.0, 3.0], [3.0, 1.0, 2.0, 1.5], [2.0, 2.0 * (1 + 1e-13), 1.0, 0.5]])
    assert oc.monotone_mask(e).tolist() == [True, True, False, True]  # the last wiggle is round-off


@pytest.mark.parametrize(
    "args",
    [
        ("icl", 1.0, KAPPAS, RHOS, ALPHAS),
        ("icl", 2.0, [0.0, 1.0], RHOS, ALPHAS),
        ("icl", 2.0, [np.inf], RHOS, ALPHAS),
        ("icl", 2.0, KAPPAS, [-0.1], ALPHAS),
        ("icl", 2.0, KAPPAS, RHOS, ALPHAS[::-1]),
        ("xyz", 2.0, KAPPAS, RHOS, ALPHAS),
    ],
)
def test_bad_grids_are_parameter_errors(args):
    with pytest.raises(ParameterError):
        oc.scan_alpha(*args)


@pytest.mark.parametrize("kappa", [0.05, 0.3, 0.9, 1.0, 3.0])
def test_fused_transform_is_the_theory_transform(kappa):
    # the in-place kernel fuses the theory's two closed forms; it must agree with the one float path everywhere,
    # including the band of rows where b = x + 1 - 1/kappa changes sign inside the block
    a, r = np.logspace(-2, 3, 200), np.linspace(0.0, 2.0, 9)
    x, inv_x, _ = oc._grid(a, r)
    splits = (-x.min(axis=1), -x.max(axis=1))
    fused = oc._transform(x.copy(), inv_x, kappa, splits)
    assert np.allclose(fused, transform_float(x, kappa), rtol=1e-14, atol=0)
