r"""Confidence intervals from the spread over independent runs, and the :math:`1/d` extrapolation.

:func:`mean_ci`: Student-t interval :math:`\bar x \pm t_{R-1}\, s/\sqrt R` over ``R`` independent runs.

:func:`extrapolate_inverse_d`: weighted least squares of per-dimension means on :math:`e_d = e_\infty + c/d`
(weights :math:`1/\mathrm{se}_d^2`), giving :math:`e_\infty` with a confidence interval and a :math:`\chi^2`
goodness-of-fit p-value (``None`` with only two dimensions); :func:`extrapolate_polynomial_d` adds a
:math:`1/d^2` term (``order=2``).

>>> ci = mean_ci([1.0, 2.0, 3.0])
>>> ci.mean, round(ci.low, 4), round(ci.high, 4)
(2.0, -0.4841, 4.4841)
>>> fit = extrapolate_inverse_d([10, 20, 40], [1.3, 1.15, 1.075], [0.01, 0.01, 0.01])
>>> round(fit.limit, 6), round(fit.slope, 6)
(1.0, 3.0)
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import scipy.stats

from iclverify.runtime.errors import ParameterError
from iclverify.runtime.validation import integer, probability

__all__ = [
    "MIN_BOOT",
    "InverseDFit",
    "MeanCI",
    "check_bootstrap",
    "extrapolate_inverse_d",
    "extrapolate_polynomial_d",
    "mean_ci",
    "percentile_interval",
]

MIN_BOOT = 20  # the fewest bootstrap replicates a percentile interval is computed from


def check_bootstrap(n_boot: object, confidence: object) -> tuple[int, float]:
    """The bootstrap's replicate count (an integer ``>= MIN_BOOT``) and the interval's confidence in (0, 1).

    >>> check_bootstrap(200, 0.95)
    (200, 0.95)
    """
    return integer("n_boot", n_boot, low=MIN_BOOT), probability("confidence", confidence)


def percentile_interval(samples: npt.ArrayLike, confidence: float) -> tuple[float, float]:
    r"""The bootstrap percentile interval: the :math:`(1 \mp c)/2` quantiles of ``samples``.

    >>> percentile_interval(np.arange(5.0), 0.5)   # the 25 % and 75 % quantiles
    (1.0, 3.0)
    """
    lo, hi = np.quantile(np.asarray(samples, dtype=float), [(1 - confidence) / 2, (1 + confidence) / 2])
    return float(lo), float(hi)


@dataclasses.dataclass(frozen=True, kw_only=True)
class MeanCI:
    """A mean over ``n`` runs with its standard error and ``confidence`` interval ``[low, high]``."""

    mean: float
    se: float
    low: float
    high: float
    n: int
    confidence: float

    @property
    def half_width(self) -> float:
        return (self.high - self.low) / 2

    def contains(self, value: float) -> bool:
        return self.low <= value <= self.high

    def as_dict(self) -> dict[str, float]:
        return {
            "mean": self.mean,
            "se": self.se,
            "low": self.low,
            "high": self.high,
            "n": self.n,
            "confidence": self.confidence,
        }


def mean_ci(values: Sequence[float] | np.ndarray, confidence: float = 0.95) -> MeanCI:
    """Student-t interval for the mean of independent runs (at least two)."""
    x = np.asarray(values, dtype=float).ravel()
    if x.size < 2:
        raise ParameterError(f"a confidence interval needs at least 2 runs, got {x.size}")
    confidence = probability("confidence", confidence)
    m = float(x.mean())
    se = float(x.std(ddof=1) / math.sqrt(x.size))
    q = float(scipy.stats.t.ppf(0.5 + confidence / 2, x.size - 1))
    return MeanCI(mean=m, se=se, low=m - q * se, high=m + q * se, n=int(x.size), confidence=confidence)


@dataclasses.dataclass(frozen=True, kw_only=True)
class InverseDFit:
    r"""Fit :math:`e_d = e_\infty + c/d` (``order`` 1) or :math:`e_\infty + c/d + c_2/d^2` (``order`` 2): the limit
    with its standard error and interval, the slope ``c``, the :math:`1/d^2` coefficient ``curvature`` (0 at
    order 1), and the fit's p-value."""

    limit: float
    limit_se: float
    low: float
    high: float
    slope: float
    slope_se: float
    chi2: float
    p_value: float | None
    confidence: float
    order: int = 1
    curvature: float = 0.0
    curvature_se: float = 0.0

    def contains(self, value: float) -> bool:
        return self.low <= value <= self.high

    def as_dict(self) -> dict[str, float | None]:
        return dataclasses.asdict(self)


def extrapolate_inverse_d(
    ds: Sequence[int], means: Sequence[float], ses: Sequence[float], *, confidence: float = 0.95, dof: int | None = None
) -> InverseDFit:
    r"""Weighted least squares on :math:`e_d = e_\infty + c/d`; the interval uses Student-t with ``dof``
    degrees of freedom (the runs behind the smallest sample minus one; normal when ``None``)."""
    return extrapolate_polynomial_d(ds, means, ses, order=1, confidence=confidence, dof=dof)


def extrapolate_polynomial_d(
    ds: Sequence[int],
    means: Sequence[float],
    ses: Sequence[float],
    *,
    order: int,
    confidence: float = 0.95,
    dof: int | None = None,
) -> InverseDFit:
    r"""Weighted least squares on :math:`e_d = e_\infty + \sum_{j=1}^{\rm order} c_j d^{-j}` (``order`` 1 or 2) at
    ``order + 1`` or more distinct ``d``; :math:`\chi^2` p-value on ``len(ds) - order - 1`` degrees of freedom
    (``None`` when none are left); interval as in :func:`extrapolate_inverse_d`.

    >>> fit = extrapolate_polynomial_d([10, 20, 40, 80], [1.5, 1.2, 1.0875, 1.040625], [0.01] * 4, order=2)
    >>> round(fit.limit, 6), round(fit.slope, 6), round(fit.curvature, 6), fit.order
    (1.0, 3.0, 20.0, 2)
    """
    order = integer("order", order, low=1)
    if order > 2:
        raise ParameterError(f"the d-extrapolation has order 1 or 2, got {order}")
    d = np.asarray(ds, dtype=float)
    y = np.asarray(means, dtype=float)
    s = np.asarray(ses, dtype=float)
    if d.size < order + 1 or len({*d.tolist()}) < order + 1 or y.shape != d.shape or s.shape != d.shape:
        raise ParameterError(
            f"the order-{order} 1/d extrapolation needs means and standard errors at {order + 1} or more distinct d"
        )
    if not (s > 0).all():
        raise ParameterError("standard errors must be positive")
    design = np.column_stack([d**-j for j in range(order + 1)])
    wts = 1.0 / s**2
    cov = np.linalg.inv(design.T @ (design * wts[:, None]))
    beta = cov @ design.T @ (wts * y)
    resid = y - design @ beta
    chi2 = float((wts * resid**2).sum())
    p = float(scipy.stats.chi2.sf(chi2, d.size - order - 1)) if d.size > order + 1 else None
    q = float(
        scipy.stats.norm.ppf(0.5 + confidence / 2) if dof is None else scipy.stats.t.ppf(0.5 + confidence / 2, dof)
    )
    se0 = math.sqrt(cov[0, 0])
    return InverseDFit(
        limit=float(beta[0]),
        limit_se=se0,
        low=float(beta[0] - q * se0),
        high=float(beta[0] + q * se0),
        slope=float(beta[1]),
        slope_se=math.sqrt(cov[1, 1]),
        chi2=chi2,
        p_value=p,
        confidence=confidence,
        order=order,
        curvature=float(beta[2]) if order == 2 else 0.0,
        curvature_se=math.sqrt(cov[2, 2]) if order == 2 else 0.0,
    )
