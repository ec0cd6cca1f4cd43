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

Training: runs of one shape (:func:`group_key`: architecture, d, ℓ, dtype) train as the members of one
batched pass of :mod:`iclverify.empirics.training.engine` (:func:`train_many`): stacked weights and a
vmapped forward, each member with its own data (padded and masked to the longest), initialisation,
minibatch stream, learning rate, weight decay, ridge and stopping rule — so a member ends where its run
alone would (float64: up to the round-off of batched products). ``steps`` is a fixed budget, or with
``converge_window`` > 0 the cap of the engine's convergence rule (the result says whether it converged).

Reproducibility: data, test sets, initial weights and every epoch's minibatch order come from named
streams of one seed (:mod:`iclverify.runtime.seeding`), drawn on the CPU and then moved to the device,
so CPU and GPU runs agree to float tolerance (float32 on a GPU, float64 on the CPU as the reference). A
pass checkpoints (weights + the engine's state + history) to the cache through
:mod:`iclverify.runtime.checkpoint`; an interrupted pass resumes from its last checkpoint and ends with
the same weights as an uninterrupted one (the minibatch order of epoch e depends on (seed, e) only, so no
generator state needs restoring). A finished run is cached under the hash of its full configuration; its
weights are kept beside the result (:func:`load_trained`).

>>> cfg = TrainConfig(model="gamma", d=4, tau=4, steps=200, lr=0.05, test_contexts=500)
>>> cfg.n_train, cfg.ell, cfg.batch, cfg.steps_per_epoch
(64, 4, 7, 10)
>>> r = train(cfg, device="cpu")
>>> r["train_loss"] < r["initial_train_loss"], r["n_train"], r["steps"]
(True, 64, 200)
"""

from __future__ import annotations

import contextlib
import copy
import dataclasses
import functools
import math
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

import numpy as np

from iclverify.empirics.montecarlo.sampling import ASSIGNMENTS
from iclverify.empirics.training.engine import EngineState, StopRule, fit
from iclverify.empirics.training.models import MODEL_NAMES, SCALINGS, build_model, initialise, parameter_count
from iclverify.empirics.training.tasks import Batch
from iclverify.runtime.cache import ResultCache
from iclverify.runtime.checkpoint import load_torch, save_torch
from iclverify.runtime.device import pick_device, require_torch
from iclverify.runtime.errors import ParameterError
from iclverify.runtime.seeding import check_seed, rng, torch_generator
from iclverify.runtime.sweep import Progress
from iclverify.runtime.validation import integer, one_of
from iclverify.theory.params import exact_real

__all__ = [
    "NAMESPACE",
    "SCHEMA",
    "Samples",
    "TrainConfig",
    "TrainingData",
    "auto_threads",
    "draw_samples",
    "group_key",
    "load_trained",
    "make_data",
    "torch_threads",
    "train",
    "train_many",
    "train_model",
]

NAMESPACE = "train"
SCHEMA = 2  # 2: the one batched engine (elementwise AdamW), optional convergence rule
DTYPES = ("float32", "float64")
SCHEDULES = ("constant", "cosine")
EVAL_CHUNK = 2048  # contexts per forward pass when evaluating


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
    converge_window: int = 0
    converge_rtol: float = 0.0

    def __post_init__(self) -> None:
        one_of("model", self.model, MODEL_NAMES)
        integer("layers", self.layers)
        if self.model == "gamma" and self.layers != 1:
            raise ParameterError("the gamma model has exactly one layer")
        if self.scaling not in SCALINGS or (self.scaling != "unit" and self.model != "linear"):
            raise ParameterError(
                f"scaling must be one of {', '.join(SCALINGS)} ('unit' unless the model is linear), "
                f"got {self.scaling!r}"
            )
        integer("d", self.d, low=2)
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
        one_of("assignment", self.assignment, ASSIGNMENTS)
        one_of("lr_schedule", self.lr_schedule, SCHEDULES)
        one_of("dtype", self.dtype, DTYPES)
        integer("steps", self.steps)
        integer("test_contexts", self.test_contexts)
        integer("eval_every", self.eval_every, low=0)
        check_seed(self.seed)
        if self.batch_size is not None:
            integer("batch_size", self.batch_size)
        if self.online and self.batch_size is None:
            raise ParameterError("online training (tau = inf) needs an explicit batch_size")
        _ = self.stop_rule  # validates the convergence fields

    @property
    def stop_rule(self) -> StopRule:
        """``steps`` is the cap; ``converge_window`` > 0 adds the engine's convergence rule."""
        return StopRule(max_steps=self.steps, window=self.converge_window, rtol=float(self.converge_rtol))

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
        return int(self.sizes["ell"] or 1)

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
        if self.online:
            return int(self.batch_size or 1)  # validated: online training has a batch_size
        n = int(self.n_train or 1)
        if self.batch_size is not None:
            return min(self.batch_size, n)
        return max(1, math.ceil(self.batch_fraction * n))

    @property
    def steps_per_epoch(self) -> int:
        """⌈P / batch⌉ (1 when online)."""
        return 1 if self.online else math.ceil(int(self.n_train or 1) / self.batch)

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
class TrainingData:
    """The training set, the training task set (k × d) and the ICL / IDG test sets of one run."""

    train: Batch | None
    tasks: np.ndarray | None
    test_icl: Batch
    test_idg: Batch | None


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

    def move(sample: Any) -> Batch | None:
        return None if sample is None else _to_batch(sample, dtype, device)

    return TrainingData(move(s.train), s.tasks, _to_batch(s.test_icl, dtype, device), move(s.test_idg))


def _to_batch(sample: Any, dtype: Any, device: Any) -> Batch:
    """Numpy contexts (x (n, ℓ+1, d), y (n, ℓ+1), w) as a torch :class:`Batch` on ``device``."""
    torch = require_torch()
    x = torch.as_tensor(np.asarray(sample.x), dtype=dtype).to(device)
    y = torch.as_tensor(np.asarray(sample.y), dtype=dtype).to(device)
    return Batch(x, y[:, :-1].contiguous(), y[:, -1].contiguous(), sample.w)


def _online_batch(config: TrainConfig, data: TrainingData, step: int, dtype: Any, device: Any) -> Batch:
    sample = _sampling().sample_contexts(
        rng(config.seed, "online", step),
        d=config.d,
        ell=config.ell,
        n=config.batch,
        tasks=data.tasks,
        rho=config.rho,
        assignment="random",
    )
    return _to_batch(sample, dtype, device)


def _new_model(config: TrainConfig) -> Any:
    """The run's model at its initial weights (stream ``(seed, "init")``), on the CPU, in ``config.dtype``."""
    torch = require_torch()
    model = build_model(config.model, config.d, layers=config.layers, scaling=config.scaling)
    model = model.to(getattr(torch, config.dtype))
    return initialise(model, torch_generator(config.seed, "init"), scale=config.init_scale)


def group_key(config: TrainConfig) -> tuple[Any, ...]:
    """Runs with equal keys share a shape and train as members of one batched pass: same architecture,
    dimension, context length, dtype, test-set size and regime (members may differ in τ, κ, ρ, seed,
    learning rate and schedule, weight decay, ridge, minibatch size and stopping rule)."""
    return (config.model, config.layers, config.scaling, config.d, config.ell, config.dtype, config.online)


class _Stack:
    """E models of one shape as one: stacked weights (E, …) and a vmapped functional forward."""

    def __init__(self, configs: Sequence[TrainConfig], device: Any) -> None:
        torch = require_torch()
        from torch.func import functional_call, stack_module_state, vmap

        models = [_new_model(c) for c in configs]
        params, buffers = stack_module_state(models)
        self.params = {k: v.detach().to(device).requires_grad_(True) for k, v in params.items()}
        self.buffers = {k: v.to(device) for k, v in buffers.items()}
        self.template = models[0]
        base = models[0]

        def one(p: Any, b: Any, x: Any, y: Any) -> Any:
            return functional_call(base, (p, b), (x, y))

        self._forward = vmap(one)
        self.E = len(models)
        self.torch = torch

    def __call__(self, x: Any, y: Any) -> Any:
        """Predictions (E, n) for contexts x (E, n, ℓ+1, d), y (E, n, ℓ)."""
        return self._forward(self.params, self.buffers, x, y)

    def member(self, e: int, device: Any) -> Any:
        """Member ``e`` as an ordinary model (a copy) on ``device``."""
        model = copy.deepcopy(self.template)
        model.load_state_dict({k: v[e].detach().cpu() for k, v in self.params.items()}, strict=False)
        return model.to(device)

    def squared_errors(self, x: Any, y: Any, target: Any) -> Any:
        """(E, n) squared errors, chunked, without gradients, in float64 on the CPU."""
        torch = self.torch
        parts = []
        with torch.no_grad():
            for i in range(0, x.shape[1], EVAL_CHUNK):
                sl = slice(i, i + EVAL_CHUNK)
                parts.append(((self(x[:, sl], y[:, sl]) - target[:, sl]) ** 2).double().cpu())
        return torch.cat(parts, dim=1)


def _pad(parts: Sequence[Any]) -> tuple[Any, Any]:
    """Stack tensors of different lengths along a new leading axis, zero-padded; and the (E, n_max) mask."""
    torch = require_torch()
    n = max(p.shape[0] for p in parts)
    out = parts[0].new_zeros((len(parts), n, *tuple(parts[0].shape[1:])))
    mask = torch.zeros(len(parts), n, dtype=parts[0].dtype, device=parts[0].device)
    for e, p in enumerate(parts):
        out[e, : p.shape[0]] = p
        mask[e, : p.shape[0]] = 1
    return out, mask


def _stack_sets(sets: Sequence[Batch | None]) -> tuple[Any, Any, Any, Any] | None:
    """The members' sets zero-padded to one length: x, y, target and the mask of real contexts."""
    present = [s for s in sets if s is not None]
    if len(present) < len(sets):
        return None
    x, mask = _pad([s.x for s in present])
    y, _ = _pad([s.y for s in present])
    target, _ = _pad([s.target for s in present])
    return x, y, target, mask


def _errors(stack: _Stack, sets: dict[str, Any]) -> list[dict[str, float | None]]:
    """Per member: the training loss (MSE on its whole training set) and the ICL / IDG test errors with SEs."""
    out: list[dict[str, float | None]] = [{} for _ in range(stack.E)]
    for name, key in (("train", "train_loss"), ("icl", "icl_error"), ("idg", "idg_error")):
        packed = sets[name]
        if packed is None:
            for row in out:
                row[key] = None
                if name != "train":
                    row[f"{name}_se"] = None
            continue
        x, y, target, mask = packed
        err = stack.squared_errors(x, y, target)
        m = mask.double().cpu()
        for e, row in enumerate(out):
            values = err[e][m[e] > 0]
            row[key] = float(values.mean())
            if name != "train":
                row[f"{name}_se"] = float(values.std() / math.sqrt(len(values))) if len(values) > 1 else None
    return out


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
    return train_many(
        [config],
        device=device,
        cache=cache,
        progress=progress,
        checkpoint_every=checkpoint_every,
        checkpoint_seconds=checkpoint_seconds,
        threads=threads,
    )[0]


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
    with torch_threads(_threads([config], dev, threads)):
        models, results = _train_group(
            [config],
            dev,
            cache=cache,
            progress=progress,
            checkpoint_every=checkpoint_every,
            checkpoint_seconds=checkpoint_seconds,
        )
    return models[0], results[0]


def train_many(
    configs: Sequence[TrainConfig],
    *,
    device: str = "auto",
    cache: ResultCache | None = None,
    progress: Progress | None = None,
    description: str = "training runs",
    checkpoint_every: int = 2000,
    checkpoint_seconds: float = 60.0,
    threads: int | str | None = "auto",
    max_members: int = 64,
    workers: int | None = None,
) -> list[dict[str, Any]]:
    """Every configuration's result, in order: cached runs are read, the others trained in batched passes
    (runs of one :func:`group_key` with similar minibatches, :func:`_passes`; at most ``max_members`` per
    pass), each member as it would train alone.

    Passes are independent: with two or more of them they are all submitted at once to the runtime's
    executor (:func:`iclverify.runtime.executors.default_executor`: a Dask cluster under ``--scheduler``,
    else a local pool of ``workers`` processes — by default one per CPU on a CPU device when the passes
    add up to at least ``PARALLEL_STEPS`` steps, else one), each task writing its runs to the shared cache
    itself; one pass, or one worker, trains here.
    """
    results: list[dict[str, Any] | None] = [None] * len(configs)
    todo: dict[tuple[Any, ...], list[int]] = {}
    for i, cfg in enumerate(configs):
        hit = cache.get(NAMESPACE, cfg.to_dict(), schema=SCHEMA) if cache is not None else None
        if hit is not None:
            results[i] = hit
        elif cfg not in [configs[j] for j in todo.get(group_key(cfg), [])]:
            todo.setdefault(group_key(cfg), []).append(i)
    dev = pick_device(device) if todo else None
    passes = [
        part for members in todo.values() for part in _passes([configs[i] for i in members], members, max_members)
    ]
    done = len(configs) - sum(len(part) for part in passes)
    if progress is not None and len(configs) > 1:
        progress(description, done, len(configs))
    task = functools.partial(
        _pass_task,
        device=str(dev),
        cache=cache,
        threads=threads,
        checkpoint_every=checkpoint_every,
        checkpoint_seconds=checkpoint_seconds,
    )
    for p, out in _run_passes(task, [[configs[i] for i in part] for part in passes], dev, workers, progress):
        for i, r in zip(passes[p], out):
            results[i] = r
        done += len(passes[p])
        if progress is not None and len(configs) > 1:
            progress(description, done, len(configs))
    for i, cfg in enumerate(configs):  # duplicates of a configuration share its run
        if results[i] is None:
            results[i] = results[configs.index(cfg)]
    return [dict(r) for r in results if r is not None]


def _pass_task(
    item: Mapping[str, Any],
    *,
    device: str,
    cache: ResultCache | None,
    threads: int | str | None,
    checkpoint_every: int,
    checkpoint_seconds: float,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """One batched pass (module level: it runs in worker processes); its runs are cached by the pass."""
    group = [TrainConfig(**c) for c in item["configs"]]
    dev = pick_device(device)
    with torch_threads(_threads(group, dev, threads)):
        _, out = _train_group(
            group,
            dev,
            cache=cache,
            progress=progress,
            checkpoint_every=checkpoint_every,
            checkpoint_seconds=checkpoint_seconds,
        )
    return {"results": out}


def _run_passes(
    task: Callable[..., dict[str, Any]],
    passes: Sequence[Sequence[TrainConfig]],
    dev: Any,
    workers: int | None,
    progress: Progress | None,
) -> Iterator[tuple[int, list[dict[str, Any]]]]:
    """``(index, results)`` of every pass as it finishes: here one after another, or on the executor."""
    from iclverify.runtime.executors import active_scheduler, default_executor
    from iclverify.runtime.parallel import default_workers

    if workers is None:
        big = sum(max(c.steps for c in part) for part in passes) >= PARALLEL_STEPS
        workers = default_workers() if big and dev is not None and dev.type == "cpu" else 1
    items = [(p, {"configs": [c.to_dict() for c in part]}) for p, part in enumerate(passes)]
    if len(passes) < 2 or (min(workers, len(passes)) < 2 and active_scheduler() is None):
        for p, item in items:
            yield p, task(item, progress=progress)["results"]
        return
    executor = default_executor(min(workers, len(passes)))
    for p, out, _ in executor.run(task, items, namespace=NAMESPACE, schema=SCHEMA, cache=None):
        yield p, out["results"]


PARALLEL_STEPS = 2000  # steps (summed over passes) from which a CPU spreads passes over worker processes
PAD_WASTE = 1.5  # a pass pads every member to its largest minibatch; at most this factor of padded work


def _passes(configs: Sequence[TrainConfig], ids: Sequence[int], max_members: int) -> list[list[int]]:
    """Split one group's runs into batched passes: by minibatch size, a new pass whenever padding every
    member to the largest minibatch would cost more than ``PAD_WASTE`` times the real work on a step that is
    compute-bound (over 4× ``SMALL_STEP``: small τ would otherwise pay for the large τ's minibatches; below
    it a step's fixed overhead dominates and one pass is cheapest), and at most ``max_members`` per pass.

    >>> sizes = [TrainConfig(d=20, tau=t, steps=1) for t in (0.25, 12.0, 0.5, 0.25, 8.0)]
    >>> _passes(sizes, [0, 1, 2, 3, 4], 64), _passes([c.replace(d=4) for c in sizes], [0, 1, 2, 3, 4], 64)
    ([[0, 3, 2, 4], [1]], [[0, 2, 3, 4, 1]])
    """
    order = sorted(range(len(ids)), key=lambda j: configs[j].batch)
    out: list[list[int]] = []
    part: list[int] = []
    real = 0
    for j in order:
        b = configs[j].batch
        padded = (len(part) + 1) * b
        wasteful = padded > PAD_WASTE * (real + b) and padded * _work(configs[j]) / b > 4 * SMALL_STEP
        if part and (len(part) >= max_members or wasteful):
            out.append(part)
            part, real = [], 0
        part.append(ids[j])
        real += b
    if part:
        out.append(part)
    return out


def _threads(configs: Sequence[TrainConfig], dev: Any, threads: int | str | None) -> int | None:
    if threads != "auto":
        return threads if isinstance(threads, int) or threads is None else None
    if dev.type != "cpu":
        return None
    work = sum(_work(c) for c in configs)
    return 1 if work < SMALL_STEP else None


def _train_group(
    configs: Sequence[TrainConfig],
    dev: Any,
    *,
    cache: ResultCache | None,
    progress: Progress | None,
    checkpoint_every: int,
    checkpoint_seconds: float,
) -> tuple[list[Any], list[dict[str, Any]]]:
    """Train the runs of one :func:`group_key` as the members of one engine pass."""
    torch = require_torch()
    start_time = time.perf_counter()
    c0, E = configs[0], len(configs)
    dtype = getattr(torch, c0.dtype)
    data = [make_data(c, device=dev) for c in configs]
    stack = _Stack(configs, dev)
    sets = {
        "train": _stack_sets([d.train for d in data]),
        "icl": _stack_sets([d.test_icl for d in data]),
        "idg": _stack_sets([d.test_idg for d in data]),
    }
    torch.tensor([c.batch for c in configs], dtype=dtype, device=dev)
    ridge = torch.tensor([c.ridge / c.d for c in configs], dtype=dtype, device=dev)
    key = c0.to_dict() if E == 1 else {"group": [c.to_dict() for c in configs]}
    ckpt = cache.path(NAMESPACE, key, schema=SCHEMA, suffix=".ckpt.pt") if cache is not None else None
    state: EngineState | None = None
    history: list[list[dict[str, Any]]] = [[] for _ in configs]
    initial: list[dict[str, float | None]] | None = None
    saved = load_torch(ckpt, map_location=dev, report=cache.quarantine) if ckpt is not None and cache else None
    if saved is not None:
        with torch.no_grad():
            for k, v in saved["params"].items():
                stack.params[k].copy_(v)
        state, history, initial = EngineState.from_dict(saved["engine"]), saved["history"], saved["initial"]
    if initial is None:
        initial = _errors(stack, sets)
    orders: dict[tuple[int, int], Any] = {}

    def batch(step: int) -> tuple[Any, Any, Any, Any]:
        if c0.online:
            parts = [_online_batch(c, d, step, dtype, dev) for c, d in zip(configs, data)]
            x, mask = _pad([p.x for p in parts])
            return x, _pad([p.y for p in parts])[0], _pad([p.target for p in parts])[0], mask
        train_set = sets["train"]
        if train_set is None:  # pragma: no cover - offline members always have a training set
            raise ParameterError("an offline run without a training set")
        x, y, target, mask = train_set
        if all(c.steps_per_epoch == 1 for c in configs):
            return x, y, target, mask
        rows = []
        for e, c in enumerate(configs):
            epoch, within = divmod(step, c.steps_per_epoch)
            if (e, epoch) not in orders:
                orders.pop((e, epoch - 1), None)
                orders[(e, epoch)] = torch.randperm(c.n_train, generator=torch_generator(c.seed, "order", epoch))
            rows.append(orders[(e, epoch)][within * c.batch : (within + 1) * c.batch])
        index, m = _pad(rows)
        index = index.long().to(dev)
        pick = torch.arange(E, device=dev)[:, None]
        return x[pick, index], y[pick, index], target[pick, index], m.to(dtype).to(dev)

    def losses(step: int) -> Any:
        x, y, target, mask = batch(step)
        per = (((stack(x, y) - target) ** 2) * mask).sum(dim=1) / mask.sum(dim=1)
        if bool((ridge > 0).any()):
            penalty = sum(p.pow(2).reshape(E, -1).sum(dim=1) for p in stack.params.values())
            per = per + ridge * penalty
        return per

    cap = max(c.steps for c in configs)
    last_save = [time.perf_counter()]

    def after_step(st: EngineState) -> None:
        done = st.step
        for e, c in enumerate(configs):
            if c.eval_every and (st.stopped_at[e] == done or (st.active[e] and done % c.eval_every == 0)):
                row = _errors_member(stack, sets, e)
                history[e].append({"step": done, **row})
        if progress is not None and (done % max(1, cap // 200) == 0 or not any(st.active)):
            progress("training run" if E == 1 else f"training {E} runs", done, cap)
        if (
            ckpt is not None
            and any(st.active)
            and (done % checkpoint_every == 0 or time.perf_counter() - last_save[0] > checkpoint_seconds)
        ):
            params = {k: v.detach() for k, v in stack.params.items()}
            save_torch({"params": params, "engine": st.to_dict(), "history": history, "initial": initial}, ckpt)
            last_save[0] = time.perf_counter()

    st = fit(
        stack.params,
        losses,
        lr=lambda step: torch.tensor([c.lr_at(min(step, c.steps - 1)) for c in configs], dtype=torch.float64),
        stop=[c.stop_rule for c in configs],
        weight_decay=torch.tensor([c.weight_decay for c in configs], dtype=dtype, device=dev),
        state=state,
        after_step=after_step,
    )
    final = _errors(stack, sets)
    seconds = time.perf_counter() - start_time
    models, results = [], []
    for e, c in enumerate(configs):
        model = stack.member(e, dev)
        f = final[e]
        result = {
            **f,
            "g_task": (
                f["icl_error"] - f["idg_error"] if f["icl_error"] is not None and f["idg_error"] is not None else None
            ),
            "initial_train_loss": initial[e]["train_loss"],
            "initial_icl_error": initial[e]["icl_error"],
            "history": history[e],
            "steps": st.stopped_at[e],
            "converged": st.converged[e],
            "stop_rule": c.stop_rule.describe(),
            "epochs": (st.stopped_at[e] or c.steps) / c.steps_per_epoch,
            "n_train": c.n_train,
            "ell": c.ell,
            "k": c.k,
            "batch": c.batch,
            "parameters": parameter_count(model),
            "seed": c.seed,
            "device": str(dev),
            "members": E,
            "seconds": seconds,
        }
        if cache is not None:
            weights = {k: v.detach().cpu() for k, v in model.state_dict().items()}
            save_torch(weights, cache.path(NAMESPACE, c.to_dict(), schema=SCHEMA, suffix=".model.pt"))
            result = dict(cache.put(NAMESPACE, c.to_dict(), result, schema=SCHEMA))
        models.append(model)
        results.append(result)
    if ckpt is not None:
        ckpt.unlink(missing_ok=True)
    return models, results


def _errors_member(stack: _Stack, sets: dict[str, Any], e: int) -> dict[str, float | None]:
    return _errors(stack, sets)[e]


SMALL_STEP = 4_000_000  # multiply-adds per step below which one CPU thread is fastest


def _work(config: TrainConfig) -> int:
    return config.batch * (config.ell + 1) * (config.d + 1) ** 2 * config.layers


def auto_threads(config: TrainConfig) -> int | None:
    """1 for runs whose steps are too small to split across CPU threads (about batch·ℓ·d² < 4·10⁶, i.e.
    everything at d ≲ 20 with the paper's minibatches), else ``None`` (torch's default)."""
    return 1 if _work(config) < SMALL_STEP else None


@contextlib.contextmanager
def torch_threads(n: int | None) -> Iterator[None]:
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


def load_trained(config: TrainConfig, cache: ResultCache, *, device: str = "cpu") -> Any:
    """The trained model of a finished, cached run (None if it has not been run)."""
    torch = require_torch()
    weights = load_torch(cache.path(NAMESPACE, config.to_dict(), schema=SCHEMA, suffix=".model.pt"))
    if weights is None:
        return None
    dev = pick_device(device)
    model = build_model(config.model, config.d, layers=config.layers, scaling=config.scaling).to(
        getattr(torch, config.dtype)
    )
    model.load_state_dict(weights)
    return model.to(dev)
