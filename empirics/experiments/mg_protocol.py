r"""Training protocol of the Mehta & Gupta experiments, and the runner that turns shapes into result rows.

A :class:`MGProtocol` fixes everything but the point of a sweep (model shape, task, seeds): AdamW with a
linear warm-up and cosine decay, fresh tasks every step (so data never binds: the online regime), the
task's input dimension ``d`` and context length ``ell``. :func:`shape_rows` trains one ensemble per shape
(members = seeds, :func:`iclverify.empirics.training.ensemble.train_ensembles`: cached, resumable, and spread over
the runtime's executor),
and returns one plain row per trained model with its sizes: the summary's N = L·D, our model's exact
parameter count and the usual 12·L·D² estimate.

>>> p = MGProtocol(steps=30, test_contexts=100)
>>> rows = shape_rows(p, [(1, 4), (2, 4)], seeds=(0, 1), device="cpu")
>>> [(r["L"], r["D"], r["N"], r["seed"]) for r in rows]
[(1, 4, 4, 0), (1, 4, 4, 1), (2, 4, 8, 0), (2, 4, 8, 1)]
>>> rows[0]["params"] == 12 * 16 + 13 * 4 + 2 * 4 + (5 * 4 + 4) + 4 + 1
True
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

from iclverify.empirics.training.ensemble import EnsembleConfig, train_ensembles
from iclverify.runtime.cache import ResultCache
from iclverify.runtime.sweep import Progress

__all__ = ["MGProtocol", "shape_rows"]


@dataclasses.dataclass(frozen=True, kw_only=True)
class MGProtocol:
    """Training hyperparameters and the default task (linear regression, d = 4, ℓ = 8, ρ = 0.01)."""

    steps: int = 1000
    lr: float = 3e-3
    batch_size: int = 64
    warmup: float = 0.05
    weight_decay: float = 0.0
    test_contexts: int = 2000
    d: int = 4
    ell: int = 8
    rho: float = 0.01
    dtype: str = "float32"

    def config(
        self, *, model: str = "gpt", layers: int, width: int | None, seeds: Sequence[int], **task: Any
    ) -> EnsembleConfig:
        """The ensemble of one shape; ``task`` overrides the task fields (``task=``, ``d``, ``ell``, ``rho``, ``s``,
        ``h``)."""
        fields = dict(d=self.d, ell=self.ell, rho=self.rho) | task
        return EnsembleConfig(
            model=model,
            layers=layers,
            width=width,
            steps=self.steps,
            lr=self.lr,
            batch_size=self.batch_size,
            warmup=self.warmup,
            weight_decay=self.weight_decay,
            test_contexts=self.test_contexts,
            dtype=self.dtype,
            seeds=tuple(seeds),
            **fields,
        )

    def describe(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def shape_rows(
    protocol: MGProtocol,
    shapes: Sequence[tuple[int, int]],
    *,
    seeds: Sequence[int],
    device: str = "auto",
    cache: ResultCache | None = None,
    progress: Progress | None = None,
    **task: Any,
) -> list[dict[str, Any]]:
    """Train a width-D, L-block transformer for every ``(L, D)`` in ``shapes`` and seed; one row per model."""
    from iclverify.numerics.mehta_gupta2025.evaluate import transformer_param_count

    configs = [protocol.config(layers=L, width=D, seeds=seeds, **task) for L, D in shapes]
    trained = train_ensembles(configs, device=device, cache=cache, progress=progress, description="shapes")
    rows = []
    for (L, D), cfg, members in zip(shapes, configs, trained):
        count = transformer_param_count(L, D, d_in=cfg.d + 1)
        for member in members:
            rows.append(
                {
                    "L": L,
                    "D": D,
                    "N": L * D,
                    "params": count.total,
                    "params_12LD2": count.blocks_leading,
                    "task": cfg.task,
                    "seed": member["seed"],
                    "test_mse": member["test_mse"],
                    "test_se": member["test_se"],
                    "success": member["success"],
                    "baselines": member["baselines"],
                    "baseline_success": member["baseline_success"],
                    "initial_test_mse": member["initial_test_mse"],
                    "final_loss": member["loss_history"][-1]["loss"] if member["loss_history"] else None,
                    "seconds": member["seconds"],
                }
            )
    return rows
