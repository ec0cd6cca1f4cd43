r"""Where a noisy error curve has its minimum over a grid of shapes, and how the minimum moves with budget.

At one budget, errors ε(L) are measured at a grid of depths :math:`L_1 < \dots < L_m` with several seeds
each. The best depth :math:`L^*` is the vertex of the parabola through the mean log errors at the three
grid points around the smallest one, in :math:`\log L` (exact for a minimum that is locally quadratic in
:math:`\log L`, and within the bracketing grid cell in any case). A minimum at the first or last grid
point is only a bound (``edge``). Across budgets :math:`N_j`, the exponent of :math:`L^* \propto N^s` is the
least-squares slope of :math:`\log L^*_j` on :math:`\log N_j`.

Uncertainty: a bootstrap over seeds — each replicate redraws, with replacement, the seeds of every shape
at every budget (the design stays fixed; only the training noise is resampled), recomputes every vertex
and the slope; intervals are percentile intervals of the replicates. The fraction of replicates whose
minimum sits on a grid edge is reported.

>>> L = np.array([1.0, 2, 4, 8, 16])
>>> errs = np.exp((np.log(L) - np.log(4.0)) ** 2)[:, None] * np.ones((1, 5))  # minimum exactly at L = 4
>>> r = locate_optimum(L, errs, n_boot=50)
>>> round(r.L_star, 12), r.edge
(4.0, False)
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from iclverify.numerics.stats.intervals import check_bootstrap, percentile_interval
from iclverify.runtime.errors import ParameterError

__all__ = ["OptimumFit", "ScalingFit", "locate_optimum", "optimum_scaling", "parabola_vertex"]


def parabola_vertex(x: np.ndarray, y: np.ndarray) -> tuple[float, bool]:
    """``(x*, edge)``: the vertex of the parabola through the three points around ``argmin y`` (clamped to
    their span), or the grid end and ``edge=True`` when the smallest value is at an end.

    >>> parabola_vertex(np.array([0.0, 1.0, 2.0]), np.array([1.0, 0.0, 1.0]))
    (1.0, False)
    >>> parabola_vertex(np.array([0.0, 1.0, 2.0]), np.array([3.0, 2.0, 1.0]))
    (2.0, True)
    """
    i = int(np.argmin(y))
    if i == 0 or i == len(y) - 1:
        return float(x[i]), True
    x0, x1, x2 = x[i - 1 : i + 2]
    y0, y1, y2 = y[i - 1 : i + 2]
    # vertex of the interpolating parabola (divided differences)
    d01, d12 = (y1 - y0) / (x1 - x0), (y2 - y1) / (x2 - x1)
    curv = (d12 - d01) / (x2 - x0)
    if curv <= 0:  # flat or concave through a strict minimum cannot happen; guard round-off
        return float(x1), False
    vertex = 0.5 * (x0 + x1) - d01 / (2 * curv)
    return float(min(max(vertex, x0), x2)), False


def _check_grid(L: ArrayLike, errors: Sequence[ArrayLike]) -> tuple[np.ndarray, list[np.ndarray]]:
    L = np.asarray(L, dtype=float)
    if L.ndim != 1 or len(L) < 3 or np.any(L <= 0) or np.any(np.diff(L) <= 0):
        raise ParameterError("need at least three increasing, positive grid values")
    rows = [np.asarray(e, dtype=float).ravel() for e in errors]
    if len(rows) != len(L):
        raise ParameterError(f"need one row of errors per grid value: {len(L)} values, {len(rows)} rows")
    for r in rows:
        if r.size < 1 or not np.all(np.isfinite(r)) or np.any(r <= 0):
            raise ParameterError("errors must be finite and > 0 (at least one seed per shape)")
    return L, rows


def _vertex_of(logL: np.ndarray, rows: list[np.ndarray], picks: list[np.ndarray] | None) -> tuple[float, bool]:
    chosen = rows if picks is None else [r[p] for r, p in zip(rows, picks)]
    means = np.array([np.log(r).mean() for r in chosen])
    return parabola_vertex(logL, means)


@dataclasses.dataclass(frozen=True, kw_only=True)
class OptimumFit:
    """Best grid depth at one budget: ``L_star`` (vertex), its percentile ``ci``, ``edge`` (the full-data
    minimum is on a grid end: ``L_star`` is only a bound), ``edge_fraction`` of bootstrap replicates on an
    edge, ``boot`` the replicate values of log L*."""

    L_star: float
    ci: tuple[float, float]
    edge: bool
    edge_fraction: float
    mean_log_error: tuple[float, ...]
    n_boot: int
    boot: tuple[float, ...] = dataclasses.field(repr=False)

    def to_json(self) -> dict[str, Any]:
        d = dataclasses.asdict(self)
        d.pop("boot")
        d["ci"] = list(self.ci)
        d["mean_log_error"] = list(self.mean_log_error)
        return d


def _draws(rows: list[np.ndarray], n_boot: int, rng: np.random.Generator) -> list[list[np.ndarray]]:
    """Per replicate, per shape, the resampled seed indices."""
    per_shape = [rng.integers(0, r.size, size=(n_boot, r.size)) for r in rows]
    return [[p[b] for p in per_shape] for b in range(n_boot)]


def locate_optimum(
    L: ArrayLike, errors: Sequence[ArrayLike], *, n_boot: int = 2000, confidence: float = 0.95, seed: int = 0
) -> OptimumFit:
    """The best depth on the grid ``L`` from ``errors`` (one row of per-seed errors per grid value)."""
    n_boot, confidence = check_bootstrap(n_boot, confidence)
    L, rows = _check_grid(L, errors)
    logL = np.log(L)
    v, edge = _vertex_of(logL, rows, None)
    boot = np.empty(n_boot)
    edges = 0
    for b, picks in enumerate(_draws(rows, n_boot, np.random.default_rng(seed))):
        boot[b], e = _vertex_of(logL, rows, picks)
        edges += e
    lo, hi = percentile_interval(boot, confidence)
    means = tuple(float(np.log(r).mean()) for r in rows)
    return OptimumFit(
        L_star=math.exp(v),
        ci=(math.exp(lo), math.exp(hi)),
        edge=edge,
        edge_fraction=edges / n_boot,
        mean_log_error=means,
        n_boot=n_boot,
        boot=tuple(map(float, boot)),
    )


@dataclasses.dataclass(frozen=True, kw_only=True)
class ScalingFit:
    """Exponent ``slope`` of L* ∝ N^slope across budgets, its percentile ``ci``, and each budget's optimum."""

    slope: float
    ci: tuple[float, float]
    budgets: tuple[float, ...]
    optima: tuple[OptimumFit, ...]
    confidence: float
    n_boot: int

    @property
    def any_edge(self) -> bool:
        return any(o.edge for o in self.optima)

    def to_json(self) -> dict[str, Any]:
        return {
            "slope": self.slope,
            "ci": list(self.ci),
            "budgets": list(self.budgets),
            "optima": [o.to_json() for o in self.optima],
            "confidence": self.confidence,
            "n_boot": self.n_boot,
            "any_edge": self.any_edge,
        }


def _slope(logN: np.ndarray, logL: np.ndarray) -> float:
    xc = logN - logN.mean()
    return float(xc @ (logL - logL.mean()) / (xc @ xc))


def optimum_scaling(
    budgets: Sequence[float],
    grids: Sequence[ArrayLike],
    errors: Sequence[Sequence[ArrayLike]],
    *,
    n_boot: int = 2000,
    confidence: float = 0.95,
    seed: int = 0,
) -> ScalingFit:
    r"""Fit :math:`L^* \propto N^s` over ``budgets``: ``grids[j]`` the depths tried at budget j and
    ``errors[j]`` their per-seed errors. The bootstrap redraws seeds at every shape of every budget per
    replicate; the interval is the percentile interval of the replicate slopes.

    >>> N = [16.0, 64.0, 256.0]
    >>> grids = [np.array([1.0, 2, 4, 8, 16])] * 3
    >>> errs = [np.exp((np.log(g) - np.log(n ** 0.5 / 2)) ** 2)[:, None] * np.ones((1, 4)) for g, n in zip(grids, N)]
    >>> round(optimum_scaling(N, grids, errs, n_boot=40).slope, 12)
    0.5
    """
    n_budget = np.asarray(budgets, dtype=float)
    if len(n_budget) < 2 or len(grids) != len(n_budget) or len(errors) != len(n_budget) or np.any(n_budget <= 0):
        raise ParameterError("need at least two positive budgets, each with a grid and its errors")
    if len(np.unique(n_budget)) != len(n_budget):
        raise ParameterError("budgets must be distinct")
    optima = tuple(
        locate_optimum(g, e, n_boot=n_boot, confidence=confidence, seed=seed + j)
        for j, (g, e) in enumerate(zip(grids, errors))
    )
    logN = np.log(n_budget)
    slope = _slope(logN, np.log([o.L_star for o in optima]))
    boot = np.array([_slope(logN, np.array([o.boot[b] for o in optima])) for b in range(n_boot)])
    lo, hi = percentile_interval(boot, confidence)
    return ScalingFit(
        slope=slope,
        ci=(float(lo), float(hi)),
        budgets=tuple(map(float, n_budget)),
        optima=optima,
        confidence=confidence,
        n_boot=n_boot,
    )
