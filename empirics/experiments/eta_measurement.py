r"""Per-layer gradient-descent steps of L-layer linear self-attention: given by the parametrisation, and learned.

MG-T2 says each layer takes a GD step :math:`\eta_{\rm eff} = \Theta(1/\sqrt{L d})` on the in-context least
squares :math:`\frac1{2n}\sum_i (y_i - w^\top x_i)^2` (x with unit-variance coordinates, as
:mod:`iclverify.empirics.training.tasks` draws them; a step is only meaningful relative to that curvature). Three
readings, with d the model width (the token width d_x + 1 of linear self-attention):

* :func:`parametrisation_steps` — the step the 1/√d attention and 1/√L residual scalings give weights of
  fixed size (unit GD form, ν = γ = 1), measured from forward passes of
  :class:`iclverify.empirics.training.models.LinearAttention` with :func:`gd_construction.fitted_step`: exactly
  :math:`1/\sqrt{L d}`.
* :func:`eta_rows` — trained models: each layer of an :class:`~iclverify.empirics.training.ensemble.EnsembleLSA`
  read in the GD parametrisation (:func:`gd_construction.implied_step`: η = tr Γ / d_x with
  Γ = −ρσ V_yy P_xx) and, independently, the step fitted to the layer's update of the query
  (:func:`gd_construction.fitted_step`). A model's step is the mean over its layers.
* :func:`gd_optimal_step` — the constant step that minimises the error of L plain GD steps on the task's
  contexts (what a model restricted to plain GD should learn).

>>> rows = parametrisation_steps([1, 4], [4], seed=0)
>>> [round(r["eta"] * (r["L"] * r["width"]) ** 0.5, 10) for r in rows]
[1.0, 1.0]
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from scipy.optimize import minimize_scalar

from iclverify.empirics.training import gd_construction as gdc
from iclverify.empirics.training.ensemble import EnsembleConfig, train_ensembles
from iclverify.empirics.training.tasks import Task
from iclverify.empirics.training.train import torch_threads
from iclverify.runtime.cache import ResultCache
from iclverify.runtime.errors import ParameterError
from iclverify.runtime.sweep import Progress
from iclverify.theory.mehta_gupta2025.formulas import eta_eff_float

__all__ = ["eta_rows", "gd_optimal_step", "lsa_config", "parametrisation_steps"]


def lsa_config(
    *,
    L: int,
    d: int,
    seeds: Sequence[int],
    steps: int,
    lr: float,
    alpha: int = 2,
    rho: float = 0.01,
    structure: str = "gd-blocks",
    batch_size: int = 64,
    test_contexts: int = 1000,
) -> EnsembleConfig:
    """An ensemble of L-layer linear self-attention models (``mehta-gupta`` scaling) on linear regression in
    dimension d with ℓ = alpha·d demonstrations."""
    return EnsembleConfig(
        model="lsa",
        layers=L,
        d=d,
        ell=alpha * d,
        rho=rho,
        scaling="mehta-gupta",
        structure=structure,
        steps=steps,
        lr=lr,
        batch_size=batch_size,
        test_contexts=test_contexts,
        dtype="float32",
        seeds=tuple(seeds),
        task="linear",
    )


def eta_rows(
    configs: Sequence[EnsembleConfig],
    *,
    device: str = "auto",
    cache: ResultCache | None = None,
    progress: Progress | None = None,
) -> list[dict[str, Any]]:
    """Train each ensemble; one row per model: L, d, width, seed, the mean implied and fitted steps over
    its layers, every layer's steps, the mean distance from GD form and anisotropy, test and ridge errors."""
    if any(cfg.model != "lsa" for cfg in configs):
        raise ParameterError("η readouts need linear self-attention ensembles")
    trained = train_ensembles(configs, device=device, cache=cache, progress=progress, description="η ensembles")
    rows = []
    for cfg, members in zip(configs, trained):
        for m in members:
            probe = m["layers_probe"]
            implied = [p["eta_implied"] for p in probe]
            fitted = [p["eta_fitted"] for p in probe]
            rows.append(
                {
                    "L": cfg.layers,
                    "d": cfg.d,
                    "width": cfg.d + 1,
                    "ell": cfg.ell,
                    "seed": m["seed"],
                    "eta": float(np.mean(implied)),
                    "eta_fitted": float(np.mean(fitted)),
                    "eta_layers": implied,
                    "eta_fitted_layers": fitted,
                    "distance": float(np.mean([p["distance"] for p in probe])),
                    "anisotropy": float(np.mean([p["anisotropy"] for p in probe])),
                    "test_mse": m["test_mse"],
                    "ridge": m["baselines"].get("ridge"),
                    "initial_test_mse": m["initial_test_mse"],
                    "steps": cfg.steps,
                    "structure": cfg.structure,
                }
            )
    return rows


def parametrisation_steps(
    Ls: Sequence[int], ds: Sequence[int], *, seed: int, contexts: int = 64, alpha: int = 2
) -> list[dict[str, Any]]:
    """Unit GD-form weights in :class:`~iclverify.empirics.training.models.LinearAttention` (``mehta-gupta`` scaling):
    the step of the first layer fitted from its forward pass on random contexts, per (L, d)."""
    with torch_threads(1):  # tiny forward passes: extra threads only add overhead (30x on a busy machine)
        return [_parametrisation_step(L, d, seed=seed, contexts=contexts, alpha=alpha) for L in Ls for d in ds]


def _parametrisation_step(L: int, d: int, *, seed: int, contexts: int, alpha: int) -> dict[str, Any]:
    import torch

    from iclverify.empirics.training.models import LinearAttention
    from iclverify.runtime.seeding import torch_generator

    model = LinearAttention(d, L, scaling="mehta-gupta").double()
    unit = gdc.gd_layers(d_x=d, etas=[1.0] * L, attn_scale=1.0, residual_scale=1.0)  # ν = γ = 1 before scaling
    model.set_layer_weights([{"K": u.W_K, "Q": u.W_Q, "V": u.W_V} for u in unit])
    batch = Task(name="linear", d=d, ell=alpha * d).sample(torch_generator(seed, "mg-eta-param", L, d), contexts)
    with torch.no_grad():
        states = model.states(batch.x, batch.y)
    eta = gdc.fitted_step(states[0].transpose(-1, -2), states[1].transpose(-1, -2))
    return {"L": L, "d": d, "width": d + 1, "eta": eta, "predicted": eta_eff_float(L, d + 1)}


def gd_optimal_step(
    L: int, d: int, *, alpha: int = 2, rho: float = 0.01, contexts: int = 4000, seed: int = 0
) -> dict[str, float]:
    """The constant step η ∈ [0, 2] minimising the mean squared error of L plain GD steps (from w = 0) on
    fresh contexts of the linear task: the best point of a grid of spacing 0.025, refined by bounded scalar
    minimisation within its neighbouring cells."""
    from iclverify.runtime.seeding import torch_generator

    batch = Task(name="linear", d=d, ell=alpha * d, rho=rho).sample(
        torch_generator(seed, "mg-gd-optimal", L, d), contexts
    )
    X, y, xq, target = (t.numpy() for t in (batch.x[:, :-1], batch.y, batch.x[:, -1], batch.target))

    def error(eta: float) -> float:
        return float(np.mean((gdc.gd_predict(X, y, xq, [eta] * L) - target) ** 2))

    grid = np.linspace(0.0, 2.0, 81)
    values = np.array([error(e) for e in grid])
    i = int(np.argmin(values))  # the grid's best cell, refined: a local solve inside the global grid minimum
    lo, hi = grid[max(i - 1, 0)], grid[min(i + 1, len(grid) - 1)]
    res = minimize_scalar(error, bounds=(lo, hi), method="bounded", options={"xatol": 1e-6})
    return {"L": L, "d": d, "eta": float(res.x), "error": float(res.fun)}
