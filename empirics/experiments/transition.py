r"""In-context learning against model size on depth-h trees, in a continuous and a thresholded metric (MG-P3).

For each number of demonstrations k (the context length) and tree depth h, transformers of size N = L·D
are trained on the ``tree`` task (:mod:`iclverify.empirics.training.tasks`, ρ = 0, labels ±1). Each model gets two
normalised scores on its test contexts, both 0 for the zero predictor and 1 for the Bayes-optimal one
(measured on the same contexts):

* continuous: :math:`s_{\rm mse} = (e_0 - e)/(e_0 - e_{\rm Bayes})` with e the mean squared error;
* thresholded: :math:`s_{\rm succ} = (q - q_0)/(q_{\rm Bayes} - q_0)` with q the fraction of contexts
  predicted within 0.5 of the label.

The summary's critical scale at unit prefactor is :math:`N_c = (kh)^{2(h+1)}` (:func:`predicted_N_c`).

>>> predicted_N_c(4, 1), predicted_N_c(2, 2)
(256, 4096)
>>> normalised(0.5, zero=1.0, bayes=0.0), normalised(0.9, zero=0.0, bayes=0.9)
(0.5, 1.0)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from iclverify.empirics.experiments.mg_protocol import MGProtocol, shape_rows
from iclverify.runtime.cache import ResultCache
from iclverify.runtime.sweep import Progress
from iclverify.theory.mehta_gupta2025.formulas import critical_scale

__all__ = ["normalised", "predicted_N_c", "transition_rows"]


def predicted_N_c(k: int, h: int) -> int:
    """(k h)^(2(h+1)), the summary's critical scale with unit prefactor (exact integer), from
    :func:`iclverify.theory.mehta_gupta2025.formulas.critical_scale`."""
    return int(critical_scale(k, h))


def normalised(value: float, *, zero: float, bayes: float) -> float:
    """(value − zero)/(bayes − zero): 0 at the zero predictor, 1 at the Bayes-optimal one."""
    return (value - zero) / (bayes - zero)


def transition_rows(
    protocol: MGProtocol,
    *,
    k: int,
    h: int,
    shapes: Sequence[tuple[int, int]],
    seeds: Sequence[int],
    device: str = "auto",
    cache: ResultCache | None = None,
    progress: Progress | None = None,
) -> list[dict[str, Any]]:
    """One row per trained model at context length ``k`` and tree depth ``h``, with both scores."""
    rows = shape_rows(
        protocol, shapes, seeds=seeds, device=device, cache=cache, progress=progress, task="tree", ell=k, h=h, rho=0.0
    )
    for r in rows:
        b, q = r["baselines"], r["baseline_success"]
        r.update(
            k=k,
            h=h,
            predicted_N_c=predicted_N_c(k, h),
            score_mse=normalised(r["test_mse"], zero=b["zero"], bayes=b["bayes"]),
            score_success=normalised(r["success"], zero=q["zero"], bayes=q["bayes"]),
        )
    return rows
