r"""Train an ensemble of independent models in one batched forward pass (Mehta & Gupta experiments).

Small models on a CPU spend most of a step on fixed per-operation overhead; stacking E independent models
along a leading axis (weights (E, …), one ``bmm`` per layer for all of them) pays it once. Members share
nothing: each has its own initial weights (stream ``(seed, "mg-init")``), its own minibatches (stream
``(seed, "mg-train", step)``: a function of the seed and the step only) and its own test set
(``(seed, "mg-test")``); the loss is the sum of the members' losses, Adam is elementwise and gradients are
clipped per member, so a member trains exactly as it would alone (up to float round-off).

Models, each ŷ = f(x (…, ℓ+1, d), y (…, ℓ)) read at the query token (x_q, 0):

* :class:`EnsembleLSA` — L layers of full (K, Q, V) linear self-attention on tokens (x_i, y_i) of width
  d+1, exactly :class:`iclverify.empirics.training.models.LinearAttention` (update
  z_t ← z_t + σρ (1/ℓ) Σ_{i≤ℓ} ⟨Q z_t, K z_i⟩ V z_i, ŷ = −z_q[label]; σ = 1/√(d+1), ρ = 1/√L for
  ``scaling="mehta-gupta"``); :meth:`EnsembleLSA.member_weights` feeds
  :func:`iclverify.empirics.training.gd_construction.implied_step`.
* :class:`EnsembleGPT` — a width-D pre-LN transformer: input projection of the token (d+1 → D), L blocks
  of single-head softmax attention over the ℓ labelled tokens (scores/√D) and a 4D GELU MLP with
  residuals, a final LayerNorm and a linear read-out of the query. Its parameter count is exactly
  :func:`iclverify.numerics.mehta_gupta2025.evaluate.transformer_param_count` (L, D, d_in = d+1).

:func:`train_ensemble` trains one :class:`EnsembleConfig` (AdamW, linear warm-up then cosine decay, fresh
tasks every step), evaluates each member on its test set with the task's baselines on the same contexts,
checkpoints to the cache and resumes, and caches the finished ensemble under its configuration.

>>> cfg = EnsembleConfig(model="lsa", layers=2, d=3, ell=6, steps=60, lr=0.01, seeds=(0, 1), test_contexts=200,
...                      dtype="float64")
>>> rs = train_ensemble(cfg, device="cpu")
>>> [r["seed"] for r in rs], all(r["test_mse"] < r["initial_test_mse"] for r in rs)
([0, 1], True)
"""

from __future__ import annotations

import dataclasses
import functools
import math
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import torch
from torch import nn

from iclverify.empirics.training.engine import EngineState, StopRule, fit
from iclverify.empirics.training.tasks import SUCCESS_MARGIN, Task, success_rate, tokens
from iclverify.empirics.training.train import torch_threads
from iclverify.runtime.cache import ResultCache
from iclverify.runtime.checkpoint import load_torch, save_torch
from iclverify.runtime.device import pick_device
from iclverify.runtime.errors import ParameterError
from iclverify.runtime.seeding import check_seed, torch_generator
from iclverify.runtime.sweep import Progress
from iclverify.theory.mehta_gupta2025.formulas import attention_scale_float, residual_scale_float

__all__ = [
    "NAMESPACE",
    "EnsembleConfig",
    "EnsembleGPT",
    "EnsembleLSA",
    "build_ensemble",
    "evaluate",
    "load_ensemble",
    "member_parameter_count",
    "train_ensemble",
    "train_ensembles",
    "training_losses",
]

NAMESPACE = "mg-ensemble"
SCHEMA = 2  # 2: the one engine (elementwise AdamW written out), optional convergence rule
MODELS = ("lsa", "gpt")
EVAL_CHUNK = 1024
BIG_STEP = 200_000_000  # multiply-adds per step above which torch's own thread count is used on a CPU
PARALLEL_WORK = 10**9  # multiply-adds of a sweep above which its ensembles go to worker processes


def _stack_init(
    shapes: dict[str, tuple[int, ...]], seeds: Sequence[int], scale: float, dtype: Any
) -> dict[str, torch.Tensor]:
    """Per member, N(0, scale²/fan_in) weights (fan_in = the second-to-last axis) drawn in a fixed order from
    the member's own stream; biases ("b…", "c…") 0 and gains ("g…") 1; stacked along a leading axis."""
    out: dict[str, list[torch.Tensor]] = {name: [] for name in shapes}
    for seed in seeds:
        g = torch_generator(seed, "mg-init")
        for name, shape in shapes.items():
            if name[0] == "g":
                value = torch.ones(shape, dtype=torch.float64)
            elif name[0] in "bc":
                value = torch.zeros(shape, dtype=torch.float64)
            else:
                value = torch.randn(shape, generator=g, dtype=torch.float64) * (scale / math.sqrt(shape[-2]))
            out[name].append(value)
    return {name: torch.stack(v).to(dtype) for name, v in out.items()}


class EnsembleLSA(nn.Module):
    """E stacked :class:`~iclverify.empirics.training.models.LinearAttention` models (weights ``key``, ``query``,
    ``value`` of shape (E, L, d+1, d+1), in ``nn.Linear``'s out × in layout)."""

    def __init__(
        self, params: dict[str, torch.Tensor], d: int, layers: int, scaling: str, structure: str = "full"
    ) -> None:
        super().__init__()
        self.d, self.n_layers, self.structure = d, layers, structure
        self.attn_scale = attention_scale_float(d + 1) if scaling == "mehta-gupta" else 1.0
        self.residual_scale = residual_scale_float(layers) if scaling == "mehta-gupta" else 1.0
        masks = self.masks(d, structure, next(iter(params.values())).dtype)
        self.params = nn.ParameterDict({k: nn.Parameter(v * masks[k]) for k, v in params.items()})
        for name, mask in masks.items():
            self.register_buffer(f"mask_{name}", mask, persistent=False)

    @staticmethod
    def masks(d: int, structure: str, dtype: Any = torch.float64) -> dict[str, torch.Tensor]:
        """``full``: every entry trains. ``gd-blocks``: K and Q act on the x-coordinates only and V writes
        the label slot only (V = e_y vᵀ), so tokens' x-parts never change and each layer is a preconditioned
        GD step plus a v_x term — the parametrisation in which :func:`implied_step` reads a layer exactly."""
        w = d + 1
        ones = torch.ones(w, w, dtype=dtype)
        if structure == "full":
            return {"key": ones, "query": ones, "value": ones}
        kq = torch.zeros(w, w, dtype=dtype)
        kq[:d, :d] = 1
        v = torch.zeros(w, w, dtype=dtype)
        v[d] = 1
        return {"key": kq, "query": kq, "value": v}

    @staticmethod
    def shapes(d: int, layers: int) -> dict[str, tuple[int, ...]]:
        w = d + 1
        return {"key": (layers, w, w), "query": (layers, w, w), "value": (layers, w, w)}

    def states(self, x: torch.Tensor, y: torch.Tensor) -> list[torch.Tensor]:
        """Tokens before and after each layer: L+1 tensors (E, B, ℓ+1, d+1); ``x`` (E, B, ℓ+1, d)."""
        z = tokens(x, y)
        E, B, T, w = z.shape
        s = self.attn_scale * self.residual_scale / (T - 1)
        p = {name: self.params[name] * getattr(self, f"mask_{name}") for name in ("key", "query", "value")}
        out = [z]
        for layer in range(self.n_layers):
            flat = z.reshape(E, B * T, w)
            k = (flat @ p["key"][:, layer].transpose(1, 2)).reshape(E, B, T, w)[:, :, :-1]
            v = (flat @ p["value"][:, layer].transpose(1, 2)).reshape(E, B, T, w)[:, :, :-1]
            q = (flat @ p["query"][:, layer].transpose(1, 2)).reshape(E * B, T, w)
            kv = k.reshape(E * B, T - 1, w).transpose(1, 2) @ v.reshape(E * B, T - 1, w)
            z = z + s * (q @ kv).reshape(E, B, T, w)
            out.append(z)
        return out

    def forward(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        return -self.states(x, y)[-1][..., -1, -1]

    def member_weights(self, e: int) -> list[dict[str, torch.Tensor]]:
        """Member ``e``'s layers as ``{"K", "Q", "V"}`` (detached copies), as ``LinearAttention.layer_weights``."""
        p = {name: (self.params[name] * getattr(self, f"mask_{name}")).detach() for name in ("key", "query", "value")}
        return [
            {"K": p["key"][e, i].clone(), "Q": p["query"][e, i].clone(), "V": p["value"][e, i].clone()}
            for i in range(self.n_layers)
        ]


def _layernorm(z: torch.Tensor, gain: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
    return nn.functional.layer_norm(z, z.shape[-1:]) * gain + bias


class EnsembleGPT(nn.Module):
    """E stacked width-D pre-LN transformers (see the module docstring); weights (E, …) in x @ W layout."""

    def __init__(self, params: dict[str, torch.Tensor], d: int, layers: int, width: int, mlp_ratio: int = 4) -> None:
        super().__init__()
        self.d, self.n_layers, self.width, self.mlp_ratio = d, layers, width, mlp_ratio
        self.params = nn.ParameterDict({k: nn.Parameter(v) for k, v in params.items()})

    LAYER_PARAMS = ("g_attn", "c_attn", "w_qkv", "b_qkv", "w_o", "b_o", "g_mlp", "c_mlp", "w_1", "b_1", "w_2", "b_2")

    @staticmethod
    def shapes(d: int, layers: int, width: int, mlp_ratio: int = 4) -> dict[str, tuple[int, ...]]:
        L, D, H = layers, width, mlp_ratio * width
        return {
            "w_in": (d + 1, D),
            "b_in": (1, D),
            "g_attn": (L, 1, D),
            "c_attn": (L, 1, D),
            "w_qkv": (L, D, 3 * D),
            "b_qkv": (L, 1, 3 * D),
            "w_o": (L, D, D),
            "b_o": (L, 1, D),
            "g_mlp": (L, 1, D),
            "c_mlp": (L, 1, D),
            "w_1": (L, D, H),
            "b_1": (L, 1, H),
            "w_2": (L, H, D),
            "b_2": (L, 1, D),
            "g_f": (1, D),
            "c_f": (1, D),
            "w_out": (D, 1),
            "b_out": (1, 1),
        }

    def forward(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        p, D = self.params, self.width
        tok = tokens(x, y)
        E, B, T, _ = tok.shape
        z = torch.baddbmm(p["b_in"], tok.reshape(E, B * T, -1), p["w_in"])
        layer = {name: p[name].unbind(1) for name in self.LAYER_PARAMS}  # one op per name, not one per layer
        for i in range(self.n_layers):
            h = _layernorm(z, layer["g_attn"][i], layer["c_attn"][i])
            q, k, v = torch.baddbmm(layer["b_qkv"][i], h, layer["w_qkv"][i]).reshape(E * B, T, 3 * D).split(D, dim=-1)
            a = nn.functional.scaled_dot_product_attention(q, k[:, :-1], v[:, :-1]).reshape(
                E, B * T, D
            )  # softmax(q kᵀ/√D) v
            z = z + torch.baddbmm(layer["b_o"][i], a, layer["w_o"][i])
            h = _layernorm(z, layer["g_mlp"][i], layer["c_mlp"][i])
            hidden = nn.functional.gelu(torch.baddbmm(layer["b_1"][i], h, layer["w_1"][i]))
            z = z + torch.baddbmm(layer["b_2"][i], hidden, layer["w_2"][i])
        zq = _layernorm(z.reshape(E, B, T, D)[:, :, -1], p["g_f"], p["c_f"])
        return torch.baddbmm(p["b_out"], zq, p["w_out"]).squeeze(-1)


@dataclasses.dataclass(frozen=True, kw_only=True)
class EnsembleConfig:
    """Everything that determines an ensemble's results (the device does not, up to float tolerance).

    ``model``: ``lsa`` (token width d+1; ``width`` must be None) or ``gpt`` (``width`` D); task fields as
    :class:`~iclverify.empirics.training.tasks.Task`; training: ``steps`` AdamW steps on fresh minibatches of
    ``batch_size`` contexts, learning rate warmed up linearly over the first ``warmup`` fraction then cosine
    to 0, gradients clipped to norm ``clip`` per member; ``seeds``: one member per seed;
    ``converge_window``/``converge_rtol``: the engine's convergence rule
    (:class:`~iclverify.empirics.training.engine.StopRule`; 0: exactly ``steps``).
    """

    model: str = "gpt"
    layers: int = 1
    width: int | None = None
    scaling: str = "mehta-gupta"
    structure: str = "full"
    task: str = "linear"
    d: int = 4
    ell: int = 8
    rho: float = 0.01
    s: int = 1
    h: int = 1
    steps: int = 1000
    batch_size: int = 64
    lr: float = 3e-3
    warmup: float = 0.05
    weight_decay: float = 0.0
    clip: float = 1.0
    init_scale: float = 1.0
    dtype: str = "float32"
    test_contexts: int = 2000
    seeds: tuple[int, ...] = (0,)
    converge_window: int = 0
    converge_rtol: float = 0.0

    def __post_init__(self) -> None:
        if self.model not in MODELS:
            raise ParameterError(f"model must be one of {', '.join(MODELS)}, got {self.model!r}")
        for name in ("layers", "steps", "batch_size", "test_contexts"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 1:
                raise ParameterError(f"{name} must be a positive integer, got {v!r}")
        if self.model == "lsa":
            if self.width is not None:
                raise ParameterError("linear self-attention has no embedding: its width is d+1 (leave width=None)")
            if self.scaling not in ("unit", "mehta-gupta"):
                raise ParameterError(f"scaling must be 'unit' or 'mehta-gupta', got {self.scaling!r}")
            if self.structure not in ("full", "gd-blocks"):
                raise ParameterError(f"structure must be 'full' or 'gd-blocks', got {self.structure!r}")
        elif self.structure != "full":
            raise ParameterError("structure applies to linear self-attention only")
        elif isinstance(self.width, bool) or not isinstance(self.width, (int, np.integer)) or self.width < 2:
            raise ParameterError(f"a gpt model needs an integer width >= 2, got {self.width!r}")
        _ = self.task_spec  # validates the task fields
        for name, low_open in (("lr", True), ("weight_decay", False), ("clip", True), ("init_scale", True)):
            v = float(getattr(self, name))
            if not math.isfinite(v) or v < 0 or (low_open and v == 0):
                raise ParameterError(
                    f"{name} must be a finite number {'> 0' if low_open else '>= 0'}, got {getattr(self, name)!r}"
                )
        if not 0 <= float(self.warmup) < 1:
            raise ParameterError(f"warmup must be a fraction in [0, 1), got {self.warmup!r}")
        if self.dtype not in ("float32", "float64"):
            raise ParameterError(f"dtype must be float32 or float64, got {self.dtype!r}")
        seeds = tuple(check_seed(s) for s in self.seeds)
        if not seeds or len(set(seeds)) != len(seeds):
            raise ParameterError(f"seeds must be distinct and at least one, got {self.seeds!r}")
        object.__setattr__(self, "seeds", seeds)
        _ = self.stop_rule  # validates the convergence fields

    @property
    def stop_rule(self) -> StopRule:
        """``steps`` is the cap; ``converge_window`` > 0 adds the engine's convergence rule."""
        return StopRule(max_steps=self.steps, window=self.converge_window, rtol=self.converge_rtol)

    @property
    def task_spec(self) -> Task:
        return Task(name=self.task, d=self.d, ell=self.ell, rho=self.rho, s=self.s, h=self.h)

    @property
    def N(self) -> int:
        """The summary's size variable L·d (d = the model width: D, or d+1 for linear attention)."""
        return self.layers * (self.width if self.width is not None else self.d + 1)

    def lr_at(self, step: int) -> float:
        """Linear warm-up over ⌈warmup·steps⌉ steps, then cosine decay to 0."""
        warm = math.ceil(self.warmup * self.steps)
        if step < warm:
            return self.lr * (step + 1) / warm
        return self.lr * 0.5 * (1 + math.cos(math.pi * (step - warm) / max(1, self.steps - warm)))

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    def replace(self, **changes: Any) -> EnsembleConfig:
        return dataclasses.replace(self, **changes)


def build_ensemble(config: EnsembleConfig) -> nn.Module:
    """The ensemble at its initial weights (on the CPU, in ``config.dtype``)."""
    dtype = getattr(torch, config.dtype)
    if config.model == "lsa":
        shapes = EnsembleLSA.shapes(config.d, config.layers)
        return EnsembleLSA(
            _stack_init(shapes, config.seeds, config.init_scale, dtype),
            config.d,
            config.layers,
            config.scaling,
            config.structure,
        )
    width = int(config.width or 0)  # validated: a gpt model has an integer width >= 2
    shapes = EnsembleGPT.shapes(config.d, config.layers, width)
    return EnsembleGPT(_stack_init(shapes, config.seeds, config.init_scale, dtype), config.d, config.layers, width)


def member_parameter_count(model: nn.Module) -> int:
    """Trainable scalars of one member."""
    return sum(p[0].numel() for p in model.parameters())


def _batch(
    config: EnsembleConfig, stream: str, n: int, dtype: Any, device: Any, *extra: int
) -> tuple[list[Any], tuple[torch.Tensor, torch.Tensor, torch.Tensor]]:
    """Each member's ``n`` contexts from its own stream, stacked: x (E, n, ℓ+1, d), y (E, n, ℓ), target (E, n)."""
    task = config.task_spec
    parts = [task.sample(torch_generator(seed, stream, *extra), n, dtype=dtype) for seed in config.seeds]
    x, y, target = (torch.stack([getattr(b, f) for b in parts]).to(device) for f in ("x", "y", "target"))
    return parts, (x, y, target)


def training_losses(config: EnsembleConfig, model: nn.Module, device: Any) -> Callable[[int], torch.Tensor]:
    """``step`` → the (E,) mean squared errors of the members on their own fresh minibatches of that step
    (stream ``(seed, "mg-train", step)``): the loss the engine trains on."""
    dtype = getattr(torch, config.dtype)

    def losses(step: int) -> torch.Tensor:
        _, (x, y, target) = _batch(config, "mg-train", config.batch_size, dtype, device, step)
        return ((model(x, y) - target) ** 2).mean(dim=1)

    return losses


def evaluate(model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Predictions (E, n) in chunks, without gradients."""
    with torch.no_grad():
        return torch.cat(
            [model(x[:, i : i + EVAL_CHUNK], y[:, i : i + EVAL_CHUNK]) for i in range(0, x.shape[1], EVAL_CHUNK)], dim=1
        )


def _lsa_probes(model: EnsembleLSA, x: torch.Tensor, y: torch.Tensor) -> list[list[dict[str, float]]]:
    """Per member and layer: the GD reading of the weights (implied η, distance from GD form, anisotropy)
    and the step fitted to the layer's update of the query on the test contexts."""
    from iclverify.empirics.training import gd_construction as gdc

    with torch.no_grad():
        states = [s.double().cpu() for s in model.states(x[:, :512], y[:, :512])]
    out = []
    for e in range(x.shape[0]):
        rows = []
        for i, w in enumerate(model.member_weights(e)):
            read = gdc.implied_step(
                W_K=w["K"],
                W_Q=w["Q"],
                W_V=w["V"],
                d_x=model.d,
                attn_scale=model.attn_scale,
                residual_scale=model.residual_scale,
            )
            try:
                fitted = gdc.fitted_step(states[i][e].transpose(-1, -2), states[i + 1][e].transpose(-1, -2))
            except ParameterError:
                fitted = float("nan")
            rows.append(
                {
                    "eta_implied": read.eta,
                    "distance": read.distance,
                    "anisotropy": read.anisotropy,
                    "eta_fitted": fitted,
                }
            )
        out.append(rows)
    return out


def _step_work(config: EnsembleConfig) -> int:
    """Multiply-adds of one training step of the ensemble, to leading order."""
    width = config.width if config.width is not None else config.d + 1
    per_layer = 12 if config.model == "gpt" else 3
    return len(config.seeds) * config.batch_size * (config.ell + 1) * width**2 * config.layers * per_layer


def _threads(config: EnsembleConfig) -> int | None:
    """1 thread unless a step is large: these steps are too small to split, and on a shared machine idle
    worker threads slow them down many-fold (measured: 7× slower with 2 threads at 2e7 multiply-adds)."""
    return 1 if _step_work(config) < BIG_STEP else None


def train_ensemble(
    config: EnsembleConfig,
    *,
    device: str = "auto",
    cache: ResultCache | None = None,
    progress: Progress | None = None,
    checkpoint_seconds: float = 60.0,
) -> list[dict[str, Any]]:
    """Train the ensemble (or read it from ``cache``); one result dict per member, in ``config.seeds`` order.

    Each result: ``seed``, ``test_mse`` and ``test_se`` (fresh-task test contexts), ``success`` (fraction
    with |ŷ − y| < 0.5), ``baselines`` (mean squared error of each reference predictor on the same
    contexts) and ``paired`` (mean and standard error of model − baseline per context),
    ``baseline_success`` (their success rates), ``initial_test_mse``, ``loss_history`` (mean training loss over
    each twentieth of the run), ``steps`` (taken), ``converged`` and ``stop_rule``,
    ``parameters`` (one member), ``N``, ``steps``, ``seconds`` (the ensemble's wall time), ``device``;
    linear attention adds ``layers_probe`` (per layer: ``eta_implied``, ``distance``, ``anisotropy``,
    ``eta_fitted``).
    """
    key = config.to_dict()
    if cache is not None and (hit := cache.get(NAMESPACE, key, schema=SCHEMA)) is not None:
        return list(hit["members"])
    dev = pick_device(device)
    with torch_threads(_threads(config) if dev.type == "cpu" else None):
        members = _train(config, dev, cache, progress, checkpoint_seconds)
    if cache is not None:
        members = list(cache.put(NAMESPACE, key, {"members": members}, schema=SCHEMA)["members"])
        cache.path(NAMESPACE, key, schema=SCHEMA, suffix=".ckpt.pt").unlink(missing_ok=True)
    return members


def _ensemble_task(config: Mapping[str, Any], *, device: str, cache: ResultCache | None) -> dict[str, Any]:
    """One ensemble as a sweep task (module level: it runs in worker processes)."""
    return {"members": train_ensemble(EnsembleConfig(**config), device=device, cache=cache)}


def train_ensembles(
    configs: Sequence[EnsembleConfig],
    *,
    device: str = "auto",
    cache: ResultCache | None = None,
    progress: Progress | None = None,
    workers: int | None = None,
    description: str = "ensembles",
) -> list[list[dict[str, Any]]]:
    """:func:`train_ensemble` for every configuration (one ensemble per shape), in order.

    All configurations are submitted at once to the runtime's executor
    (:func:`iclverify.runtime.executors.default_executor`: a Dask cluster under ``--scheduler``, else a
    local pool of ``workers`` processes — default :func:`~iclverify.runtime.parallel.default_workers` on
    a CPU for sweeps of at least ``PARALLEL_WORK`` multiply-adds, else one; one process on a GPU); with one
    worker and no scheduler they train here, one after another.
    Each task reads and writes the shared cache itself (checkpoints, weights), so results are those of
    :func:`train_ensemble` however they are distributed.
    """
    from iclverify.runtime.executors import active_scheduler, default_executor
    from iclverify.runtime.parallel import default_workers
    from iclverify.runtime.sweep import execute_sweep

    if workers is None:
        small = sum(_step_work(c) * c.steps for c in configs) < PARALLEL_WORK
        workers = 1 if small or len(configs) < 2 or pick_device(device).type != "cpu" else default_workers()
    if workers == 1 and active_scheduler() is None:
        out = []
        for i, cfg in enumerate(configs):
            if progress is not None:
                progress(description, i, len(configs))
            out.append(train_ensemble(cfg, device=device, cache=cache, progress=progress))
        if progress is not None:
            progress(description, len(configs), len(configs))
        return out
    rows = execute_sweep(
        [c.to_dict() for c in configs],
        functools.partial(_ensemble_task, device=device, cache=cache),
        executor=default_executor(workers),
        namespace=NAMESPACE,
        cache=cache,
        schema=SCHEMA,
        progress=progress,
        description=description,
    )
    return [list(r["members"]) for r in rows]


def _train(
    config: EnsembleConfig, dev: Any, cache: ResultCache | None, progress: Progress | None, checkpoint_seconds: float
) -> list[dict[str, Any]]:
    start = time.perf_counter()
    dtype = getattr(torch, config.dtype)
    E = len(config.seeds)
    model = build_ensemble(config).to(dev)
    params = {k: p for k, p in model.named_parameters()}
    test_parts, (tx, ty, tt) = _batch(config, "mg-test", config.test_contexts, dtype, dev)
    key = config.to_dict()
    ckpt = cache.path(NAMESPACE, key, schema=SCHEMA, suffix=".ckpt.pt") if cache is not None else None
    state, initial = None, None
    saved = load_torch(ckpt, map_location=dev, report=cache.quarantine) if ckpt is not None and cache else None
    if saved is not None:
        model.load_state_dict(saved["model"])
        state, initial = EngineState.from_dict(saved["engine"]), saved["initial"]
    if initial is None:
        initial = ((evaluate(model, tx, ty) - tt) ** 2).double().mean(dim=1).cpu().tolist()
    rule = config.stop_rule
    last_save = [time.perf_counter()]

    losses = training_losses(config, model, dev)

    def after_step(st: EngineState) -> None:
        step, cap = st.step, config.steps
        if progress is not None and (step % max(1, cap // 50) == 0 or not any(st.active)):
            progress(f"training {config.model} L={config.layers} N={config.N} ×{E}", step, cap)
        if ckpt is not None and any(st.active) and time.perf_counter() - last_save[0] > checkpoint_seconds:
            save_torch({"model": model.state_dict(), "engine": st.to_dict(), "initial": initial}, ckpt)
            last_save[0] = time.perf_counter()

    st = fit(
        params,
        losses,
        lr=lambda step: torch.full((E,), config.lr_at(step), dtype=torch.float64),
        stop=[rule] * E,
        weight_decay=config.weight_decay,
        clip=config.clip,
        state=state,
        after_step=after_step,
        chunk=max(1, config.steps // 20),
    )
    pred = evaluate(model, tx, ty).double().cpu()
    target = tt.double().cpu()
    probes = _lsa_probes(model, tx, ty) if isinstance(model, EnsembleLSA) else None
    if cache is not None:
        save_torch(
            {k: v.detach().cpu() for k, v in model.state_dict().items()},
            cache.path(NAMESPACE, key, schema=SCHEMA, suffix=".model.pt"),
        )
    seconds = time.perf_counter() - start
    out = []
    task = config.task_spec
    chunk = st.chunk
    for e, seed in enumerate(config.seeds):
        err = ((pred[e] - target[e]) ** 2).numpy()
        base = task.baselines(test_parts[e])
        row = {
            "seed": seed,
            "test_mse": float(err.mean()),
            "test_se": float(err.std(ddof=1) / math.sqrt(len(err))),
            "success": success_rate(pred[e].numpy(), target[e].numpy()),
            "baselines": {k: float(v.mean()) for k, v in base.items()},
            "baseline_success": {k: float(np.mean(v < SUCCESS_MARGIN**2)) for k, v in base.items()},
            "paired": {
                k: [float((err - v).mean()), float((err - v).std(ddof=1) / math.sqrt(len(err)))]
                for k, v in base.items()
            },
            "initial_test_mse": initial[e],
            "loss_history": [
                {"step": min((i + 1) * chunk, st.stopped_at[e] or config.steps), "loss": h}
                for i, h in enumerate(st.history[e])
            ],
            "parameters": member_parameter_count(model),
            "N": config.N,
            "steps": st.stopped_at[e],
            "converged": st.converged[e],
            "stop_rule": rule.describe(),
            "seconds": seconds,
            "device": str(dev),
        }
        if probes is not None:
            row["layers_probe"] = probes[e]
        out.append(row)
    return out


def load_ensemble(config: EnsembleConfig, cache: ResultCache, *, device: str = "cpu") -> nn.Module | None:
    """The trained ensemble of a finished, cached configuration (``None`` if it has not been run)."""
    weights = load_torch(cache.path(NAMESPACE, config.to_dict(), schema=SCHEMA, suffix=".model.pt"))
    if weights is None:
        return None
    model = build_ensemble(config)
    model.load_state_dict(weights)
    return model.to(pick_device(device))
