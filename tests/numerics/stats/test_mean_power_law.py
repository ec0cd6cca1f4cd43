"""The mean-curve power law: exact on noiseless laws, resolution from 0, the fitted range, the cluster bootstrap."""

from __future__ import annotations

import numpy as np
import pytest

from iclverify.numerics.stats.mean_power_law import MAX_DROPPED, fit_mean_power_law
from iclverify.runtime.errors import ParameterError

X = np.array([1000.0, 2000.0, 4000.0, 8000.0])


def _noisy(law, sigma, seeds=8, seed=0):
    g = np.random.default_rng(seed)
    return law(X)[None, :] * np.exp(sigma * g.standard_normal((seeds, len(X))))


@pytest.mark.parametrize("slope", [-1.0, -0.5, -0.2, 0.7])
def test_a_noiseless_law_gives_its_slope_and_a_degenerate_interval(slope):
    values = np.tile(3.0 * X**slope, (5, 1))
    r = fit_mean_power_law(X, values, n_boot=50)
    assert r.slope == pytest.approx(slope, abs=1e-12) and r.ci == pytest.approx((slope, slope), abs=1e-12)
    assert r.local_slopes == pytest.approx([slope] * 3, abs=1e-12) and r.dropped == 0


def test_the_interval_holds_the_true_slope_of_a_noisy_law_and_narrows_with_seeds():
    wide = fit_mean_power_law(X, _noisy(lambda x: x**-0.5, 0.2, seeds=5), n_boot=500, seed=1)
    narrow = fit_mean_power_law(X, _noisy(lambda x: x**-0.5, 0.2, seeds=80), n_boot=500, seed=1)
    assert narrow.ci[0] <= -0.5 <= narrow.ci[1]
    assert narrow.ci[1] - narrow.ci[0] < wide.ci[1] - wide.ci[0]


def test_points_not_resolved_from_zero_and_points_below_min_x_are_left_out():
    values = np.tile(X**-1.0, (6, 1)) * 1e3
    values[:, -1] = [0.01, -0.01, 0.02, -0.02, 0.0, 0.005]  # the last point: 0 in noise
    r = fit_mean_power_law(X, values, n_boot=100)
    assert r.resolved == (True, True, True, False) and r.used == (1000.0, 2000.0, 4000.0)
    assert r.slope == pytest.approx(-1.0)
    short = fit_mean_power_law(X, values, n_boot=100, min_x=1500)
    assert short.slope is None and short.ci is None and short.used == ()
    assert "only 2 point(s) resolved from 0 at x >= 1500" in short.warnings[0]
    two = fit_mean_power_law(X, values, n_boot=100, min_x=1500, min_points=2)
    assert two.used == (2000.0, 4000.0) and two.slope == pytest.approx(-1.0)


def test_a_barely_resolved_curve_drops_replicates_and_says_so():
    values = np.array([[1.0, 1.0, 1.0, 0.6]] * 4 + [[1.0, 1.0, 1.0, -1.5]])  # one seed pulls the last mean down
    r = fit_mean_power_law(X, values, n_boot=1000, resolve_confidence=0.6)
    assert r.resolved[-1] and r.dropped > MAX_DROPPED * 1000
    assert any("non-positive mean" in w for w in r.warnings)


def test_seeds_are_resampled_as_clusters():
    # every seed's curve has the slope -1 exactly, at its own level: any cluster resample keeps the slope
    levels = np.array([0.8, 0.9, 1.0, 1.1, 1.2])[:, None]
    r = fit_mean_power_law(X, levels * X**-1.0, n_boot=200)
    assert r.ci == pytest.approx((-1.0, -1.0), abs=1e-12)


@pytest.mark.parametrize(
    ("x", "values", "match"),
    [
        (X, np.ones((1, 4)), "at least 2 seeds"),
        (X, np.ones((3, 3)), "shape"),
        (-X, np.ones((3, 4)), "x must be"),
        (X, np.full((3, 4), np.nan), "finite"),
    ],
)
def test_bad_input_is_refused(x, values, match):
    with pytest.raises(ParameterError, match=match):
        fit_mean_power_law(x, values, n_boot=50)
