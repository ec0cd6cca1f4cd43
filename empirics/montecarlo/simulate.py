r"""Experiment runners: finite-d :math:`\Gamma^*` runs and dMMSE runs, cached and resumable.

A :math:`\Gamma^*` run at dimension ``d`` for :class:`~iclverify.theory.params.LuParams` uses the sizes of
:func:`~iclverify.empirics.montecarlo.sampling.lu_sizes` (:math:`\ell = \mathrm{round}(\alpha d)`, :math:`n =
\mathrm{round}(\tau d^2)`,
:math:`k = \mathrm{round}(\kappa d)`; ``rounding="floor"`` floors them, Lu et al.'s convention), draws ``k``
training tasks on the :math:`\sqrt d`-sphere (``κ = ∞``: a fresh
task per context) and ``n`` pretraining contexts (exact-law features by default, explicit tokens with
``sampler="explicit"``), fits :math:`\Gamma^*`
(:class:`~iclverify.empirics.montecarlo.reduced_model.RidgeGamma`, ``λ = 0``
meaning the minimum-norm limit) and evaluates the exact finite-d errors
(:mod:`~iclverify.empirics.montecarlo.test_error`): ICL on fresh sphere tasks, IDG on the uniform law over the
training tasks (``κ = ∞``: over the ``n`` tasks the contexts used). No test-set noise enters: the
spread over runs is the spread of :math:`\Gamma^*` itself.

Every run has its own random streams ``rng(seed, "lu2024.gamma", <config>, run)``; results are stored in
the :class:`~iclverify.runtime.cache.ResultCache` one run at a time through
:func:`~iclverify.runtime.parallel.run_sweep_parallel` (worker processes with single-threaded BLAS for
big runs), so an interrupted sweep resumes where it stopped.

The CG tolerance defaults to ``1e-5`` (relative residual of the normal equations, checked in float64)
with mixed precision (float32 CG, float64 finish): the error it leaves in :math:`e(\Gamma^*)` was measured
at most ``2.3e-6`` (d = 32, 64; α = τ = 10), and in :math:`g_{\rm task}` below 0.1% of the 95% half-width
from 20 runs at every κ of Fig. 4 — so it does not change any interval.

>>> from iclverify.theory.params import LuParams
>>> pt = simulate_gamma(LuParams(tau=2, alpha=1, kappa="inf", rho="0.01"), d=8, runs=3, seed=0)
>>> pt.e_icl.n, pt.sizes["n"], pt.sizes["k"] is None
(3, 128, True)
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Mapping
from typing import Any

import numpy as np

from iclverify.empirics.montecarlo.baselines import dmmse_run_errors
from iclverify.empirics.montecarlo.exact_law import sample_features
from iclverify.empirics.montecarlo.features import context_features
from iclverify.empirics.montecarlo.reduced_model import RidgeGamma
from iclverify.empirics.montecarlo.sampling import ROUNDINGS, lu_sizes, sample_contexts, sample_tasks
from iclverify.empirics.montecarlo.test_error import e_icl, error_functional, task_set_moments
from iclverify.numerics.stats.intervals import MeanCI, mean_ci
from iclverify.runtime.cache import ResultCache
from iclverify.runtime.errors import ParameterError
from iclverify.runtime.parallel import default_workers, run_sweep_parallel
from iclverify.runtime.seeding import check_seed, rng
from iclverify.runtime.sweep import Progress
from iclverify.runtime.validation import integer, nonnegative_int, one_of, positive_real
from iclverify.theory.params import LuParams

__all__ = [
    "DmmsePoint",
    "GammaPoint",
    "dmmse_chunk",
    "gamma_run",
    "simulate_dmmse",
    "simulate_gamma",
]

GAMMA_NAMESPACE = "lu2024.gamma-run"
DMMSE_NAMESPACE = "lu2024.dmmse-chunk"
SCHEMA = 1
SAMPLERS = ("exact", "explicit")
DMMSE_CHUNK = 250
PARALLEL_WORK = 100_000  # n d² of a run from which runs go to worker processes by default


def _param_config(params: LuParams) -> dict[str, str]:
    return params.as_strings()


def gamma_config(
    params: LuParams,
    *,
    d: int,
    seed: int,
    run: int,
    sampler: str = "exact",
    tol: float = 1e-5,
    precision: str = "mixed",
    rounding: str = "round",
) -> dict[str, Any]:
    """The cache key of one run: parameters as exact strings, sizes, seed, run, sampler, tolerance, size rounding."""
    return {
        **_param_config(params),
        "d": integer("d", d, low=2),
        "seed": check_seed(seed),
        "run": nonnegative_int("run", run),
        "sampler": one_of("sampler", sampler, SAMPLERS),
        "tol": float(tol),
        "precision": precision,
        "law": "sphere",
        "assignment": "balanced",
        "rounding": one_of("rounding", rounding, ROUNDINGS),
    }


def params_from_strings(values: Mapping[str, Any]) -> LuParams:
    """Inverse of :meth:`LuParams.as_strings` (``'1/100'``, ``'inf'``)."""
    exact: dict[str, Any] = {k: str(values[k]) for k in ("tau", "alpha", "kappa", "rho", "lam")}
    return LuParams(**exact)


def gamma_run(config: Mapping[str, Any]) -> dict[str, Any]:
    """One :math:`\\Gamma^*` run (see the module doc); ``config`` as made by :func:`gamma_config`."""
    params = params_from_strings(config)
    p = params.as_floats()
    d, seed, run = int(config["d"]), int(config["seed"]), int(config["run"])
    sizes = lu_sizes(d, tau=p["tau"], alpha=p["alpha"], kappa=p["kappa"], rounding=config.get("rounding", "round"))
    ell, n, k = sizes["ell"], sizes["n"], sizes["k"]
    assert ell is not None and n is not None
    key: tuple[str | int, ...] = (
        "lu2024.gamma",
        *(str(config[f]) for f in ("tau", "alpha", "kappa", "rho", "lam")),
        d,
        run,
    )
    start = time.perf_counter()
    tasks = None if k is None else sample_tasks(rng(seed, *key, "tasks"), k=k, d=d, law="sphere")
    data_rng = rng(seed, *key, "train")
    if config["sampler"] == "exact":
        normals = np.float32 if config["precision"] == "mixed" else np.float64
        feats = sample_features(
            data_rng, d=d, ell=ell, n=n, tasks=tasks, rho=p["rho"], fresh_law="sphere", normals=normals
        )
    else:
        feats = context_features(
            sample_contexts(data_rng, d=d, ell=ell, n=n, tasks=tasks, rho=p["rho"], fresh_law="sphere")
        )
    sample_s = time.perf_counter() - start
    model = RidgeGamma(lam=p["lam"], tol=float(config["tol"]), precision=config["precision"]).fit(feats)
    solve_s = model.seconds_
    gamma = model.gamma_
    icl = e_icl(gamma, ell=ell, rho=p["rho"], law="sphere")
    idg = error_functional(gamma, task_set_moments(feats.w if tasks is None else tasks, p["rho"]), ell=ell)
    return {
        "e_icl": icl,
        "e_idg": idg,
        "g_task": icl - idg,
        "ell": ell,
        "n": n,
        "k": k,
        "sample_seconds": sample_s,
        "solve_seconds": solve_s,
        "seconds": time.perf_counter() - start,
        **{f"solver_{key}": value for key, value in model.info().items() if key != "seconds"},
    }


@dataclasses.dataclass(frozen=True, kw_only=True)
class GammaPoint:
    """Finite-d :math:`\\Gamma^*` errors at one parameter point: intervals over ``runs`` independent runs."""

    params: LuParams
    d: int
    seed: int
    sizes: dict[str, int | None]
    e_icl: MeanCI
    e_idg: MeanCI
    g_task: MeanCI
    runs: list[dict[str, Any]]
    rounding: str = "round"

    def evidence(self) -> dict[str, Any]:
        """JSON-able summary for verdicts and CSV rows."""
        return {
            "params": self.params.as_strings(),
            "d": self.d,
            "seed": self.seed,
            "runs": len(self.runs),
            "rounding": self.rounding,
            **self.sizes,
            "e_icl": self.e_icl.as_dict(),
            "e_idg": self.e_idg.as_dict(),
            "g_task": self.g_task.as_dict(),
            "max_solver_residual": max(r["solver_residual"] for r in self.runs),
        }


def simulate_gamma(
    params: LuParams,
    *,
    d: int,
    runs: int,
    seed: int,
    cache: ResultCache | None = None,
    progress: Progress | None = None,
    sampler: str = "exact",
    tol: float = 1e-5,
    precision: str = "mixed",
    confidence: float = 0.95,
    first_run: int = 0,
    workers: int | None = None,
    rounding: str = "round",
) -> GammaPoint:
    """``runs`` independent :math:`\\Gamma^*` runs at ``params`` and dimension ``d`` (cached one by one).

    ``workers``: processes for the runs (:mod:`~iclverify.runtime.parallel`); ``None`` picks
    :func:`~iclverify.runtime.parallel.default_workers` when a run is big enough to repay a process
    (:math:`n d^2 \\ge 10^5`), else runs in-process. ``rounding``: how the sizes become integers
    (:func:`~iclverify.empirics.montecarlo.sampling.lu_sizes`)."""
    if not isinstance(params, LuParams):
        raise ParameterError(f"params must be LuParams, got {type(params).__name__}")
    runs = integer("runs", runs, low=2)
    configs = [
        gamma_config(
            params, d=d, seed=seed, run=first_run + r, sampler=sampler, tol=tol, precision=precision, rounding=rounding
        )
        for r in range(runs)
    ]
    label = (
        f"Γ* d={d} τ={float(params.tau):g} α={float(params.alpha):g} κ={float(params.kappa):g} λ={float(params.lam):g}"
    )
    p = params.as_floats()
    sizes = lu_sizes(d, tau=p["tau"], alpha=p["alpha"], kappa=p["kappa"], rounding=rounding)
    if workers is None:
        workers = default_workers() if (sizes["n"] or 0) * d * d >= PARALLEL_WORK else 1
    results = run_sweep_parallel(
        configs,
        gamma_run,
        namespace=GAMMA_NAMESPACE,
        cache=cache,
        schema=SCHEMA,
        progress=progress,
        description=label,
        workers=workers,
    )
    col = lambda name: np.array([float(r[name]) for r in results])  # noqa: E731
    return GammaPoint(
        params=params,
        d=d,
        seed=seed,
        sizes=sizes,
        e_icl=mean_ci(col("e_icl"), confidence),
        e_idg=mean_ci(col("e_idg"), confidence),
        g_task=mean_ci(col("g_task"), confidence),
        runs=results,
        rounding=rounding,
    )


def dmmse_chunk(config: Mapping[str, Any]) -> dict[str, Any]:
    """A chunk of dMMSE runs: per-run ICL and IDG errors (each run its own task set)."""
    d, ell, k, runs = (int(config[f]) for f in ("d", "ell", "k", "runs"))
    gen = rng(
        int(config["seed"]), "lu2024.dmmse", config["alpha"], config["kappa"], config["rho"], d, int(config["chunk"])
    )
    start = time.perf_counter()
    icl, idg = dmmse_run_errors(gen, d=d, ell=ell, k=k, rho=float(config["rho"]), runs=runs)
    return {"e_icl": icl.tolist(), "e_idg": idg.tolist(), "seconds": time.perf_counter() - start}


@dataclasses.dataclass(frozen=True, kw_only=True)
class DmmsePoint:
    """dMMSE errors at one ``(d, α, κ, ρ)``: intervals over independent runs."""

    d: int
    alpha: float
    kappa: float
    rho: float
    seed: int
    ell: int
    k: int
    e_icl: MeanCI
    e_idg: MeanCI
    g_task: MeanCI
    rounding: str = "round"

    def evidence(self) -> dict[str, Any]:
        return {
            "rounding": self.rounding,
            "d": self.d,
            "alpha": self.alpha,
            "kappa": self.kappa,
            "rho": self.rho,
            "seed": self.seed,
            "ell": self.ell,
            "k": self.k,
            "e_icl": self.e_icl.as_dict(),
            "e_idg": self.e_idg.as_dict(),
            "g_task": self.g_task.as_dict(),
        }


def simulate_dmmse(
    *,
    d: int,
    alpha: float,
    kappa: float,
    rho: float,
    runs: int,
    seed: int,
    cache: ResultCache | None = None,
    progress: Progress | None = None,
    confidence: float = 0.95,
    workers: int | None = None,
    rounding: str = "round",
) -> DmmsePoint:
    """``runs`` dMMSE runs (fresh task set, one ICL and one IDG test context each), cached in chunks;
    ``rounding`` as in :func:`simulate_gamma`."""
    kappa = positive_real("kappa", kappa)  # dMMSE needs a finite task set
    rho = positive_real("rho", rho)
    runs = integer("runs", runs, low=2)
    sizes = lu_sizes(d, tau=1.0, alpha=alpha, kappa=kappa, rounding=rounding)
    ell, k = sizes["ell"], sizes["k"]
    assert ell is not None and k is not None
    base = {
        "d": d,
        "ell": ell,
        "k": k,
        "alpha": repr(float(alpha)),
        "kappa": repr(float(kappa)),
        "rho": repr(float(rho)),
        "seed": check_seed(seed),
    }
    configs = [
        {**base, "chunk": i, "runs": min(DMMSE_CHUNK, runs - start)}
        for i, start in enumerate(range(0, runs, DMMSE_CHUNK))
    ]
    label = f"dMMSE d={d} α={float(alpha):g} κ={float(kappa):g}"
    if workers is None:
        workers = default_workers() if runs * k * d * d >= 50 * PARALLEL_WORK else 1
    results = run_sweep_parallel(
        configs,
        dmmse_chunk,
        namespace=DMMSE_NAMESPACE,
        cache=cache,
        schema=SCHEMA,
        progress=progress,
        description=label,
        workers=workers,
    )
    icl = np.concatenate([np.asarray(r["e_icl"], dtype=float) for r in results])
    idg = np.concatenate([np.asarray(r["e_idg"], dtype=float) for r in results])
    return DmmsePoint(
        d=d,
        alpha=float(alpha),
        kappa=float(kappa),
        rho=float(rho),
        seed=seed,
        ell=ell,
        k=k,
        e_icl=mean_ci(icl, confidence),
        e_idg=mean_ci(idg, confidence),
        g_task=mean_ci(icl - idg, confidence),
        rounding=rounding,
    )
