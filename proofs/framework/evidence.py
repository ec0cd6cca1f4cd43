r"""Verdict rules shared by checks, each stated before the numbers are seen.

* :func:`agreement` — computed values against references: confirmed when the worst relative error is
  within ``rtol``, refuted otherwise (with the worst point in the evidence).
* :func:`bonferroni` — the per-comparison confidence that keeps a claim's family-wise confidence.
* :func:`interval_rule` — an estimate with a confidence interval against a prediction: refuted when the
  interval excludes the prediction, confirmed when it contains it and is narrower than ``max_width``,
  inconclusive otherwise.

>>> agreement("e_icl", [(("tau", 2), 1.0, 1.0 + 1e-12)], rtol=1e-10).status
'confirmed'
>>> interval_rule("slope", estimate=-0.48, interval=(-0.55, -0.41), predicted=-0.5, max_width=0.2).status
'confirmed'
>>> interval_rule("slope", estimate=-1.0, interval=(-1.1, -0.9), predicted=-0.5, max_width=0.2).status
'refuted'
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import mpmath

from iclverify.proofs.framework.claims import Verdict

__all__ = ["agreement", "bonferroni", "interval_rule", "jsonable", "relative_error"]


def jsonable(value: Any) -> Any:
    """Evidence in JSON form: mpmath numbers become decimal strings, tuples lists."""
    if isinstance(value, (mpmath.mpf, mpmath.mpc)):
        return mpmath.nstr(value, 20)
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if hasattr(value, "item") and callable(value.item):  # numpy scalars
        return value.item()
    return value


def bonferroni(confidence: float, m: int) -> float:
    """Per-comparison confidence for ``m`` comparisons at family-wise ``confidence``.

    >>> bonferroni(0.95, 5)
    0.99
    """
    return 1 - (1 - confidence) / max(1, m)


def relative_error(computed: Any, reference: Any) -> Any:
    """``|computed - reference| / max(|reference|, tiny)`` in the precision of the inputs."""
    diff = abs(computed - reference)
    scale = abs(reference)
    return diff / scale if scale != 0 else diff


def agreement(
    what: str,
    rows: Sequence[tuple[Any, Any, Any]],
    *,
    rtol: float,
    reason_ok: str | None = None,
    **extra: Any,
) -> Verdict:
    """Rows of ``(point, computed, reference)``; the verdict follows the worst relative error."""
    if not rows:
        raise ValueError("agreement needs at least one row")
    errors = [relative_error(c, r) for _, c, r in rows]
    worst = max(range(len(rows)), key=lambda i: errors[i])
    point, computed, reference = rows[worst]
    evidence = {
        "what": what,
        "points": len(rows),
        "rtol": rtol,
        "max_rel_error": jsonable(errors[worst]),
        "worst_point": jsonable(point),
        "worst_computed": jsonable(computed),
        "worst_reference": jsonable(reference),
        **{k: jsonable(v) for k, v in extra.items()},
    }
    if errors[worst] <= rtol:
        reason = (
            reason_ok
            or f"{what}: {len(rows)} points agree, worst relative error {mpmath.nstr(errors[worst], 3)} <= {rtol:g}"
        )
        return Verdict.confirmed(reason, **evidence)
    return Verdict.refuted(
        f"{what}: relative error {mpmath.nstr(errors[worst], 3)} > {rtol:g} at {jsonable(point)}", **evidence
    )


def interval_rule(
    what: str,
    *,
    estimate: float,
    interval: tuple[float, float],
    predicted: float,
    max_width: float,
    confidence: float = 0.95,
    **extra: Any,
) -> Verdict:
    """Refuted if the interval excludes ``predicted``; confirmed if it holds it and is narrower than ``max_width``."""
    lo, hi = interval
    evidence = {
        "what": what,
        "estimate": estimate,
        "interval": [lo, hi],
        "confidence": confidence,
        "predicted": predicted,
        "max_width": max_width,
        **{k: jsonable(v) for k, v in extra.items()},
    }
    ci = f"{what} = {estimate:.3g}, {confidence:.0%} CI [{lo:.3g}, {hi:.3g}]"
    if not lo <= predicted <= hi:
        return Verdict.refuted(f"{ci} excludes the predicted {predicted:.3g}", **evidence)
    if hi - lo <= max_width:
        return Verdict.confirmed(f"{ci} contains the predicted {predicted:.3g}", **evidence)
    return Verdict.inconclusive(f"{ci} contains {predicted:.3g} but is wider than {max_width:.3g}", **evidence)
