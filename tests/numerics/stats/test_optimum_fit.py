r"""The optimum of an error curve over a depth grid, and how it moves with budget: exact on quadratics,
recovered from noisy seeds with intervals that contain the truth, and bad input refused."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from iclverify.numerics.stats.optimum_fit import locate_optimum, optimum_scaling, parabola_vertex
from iclverify.runtime.errors import ParameterError

spacings = st.lists(st.floats(0.1, 2.0), min_size=2, max_size=7)


def _grid(steps: list[float]) -> np.ndarray:
    return np.concatenate([[0.0], np.cumsum(steps)])


@settings(deadline=None)
@given(spacings, st.floats(-1.0, 1.0), st.floats(0.01, 100.0), st.floats(-5.0, 5.0))
def test_parabola_vertex_is_exact_on_quadratics(steps, where, curvature, offset):
    """y = k (x - v)^2 + c on any increasing grid (log L): the vertex v itself when the smallest value is
    inside the grid, else the grid end with edge=True."""
    x = _grid(steps)
    v = x[0] + (x[-1] - x[0]) * (0.5 + where)  # from half a span left of the grid to half a span right of it
    y = curvature * (x - v) ** 2 + offset
    i = int(np.argmin(y))
    vertex, edge = parabola_vertex(x, y)
    if 0 < i < len(x) - 1:
        assert not edge
        assert vertex == pytest.approx(v, abs=1e-8 * (1 + abs(v)))
    else:
        assert edge and vertex == x[i]


@settings(deadline=None)
@given(spacings, st.data())
def test_parabola_vertex_stays_in_the_bracketing_cell(steps, data):
    """For any values: an interior minimum gives a point between its two neighbours, an end minimum the end."""
    x = _grid(steps)
    y = np.array(data.draw(st.lists(st.floats(-10.0, 10.0), min_size=len(x), max_size=len(x))))
    i = int(np.argmin(y))
    vertex, edge = parabola_vertex(x, y)
    assert edge == (i in (0, len(x) - 1))
    if edge:
        assert vertex == x[i]
    else:
        assert x[i - 1] <= vertex <= x[i + 1]


def test_parabola_vertex_edges():
    x = np.log([1.0, 2, 4, 8])
    assert parabola_vertex(x, np.array([4.0, 3, 2, 1])) == (x[-1], True)  # still falling: only a lower bound
    assert parabola_vertex(x, np.array([1.0, 2, 3, 4])) == (x[0], True)
    assert parabola_vertex(x, np.array([2.0, 1, 1, 2])) == (
        pytest.approx(0.5 * (x[1] + x[2])),
        False,
    )  # symmetric: the midpoint


def _errors(
    L: np.ndarray, L_star: float, *, sigma: float, seeds: int, rng: np.random.Generator, k: float = 0.3
) -> list[np.ndarray]:
    """Per-seed errors, log-quadratic in log L with minimum at L_star, times log-normal noise."""
    base = np.exp(k * (np.log(L) - math.log(L_star)) ** 2)
    return [b * np.exp(sigma * rng.standard_normal(seeds)) for b in base]


GRID = np.array([1.0, 2, 4, 8, 16, 32])


def test_locate_optimum_is_exact_without_noise():
    r = locate_optimum(GRID, _errors(GRID, 5.0, sigma=0.0, seeds=3, rng=np.random.default_rng(0)), n_boot=20)
    assert r.L_star == pytest.approx(5.0, rel=1e-10) and not r.edge and r.edge_fraction == 0
    assert r.ci == (pytest.approx(5.0, rel=1e-10), pytest.approx(5.0, rel=1e-10))


def test_locate_optimum_recovers_a_known_optimum_from_noisy_seeds():
    """Over 20 independent noisy sweeps, the 95 % interval contains L* = 5 in at least 80 % of them."""
    hits, estimates = 0, []
    for rep in range(20):
        rng = np.random.default_rng(100 + rep)
        r = locate_optimum(GRID, _errors(GRID, 5.0, sigma=0.05, seeds=6, rng=rng), n_boot=200, seed=rep)
        assert not r.edge and r.ci[0] <= r.L_star <= r.ci[1]
        hits += r.ci[0] <= 5.0 <= r.ci[1]
        estimates.append(math.log(r.L_star))
    assert hits >= 16
    assert abs(np.mean(estimates) - math.log(5.0)) < 0.05  # no visible bias in log L*


def test_locate_optimum_on_the_edge_is_flagged():
    r = locate_optimum(GRID, _errors(GRID, 100.0, sigma=0.02, seeds=5, rng=np.random.default_rng(1)), n_boot=50)
    assert r.edge and r.L_star == pytest.approx(32.0) and r.edge_fraction == 1.0
    json.dumps(r.to_json())


def _budgets(Ns, c, s):
    grids = [np.array([2.0**j for j in range(int(math.log2(N)) - 1)]) for N in Ns]  # widths N/L >= 4
    return grids, [c * N**s for N in Ns]


NS = [64.0, 512.0, 4096.0, 32768.0]


def test_optimum_scaling_is_exact_without_noise():
    grids, stars = _budgets(NS, 0.25, 2 / 3)
    errs = [_errors(g, L, sigma=0.0, seeds=2, rng=np.random.default_rng(0)) for g, L in zip(grids, stars)]
    r = optimum_scaling(NS, grids, errs, n_boot=20)
    assert r.slope == pytest.approx(2 / 3, abs=1e-10) and r.ci == (
        pytest.approx(2 / 3, abs=1e-10),
        pytest.approx(2 / 3, abs=1e-10),
    )
    assert [o.L_star for o in r.optima] == pytest.approx(stars, rel=1e-10) and not r.any_edge


def test_optimum_scaling_recovers_a_known_exponent():
    """L* = N^(2/3)/4 with 5 % seed noise: the interval covers 2/3 in at least 8 of 10 independent sweeps."""
    grids, stars = _budgets(NS, 0.25, 2 / 3)
    hits = 0
    for rep in range(10):
        rng = np.random.default_rng(200 + rep)
        r = optimum_scaling(
            NS, grids, [_errors(g, L, sigma=0.05, seeds=5, rng=rng) for g, L in zip(grids, stars)], n_boot=200, seed=rep
        )
        assert abs(r.slope - 2 / 3) < 0.05 and r.ci[0] <= r.slope <= r.ci[1]
        hits += r.ci[0] <= 2 / 3 <= r.ci[1]
    assert hits >= 8
    json.dumps(r.to_json())


def test_optimum_scaling_says_when_an_optimum_is_on_an_edge():
    grids, stars = _budgets(
        NS[:2], 1.2, 2 / 3
    )  # L* = 19.2 at N = 64, beyond its grid (1 .. 16); 76.8 inside 1 .. 128 at N = 512
    r = optimum_scaling(
        NS[:2],
        grids,
        [_errors(g, L, sigma=0.0, seeds=2, rng=np.random.default_rng(0)) for g, L in zip(grids, stars)],
        n_boot=20,
    )
    assert r.any_edge and r.optima[0].edge and not r.optima[1].edge


@pytest.mark.parametrize(
    "L, errors, match",
    [
        ([1.0, 2.0], [[1.0], [1.0]], "three"),
        ([1.0, 4.0, 2.0], [[1.0]] * 3, "increasing"),
        ([0.0, 1.0, 2.0], [[1.0]] * 3, "positive"),
        ([1.0, 2.0, 4.0], [[1.0]] * 2, "one row"),
        ([1.0, 2.0, 4.0], [[1.0], [0.0], [1.0]], "> 0"),
        ([1.0, 2.0, 4.0], [[1.0], [math.nan], [1.0]], "finite"),
        ([1.0, 2.0, 4.0], [[1.0], [], [1.0]], "at least one seed"),
    ],
)
def test_locate_optimum_rejects_bad_input(L, errors, match):
    with pytest.raises(ParameterError, match=match):
        locate_optimum(L, errors, n_boot=20)


def test_bootstrap_settings_and_budgets_are_checked():
    ok = [[1.0], [0.5], [1.0]]
    for kw, field in (
        (dict(n_boot=5), "n_boot"),
        (dict(confidence=1.0), "confidence"),
        (dict(confidence=0.0), "confidence"),
    ):
        with pytest.raises(ParameterError, match=f"^{field} must be"):
            locate_optimum([1.0, 2, 4], ok, **kw)
    g = [np.array([1.0, 2, 4])]
    with pytest.raises(ParameterError, match="two positive budgets"):
        optimum_scaling([16.0], g, [ok], n_boot=20)
    with pytest.raises(ParameterError, match="two positive budgets"):
        optimum_scaling([16.0, -4.0], g * 2, [ok, ok], n_boot=20)
    with pytest.raises(ParameterError, match="two positive budgets"):
        optimum_scaling([16.0, 32.0], g, [ok, ok], n_boot=20)
    with pytest.raises(ParameterError, match="distinct"):
        optimum_scaling([16.0, 16.0], g * 2, [ok, ok], n_boot=20)
