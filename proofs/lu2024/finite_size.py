r"""The finite-size rule: simulation against a stated asymptotic formula, the gap extrapolated in :math:`1/d`.

A series of simulations (:func:`iclverify.empirics.montecarlo.finite_size.finite_size_series`) is compared
with what the claim states — by default the theory of Lu et al. (:func:`theory_at`, the float path of
:mod:`iclverify.numerics.lu2024.vectorised`: Result 1 / ridgeless IDG for ``λ = 0``, the ridge formula and
the conjectured :math:`e^{\rm IDG} = -\tau c_e` for ``λ > 0``) — evaluated at the *realised* ratios
:math:`\ell/d`, :math:`n/d^2`, :math:`k/d`, so that rounding the sizes is not mistaken for a finite-size
effect. The gap :math:`g_d = \bar e_d - e_{\rm stated}(d)` with its standard error over runs is fitted by
weighted least squares (:func:`~iclverify.numerics.stats.intervals.extrapolate_polynomial_d`, Student-t
with fewest runs − 1 degrees of freedom); the statement is right in the limit when the interval of
:math:`g_\infty` holds 0.

**Model choice** (:func:`extrapolate_gap`, fixed before any run). The model is :math:`g_d = g_\infty + c/d`,
unless the series has at least ``MIN_DIMS_QUADRATIC = 4`` distinct ``d`` and this 1/d model is rejected by its
:math:`\chi^2` goodness-of-fit test at level ``SELECT_P = 0.05``; then it is
:math:`g_d = g_\infty + c/d + c_2/d^2` (the next order of the finite-size expansion, for series whose smallest
``d`` is not yet in the 1/d regime). The same choice is made for every quantity of every extrapolating claim.

**Extrapolation rule** (:func:`extrapolation_verdict`). *Refuted* if some point whose chosen fit is adequate
(:math:`\chi^2` p ≥ ``MIN_FIT_P``) has an interval for :math:`g_\infty` excluding 0. *Confirmed* if every
interval holds 0, every fit is adequate, every interval is narrower than the claim's ``max_width``, and no
gap grew with d (|gap at the largest d| ≤ |gap at the smallest d| + 3 combined standard errors).
*Inconclusive* otherwise.

>>> bonferroni(0.99, 4)
0.9975
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Sequence
from typing import Any, Protocol

from iclverify.empirics.montecarlo.finite_size import QUANTITIES, FiniteSizeSeries
from iclverify.numerics.lu2024 import vectorised as lu2024_float
from iclverify.numerics.stats.intervals import InverseDFit, extrapolate_polynomial_d
from iclverify.proofs.framework.claims import Verdict
from iclverify.proofs.framework.evidence import bonferroni, jsonable
from iclverify.theory.params import LuParams

__all__ = [
    "MIN_DIMS_QUADRATIC",
    "MIN_FIT_P",
    "SELECT_P",
    "Comparison",
    "Stated",
    "bonferroni",
    "compare",
    "extrapolate_gap",
    "extrapolation_verdict",
    "theory_at",
]

MIN_FIT_P = 0.001  # a fit (of the chosen model) with a smaller chi-square p-value does not describe the data
SELECT_P = 0.05  # the 1/d model rejected below this chi-square p-value: the 1/d + 1/d^2 model is used instead
MIN_DIMS_QUADRATIC = 4  # ... if the series has at least this many distinct d (one degree of freedom left)
MODEL_NAMES = {1: "1/d", 2: "1/d + 1/d^2"}

Stated = Callable[[dict[str, float]], dict[str, float]]  # realised ratios -> stated e_icl, e_idg, g_task


def theory_at(values: dict[str, float]) -> dict[str, float]:
    """``e_icl``, ``e_idg``, ``g_task`` of Lu et al.'s theory (float path) at these parameters.

    >>> round(theory_at({"tau": 2.0, "alpha": 1.0, "kappa": 0.5, "rho": 0.01, "lam": 0.0})["e_icl"], 10)
    1.233992543
    """
    out = lu2024_float.evaluate(values["tau"], values["alpha"], values["kappa"], values["rho"], values["lam"])
    return {k: float(out[k]) for k in QUANTITIES}


def extrapolate_gap(
    ds: Sequence[int], gaps: Sequence[float], ses: Sequence[float], *, confidence: float, dof: int | None
) -> tuple[InverseDFit, InverseDFit]:
    r"""The model choice of the module doc: ``(chosen fit, 1/d fit)`` of the gaps.

    >>> ds = [32, 48, 64, 96, 128]
    >>> chosen, linear = extrapolate_gap(ds, [1 / d + 30 / d**2 for d in ds], [1e-3] * 5, confidence=0.95, dof=11)
    >>> chosen.order, round(chosen.limit, 9), linear.p_value < SELECT_P
    (2, 0.0, True)
    >>> extrapolate_gap(ds, [1 / d for d in ds], [1e-3] * 5, confidence=0.95, dof=11)[0].order
    1
    """
    linear = extrapolate_polynomial_d(ds, gaps, ses, order=1, confidence=confidence, dof=dof)
    rejected = linear.p_value is not None and linear.p_value < SELECT_P
    if rejected and len(set(ds)) >= MIN_DIMS_QUADRATIC:
        return extrapolate_polynomial_d(ds, gaps, ses, order=2, confidence=confidence, dof=dof), linear
    return linear, linear


class _Compared(Protocol):
    """What :func:`extrapolation_verdict` reads (a :class:`Comparison`, or a stand-in in tests)."""

    params: LuParams
    rows: list[dict[str, Any]]
    fits: dict[str, InverseDFit]

    def evidence(self, quantity: str) -> dict[str, Any]: ...


@dataclasses.dataclass(frozen=True, kw_only=True)
class Comparison:
    """A series against the statement: per ``d`` the stated values and gaps (``rows``), per quantity the chosen
    fit (``fits``) and the 1/d fit the choice was made from (``linear_fits``)."""

    series: FiniteSizeSeries
    rows: list[dict[str, Any]]
    fits: dict[str, InverseDFit]
    linear_fits: dict[str, InverseDFit]

    @property
    def params(self) -> LuParams:
        return self.series.params

    def evidence(self, quantity: str) -> dict[str, Any]:
        """The rows and the extrapolation of one quantity, for a verdict."""
        fit, linear = self.fits[quantity], self.linear_fits[quantity]
        return {
            "params": self.params.as_strings(),
            "seed": self.series.seed,
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
            "model": MODEL_NAMES[fit.order],
            "gap_limit": fit.limit,
            "gap_limit_interval": [fit.low, fit.high],
            "gap_slope": fit.slope,
            "gap_curvature": fit.curvature,
            "fit_p_value": fit.p_value,
            "linear_fit": {
                "limit": linear.limit,
                "interval": [linear.low, linear.high],
                "slope": linear.slope,
                "p_value": linear.p_value,
            },
            "model_rule": f"1/d + 1/d^2 if the 1/d chi-square p < {SELECT_P} and >= {MIN_DIMS_QUADRATIC} dimensions",
            "confidence": self.series.confidence,
        }


def compare(series: FiniteSizeSeries, stated: Stated = theory_at) -> Comparison:
    """The gaps simulation − statement at every ``d`` (statement at the realised ratios) and their fits, the
    model chosen by :func:`extrapolate_gap`."""
    rows = []
    for row in series.rows:
        th = stated(row["effective"])
        out = dict(row)
        for q in QUANTITIES:
            out.update({f"{q}_theory": th[q], f"{q}_gap": row[q] - th[q]})
        rows.append(out)
    fits, linear_fits = {}, {}
    for q in QUANTITIES:
        ses = [max(row[f"{q}_se"], 1e-300) for row in rows]
        fits[q], linear_fits[q] = extrapolate_gap(
            series.ds,
            [row[f"{q}_gap"] for row in rows],
            ses,
            confidence=series.confidence,
            dof=series.fewest_runs - 1,
        )
    return Comparison(series=series, rows=rows, fits=fits, linear_fits=linear_fits)


def _label(p: LuParams) -> str:
    f = p.as_floats()
    lam = f" λ={f['lam']:g}" if f["lam"] else ""
    return f"τ={f['tau']:g} α={f['alpha']:g} κ={f['kappa']:g} ρ={f['rho']:g}{lam}"


def extrapolation_verdict(
    what: str,
    compared: Sequence[_Compared],
    quantity: str,
    *,
    max_width: Callable[[float], float],
    level: str,
    family: float,
) -> Verdict:
    """The extrapolation rule of the module doc, applied to ``quantity`` of every comparison."""
    points, refuting, doubtful = [], [], []
    for s in compared:
        fit = s.fits[quantity]
        rows = s.rows
        theory = rows[-1][f"{quantity}_theory"]
        first, last = rows[0], rows[-1]
        grew = abs(last[f"{quantity}_gap"]) > abs(first[f"{quantity}_gap"]) + 3 * math.hypot(
            last[f"{quantity}_se"], first[f"{quantity}_se"]
        )
        adequate = fit.p_value is None or fit.p_value >= MIN_FIT_P
        width = fit.high - fit.low
        ev = {
            **s.evidence(quantity),
            "width": width,
            "max_width": max_width(theory),
            "gap_grew": grew,
            "fit_adequate": adequate,
        }
        points.append(ev)
        model = MODEL_NAMES[fit.order]
        label = f"{_label(s.params)}: limit of the gap ({model}) {fit.limit:+.3g}, CI [{fit.low:+.3g}, {fit.high:+.3g}]"
        if adequate and not fit.contains(0.0):
            refuting.append(label)
        elif not adequate:
            doubtful.append(f"{_label(s.params)}: the {model} law does not fit (p = {fit.p_value:.2g})")
        elif width > max_width(theory):
            doubtful.append(f"{label} wider than {max_width(theory):.3g}")
        elif grew:
            doubtful.append(f"{_label(s.params)}: the gap grew with d")
    evidence = {
        "what": what,
        "quantity": quantity,
        "rule": f"extrapolation of simulation minus theory in 1/d (1/d + 1/d^2 where the 1/d fit has chi-square "
        f"p < {SELECT_P} and there are >= {MIN_DIMS_QUADRATIC} d); Bonferroni over points",
        "family_confidence": family,
        "level": level,
        "points": jsonable(points),
    }
    if refuting:
        return Verdict.refuted(f"{what}: extrapolated finite-d gap excludes 0 at " + "; ".join(refuting), **evidence)
    if doubtful:
        return Verdict.inconclusive(f"{what}: " + "; ".join(doubtful), **evidence)
    worst = max(points, key=lambda e: abs(e["gap_limit"]))
    ds = [row["d"] for row in compared[0].rows]
    quadratic = sum(s.fits[quantity].order == 2 for s in compared)
    models = f"1/d (1/d + 1/d² at {quadratic})" if quadratic else "1/d"
    return Verdict.confirmed(
        f"{what}: at {len(points)} points the finite-d gap shrinks like {models} to a limit consistent with 0 "
        f"(largest |limit| {abs(worst['gap_limit']):.2g}, {family:.0%} family-wise), d = {ds[0]}–{ds[-1]}",
        **evidence,
    )
