r"""Train an in-context regressor on a fixed set of P = τd² contexts (Lu et al. §5) and measure its errors.

Protocol (every number a :class:`TrainConfig` field): k = κd tasks drawn once (κ = ∞: a fresh task per
context), P = round(τd²) training contexts of length ℓ = round(αd) with label noise ρ; AdamW (lr 1e-4,
weight decay 1e-4) on the mean squared error at the query, minibatches of ⌈0.1 P⌉ contexts in a fresh
random order every epoch. An optional ridge term (λ/d)‖θ‖² makes the Γ model's minimiser exactly the
ridge solution Γ* = argmin Σ_μ (y_μ − ⟨Γ, H_μ⟩)² + (P/d)λ‖Γ‖². τ = ∞ trains online: a fresh minibatch
of ``batch_size`` contexts every step.

Reported: the final training loss (MSE on the whole training set), the ICL error (MSE on fresh contexts
with fresh tasks w ~ N(0, I)) and the IDG error (fresh contexts whose tasks are drawn from the training
task set); errors include the label noise, so the zero predictor scores 1 + ρ.

Reproducibility: data, test sets, initial weights and every epoch's minibatch order come from named
streams of one seed (:mod:`iclverify.runtime.seeding`), drawn on the CPU and then moved to the device,
so CPU and GPU runs agree to float tolerance. A run checkpoints (weights + optimizer state + history) to
the cache; an interrupted run resumes from its last checkpoint and ends with the same weights as an
uninterrupted one (the minibatch order of epoch e depends on (seed, e) only, so no generator state needs
restoring). A finished run is cached under the hash of its full configuration; its weights are kept
beside the result (:func:`load_trained`).

>>> cfg = TrainConfig(model="gamma", d=4, tau=4, steps=200, lr=0.05, test_contexts=500)
>>> cfg.n_train, cfg.ell, cfg.batch, cfg.steps_per_epoch
(64, 4, 7, 10)
>>> r = train(cfg, device="cpu")
>>> r["train_loss"] < r["initial_train_loss"], r["n_train"], r["steps"]
(True, 64, 200)
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import math
import os
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from iclverify.empirics.training.models import MODEL_NAMES, SCALINGS, build_model, initialise, parameter_count
from iclverify.runtime.cache import ResultCache
from iclverify.runtime.device import pick_device, require_torch
from iclverify.runtime.errors import ParameterError
from iclverify.runtime.seeding import check_seed, rng, torch_generator
from iclverify.runtime.sweep import Progress
from iclverify.theory.params import exact_real

__all__ = [
    "NAMESPACE",
    "SCHEMA",
    "Samples",
    "TrainConfig",
    "TrainingData",
    "auto_threads",
    "draw_samples",
    "load_trained",
    "make_data",
    "save_torch_atomic",
    "torch_threads",
    "train",
    "train_many",
    "train_model",
]

NAMESPACE = "train"
SCHEMA = 1
DTYPES = ("float32", "float64")
SCHEDULES = ("constant", "cosine")
ASSIGNMENTS = ("balanced", "random")
EVAL_CHUNK = 2048  # contexts per forward pass when evaluating


def _positive_int(name: str, value: object, low: int = 1) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
        raise ParameterError(f"{name} must be an integer >= {low}, got {value!r}")


def _real(name: str, value: object, **bounds: Any) -> float:
    return float(exact_real(name, value, **bounds))


@dataclasses.dataclass(frozen=True, kw_only=True)
class TrainConfig:
    """Everything that determines a training run's result (the device does not: results agree across devices).

    ``steps`` counts optimizer steps (an epoch is ``steps_per_epoch`` of them); ``batch_size`` overrides
    ``batch_fraction``·P and is required when ``tau`` is ``inf`` (online training).
    """

    model: str = "linear"
    layers: int = 1
    scaling: str = "unit"
    d: int = 20
    alpha: float = 1.0
    tau: float = 1.0
    kappa: float = math.inf
    rho: float = 0.01
    assignment: str = "balanced"
    steps: int = 10_000
    batch_fraction: float = 0.1
    batch_size: int | None = None
    lr: float = 1e-4
    lr_schedule: str = "constant"
    weight_decay: float = 1e-4
    ridge: float = 0.0
    init_scale: float = 1.0
    dtype: str = "float32"
    test_contexts: int = 4000
    eval_every: int = 0
    seed: int = 0

    def __post_init__(self) -> None:
        if self.model not in MODEL_NAMES:
            raise ParameterError(f"model must be one of {', '.join(MODEL_NAMES)}, got {self.model!r}")
        _positive_int("layers", self.layers)
        if self.model == "gamma" and self.layers != 1:
            raise ParameterError("the gamma model has exactly one layer")
        if self.scaling not in SCALINGS or (self.scaling != "unit" and self.model != "linear"):
            raise ParameterError(
                f"scaling must be one of {', '.join(SCALINGS)} ('unit' unless the model is linear), got {self.scaling!r}"
            )
        _positive_int("d", self.d, low=2)
        for name, bounds in (
            ("alpha", dict(low=0, low_open=True)),
            ("tau", dict(low=0, low_open=True, allow_inf=True)),
            ("kappa", dict(low=0, low_open=True, allow_inf=True)),
            ("rho", dict(low=0)),
            ("batch_fraction", dict(low=0, low_open=True)),
            ("lr", dict(low=0, low_open=True)),
            ("weight_decay", dict(low=0)),
            ("ridge", dict(low=0)),
            ("init_scale", dict(low=0)),
        ):
            object.__setattr__(self, name, _real(name, getattr(self, name), **bounds))
        if self.batch_fraction > 1:
            raise ParameterError(f"batch_fraction must be in (0, 1], got {self.batch_fraction}")
        if self.assignment not in ASSIGNMENTS:
            raise ParameterError(f"assignment must be one of {', '.join(ASSIGNMENTS)}, got {self.assignment!r}")
        if self.lr_schedule not in SCHEDULES:
            raise ParameterError(f"lr_schedule must be one of {', '.join(SCHEDULES)}, got {self.lr_schedule!r}")
        if self.dtype not in DTYPES:
            raise ParameterError(f"dtype must be one of {', '.join(DTYPES)}, got {self.dtype!r}")
        _positive_int("steps", self.steps)
        _positive_int("test_contexts", self.test_contexts)
        _positive_int("eval_every", self.eval_every, low=0)
        check_seed(self.seed)
        if self.batch_size is not None:
            _positive_int("batch_size", self.batch_size)
        if self.online and self.batch_size is None:
            raise ParameterError("online training (tau = inf) needs an explicit batch_size")

    @property
    def online(self) -> bool:
        """True for τ = ∞: a fresh minibatch every step."""
        return math.isinf(self.tau)

    @functools.cached_property
    def sizes(self) -> dict[str, int | None]:
        """ℓ = round(αd), P = round(τd²) and k = round(κd), each at least 1, as the Monte Carlo layer rounds them."""
        tau = 1.0 if self.online else self.tau
        return _sampling().lu_sizes(self.d, tau=tau, alpha=self.alpha, kappa=self.kappa)

    @property
    def ell(self) -> int:
        """Context length ℓ = round(αd)."""
        return self.sizes["ell"]

    @property
    def n_train(self) -> int | None:
        """P = round(τd²) training contexts (None when online)."""
        return None if self.online else self.sizes["n"]

    @property
    def k(self) -> int | None:
        """Number of pretraining tasks round(κd) (None for κ = ∞: a fresh task per context)."""
        return self.sizes["k"]

    @property
    def batch(self) -> int:
        """Minibatch size: ``batch_size``, else ⌈batch_fraction · P⌉."""
        if self.batch_size is not None:
            return self.batch_size if self.online else min(self.batch_size, self.n_train)
        return max(1, math.ceil(self.batch_fraction * self.n_train))

    @property
    def steps_per_epoch(self) -> int:
        """⌈P / batch⌉ (1 when online)."""
        return 1 if self.online else math.ceil(self.n_train / self.batch)

    @property
    def epochs(self) -> float:
        """Passes over the training set that ``steps`` makes."""
        return self.steps / self.steps_per_epoch

    def lr_at(self, step: int) -> float:
        """Learning rate of step ``step`` (0-based): constant, or cosine decay lr·½(1 + cos(π·step/steps))."""
        if self.lr_schedule == "cosine":
            return self.lr * 0.5 * (1.0 + math.cos(math.pi * step / self.steps))
        return self.lr

    def to_dict(self) -> dict[str, Any]:
        """Plain dict of every field (the cache key)."""
        return dataclasses.asdict(self)

    def replace(self, **changes: Any) -> TrainConfig:
        return dataclasses.replace(self, **changes)


@dataclasses.dataclass(frozen=True)
class Contexts:
    """Torch tensors of contexts: x (n, ℓ+1, d), labels y (n, ℓ) of the context, target (n,) at the query."""

    x: Any
    y: Any
    target: Any

    @classmethod
    def from_sample(cls, sample: Any, dtype: Any, device: Any) -> Contexts:
        torch = require_torch()
        x = torch.as_tensor(np.asarray(sample.x), dtype=dtype).to(device)
        y = torch.as_tensor(np.asarray(sample.y), dtype=dtype).to(device)
        return cls(x, y[:, :-1].contiguous(), y[:, -1].contiguous())

    def __len__(self) -> int:
        return int(self.x.shape[0])

    def take(self, index: Any) -> Contexts:
        return Contexts(self.x[index], self.y[index], self.target[index])


@dataclasses.dataclass(frozen=True)
class TrainingData:
    """The training set, the training task set (k × d) and the ICL / IDG test sets of one run."""

    train: Contexts | None
    tasks: np.ndarray | None
    test_icl: Contexts
    test_idg: Contexts | None


def _sampling():
    from iclverify.empirics.montecarlo import sampling  # the Monte Carlo layer's sampler

    return sampling


@dataclasses.dataclass(frozen=True)
class Samples:
    """The numpy contexts of one run (:class:`iclverify.empirics.montecarlo.sampling.Contexts`) and its task set."""

    train: Any
    tasks: np.ndarray | None
    test_icl: Any
    test_idg: Any


def draw_samples(config: TrainConfig) -> Samples:
    """Draw the run's data from the streams ``tasks``, ``train``, ``test-icl``, ``test-idg`` of ``config.seed``.

    The training task set is the k drawn tasks, or (κ = ∞) the training contexts' own tasks; ICL test
    contexts have fresh N(0, I) tasks, IDG test contexts tasks drawn uniformly from the training task set.
    """
    sampling = _sampling()
    c, s = config, config.seed
    tasks = None if c.k is None else sampling.sample_tasks(rng(s, "tasks"), k=c.k, d=c.d)
    train_set = None
    if not c.online:
        train_set = sampling.sample_contexts(
            rng(s, "train"), d=c.d, ell=c.ell, n=c.n_train, tasks=tasks, rho=c.rho, assignment=c.assignment
        )
        if tasks is None:
            tasks = np.asarray(train_set.w)
    icl = sampling.sample_contexts(rng(s, "test-icl"), d=c.d, ell=c.ell, n=c.test_contexts, tasks=None, rho=c.rho)
    idg = None
    if tasks is not None:
        idg = sampling.sample_idg_contexts(rng(s, "test-idg"), tasks=tasks, ell=c.ell, n=c.test_contexts, rho=c.rho)
    return Samples(train_set, tasks, icl, idg)


def make_data(config: TrainConfig, *, device: Any = "cpu") -> TrainingData:
    """:func:`draw_samples` as tensors of ``config.dtype`` on ``device``."""
    torch = require_torch()
    dtype = getattr(torch, config.dtype)
    s = draw_samples(config)

    def move(sample: Any) -> Contexts | None:
        return None if sample is None else Contexts.from_sample(sample, dtype, device)

    return TrainingData(move(s.train), s.tasks, move(s.test_icl), move(s.test_idg))


def _online_batch(config: TrainConfig, data: TrainingData, step: int, dtype: Any, device: Any) -> Contexts:
    sample = _sampling().sample_contexts(
        rng(config.seed, "online", step),
        d=config.d,
        ell=config.ell,
        n=config.batch,
        tasks=data.tasks,
        rho=config.rho,
        assignment="random",
    )
    return Contexts.from_sample(sample, dtype, device)


def squared_errors(model: Any, data: Contexts):
    """Per-context squared errors (ŷ − y_{ℓ+1})² of ``model`` on ``data`` (chunked, no gradients), on the CPU in float64."""
    torch = require_torch()
    parts = []
    with torch.no_grad():
        for start in range(0, len(data), EVAL_CHUNK):
            part = data.take(slice(start, start + EVAL_CHUNK))
            parts.append(((model(part.x, part.y) - part.target) ** 2).double().cpu())
    return torch.cat(parts)


def mse(model: Any, data: Contexts) -> float:
    """Mean squared error of ``model`` on ``data``."""
    return float(squared_errors(model, data).mean())


def _errors(model: Any, data: TrainingData) -> dict[str, float | None]:
    out: dict[str, float | None] = {"train_loss": mse(model, data.train) if data.train is not None else None}
    for name, test in (("icl", data.test_icl), ("idg", data.test_idg)):
        if test is None:
            out[f"{name}_error"] = out[f"{name}_se"] = None
            continue
        err = squared_errors(model, test)
        out[f"{name}_error"] = float(err.mean())
        out[f"{name}_se"] = float(err.std() / math.sqrt(len(err))) if len(err) > 1 else None
    return out


def _minibatches(config: TrainConfig, data: TrainingData, start: int, dtype: Any, device: Any):
    """``(step, batch)`` for every step from ``start``: epoch e visits the training set in the order
    ``randperm`` of the stream (seed, "order", e) — a function of (seed, step) alone, so a resumed run sees
    the batches an uninterrupted one would; full batch needs no order; online draws stream (seed, "online", step)."""
    torch = require_torch()
    per_epoch, size, order = config.steps_per_epoch, config.batch, None
    for step in range(start, config.steps):
        if config.online:
            yield step, _online_batch(config, data, step, dtype, device)
        elif per_epoch == 1:
            yield step, data.train
        else:
            epoch, within = divmod(step, per_epoch)
            if within == 0 or order is None:
                order = torch.randperm(config.n_train, generator=torch_generator(config.seed, "order", epoch)).to(
                    device
                )
            yield step, data.train.take(order[within * size : (within + 1) * size])


def _loss(model: Any, batch: Contexts, config: TrainConfig):
    """Mean squared error at the query, plus (λ/d)‖θ‖² when ``config.ridge`` = λ > 0."""
    torch = require_torch()
    loss = torch.nn.functional.mse_loss(model(batch.x, batch.y), batch.target)
    if config.ridge > 0:
        loss = loss + (config.ridge / config.d) * sum((p * p).sum() for p in model.parameters())
    return loss


def save_torch_atomic(obj: Any, path: Path) -> None:
    """``torch.save`` to ``path`` so that readers see the old file or the whole new one."""
    torch = require_torch()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=path.suffix)
    os.close(fd)
    try:
        torch.save(obj, tmp)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _new_model(config: TrainConfig, device: Any):
    torch = require_torch()
    model = build_model(config.model, config.d, layers=config.layers, scaling=config.scaling)
    model = model.to(getattr(torch, config.dtype))
    initialise(model, torch_generator(config.seed, "init"), scale=config.init_scale)
    return model.to(device)


def train(
    config: TrainConfig,
    *,
    device: str = "auto",
    cache: ResultCache | None = None,
    progress: Progress | None = None,
    checkpoint_every: int = 2000,
    checkpoint_seconds: float = 60.0,
    threads: int | str | None = "auto",
) -> dict[str, Any]:
    """Train one model (or read the finished run from ``cache``) and return its result as a plain dict.

    With a cache, the run checkpoints every ``checkpoint_every`` steps or ``checkpoint_seconds`` seconds
    (whichever comes first) and resumes from the last checkpoint when run again. ``threads``: CPU threads
    for this run (``"auto"``: :func:`auto_threads`; ``None``: leave torch's setting alone).
    """
    if cache is not None and (hit := cache.get(NAMESPACE, config.to_dict(), schema=SCHEMA)) is not None:
        return hit
    return train_model(
        config,
        device=device,
        cache=cache,
        progress=progress,
        checkpoint_every=checkpoint_every,
        checkpoint_seconds=checkpoint_seconds,
        threads=threads,
    )[1]


def train_model(
    config: TrainConfig,
    *,
    device: str = "auto",
    cache: ResultCache | None = None,
    progress: Progress | None = None,
    checkpoint_every: int = 2000,
    checkpoint_seconds: float = 60.0,
    threads: int | str | None = "auto",
) -> tuple[Any, dict[str, Any]]:
    """Like :func:`train`, but also return the trained model (loaded from the cache when the run is finished)."""
    key = config.to_dict()
    if cache is not None and (hit := cache.get(NAMESPACE, key, schema=SCHEMA)) is not None:
        model = load_trained(config, cache, device=device)
        if model is not None:
            return model, hit
    dev = pick_device(device)
    if dev.type == "cpu" and threads == "auto":
        threads = auto_threads(config)
    with torch_threads(None if threads == "auto" else threads):
        return _train_model(config, dev, cache, progress, checkpoint_every, checkpoint_seconds)


def _train_model(
    config: TrainConfig,
    dev: Any,
    cache: ResultCache | None,
    progress: Progress | None,
    checkpoint_every: int,
    checkpoint_seconds: float,
) -> tuple[Any, dict[str, Any]]:
    torch = require_torch()
    key = config.to_dict()
    dtype = getattr(torch, config.dtype)
    start_time = time.perf_counter()
    data = make_data(config, device=dev)
    model = _new_model(config, dev)
    opt = torch.optim.AdamW(model.parameters(), lr=config.lr, weight_decay=config.weight_decay, fused=True)
    step, history, initial = 0, [], None
    ckpt = cache.path(NAMESPACE, key, schema=SCHEMA, suffix=".ckpt.pt") if cache is not None else None
    if ckpt is not None and ckpt.exists():
        state = torch.load(ckpt, map_location=dev, weights_only=False)
        model.load_state_dict(state["model"])
        opt.load_state_dict(state["optimizer"])
        step, history, initial = state["step"], state["history"], state["initial"]
    if initial is None:
        initial = _errors(model, data)
    last_save = time.perf_counter()
    for step, batch in _minibatches(config, data, step, dtype, dev):
        loss = _loss(model, batch, config)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        for group in opt.param_groups:
            group["lr"] = config.lr_at(step)
        opt.step()
        done = step + 1
        if config.eval_every and (done % config.eval_every == 0 or done == config.steps):
            history.append({"step": done, **_errors(model, data)})
        if progress is not None and (done % max(1, config.steps // 200) == 0 or done == config.steps):
            progress("training run", done, config.steps)
        if (
            ckpt is not None
            and done < config.steps
            and (done % checkpoint_every == 0 or time.perf_counter() - last_save > checkpoint_seconds)
        ):
            state = {
                "model": model.state_dict(),
                "optimizer": opt.state_dict(),
                "step": done,
                "history": history,
                "initial": initial,
            }
            save_torch_atomic(state, ckpt)
            last_save = time.perf_counter()
    final = _errors(model, data)
    result = {
        **final,
        "g_task": final["icl_error"] - final["idg_error"] if final["idg_error"] is not None else None,
        "initial_train_loss": initial["train_loss"],
        "initial_icl_error": initial["icl_error"],
        "history": history,
        "steps": config.steps,
        "epochs": config.epochs,
        "n_train": config.n_train,
        "ell": config.ell,
        "k": config.k,
        "batch": config.batch,
        "parameters": parameter_count(model),
        "seed": config.seed,
        "device": str(dev),
        "seconds": time.perf_counter() - start_time,
    }
    if cache is not None:
        weights = {k: v.detach().cpu() for k, v in model.state_dict().items()}
        save_torch_atomic(weights, cache.path(NAMESPACE, key, schema=SCHEMA, suffix=".model.pt"))
        result = cache.put(NAMESPACE, key, result, schema=SCHEMA)
        ckpt.unlink(missing_ok=True)
    return model, dict(result)


SMALL_STEP = 4_000_000  # multiply-adds per step below which one CPU thread is fastest


def auto_threads(config: TrainConfig) -> int | None:
    """1 for runs whose steps are too small to split across CPU threads (about batch·ℓ·d² < 4·10⁶, i.e.
    everything at d ≲ 20 with the paper's minibatches), else ``None`` (torch's default)."""
    work = config.batch * (config.ell + 1) * (config.d + 1) ** 2 * config.layers
    return 1 if work < SMALL_STEP else None


@contextlib.contextmanager
def torch_threads(n: int | None):
    """Run the block with ``n`` intra-op torch threads (``None``: leave the setting alone), then restore it.

    Tiny models train faster on one thread: their steps are too small to split, and on a busy machine
    idle-spinning worker threads slow them down many-fold.
    """
    torch = require_torch()
    before = torch.get_num_threads()
    if n is not None:
        torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def load_trained(config: TrainConfig, cache: ResultCache, *, device: str = "cpu"):
    """The trained model of a finished, cached run (None if it has not been run)."""
    torch = require_torch()
    path = cache.path(NAMESPACE, config.to_dict(), schema=SCHEMA, suffix=".model.pt")
    if not path.exists():
        return None
    dev = pick_device(device)
    model = build_model(config.model, config.d, layers=config.layers, scaling=config.scaling).to(
        getattr(torch, config.dtype)
    )
    model.load_state_dict(torch.load(path, map_location="cpu", weights_only=True))
    return model.to(dev)


def train_many(
    configs: Sequence[TrainConfig],
    *,
    device: str = "auto",
    cache: ResultCache | None = None,
    progress: Progress | None = None,
    description: str = "training runs",
) -> list[dict[str, Any]]:
    """:func:`train` for each configuration, in order, with one progress line for the whole sweep."""
    results = []
    for i, cfg in enumerate(configs):
        if progress is not None:
            progress(description, i, len(configs))
        results.append(train(cfg, device=device, cache=cache, progress=progress))
    if progress is not None:
        progress(description, len(configs), len(configs))
    return results
