r"""Training protocol of the Mehta & Gupta experiments, and the runner that turns shapes into result rows.

A :class:`MGProtocol` fixes everything but the point of a sweep (model shape, task, seeds): AdamW with a
linear warm-up and cosine decay, fresh tasks every step (so data never binds: the online regime), the
task's input dimension ``d`` and context length ``ell``. :func:`shape_rows` trains one ensemble per shape
(members = seeds, :func:`iclverify.empirics.training.ensemble.train_ensembles`: cached, resumable, and spread over
the runtime's executor),
and returns one plain row per trained model with its sizes: the summary's N = L·D, our model's exact
parameter count and the usual 12·L·D² estimate.

**Finite pretraining data** (``pretrain_contexts`` = D_data, default ``None``: online). Each member trains
on a fixed set of D_data contexts instead (:func:`train_finite`): the first D_data contexts of the member's
online stream (the minibatches of steps 0, 1, … of stream ``(seed, "mg-train", step)``, the last one cut
short), so the sets are nested in D_data and a member's data are a prefix of what it would see online. The
first epoch visits them in that order; every later epoch in a fresh random order (one stream per member,
``(seed, "mg-pretrain-order")``), ``batch_size`` contexts a step, epochs running on across step boundaries.
With D_data ≥ steps·batch_size the run is the online run, bit for bit. Each row adds ``train_mse`` (the
final model's error on its D_data training contexts), ``train_se``, ``gap`` = ``test_mse`` − ``train_mse``,
``pretrain_contexts`` and ``epochs`` (steps·batch_size/D_data). The cache key of such a run is the
ensemble's key plus ``pretrain_contexts``; an online protocol's keys, rows and description are exactly those
it had before the option existed.

>>> p = MGProtocol(steps=30, test_contexts=100)
>>> rows = shape_rows(p, [(1, 4), (2, 4)], seeds=(0, 1), device="cpu")
>>> [(r["L"], r["D"], r["N"], r["seed"]) for r in rows]
[(1, 4, 4, 0), (1, 4, 4, 1), (2, 4, 8, 0), (2, 4, 8, 1)]
>>> rows[0]["params"] == 12 * 16 + 13 * 4 + 2 * 4 + (5 * 4 + 4) + 4 + 1
True
>>> finite = MGProtocol(steps=30, test_contexts=100, pretrain_contexts=16)
>>> (r,) = shape_rows(finite, [(1, 4)], seeds=(0,), device="cpu")
>>> r["pretrain_contexts"], r["epochs"], r["gap"] == r["test_mse"] - r["train_mse"]
(16, 120.0, True)
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Sequence
from typing import Any

from iclverify.empirics.training.ensemble import EnsembleConfig, train_ensembles
from iclverify.runtime.cache import ResultCache
from iclverify.runtime.sweep import Progress
from iclverify.runtime.validation import integer, positive_int

__all__ = ["FINITE_SCHEMA", "MGProtocol", "pretrain_order", "shape_rows", "train_finite"]

FINITE_SCHEMA = 1  # version of the finite-data results (cached under the ensemble namespace, own schema)


@dataclasses.dataclass(frozen=True, kw_only=True)
class MGProtocol:
    """Training hyperparameters and the default task (linear regression, d = 4, ℓ = 8, ρ = 0.01);
    ``pretrain_contexts``: ``None`` (online) or the number D_data of fixed training contexts (module docstring)."""

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
    pretrain_contexts: int | None = None

    def __post_init__(self) -> None:
        if self.pretrain_contexts is not None:
            object.__setattr__(self, "pretrain_contexts", integer("pretrain_contexts", self.pretrain_contexts, low=2))

    def config(
        self, *, model: str = "gpt", layers: int, width: int | None, seeds: Sequence[int], **task: Any
    ) -> EnsembleConfig:
        """The ensemble of one shape; ``task`` overrides the task fields (``task=``, ``d``, ``ell``, ``rho``, ``s``,
        ``h``). The training data (online or ``pretrain_contexts``) is not part of it: see :func:`train_finite`."""
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
        """The fields; ``pretrain_contexts`` only when set (an online protocol describes itself as before)."""
        out = dataclasses.asdict(self)
        if self.pretrain_contexts is None:
            del out["pretrain_contexts"]
        return out


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
    """Train a width-D, L-block transformer for every ``(L, D)`` in ``shapes`` and seed; one row per model
    (online, or on ``protocol.pretrain_contexts`` fixed contexts: then with the training-set fields)."""
    from iclverify.numerics.mehta_gupta2025.evaluate import transformer_param_count

    configs = [protocol.config(layers=L, width=D, seeds=seeds, **task) for L, D in shapes]
    contexts = protocol.pretrain_contexts
    if contexts is None:
        trained = train_ensembles(configs, device=device, cache=cache, progress=progress, description="shapes")
    else:
        trained = []
        for i, cfg in enumerate(configs):
            if progress is not None:
                progress(f"shapes on {contexts} contexts", i, len(configs))
            trained.append(train_finite(cfg, contexts, device=device, cache=cache, progress=progress))
    rows = []
    for (L, D), cfg, members in zip(shapes, configs, trained):
        count = transformer_param_count(L, D, d_in=cfg.d + 1)
        for member in members:
            row = {
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
            if contexts is not None:
                row |= {k: member[k] for k in ("train_mse", "train_se", "gap", "pretrain_contexts", "epochs")}
            rows.append(row)
    return rows


# ---------------------------------------------------------------------------------------------------
# finite pretraining data


def pretrain_order(seed: int, contexts: int, positions: int) -> Any:
    """Indices (int64 tensor of length ``positions``) into a member's ``contexts`` training contexts, in the
    order training visits them: 0, 1, …, contexts − 1, then one fresh permutation per later epoch (stream
    ``(seed, "mg-pretrain-order")``).

    >>> pretrain_order(0, 3, 8)[:3].tolist(), sorted(pretrain_order(0, 3, 6)[3:].tolist())
    ([0, 1, 2], [0, 1, 2])
    """
    from iclverify.runtime.device import require_torch
    from iclverify.runtime.seeding import torch_generator

    torch = require_torch()
    contexts, positions = positive_int("contexts", contexts), positive_int("positions", positions)
    parts = [torch.arange(contexts)]
    g = torch_generator(seed, "mg-pretrain-order")
    for _ in range(1, math.ceil(positions / contexts)):
        parts.append(torch.randperm(contexts, generator=g))
    return torch.cat(parts)[:positions]


def _pool(config: EnsembleConfig, seed: int, contexts: int, dtype: Any) -> Any:
    """The member's training contexts: the first ``contexts`` of its online stream, as one batch."""
    from iclverify.empirics.training.tasks import Batch
    from iclverify.runtime.device import require_torch
    from iclverify.runtime.seeding import torch_generator

    torch = require_torch()
    task, B = config.task_spec, config.batch_size
    chunks = [task.sample(torch_generator(seed, "mg-train", j), B, dtype=dtype) for j in range(math.ceil(contexts / B))]
    return Batch(*(torch.cat([getattr(c, f) for c in chunks])[:contexts] for f in ("x", "y", "target", "task")))


def train_finite(
    config: EnsembleConfig,
    contexts: int,
    *,
    device: str = "auto",
    cache: ResultCache | None = None,
    progress: Progress | None = None,
) -> list[dict[str, Any]]:
    """Train the ensemble of ``config`` on ``contexts`` fixed contexts per member (module docstring), or read
    it from ``cache``; one result per member as :func:`~iclverify.empirics.training.ensemble.train_ensemble`
    gives (without the linear-attention probes), plus ``train_mse``, ``train_se``, ``gap``,
    ``pretrain_contexts`` and ``epochs``. Runs are short and are not checkpointed."""
    from iclverify.empirics.training import ensemble as ens
    from iclverify.empirics.training.train import torch_threads
    from iclverify.runtime.device import pick_device

    contexts = integer("pretrain_contexts", contexts, low=2)
    key = config.to_dict() | {"pretrain_contexts": contexts}
    if cache is not None and (hit := cache.get(ens.NAMESPACE, key, schema=FINITE_SCHEMA)) is not None:
        return list(hit["members"])
    dev = pick_device(device)
    with torch_threads(1 if dev.type == "cpu" else None):
        members = _train_finite(config, contexts, dev, progress)
    if cache is not None:
        members = list(cache.put(ens.NAMESPACE, key, {"members": members}, schema=FINITE_SCHEMA)["members"])
    return members


def _predictions(model: Any, batch: tuple[Any, Any, Any]) -> tuple[Any, Any]:
    """Predictions and targets (E, n), float64 on the CPU."""
    from iclverify.empirics.training.ensemble import evaluate

    x, y, target = batch
    return evaluate(model, x, y).double().cpu(), target.double().cpu()


def _train_finite(config: EnsembleConfig, contexts: int, dev: Any, progress: Progress | None) -> list[dict[str, Any]]:
    import numpy as np

    from iclverify.empirics.training.engine import fit
    from iclverify.empirics.training.ensemble import build_ensemble, evaluate, member_parameter_count
    from iclverify.empirics.training.tasks import SUCCESS_MARGIN, success_rate
    from iclverify.runtime.device import require_torch
    from iclverify.runtime.seeding import torch_generator

    torch = require_torch()
    start = time.perf_counter()
    dtype = getattr(torch, config.dtype)
    E, B, task = len(config.seeds), config.batch_size, config.task_spec
    model = build_ensemble(config).to(dev)
    params = dict(model.named_parameters())

    def stack(parts: Sequence[Any]) -> tuple[Any, Any, Any]:
        x, y, t = (torch.stack([getattr(b, f) for b in parts]).to(dev) for f in ("x", "y", "target"))
        return x, y, t

    test_parts = [task.sample(torch_generator(s, "mg-test"), config.test_contexts, dtype=dtype) for s in config.seeds]
    test = stack(test_parts)
    pool = stack([_pool(config, s, contexts, dtype) for s in config.seeds])
    order = torch.stack([pretrain_order(s, contexts, config.steps * B) for s in config.seeds]).to(dev)
    members = torch.arange(E, device=dev)[:, None]
    initial = ((evaluate(model, test[0], test[1]) - test[2]) ** 2).double().mean(dim=1).cpu().tolist()  # as online

    def losses(step: int) -> Any:
        idx = order[:, step * B : (step + 1) * B]
        x, y, target = (p[members, idx] for p in pool)
        return ((model(x, y) - target) ** 2).mean(dim=1)

    def after_step(st: Any) -> None:
        if progress is not None and (st.step % max(1, config.steps // 50) == 0 or not any(st.active)):
            progress(
                f"training {config.model} L={config.layers} N={config.N} on {contexts} contexts ×{E}",
                st.step,
                config.steps,
            )

    st = fit(
        params,
        losses,
        lr=lambda step: torch.full((E,), config.lr_at(step), dtype=torch.float64),
        stop=[config.stop_rule] * E,
        weight_decay=config.weight_decay,
        clip=config.clip,
        after_step=after_step,
        chunk=max(1, config.steps // 20),
    )
    (test_pred, test_target), (train_pred, train_target) = _predictions(model, test), _predictions(model, pool)
    seconds = time.perf_counter() - start
    out = []
    for e, seed in enumerate(config.seeds):
        err = ((test_pred[e] - test_target[e]) ** 2).numpy()
        tr = ((train_pred[e] - train_target[e]) ** 2).numpy()
        base = task.baselines(test_parts[e])
        test_mse, train_mse = float(err.mean()), float(tr.mean())
        out.append(
            {
                "seed": seed,
                "test_mse": test_mse,
                "test_se": float(err.std(ddof=1) / math.sqrt(len(err))),
                "train_mse": train_mse,
                "train_se": float(tr.std(ddof=1) / math.sqrt(len(tr))),
                "gap": test_mse - train_mse,
                "pretrain_contexts": contexts,
                "epochs": config.steps * B / contexts,
                "success": success_rate(test_pred[e].numpy(), test_target[e].numpy()),
                "baselines": {k: float(v.mean()) for k, v in base.items()},
                "baseline_success": {k: float(np.mean(v < SUCCESS_MARGIN**2)) for k, v in base.items()},
                "initial_test_mse": initial[e],
                "loss_history": [
                    {"step": min((i + 1) * st.chunk, st.stopped_at[e] or config.steps), "loss": h}
                    for i, h in enumerate(st.history[e])
                ],
                "parameters": member_parameter_count(model),
                "N": config.N,
                "steps": st.stopped_at[e],
                "converged": st.converged[e],
                "stop_rule": config.stop_rule.describe(),
                "seconds": seconds,
                "device": str(dev),
            }
        )
    return out
