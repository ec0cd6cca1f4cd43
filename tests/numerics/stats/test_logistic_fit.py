r"""The logistic transition fit: recovers a known transition from noisy seeds with intervals that contain it,
says when the data do not locate it, pins a step-like transition's width at its lower bound, refuses bad
input."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from iclverify.numerics.stats.logistic_fit import RISE_FACTOR, WIDTH_BOUNDS, fit_transition, logistic
from iclverify.runtime.errors import ParameterError

TRUTH = {"amplitude": 0.9, "centre": 1.4, "width": 0.15}
X = np.repeat(np.linspace(0.5, 2.5, 9), 5)  # 9 sizes N = 10^x over two decades, 5 seeds each


def _noisy(rep: int, sigma: float = 0.05, truth=TRUTH, x=X) -> np.ndarray:
    return logistic(x, **truth) + sigma * np.random.default_rng(1000 + rep).standard_normal(x.size)


@settings(deadline=None)
@given(st.floats(0.05, 1.5), st.floats(-3.0, 3.0), st.floats(0.01, 3.0), st.floats(-5.0, 5.0))
def test_logistic_formula_and_rise(a, c, w, x):
    """a/(1 + e^{-(x-c)/w}) (the tanh form must agree), a/2 at the centre, 10 % and 90 % of a at c ∓ w ln 9."""
    # tanh form: absolute accuracy (its far lower tail is 1 + tanh, which cancels)
    assert logistic(x, a, c, w) == pytest.approx(
        a / (1 + math.exp(-(x - c) / w)) if (x - c) / w > -700 else 0.0, rel=1e-12, abs=1e-15 * a
    )
    assert logistic(c, a, c, w) == pytest.approx(a / 2, rel=1e-15)
    lo, hi = c - RISE_FACTOR * w / 2, c + RISE_FACTOR * w / 2  # 2 w ln 9 decades apart
    assert logistic(lo, a, c, w) == pytest.approx(0.1 * a, rel=1e-12)
    assert logistic(hi, a, c, w) == pytest.approx(0.9 * a, rel=1e-12)


def test_fit_is_exact_without_noise():
    r = fit_transition(10**X, logistic(X, **TRUTH), n_boot=20)
    assert (r.amplitude, r.centre, r.width) == (
        pytest.approx(0.9, rel=1e-6),
        pytest.approx(1.4, rel=1e-6),
        pytest.approx(0.15, rel=1e-6),
    )
    assert r.rise_decades == pytest.approx(RISE_FACTOR * 0.15, rel=1e-6) and r.N_c == pytest.approx(10**1.4, rel=1e-5)
    assert r.warnings == () and r.rms_residual < 1e-6 and r.x_range == (0.5, 2.5)
    json.dumps(r.to_json())


def _coverage(reps: int, n_boot: int) -> tuple[dict[str, int], dict[str, list[float]]]:
    hits = {k: 0 for k in TRUTH}
    estimates: dict[str, list[float]] = {k: [] for k in TRUTH}
    for rep in range(reps):
        r = fit_transition(10**X, _noisy(rep), n_boot=n_boot, seed=rep)
        assert not r.warnings
        for k, true in TRUTH.items():
            lo, hi = r.intervals[k]
            hits[k] += lo <= true <= hi
            estimates[k].append(getattr(r, k))
    return hits, estimates


def test_recovery_with_intervals_that_contain_the_truth():
    """20 independent noisy sweeps (noise 0.05 on a 0.9 rise): each 95 % interval contains the truth in at least
    16 of them (measured coverage is about 90 %: a percentile bootstrap over 5 seeds per N is a little
    optimistic), and the estimates scatter around the truth."""
    hits, est = _coverage(20, n_boot=60)
    assert all(h >= 16 for h in hits.values()), hits
    for k, true in TRUTH.items():
        assert abs(np.mean(est[k]) - true) < 3 * np.std(est[k]) / math.sqrt(len(est[k])) + 0.01 * true, (
            k,
            np.mean(est[k]),
        )


@pytest.mark.slow
def test_coverage_study():
    """200 sweeps, 200 resamples each: coverage of every 95 % interval at least 85 % (measured about 90 %)."""
    hits, _ = _coverage(200, n_boot=200)
    assert all(h >= 170 for h in hits.values()), hits


@pytest.mark.parametrize(
    "centre, width, sigma", [(3.5, 0.5, 0.0), (2.7, 0.15, 0.0), (-0.3, 0.2, 0.02), (0.2, 0.15, 0.05)]
)
def test_a_transition_outside_the_sweep_is_not_located(centre, width, sigma):
    """Below the sweep the plateau pins the height and the centre falls outside even with noise. Above it,
    only the foot of the rise is seen: noise-free, the fit still places the centre beyond the sweep (with
    noise it can instead fit a low rise inside the sweep, about one time in four at noise 0.02)."""
    s = _noisy(0, sigma=sigma, truth={"amplitude": 0.9, "centre": centre, "width": width})
    r = fit_transition(10**X, s, n_boot=20)
    assert not 0.5 <= r.centre <= 2.5
    assert any("not located" in w for w in r.warnings), r.warnings
    assert any("not located" in w for w in r.to_json()["warnings"])


def test_a_step_pins_the_width_near_its_lower_bound():
    """A jump between two adjacent sizes: every width far below the grid spacing fits; the fit takes one
    at (or within a factor 2 of) the lower bound, the centre inside the jump's cell, the full height."""
    s = np.where(X > 1.45, 0.9, 0.0)  # between the grid points 1.25 and 1.5
    r = fit_transition(10**X, s, n_boot=20)
    assert WIDTH_BOUNDS[0] <= r.width <= 2 * WIDTH_BOUNDS[0]
    assert 1.25 < r.centre < 1.5 and r.amplitude == pytest.approx(0.9, abs=1e-6)
    assert r.rise_decades < 0.25  # sharper than the grid can resolve


@pytest.mark.parametrize(
    "N, score, kw, match",
    [
        ([1, 10, 100, -1], [0, 0, 1, 1], {}, "positive"),
        ([1, 10, 100, math.inf], [0, 0, 1, 1], {}, "positive"),
        ([1, 10, 100, 1000], [0, 0, 1, math.nan], {}, "finite"),
        ([1, 10, 100, 1000], [0, 0, 1], {}, "equal length"),
        ([[1, 10], [100, 1000]], [[0, 0], [1, 1]], {}, "1-d"),
        ([1, 10, 100, 1000], [0, 0, 1, 1], {"n_boot": 10}, "n_boot"),
        ([1, 10, 100, 1000], [0, 0, 1, 1], {"confidence": 1.0}, "confidence"),
        ([1, 10, 100, 100, 10], [0, 0, 1, 1, 0], {}, "at least 4 distinct N"),
    ],
)
def test_bad_input_raises(N, score, kw, match):
    with pytest.raises(ParameterError, match=match):
        fit_transition(N, score, **kw)
