r"""Width sweep of the empirical NTK's smallest eigenvalue for the Mehta & Gupta transformers.

For every shape (L, D) of a sweep and every seed, the model of the MG protocol (:class:`MGProtocol`'s
ensemble: :class:`~iclverify.empirics.training.ensemble.EnsembleGPT` by default) is probed on n contexts of
its task drawn from the stream ``(seed, "mg-ntk-probe")`` — the same contexts at every width for a seed —
and the spectrum of the Gram matrix H_ij = ⟨∂f(x_i)/∂θ, ∂f(x_j)/∂θ⟩ (:mod:`iclverify.empirics.training.ntk`,
float64) is recorded, at two phases:

* ``init`` — the initial weights, drawn in float64 from the member's stream ``(seed, "mg-init")`` (the
  trained models start from the same draw, rounded to the protocol's dtype);
* ``trained`` — after the protocol's training (:func:`~iclverify.empirics.training.ensemble.train_ensembles`,
  the same cached ensembles as :func:`~iclverify.empirics.experiments.mg_protocol.shape_rows`), weights
  cast to float64.

For the GPT model the same network's kernel in the NTK parametrisation (W = ω/√fan_in, the kernel in ω: each
weight matrix's block of H scaled by 1/fan_in) is recorded as well (``ntkp_lambda_min``, …): the width
dependence of λ_min is a property of the parametrisation, and the two kernels show how much.

Each (shape, phase) is cached under its ensemble configuration, the phase and n (namespace ``mg-ntk``).

>>> p = MGProtocol(steps=20, test_contexts=50)
>>> rows = ntk_rows(p, [(1, 4), (1, 8)], seeds=(0, 1), phases=("init",), contexts=6, device="cpu")
>>> [(r["D"], r["seed"], r["phase"], r["n"]) for r in rows]
[(4, 0, 'init', 6), (4, 1, 'init', 6), (8, 0, 'init', 6), (8, 1, 'init', 6)]
>>> all(0 < r["lambda_min"] <= r["trace_over_n"] <= r["lambda_max"] for r in rows)
True
"""

from __future__ import annotations

import contextlib
import tempfile
import time
from collections.abc import Iterator, Sequence
from typing import Any

import torch

from iclverify.empirics.experiments.mg_protocol import MGProtocol
from iclverify.empirics.training.ensemble import (
    EnsembleConfig,
    build_ensemble,
    load_ensemble,
    member_parameter_count,
    train_ensembles,
)
from iclverify.empirics.training.ntk import fan_in_scales, gram, jacobian, member_function, spectrum
from iclverify.empirics.training.train import torch_threads
from iclverify.runtime.cache import ResultCache
from iclverify.runtime.errors import ParameterError
from iclverify.runtime.seeding import torch_generator
from iclverify.runtime.sweep import Progress
from iclverify.runtime.validation import one_of

__all__ = ["NAMESPACE", "PHASES", "PROBE_STREAM", "ensemble_ntk", "ntk_rows", "probe_contexts"]

NAMESPACE = "mg-ntk"
SCHEMA = 3  # 2: the NTK parametrisation's spectrum too; 3: trained rows carry the test MSE
PROBE_STREAM = "mg-ntk-probe"
PHASES = ("init", "trained")


def probe_contexts(config: EnsembleConfig, seed: int, n: int) -> tuple[torch.Tensor, torch.Tensor]:
    """n contexts of the configuration's task from the stream ``(seed, PROBE_STREAM)``: x (n, ℓ+1, d), y (n, ℓ),
    float64; they depend on the seed and the task only, not on the model's shape."""
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ParameterError(f"the number of probe contexts must be a positive integer, got {n!r}")
    batch = config.task_spec.sample(torch_generator(seed, PROBE_STREAM), n, dtype=torch.float64)
    return batch.x, batch.y


def ensemble_ntk(model: torch.nn.Module, config: EnsembleConfig, n: int) -> list[dict[str, Any]]:
    """Per member of a (float64, CPU) ensemble: the spectrum of its NTK Gram matrix on its n probe contexts; for
    the GPT model also (keys ``ntkp_…``) that of the same network's kernel in the NTK parametrisation (every
    weight matrix's block scaled by 1/fan_in: :func:`~iclverify.empirics.training.ntk.fan_in_scales`)."""
    out = []
    for e, seed in enumerate(config.seeds):
        x, y = probe_contexts(config, seed, n)
        fn, theta = member_function(model, e)
        J = jacobian(fn, theta, x, y)
        row = {"seed": seed, **spectrum(gram(J))}
        if config.model == "gpt":
            row |= {f"ntkp_{k}": v for k, v in spectrum(gram(J, fan_in_scales(theta))).items() if k != "n"}
        out.append(row)
    return out


@contextlib.contextmanager
def _weights_cache(cache: ResultCache | None) -> Iterator[ResultCache]:
    """The cache that keeps trained weights: ``cache``, else a temporary one for this call."""
    if cache is not None:
        yield cache
        return
    with tempfile.TemporaryDirectory(prefix="iclverify-ntk-") as root:
        yield ResultCache(root)


def _trained(
    config: EnsembleConfig, cache: ResultCache, *, device: str, progress: Progress | None
) -> tuple[torch.nn.Module, list[dict[str, Any]]]:
    """The trained ensemble and its members' results from ``cache``; retrained in a temporary cache when only its
    results (no weights) are there (an entry written before weights were kept, or weights removed)."""
    members = train_ensembles([config], device=device, cache=cache, progress=progress, workers=1)[0]
    loaded = load_ensemble(config, cache, device="cpu")
    if loaded is not None:
        return loaded, members
    with _weights_cache(None) as fresh:
        members = train_ensembles(
            [config], device=device, cache=fresh, progress=progress, workers=1, description="ntk: training"
        )[0]
        again = load_ensemble(config, fresh, device="cpu")
    if again is None:  # pragma: no cover - train_ensemble always writes the weights of a run it caches
        raise ParameterError(f"no trained weights for {config.model} L={config.layers} width={config.width}")
    return again, members


def ntk_rows(
    protocol: MGProtocol,
    shapes: Sequence[tuple[int, int]],
    *,
    seeds: Sequence[int],
    phases: Sequence[str] = PHASES,
    contexts: int = 32,
    model: str = "gpt",
    device: str = "auto",
    cache: ResultCache | None = None,
    progress: Progress | None = None,
    workers: int | None = None,
    **task: Any,
) -> list[dict[str, Any]]:
    """One row per (phase, shape, seed), phases in the given order, then shapes, then seeds: ``phase``, ``L``,
    ``D``, ``seed``, ``params`` (one member), the spectrum (``lambda_min``, ``lambda_max``, ``trace_over_n``,
    ``condition``, ``n``), for ``gpt`` the NTK parametrisation's ``ntkp_lambda_min``, ``ntkp_lambda_max``,
    ``ntkp_trace_over_n``, ``ntkp_condition``; for ``trained`` the model's ``test_mse`` and ``initial_test_mse``
    (:func:`~iclverify.empirics.training.ensemble.train_ensemble`'s fresh-task test set); and ``seconds`` (the NTK
    computation of the shape's ensemble)."""
    for phase in phases:
        one_of("phase", phase, PHASES)
    if getattr(protocol, "pretrain_contexts", None) is not None:
        raise ParameterError("the NTK sweep trains online only: give a protocol without pretrain_contexts")
    configs = [protocol.config(model=model, layers=L, width=D, seeds=seeds, **task) for L, D in shapes]
    keys = {
        (phase, i): {"ensemble": c.to_dict(), "phase": phase, "contexts": contexts, "probe": PROBE_STREAM}
        for phase in phases
        for i, c in enumerate(configs)
    }
    done: dict[tuple[str, int], list[dict[str, Any]]] = {}
    if cache is not None:
        for k, key in keys.items():
            if (hit := cache.get(NAMESPACE, key, schema=SCHEMA)) is not None:
                done[k] = list(hit["rows"])
    todo = [k for k in keys if k not in done]
    with _weights_cache(cache) as weights:
        need_training = sorted({i for phase, i in todo if phase == "trained"})
        if need_training:
            train_ensembles(
                [configs[i] for i in need_training],
                device=device,
                cache=weights,
                progress=progress,
                workers=workers,
                description="ntk: training",
            )
        for j, (phase, i) in enumerate(todo):
            if progress is not None:
                progress("ntk: Gram matrices", j, len(todo))
            cfg = configs[i]
            extra: dict[int, dict[str, Any]] = {}
            if phase == "init":
                net = build_ensemble(cfg.replace(dtype="float64"))
            else:
                trained, members = _trained(cfg, weights, device=device, progress=progress)
                net = trained.double()
                extra = {
                    m["seed"]: {"test_mse": m["test_mse"], "initial_test_mse": m["initial_test_mse"]} for m in members
                }
            start = time.perf_counter()
            with torch_threads(1):
                spectra = ensemble_ntk(net, cfg, contexts)
            seconds = time.perf_counter() - start
            L, D = shapes[i]
            rows = [
                {
                    "phase": phase,
                    "L": L,
                    "D": D,
                    "params": member_parameter_count(net),
                    **s,
                    **extra.get(s["seed"], {}),
                    "seconds": seconds,
                }
                for s in spectra
            ]
            done[(phase, i)] = rows
            if cache is not None:
                cache.put(NAMESPACE, keys[(phase, i)], {"rows": rows}, schema=SCHEMA)
    if progress is not None and todo:
        progress("ntk: Gram matrices", len(todo), len(todo))
    return [row for k in keys for row in done[k]]
