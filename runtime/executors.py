"""Where sweep tasks run: in this process, in a local process pool, or on a Dask cluster.

An executor takes every pending configuration of a sweep at once (so a cluster fills up) and yields
results as they finish. ``--scheduler`` chooses it for a whole command (:func:`use_scheduler`):

* absent → today's behaviour (in-process, or the local pool of :mod:`iclverify.runtime.parallel`);
* ``local`` → a Dask ``LocalCluster`` on this machine (one single-threaded worker process per CPU);
* ``tcp://host:port`` → a running Dask scheduler (``dask scheduler`` / ``dask worker``, dask-jobqueue).

On Dask, each task reads and writes the cache itself — the cache is the shared storage, written
atomically — and its task key is the cache key, so a task that is lost (a worker killed, a node
preempted) is rerun by the scheduler and finds any result that was already stored: nothing finished is
lost or computed twice, and two clients asking for the same configuration share one task. Workers
check that they run the same code (fingerprint) as the client. Results are bit-identical to
in-process: every run draws from its own named streams.

>>> [r for _, r, _ in InProcess().run(_square, [(0, {"x": 3})], namespace="sq", schema=1, cache=None)]
[{'y': 9}]
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import as_completed
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from iclverify.runtime.cache import ResultCache, to_plain
from iclverify.runtime.errors import ConfigError, MissingDependencyError

__all__ = [
    "DaskExecutor",
    "Executor",
    "InProcess",
    "LocalPool",
    "Scheduler",
    "activate_scheduler",
    "active_scheduler",
    "check_scheduler",
    "default_executor",
    "use_scheduler",
]

Compute = Callable[[Mapping[str, Any]], Mapping[str, Any]]
Items = Sequence[tuple[int, Mapping[str, Any]]]
Finished = Iterator[tuple[int, dict[str, Any], bool]]  # (index, plain result, stored by the task itself)
POOL_RESTARTS = 3  # rebuilds of a broken local pool before giving up


class Executor:
    """Runs a sweep's pending configurations and yields ``(index, result, stored)`` as they finish."""

    name = "executor"

    def run(
        self, compute: Compute, items: Items, *, namespace: str, schema: int, cache: ResultCache | None
    ) -> Finished:
        raise NotImplementedError


class InProcess(Executor):
    """One after another, in this process."""

    name = "in-process"

    def run(
        self, compute: Compute, items: Items, *, namespace: str, schema: int, cache: ResultCache | None
    ) -> Finished:
        for i, cfg in items:
            yield i, to_plain(compute(cfg)), False


class LocalPool(Executor):
    """The process pool of :mod:`iclverify.runtime.parallel`; a worker that dies is replaced and its
    configurations resubmitted (up to :data:`POOL_RESTARTS` times per sweep)."""

    name = "local pool"

    def __init__(self, workers: int) -> None:
        self.workers = workers

    def run(
        self, compute: Compute, items: Items, *, namespace: str, schema: int, cache: ResultCache | None
    ) -> Finished:
        from iclverify.runtime import parallel

        pending = dict(items)
        restarts = 0
        while pending:
            pool = parallel.pool(self.workers)
            futures = {pool.submit(compute, cfg): i for i, cfg in pending.items()}
            try:
                for fut in as_completed(futures):
                    i = futures[fut]
                    value = to_plain(fut.result())
                    del pending[i]
                    yield i, value, False
            except BrokenProcessPool:
                restarts += 1
                parallel.shutdown_pool()
                if restarts > POOL_RESTARTS:
                    raise RuntimeError(
                        f"the local worker pool broke {restarts} times (a worker process was killed or crashed)"
                    ) from None
            except BaseException:
                for fut in futures:
                    fut.cancel()
                raise


def _dask_task(
    compute: Compute,
    config: Mapping[str, Any],
    namespace: str,
    schema: int,
    *,
    root: str | None,
    fingerprint: str,
    code: str,
) -> tuple[dict[str, Any], bool]:
    """Runs on a worker: check it runs the client's ``code``; read the shared cache, else compute and store."""
    _check_worker_code(code)
    if root is None:
        return to_plain(compute(config)), False
    cache = ResultCache(root, fingerprint=fingerprint)
    hit = cache.get(namespace, config, schema=schema)
    if hit is not None:
        return hit, True
    value = compute(config)
    try:
        return cache.put(namespace, config, value, schema=schema), True
    except OSError:  # the cache is not shared with this worker: the client stores it
        return to_plain(value), False


_CHECKED: set[str] = set()


def _check_worker_code(fingerprint: str) -> None:
    """Raise :class:`ConfigError` unless this process's computing code has ``fingerprint`` (checked once)."""
    if fingerprint in _CHECKED:
        return
    from iclverify.runtime.fingerprint import code_fingerprint

    mine = code_fingerprint()
    if mine != fingerprint:
        raise ConfigError(
            f"this Dask worker runs other icl-verify code (fingerprint {mine}) than the client ({fingerprint}); "
            "install the same version on every worker"
        )
    _CHECKED.add(fingerprint)


class DaskExecutor(Executor):
    """Submits every configuration to a Dask cluster before gathering any result."""

    name = "dask"

    def __init__(self, client: Any) -> None:
        self.client = client

    def run(
        self, compute: Compute, items: Items, *, namespace: str, schema: int, cache: ResultCache | None
    ) -> Finished:
        from distributed import as_completed as dask_completed

        from iclverify.runtime.fingerprint import code_fingerprint

        root = str(cache.root.resolve()) if cache is not None else None
        fingerprint = cache.fingerprint if cache is not None else ""
        code = code_fingerprint()
        futures = {}
        for i, cfg in items:
            key = None
            if cache is not None:
                key = f"icl-{namespace}-{cache.key(namespace, cfg, schema=schema)}"
            fut = self.client.submit(
                _dask_task,
                compute,
                cfg,
                namespace,
                schema,
                root=root,
                fingerprint=fingerprint,
                code=code,
                key=key,
                pure=False,
            )
            futures[fut] = i
        try:
            for fut in dask_completed(list(futures)):
                value, stored = fut.result()
                yield futures[fut], value, stored
        finally:
            for fut in futures:
                fut.release()


def _square(cfg: Mapping[str, Any]) -> dict[str, Any]:
    return {"y": cfg["x"] ** 2}


# -- the scheduler chosen for a command ------------------------------------------------------------------


def check_scheduler(spec: str) -> str:
    """``local`` or a scheduler address (``tcp://host:port``, ``tls://``, ``ws://``, ``inproc://``)."""
    if not isinstance(spec, str) or not spec.strip():
        raise ConfigError("--scheduler must be 'local' or an address such as tcp://127.0.0.1:8786")
    spec = spec.strip()
    if spec == "local":
        return spec
    scheme, sep, rest = spec.partition("://")
    if not sep or scheme not in ("tcp", "tls", "ws", "wss", "inproc") or not rest or len(spec) > 300:
        raise ConfigError(f"--scheduler must be 'local' or an address such as tcp://127.0.0.1:8786, got {spec!r}")
    return spec


def _require_distributed() -> Any:
    try:
        import distributed
    except ImportError:
        raise MissingDependencyError("--scheduler needs Dask: pip install 'icl-verify[distributed]'") from None
    return distributed


class Scheduler:
    """A Dask scheduler for a command, connected (or, for ``local``, started) on first use."""

    def __init__(self, spec: str, *, workers: int | None = None, timeout: float = 10.0) -> None:
        self.spec = check_scheduler(spec)
        _require_distributed()
        self.workers, self.timeout = workers, timeout
        self._client: Any = None
        self._cluster: Any = None

    def __repr__(self) -> str:
        return f"Scheduler({self.spec!r})"

    @property
    def client(self) -> Any:
        """The ``distributed.Client`` (started on first use)."""
        if self._client is None:
            distributed = _require_distributed()
            if self.spec == "local":
                from iclverify.runtime.parallel import default_workers

                self._cluster = distributed.LocalCluster(
                    n_workers=self.workers or default_workers(),
                    threads_per_worker=1,
                    processes=True,
                    host="127.0.0.1",
                    dashboard_address=None,
                    env={"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"},
                )
                self._client = distributed.Client(self._cluster)
            else:
                try:
                    self._client = distributed.Client(self.spec, timeout=self.timeout)
                except OSError as exc:
                    raise ConfigError(f"cannot reach the Dask scheduler at {self.spec}: {exc}") from None
        return self._client

    def executor(self) -> DaskExecutor:
        """The executor that submits to this scheduler."""
        return DaskExecutor(self.client)

    def close(self) -> None:
        """Disconnect (and stop a ``local`` cluster); it stops being the active scheduler."""
        if self in _ACTIVE:
            _ACTIVE.remove(self)
        with contextlib.suppress(Exception):
            if self._client is not None:
                self._client.close()
            if self._cluster is not None:
                self._cluster.close()
        self._client = self._cluster = None


_ACTIVE: list[Scheduler] = []


def active_scheduler() -> Scheduler | None:
    """The scheduler sweeps submit to now, if ``--scheduler`` (or :func:`use_scheduler`) chose one."""
    return _ACTIVE[-1] if _ACTIVE else None


def activate_scheduler(spec: str | None, *, workers: int | None = None) -> Scheduler | None:
    """Make ``spec`` the active scheduler until its :meth:`Scheduler.close` (``None``: leave things as they are)."""
    if spec is None:
        return None
    scheduler = Scheduler(spec, workers=workers)
    _ACTIVE.append(scheduler)
    return scheduler


@contextlib.contextmanager
def use_scheduler(spec: str | None, *, workers: int | None = None) -> Iterator[Scheduler | None]:
    """``with use_scheduler("local"):`` — sweeps inside run on that Dask scheduler."""
    scheduler = activate_scheduler(spec, workers=workers)
    try:
        yield scheduler
    finally:
        if scheduler is not None:
            scheduler.close()


def default_executor(workers: int) -> Executor:
    """The active scheduler's executor, else the local pool for ``workers > 1``, else in-process."""
    if (scheduler := active_scheduler()) is not None:
        return scheduler.executor()
    if workers > 1:
        return LocalPool(workers)
    return InProcess()
