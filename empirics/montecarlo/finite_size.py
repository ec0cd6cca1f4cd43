r"""Finite-d simulation against the asymptotic theory, with the gap extrapolated in :math:`1/d`.

At each dimension ``d`` the theory is evaluated at the *realised* ratios :math:`\ell/d`, :math:`n/d^2`,
:math:`k/d` (so that rounding the sizes is not mistaken for a finite-size effect), and the gap
:math:`g_d = \bar e_d - e_{\rm theory}(d)` with its standard error over runs is fitted by
:math:`g_d = g_\infty + c/d` (:func:`~iclverify.numerics.stats.intervals.extrapolate_inverse_d`). The theory is right
in the limit when the interval for :math:`g_\infty` holds 0.

Theory values come from :mod:`iclverify.numerics.lu2024.vectorised` (ridgeless Result 1 / IDG for ``λ = 0``,
the ridge formula and the conjectured :math:`e^{\rm IDG} = -\tau c_e` for ``λ > 0``).

>>> from iclverify.theory.params import LuParams
>>> s = finite_size_series(LuParams(tau=4, alpha=2, kappa="inf", rho="0.25"), ds=(8, 12), runs=(4, 3), seed=0)
>>> [row["d"] for row in s.rows], s.rows[0]["n"]
([8, 12], 256)
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import scipy.stats

from iclverify.empirics.montecarlo.simulate import GammaPoint, simulate_gamma
from iclverify.numerics.lu2024 import vectorised as lu2024_float
from iclverify.numerics.stats.intervals import InverseDFit, extrapolate_inverse_d
from iclverify.runtime.cache import ResultCache
from iclverify.runtime.errors import ParameterError
from iclverify.runtime.sweep import Progress
from iclverify.theory.params import LuParams

__all__ = ["FiniteSizeSeries", "effective_params", "finite_size_series", "theory_at"]

QUANTITIES = ("e_icl", "e_idg", "g_task")


def effective_params(point: GammaPoint) -> dict[str, float]:
    """The ratios realised at dimension ``d``: ``tau = n/d²``, ``alpha = ell/d``, ``kappa = k/d`` (or inf)."""
    d, s = point.d, point.sizes
    p = point.params.as_floats()
    assert s["n"] is not None and s["ell"] is not None
    return {
        "tau": s["n"] / d**2,
        "alpha": s["ell"] / d,
        "kappa": math.inf if s["k"] is None else s["k"] / d,
        "rho": p["rho"],
        "lam": p["lam"],
    }


def theory_at(values: dict[str, float]) -> dict[str, float]:
    """``e_icl``, ``e_idg``, ``g_task`` of the float theory at these parameters."""
    out = lu2024_float.evaluate(values["tau"], values["alpha"], values["kappa"], values["rho"], values["lam"])
    return {k: float(out[k]) for k in QUANTITIES}


@dataclasses.dataclass(frozen=True, kw_only=True)
class FiniteSizeSeries:
    """Simulations of one parameter point at several ``d``; ``rows`` are JSON-able, ``fits`` per quantity."""

    params: LuParams
    seed: int
    points: list[GammaPoint]
    rows: list[dict[str, Any]]
    fits: dict[str, InverseDFit]
    confidence: float

    def gap_fit(self, quantity: str) -> InverseDFit:
        return self.fits[quantity]

    def evidence(self, quantity: str) -> dict[str, Any]:
        """The rows and the extrapolation of one quantity, for a verdict."""
        fit = self.fits[quantity]
        return {
            "params": self.params.as_strings(),
            "seed": self.seed,
            "quantity": quantity,
            "per_d": [
                {
                    "d": r["d"],
                    "runs": r["runs"],
                    "n": r["n"],
                    "ell": r["ell"],
                    "k": r["k"],
                    "simulated": r[quantity],
                    "se": r[f"{quantity}_se"],
                    "theory": r[f"{quantity}_theory"],
                    "gap": r[f"{quantity}_gap"],
                }
                for r in self.rows
            ],
            "gap_limit": fit.limit,
            "gap_limit_interval": [fit.low, fit.high],
            "gap_slope": fit.slope,
            "fit_p_value": fit.p_value,
            "confidence": self.confidence,
        }


def finite_size_series(
    params: LuParams,
    *,
    ds: Sequence[int],
    runs: Sequence[int],
    seed: int,
    cache: ResultCache | None = None,
    progress: Progress | None = None,
    confidence: float = 0.95,
) -> FiniteSizeSeries:
    """Simulate ``params`` at each ``d`` in ``ds`` (with ``runs[i]`` runs) and extrapolate the gaps to ``d = ∞``.

    The interval of the limit uses Student-t with (fewest runs − 1) degrees of freedom.
    """
    if len(ds) != len(runs) or len(ds) < 2:
        raise ParameterError("finite_size_series needs two or more dimensions, each with its number of runs")
    points, rows = [], []
    for d, r in zip(ds, runs, strict=True):
        pt = simulate_gamma(params, d=d, runs=r, seed=seed, cache=cache, progress=progress, confidence=confidence)
        eff = effective_params(pt)
        th = theory_at(eff)
        row: dict[str, Any] = {"d": d, "runs": r, **pt.sizes, "effective": eff}
        for q in QUANTITIES:
            ci = getattr(pt, q)
            row.update({q: ci.mean, f"{q}_se": ci.se, f"{q}_theory": th[q], f"{q}_gap": ci.mean - th[q]})
        points.append(pt)
        rows.append(row)
    dof = min(runs) - 1
    fits = {}
    for q in QUANTITIES:
        ses = np.array([max(row[f"{q}_se"], 1e-300) for row in rows])
        fits[q] = extrapolate_inverse_d(ds, [row[f"{q}_gap"] for row in rows], ses, confidence=confidence, dof=dof)
    return FiniteSizeSeries(params=params, seed=seed, points=points, rows=rows, fits=fits, confidence=confidence)


def bonferroni(confidence: float, m: int) -> float:
    """Per-comparison confidence for ``m`` comparisons at family-wise ``confidence``.

    >>> bonferroni(0.95, 5)
    0.99
    """
    return 1 - (1 - confidence) / max(1, m)


def two_sided_p(z: float) -> float:
    """Two-sided normal p-value of a z-score."""
    return float(2 * scipy.stats.norm.sf(abs(z)))
