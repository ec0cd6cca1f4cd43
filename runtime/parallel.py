"""Process-parallel, cached, resumable sweeps, each worker on single-threaded BLAS.

Independent Monte Carlo runs parallelise perfectly across processes, while the small, skinny GEMMs
of one run gain little from BLAS threads — and on a shared machine OpenBLAS threads spin-wait for each
other and can slow a run ten-fold. So workers are started (``spawn``) with ``OPENBLAS_NUM_THREADS=1``
(and the OpenMP/MKL equivalents) and each takes whole runs. The pool is created once per process and
reused; a worker that dies is replaced and its runs resubmitted. Semantics match
:func:`iclverify.runtime.sweep.run_sweep`: cached configurations are read, the others computed and
stored as soon as each finishes (in the parent), so an interruption loses only the runs in flight.
Results do not depend on the number of workers (every run has its own streams).

``workers`` defaults to ``$ICLVERIFY_WORKERS``, else the number of CPUs.

>>> import tempfile
>>> from iclverify.runtime.cache import ResultCache
>>> cache = ResultCache(tempfile.mkdtemp())
>>> [r["y"] for r in run_sweep_parallel([{"x": 2}, {"x": 3}], _square, namespace="sq", cache=cache, workers=1)]
[4, 9]
"""

from __future__ import annotations

import atexit
import multiprocessing
import os
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any

from iclverify.runtime.cache import ResultCache
from iclverify.runtime.errors import ConfigError
from iclverify.runtime.sweep import Progress, execute_sweep

__all__ = ["default_jobs", "default_workers", "pool", "run_sweep_parallel", "shutdown_pool", "spawn_pool"]

BLAS_ENV = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
_POOL: dict[str, Any] = {"executor": None, "workers": 0}


def _positive_env(name: str) -> int | None:
    env = os.environ.get(name)
    if env is None:
        return None
    try:
        value = int(env)
    except ValueError:
        raise ConfigError(f"{name} must be a positive integer, got {env!r}") from None
    if value < 1:
        raise ConfigError(f"{name} must be a positive integer, got {env!r}")
    return value


def default_workers() -> int:
    """``$ICLVERIFY_WORKERS`` if set (a positive integer), else the number of CPUs."""
    value = _positive_env("ICLVERIFY_WORKERS")
    return value if value is not None else max(1, os.cpu_count() or 1)


def default_jobs() -> int:
    """Claims run side by side by ``verify``: ``$ICLVERIFY_JOBS`` if set (a positive integer), else the
    number of CPUs."""
    value = _positive_env("ICLVERIFY_JOBS")
    return value if value is not None else max(1, os.cpu_count() or 1)


def spawn_pool(workers: int, *, env: Mapping[str, str] | None = None) -> ProcessPoolExecutor:
    """A new pool of ``workers`` spawned processes, all started now, with single-threaded BLAS and ``env``
    set in their environment (this process's environment is left as it was)."""
    extra = {k: "1" for k in BLAS_ENV} | dict(env or {})
    saved = {k: os.environ.get(k) for k in extra}
    os.environ.update(extra)  # inherited by the spawned workers only
    try:
        executor = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"))
        # every submit finding no idle worker spawns one: start them all now, while the environment is set
        for fut in [executor.submit(int, 0) for _ in range(workers)]:
            fut.result()
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    return executor


def pool(workers: int) -> ProcessPoolExecutor:
    """The shared pool of ``workers`` spawned processes with single-threaded BLAS (created on first use)."""
    if _POOL["executor"] is not None and _POOL["workers"] == workers:
        return _POOL["executor"]
    shutdown_pool()
    executor = spawn_pool(workers)
    _POOL.update(executor=executor, workers=workers)
    return executor


def shutdown_pool() -> None:
    """Stop the worker processes (they are also stopped at exit)."""
    executor = _POOL["executor"]
    if executor is not None:
        executor.shutdown(wait=False, cancel_futures=True)
    _POOL.update(executor=None, workers=0)


atexit.register(shutdown_pool)


def run_sweep_parallel(
    configs: Sequence[Mapping[str, Any]],
    compute: Callable[[Mapping[str, Any]], Mapping[str, Any]],
    *,
    namespace: str,
    cache: ResultCache | None,
    schema: int = 1,
    progress: Progress | None = None,
    description: str = "",
    workers: int | None = None,
) -> list[dict[str, Any]]:
    """Results for every configuration, in order (``compute`` must be a module-level function).

    Runs on the active Dask scheduler when a command chose one (``--scheduler``), else on ``workers``
    local processes (in-process for one worker or fewer than two configurations to compute).
    """
    from iclverify.runtime.executors import default_executor

    n_workers = default_workers() if workers is None else workers
    pending = len(configs) if cache is None else sum(not cache.contains(namespace, c, schema=schema) for c in configs)
    executor = default_executor(n_workers if pending >= 2 else 1)
    return execute_sweep(
        configs,
        compute,
        executor=executor,
        namespace=namespace,
        cache=cache,
        schema=schema,
        progress=progress,
        description=description,
    )


def _square(cfg: Mapping[str, Any]) -> dict[str, Any]:
    return {"y": cfg["x"] ** 2}
