r"""Finite-size series: one parameter point simulated at several dimensions ``d``, with the ratios realised there.

At each ``d`` the sizes are rounded (:math:`n = \tau d^2`, :math:`\ell = \alpha d`, :math:`k = \kappa d`), so the
ratios actually simulated, :math:`n/d^2`, :math:`\ell/d`, :math:`k/d`, differ slightly from the nominal ones;
:func:`effective_params` gives them, so that whoever compares a series with a theory evaluates the theory
where the simulation was (:mod:`iclverify.proofs.lu2024.finite_size` does, and extrapolates the gap in 1/d).

>>> from iclverify.theory.params import LuParams
>>> s = finite_size_series(LuParams(tau=4, alpha=2, kappa="inf", rho="0.25"), ds=(8, 12), runs=(4, 3), seed=0)
>>> [row["d"] for row in s.rows], s.rows[0]["n"], s.rows[0]["effective"]["tau"]
([8, 12], 256, 4.0)
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from typing import Any

from iclverify.empirics.montecarlo.simulate import GammaPoint, simulate_gamma
from iclverify.runtime.cache import ResultCache
from iclverify.runtime.errors import ParameterError
from iclverify.runtime.sweep import Progress
from iclverify.theory.params import LuParams

__all__ = ["QUANTITIES", "FiniteSizeSeries", "effective_params", "finite_size_series"]

QUANTITIES = ("e_icl", "e_idg", "g_task")


def effective_params(point: GammaPoint) -> dict[str, float]:
    """The ratios realised at dimension ``d``: ``tau = n/d²``, ``alpha = ell/d``, ``kappa = k/d`` (or inf)."""
    d, s = point.d, point.sizes
    p = point.params.as_floats()
    if s["n"] is None or s["ell"] is None:
        raise ParameterError("a simulated point records its sizes n and ell")
    return {
        "tau": s["n"] / d**2,
        "alpha": s["ell"] / d,
        "kappa": math.inf if s["k"] is None else s["k"] / d,
        "rho": p["rho"],
        "lam": p["lam"],
    }


@dataclasses.dataclass(frozen=True, kw_only=True)
class FiniteSizeSeries:
    """Simulations of one parameter point at several ``d``; ``rows`` (JSON-able) hold per ``d`` the sizes, the
    realised ratios (``effective``) and, per quantity, the mean over runs and its standard error (``<q>_se``)."""

    params: LuParams
    seed: int
    points: list[GammaPoint]
    rows: list[dict[str, Any]]
    confidence: float

    @property
    def ds(self) -> list[int]:
        return [row["d"] for row in self.rows]

    @property
    def fewest_runs(self) -> int:
        return min(row["runs"] for row in self.rows)


def finite_size_series(
    params: LuParams,
    *,
    ds: Sequence[int],
    runs: Sequence[int],
    seed: int,
    cache: ResultCache | None = None,
    progress: Progress | None = None,
    confidence: float = 0.95,
    tol: float = 1e-5,
    precision: str = "mixed",
) -> FiniteSizeSeries:
    """Simulate ``params`` at each ``d`` in ``ds`` with ``runs[i]`` independent runs (the seed fixes every stream);
    ``tol`` and ``precision`` of the solver as in :func:`~iclverify.empirics.montecarlo.simulate.simulate_gamma`."""
    if len(ds) != len(runs) or len(ds) < 2:
        raise ParameterError("finite_size_series needs two or more dimensions, each with its number of runs")
    points, rows = [], []
    for d, r in zip(ds, runs, strict=True):
        pt = simulate_gamma(
            params,
            d=d,
            runs=r,
            seed=seed,
            cache=cache,
            progress=progress,
            confidence=confidence,
            tol=tol,
            precision=precision,
        )
        row: dict[str, Any] = {"d": d, "runs": r, **pt.sizes, "effective": effective_params(pt)}
        for q in QUANTITIES:
            ci = getattr(pt, q)
            row.update({q: ci.mean, f"{q}_se": ci.se})
        points.append(pt)
        rows.append(row)
    return FiniteSizeSeries(params=params, seed=seed, points=points, rows=rows, confidence=confidence)
