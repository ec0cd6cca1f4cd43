r"""Power law of a seed-mean curve that may fall to zero: fitted only where it is resolved from 0.

A quantity measured per seed ``s`` at each point ``x_j`` (a generalisation gap against the data size, an
excess error) has a mean :math:`\bar g_j` over the ``n`` seeds. Where the true value is small its mean can
be 0 or negative in noise, and :math:`\log \bar g` is undefined or meaningless there. So:

* a point is **resolved** when the one-sided Student-t bound is above 0:
  :math:`\bar g_j - t_{q,\,n-1}\, s_j/\sqrt n > 0` (``resolve_confidence`` = q, default 0.975);
* the **fit** is ordinary least squares of :math:`\log \bar g_j = a + b \log x_j` over the resolved points
  with ``x_j >= min_x`` (at least ``min_points`` of them, else no slope);
* the **interval** of the slope ``b`` is a percentile bootstrap over seeds as clusters: each replicate draws
  ``n`` seeds with replacement and keeps each drawn seed's values at every point (a seed's points share its
  initial weights, data and test contexts, so they are not independent); a replicate whose mean is not
  positive at a fitted point has no slope and is dropped (``dropped`` counts them; more than
  ``MAX_DROPPED`` of the replicates is recorded in ``warnings``).

>>> import numpy as np
>>> x = np.array([1.0, 2.0, 4.0, 8.0])
>>> noise = np.array([[1.0, 1.1, 0.9, 1.05], [0.95, 1.0, 1.1, 0.9], [1.05, 0.9, 1.0, 1.05]])  # column means 1
>>> r = fit_mean_power_law(x, 3.0 * x**-0.5 * noise, n_boot=200)
>>> r.resolved, r.used, round(r.slope, 12), r.ci[0] < -0.5 < r.ci[1]
((True, True, True, True), (1.0, 2.0, 4.0, 8.0), -0.5, True)
>>> fit_mean_power_law(x, np.array([[0.1, 0.01, -0.02, 0.03], [0.12, -0.01, 0.01, -0.02]]), n_boot=50).slope is None
True
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import numpy as np
import scipy.stats
from numpy.typing import ArrayLike

from iclverify.numerics.stats.intervals import check_bootstrap, percentile_interval
from iclverify.runtime.errors import ParameterError
from iclverify.runtime.validation import integer, probability, real_array

__all__ = ["MAX_DROPPED", "MeanPowerLaw", "fit_mean_power_law"]

MAX_DROPPED = 0.05


@dataclasses.dataclass(frozen=True, kw_only=True)
class MeanPowerLaw:
    """The fit of :func:`fit_mean_power_law`: every point's mean, standard error and resolution, the points
    used, the slope with its interval (``None`` when fewer than ``min_points`` are usable), and the slopes
    between consecutive used points (``local_slopes``)."""

    x: tuple[float, ...]
    mean: tuple[float, ...]
    se: tuple[float, ...]
    resolved: tuple[bool, ...]
    used: tuple[float, ...]
    slope: float | None
    intercept: float | None
    ci: tuple[float, float] | None
    local_slopes: tuple[float, ...]
    confidence: float
    resolve_confidence: float
    min_x: float | None
    n_seeds: int
    n_boot: int
    dropped: int
    seed: int
    warnings: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        """Plain JSON-able form (for evidence)."""
        out = dataclasses.asdict(self)
        out["ci"] = None if self.ci is None else list(self.ci)
        return {k: list(v) if isinstance(v, tuple) else v for k, v in out.items()}


def _slope(logx: np.ndarray, logy: np.ndarray) -> np.ndarray:
    """OLS slopes of the rows of ``logy`` (…, m) on ``logx`` (m,)."""
    xc = logx - logx.mean()
    return (logy - logy.mean(axis=-1, keepdims=True)) @ xc / (xc @ xc)


def fit_mean_power_law(
    x: ArrayLike,
    values: ArrayLike,
    *,
    min_x: float | None = None,
    min_points: int = 3,
    confidence: float = 0.95,
    resolve_confidence: float = 0.975,
    n_boot: int = 2000,
    seed: int = 0,
) -> MeanPowerLaw:
    r"""Fit :math:`\bar g(x) \propto x^b` to ``values`` (n_seeds, n_points; row = seed) at the points ``x``
    (module docstring). ``min_x``: points below it are not fitted (still reported)."""
    n_boot, confidence = check_bootstrap(n_boot, confidence)
    resolve_confidence = probability("resolve_confidence", resolve_confidence)
    min_points = integer("min_points", min_points, low=2)
    xs = real_array("x", x, low=0, low_open=True)
    v = np.asarray(values, dtype=float)
    if xs.ndim != 1 or v.ndim != 2 or v.shape[1] != len(xs):
        raise ParameterError(f"values must have shape (seeds, {len(xs)}), got {v.shape}")
    if not np.all(np.isfinite(v)):
        raise ParameterError("values must be finite numbers")
    n = v.shape[0]
    if n < 2:
        raise ParameterError(f"a mean curve needs at least 2 seeds, got {n}")
    mean, se = v.mean(axis=0), v.std(axis=0, ddof=1) / math.sqrt(n)
    t = float(scipy.stats.t.ppf(resolve_confidence, n - 1))
    resolved = mean - t * se > 0
    usable = resolved & (xs >= (min_x if min_x is not None else -np.inf))
    idx = np.flatnonzero(usable)
    warnings: list[str] = []
    slope = intercept = None
    ci = None
    dropped = 0
    local: tuple[float, ...] = ()
    if len(idx) < min_points:
        warnings.append(
            f"only {len(idx)} point(s) resolved from 0"
            + (f" at x >= {min_x:g}" if min_x is not None else "")
            + f" (a slope needs {min_points})"
        )
    else:
        logx, logm = np.log(xs[idx]), np.log(mean[idx])
        slope = float(_slope(logx, logm))
        intercept = float(logm.mean() - slope * logx.mean())
        local = tuple(float(s) for s in np.diff(logm) / np.diff(logx))
        g = np.random.default_rng(seed)
        draws = g.integers(0, n, size=(n_boot, n))
        boot_mean = v[draws][:, :, idx].mean(axis=1)  # (n_boot, points)
        ok = np.all(boot_mean > 0, axis=1)
        dropped = int((~ok).sum())
        if dropped > MAX_DROPPED * n_boot:
            warnings.append(
                f"{dropped} of {n_boot} bootstrap replicates had a non-positive mean at a fitted point "
                "(the curve is barely resolved)"
            )
        if ok.sum() >= 20:
            ci = percentile_interval(_slope(logx, np.log(boot_mean[ok])), confidence)
        else:
            warnings.append("too few bootstrap replicates with a slope for an interval")
    return MeanPowerLaw(
        x=tuple(map(float, xs)),
        mean=tuple(map(float, mean)),
        se=tuple(map(float, se)),
        resolved=tuple(bool(r) for r in resolved),
        used=tuple(float(xs[i]) for i in idx) if slope is not None else (),
        slope=slope,
        intercept=intercept,
        ci=ci,
        local_slopes=local,
        confidence=confidence,
        resolve_confidence=resolve_confidence,
        min_x=min_x,
        n_seeds=n,
        n_boot=n_boot,
        dropped=dropped,
        seed=seed,
        warnings=tuple(warnings),
    )
