r"""A logistic transition in log N: where it sits, how sharp it is, with bootstrap intervals over seeds.

Model, with :math:`x = \log_{10} N` and a score s rising from 0 (no in-context learning) to about 1:

.. math:: s(x) = \frac{a}{1 + e^{-(x - c)/w}},

centre :math:`c` (:math:`N_c = 10^c`, where s reaches half its height a), width :math:`w` in decades; the
10 %–90 % rise spans :math:`2 w \ln 9` decades (:attr:`TransitionFit.rise_decades`). Fitted by bounded
nonlinear least squares (:func:`scipy.optimize.least_squares`) from a grid of starts over c and w; a
bootstrap redraws the seeds at every N (strata: the design stays fixed) and refits from the full-data
fit. A centre outside the swept range, or a width at its bound, is recorded in ``warnings``: the data
then do not locate the transition.

>>> x = np.repeat(np.linspace(0.5, 2.5, 9), 5)
>>> s = 0.9 / (1 + np.exp(-(x - 1.4) / 0.12))
>>> r = fit_transition(10 ** x, s, strata=x, n_boot=50)
>>> round(r.centre, 6), round(r.width, 6), round(r.amplitude, 6), r.warnings
(1.4, 0.12, 0.9, ())
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import numpy as np
from numpy.typing import ArrayLike
from scipy.optimize import least_squares

from iclverify.numerics.stats.intervals import check_bootstrap, percentile_interval
from iclverify.numerics.stats.power_law_fit import resample_counts
from iclverify.runtime.errors import ParameterError

__all__ = ["RISE_FACTOR", "TransitionFit", "fit_transition", "logistic"]

RISE_FACTOR = 2 * math.log(9)  # 10 %–90 % rise = RISE_FACTOR · w decades
WIDTH_BOUNDS = (0.005, 5.0)
AMPLITUDE_BOUNDS = (0.02, 1.5)


def logistic(x: ArrayLike, amplitude: float, centre: float, width: float) -> np.ndarray:
    """:math:`a/(1 + e^{-(x-c)/w})`, computed without overflow."""
    z = (np.asarray(x, dtype=float) - centre) / width
    return amplitude * 0.5 * (1 + np.tanh(z / 2))


@dataclasses.dataclass(frozen=True, kw_only=True)
class TransitionFit:
    """Fitted logistic: ``centre`` (log10 N_c), ``width`` (decades), ``amplitude``; percentile intervals of each
    over the bootstrap; ``boot`` the replicate (a, c, w) rows; ``warnings`` when the data do not locate it."""

    amplitude: float
    centre: float
    width: float
    intervals: dict[str, tuple[float, float]]
    x_range: tuple[float, float]
    confidence: float
    n_boot: int
    boot_failures: int
    rms_residual: float
    warnings: tuple[str, ...]
    boot: np.ndarray = dataclasses.field(repr=False, compare=False)

    @property
    def rise_decades(self) -> float:
        """Decades of N over which s rises from 10 % to 90 % of its height."""
        return RISE_FACTOR * self.width

    @property
    def N_c(self) -> float:
        return 10.0**self.centre

    def to_json(self) -> dict[str, Any]:
        return {
            "amplitude": self.amplitude,
            "centre_log10_N": self.centre,
            "N_c": self.N_c,
            "width_decades": self.width,
            "rise_10_90_decades": self.rise_decades,
            "intervals": {k: list(v) for k, v in self.intervals.items()},
            "rise_interval": [RISE_FACTOR * v for v in self.intervals["width"]],
            "x_range": list(self.x_range),
            "confidence": self.confidence,
            "n_boot": self.n_boot,
            "boot_failures": self.boot_failures,
            "rms_residual": self.rms_residual,
            "warnings": list(self.warnings),
        }


def _solve(
    x: np.ndarray, s: np.ndarray, w: np.ndarray, starts: list[np.ndarray], bounds: tuple[np.ndarray, np.ndarray]
) -> tuple[float, np.ndarray]:
    sw = np.sqrt(w)

    def resid(t: np.ndarray) -> np.ndarray:
        return sw * (logistic(x, *t) - s)

    def jac(t: np.ndarray) -> np.ndarray:
        a, c, wd = t
        sig = logistic(x, 1.0, c, wd)
        slope = a * sig * (1 - sig) / wd
        return sw[:, None] * np.stack([sig, -slope, -slope * (x - c) / wd], axis=1)

    best = (np.inf, starts[0])
    for t0 in starts:
        sol = least_squares(
            resid, np.clip(t0, bounds[0], bounds[1]), jac=jac, bounds=bounds, method="trf", x_scale="jac"
        )
        if np.all(np.isfinite(sol.x)) and sol.cost < best[0]:
            best = (float(sol.cost), sol.x)
    return best


def fit_transition(
    N: ArrayLike,
    score: ArrayLike,
    *,
    strata: ArrayLike | None = None,
    n_boot: int = 1000,
    confidence: float = 0.95,
    seed: int = 0,
) -> TransitionFit:
    """Fit the logistic to points ``(N_i, score_i)`` (several seeds per N); ``strata`` (default: N) are
    what the bootstrap resamples within."""
    N = np.asarray(N, dtype=float)
    s = np.asarray(score, dtype=float)
    if N.ndim != 1 or N.shape != s.shape or np.any(~np.isfinite(N)) or np.any(N <= 0) or np.any(~np.isfinite(s)):
        raise ParameterError("N must be positive and score finite, 1-d arrays of equal length")
    n_boot, confidence = check_bootstrap(n_boot, confidence)
    x = np.log10(N)
    xs = np.unique(x)
    if len(xs) < 4:
        raise ParameterError(f"a logistic (3 parameters) needs at least 4 distinct N, got {len(xs)}")
    lo_x, hi_x = float(xs[0]), float(xs[-1])
    span = hi_x - lo_x
    bounds = (
        np.array([AMPLITUDE_BOUNDS[0], lo_x - span, WIDTH_BOUNDS[0]]),
        np.array([AMPLITUDE_BOUNDS[1], hi_x + span, WIDTH_BOUNDS[1]]),
    )
    top = max(float(np.max(s)), 0.05)
    starts = [
        np.array([top, c, wd])
        for c in np.linspace(lo_x, hi_x, 7)
        for wd in (0.05 * span + 0.01, 0.2 * span, 0.6 * span)
    ]
    ones = np.ones_like(x)
    cost, theta = _solve(x, s, ones, starts, bounds)
    if not np.isfinite(cost):
        raise ParameterError("the logistic could not be fitted to these data")
    counts, _, _, warnings = resample_counts(
        len(x), n_boot, np.random.default_rng(seed), strata=x if strata is None else strata
    )
    boot = np.full((n_boot, 3), np.nan)
    near = [theta]  # resamples start from the full-data fit
    for b in range(n_boot):
        wgt = counts[b].astype(float)
        keep = wgt > 0
        if len(np.unique(x[keep])) < 4:
            continue
        bc, bt = _solve(x[keep], s[keep], wgt[keep], near, bounds)
        if np.isfinite(bc):
            boot[b] = bt
    ok = np.all(np.isfinite(boot), axis=1)
    good = boot[ok]
    intervals = {
        name: percentile_interval(good[:, j], confidence) for j, name in enumerate(("amplitude", "centre", "width"))
    }
    a, c, w = map(float, theta)
    warnings = list(warnings)
    if not lo_x <= c <= hi_x:
        warnings.append(
            f"the centre 10^{c:.2f} lies outside the swept N (10^{lo_x:.2f} .. 10^{hi_x:.2f}): the transition "
            f"is not located"
        )
    if w >= WIDTH_BOUNDS[1] * (1 - 1e-6) or w <= WIDTH_BOUNDS[0] * (1 + 1e-6):
        warnings.append("the width sits at its bound: the data do not fix how sharp the transition is")
    if (~ok).sum() > n_boot // 10:
        warnings.append(f"{int((~ok).sum())} of {n_boot} resamples gave no fit")
    resid = logistic(x, a, c, w) - s
    return TransitionFit(
        amplitude=a,
        centre=c,
        width=w,
        intervals=intervals,
        x_range=(lo_x, hi_x),
        confidence=confidence,
        n_boot=n_boot,
        boot_failures=int((~ok).sum()),
        rms_residual=float(np.sqrt(np.mean(resid**2))),
        warnings=tuple(dict.fromkeys(warnings)),
        boot=good,
    )
