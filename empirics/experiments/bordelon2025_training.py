r"""Train the project's L-layer linear attention on ISO regression and set it beside L-step gradient descent.

Bordelon et al.'s Figure 1 caption (ISO, stated): "the final loss is well predicted by the theory of L steps of
gradient descent with optimal learning rate for each (α, L) pair". Here the model is the project's
:class:`~iclverify.empirics.training.ensemble.EnsembleLSA` (``structure="gd-blocks"``: K, Q read the x-part, V
writes the label, so every layer is a preconditioned GD step on the context — the reduced-Γ form — but each
layer has its own weights; ``structure="full"`` updates the x-parts too), trained with
:func:`~iclverify.empirics.training.ensemble.train_ensemble` on the ``linear`` task at ρ = 0
(x ~ N(0, I_d), w ~ N(0, I/d): the ISO normalisation of :mod:`iclverify.theory.bordelon2025.iso`). Each point
is compared, at the *same* d and P = αd, with the Monte Carlo optimum of L-step GD over one shared step and
over per-layer steps (:func:`~iclverify.empirics.montecarlo.bordelon2025.optimal_schedules`), and with the
asymptotic :math:`\mathcal L(\alpha, L)`.

>>> cfg = TrainingPoint(alpha=2.0, L=1, d=4, steps=30, seeds=(0,), test_contexts=200, mc_contexts=200)
>>> r = run_point(cfg, device="cpu")
>>> r["P"], r["gd_per_layer_mc"] == r["gd_shared_mc"]          # L = 1: one step, nothing to schedule
(8, True)
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

from iclverify.empirics.montecarlo.bordelon2025 import iso_eigenvalues, optimal_schedules
from iclverify.empirics.training.ensemble import EnsembleConfig, train_ensemble
from iclverify.numerics.bordelon2025.iso import check_depth, iso_loss
from iclverify.numerics.stats.intervals import mean_ci
from iclverify.runtime.cache import ResultCache
from iclverify.runtime.errors import ParameterError

__all__ = ["TrainingPoint", "run_point"]


@dataclasses.dataclass(frozen=True, kw_only=True)
class TrainingPoint:
    """One (α, L) point: model ``structure``, dimension ``d`` (P = round(αd)), AdamW ``steps`` at ``lr``."""

    alpha: float
    L: int
    d: int = 8
    structure: str = "gd-blocks"
    steps: int = 800
    lr: float = 0.02
    batch_size: int = 256
    seeds: tuple[int, ...] = (0, 1)
    test_contexts: int = 4000
    mc_contexts: int = 4000

    def __post_init__(self) -> None:
        check_depth(self.L)
        if not np.isfinite(self.alpha) or self.alpha <= 0:
            raise ParameterError(f"alpha must be a finite number > 0, got {self.alpha!r}")

    @property
    def P(self) -> int:
        return max(1, round(self.alpha * self.d))

    def ensemble_config(self) -> EnsembleConfig:
        return EnsembleConfig(
            model="lsa",
            layers=self.L,
            structure=self.structure,
            scaling="unit",
            task="linear",
            d=self.d,
            ell=self.P,
            rho=0.0,
            steps=self.steps,
            batch_size=self.batch_size,
            lr=self.lr,
            init_scale=0.3,
            dtype="float32",
            test_contexts=self.test_contexts,
            seeds=self.seeds,
        )


def run_point(
    point: TrainingPoint, *, device: str = "auto", cache: ResultCache | None = None, seed: int = 0
) -> dict[str, Any]:
    """Train, then the trained test loss (mean and 95% interval over seeds and test contexts) beside L-step GD."""
    members = train_ensemble(point.ensemble_config(), device=device, cache=cache)
    mses = np.array([m["test_mse"] for m in members])
    ses = np.array([m["test_se"] for m in members])
    eigs, P = iso_eigenvalues(d=point.d, alpha=point.alpha, contexts=point.mc_contexts, seed=seed)
    gd = optimal_schedules(eigs, point.L)
    a_real = P / point.d
    if len(mses) >= 2:
        ci = mean_ci(mses)
        low, high = ci.low, ci.high
    else:
        low, high = float(mses[0] - 2 * ses[0]), float(mses[0] + 2 * ses[0])
    return {
        "alpha": point.alpha,
        "L": point.L,
        "d": point.d,
        "P": P,
        "structure": point.structure,
        "trained": float(mses.mean()),
        "trained_low": low,
        "trained_high": high,
        "trained_members": mses.tolist(),
        "gd_shared_mc": gd["shared"],
        "gd_shared_eta": gd["shared_eta"],
        "gd_per_layer_mc": gd["per_layer"],
        "gd_per_layer_eta": gd["per_layer_eta"],
        "theory": float(iso_loss(str(a_real), point.L, dps=15).loss),
        "implied_steps": [[p.get("eta_implied") for p in m.get("layers_probe", [])] for m in members],
        "mc_contexts": point.mc_contexts,
        "seed": seed,
    }
