"""Resumable sweeps: compute each configuration once, store it as soon as it finishes.

Cached configurations are read; the others are submitted to an executor
(:mod:`iclverify.runtime.executors`) all at once and stored as each finishes, so an interruption loses
only the runs in flight. With a cache, each configuration is computed under a lease
(:mod:`iclverify.runtime.lease`): when two runs share a cache, a configuration that the other run is
computing is not computed again here but waited for (or taken over, if the other run died), so each
result is computed at most once in the common case.

>>> import tempfile
>>> from iclverify.runtime.cache import ResultCache
>>> cache, calls = ResultCache(tempfile.mkdtemp()), []
>>> square = lambda cfg: calls.append(cfg["x"]) or {"y": cfg["x"] ** 2}
>>> [r["y"] for r in run_sweep([{"x": 1}, {"x": 2}], square, namespace="sq", cache=cache)]
[1, 4]
>>> [r["y"] for r in run_sweep([{"x": 2}, {"x": 3}], square, namespace="sq", cache=cache)], calls
([4, 9], [1, 2, 3])
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from iclverify.runtime.cache import ResultCache
from iclverify.runtime.lease import Lease, LeaseKeeper, holder, is_stale

if TYPE_CHECKING:
    from iclverify.runtime.executors import Executor

__all__ = ["Progress", "execute_sweep", "run_sweep"]

POLL = 0.2  # seconds between looks at configurations another run is computing


class Progress(Protocol):
    """Receives progress: ``progress(description, completed, total)``."""

    def __call__(self, description: str, completed: int, total: int) -> None: ...


def run_sweep(
    configs: Sequence[Mapping[str, Any]],
    compute: Callable[[Mapping[str, Any]], Mapping[str, Any]],
    *,
    namespace: str,
    cache: ResultCache | None,
    schema: int = 1,
    progress: Progress | None = None,
    description: str = "",
    executor: Executor | None = None,
) -> list[dict[str, Any]]:
    """Results for every configuration, in order; cached ones are read, missing ones computed and stored.

    ``executor``: where to compute (default: in this process, one after another). An interruption
    (Ctrl-C, SIGTERM, a killed job) loses at most the configurations in flight.
    """
    if executor is None:
        from iclverify.runtime.executors import InProcess

        executor = InProcess()
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


def execute_sweep(
    configs: Sequence[Mapping[str, Any]],
    compute: Callable[[Mapping[str, Any]], Mapping[str, Any]],
    *,
    executor: Executor,
    namespace: str,
    cache: ResultCache | None,
    schema: int = 1,
    progress: Progress | None = None,
    description: str = "",
) -> list[dict[str, Any]]:
    """The sweep driver behind :func:`run_sweep` and :func:`~iclverify.runtime.parallel.run_sweep_parallel`."""
    label = description or namespace
    total = len(configs)
    results: list[dict[str, Any] | None] = [None] * total
    # identical configurations are computed once: group indices by key
    groups: dict[str, list[int]] = {}
    for i, cfg in enumerate(configs):
        key = cache.key(namespace, cfg, schema=schema) if cache is not None else str(i)
        groups.setdefault(key, []).append(i)
    done = 0

    def fill(key: str, value: dict[str, Any]) -> None:
        nonlocal done
        for i in groups.pop(key):
            results[i] = value
            done += 1
        if progress is not None:
            progress(label, done, total)

    if progress is not None:
        progress(label, 0, total)
    if cache is not None:
        for key in list(groups):
            hit = cache.get(namespace, configs[groups[key][0]], schema=schema)
            if hit is not None:
                fill(key, hit)
    if not groups:
        return [r for r in results if r is not None]
    if cache is None:
        items = [(idx[0], configs[idx[0]]) for idx in groups.values()]
        for i, value, _ in executor.run(compute, items, namespace=namespace, schema=schema, cache=None):
            fill(str(i), value)
        return [r for r in results if r is not None]

    cache.ensure_writable()
    one_by_one = executor.name == "in-process"  # lease each just before computing it: racing runs share the work
    with LeaseKeeper() as keeper:
        while groups:
            for batch in [[key] for key in list(groups)] if one_by_one else [list(groups)]:
                mine: dict[str, Lease] = {}
                for key in batch:
                    if key in groups and (lease := keeper.acquire(_lease_path(cache, namespace, key))) is not None:
                        mine[key] = lease
                # finished by another run between our first look and our lease?
                for key in list(mine):
                    cfg = configs[groups[key][0]]
                    if cache.contains(namespace, cfg, schema=schema) and (
                        hit := cache.get(namespace, cfg, schema=schema)
                    ):
                        keeper.release(mine.pop(key))
                        fill(key, hit)
                if not mine:
                    continue
                by_index = {groups[key][0]: key for key in mine}
                items = [(i, configs[i]) for i in by_index]
                for i, value, stored in executor.run(compute, items, namespace=namespace, schema=schema, cache=cache):
                    key = by_index[i]
                    if stored:
                        cache._note("writes", namespace, key)
                    else:
                        value = cache.put(namespace, configs[i], value, schema=schema)  # noqa: PLW2901
                    keeper.release(mine.pop(key))  # only once the entry is stored
                    fill(key, value)
            # the rest is being computed by another run: wait for it, or take it over if that run died
            while groups and not _any_free(cache, namespace, groups, keeper.ttl):
                time.sleep(POLL)
                for key in list(groups):
                    cfg = configs[groups[key][0]]
                    if cache.contains(namespace, cfg, schema=schema) and (
                        hit := cache.get(namespace, cfg, schema=schema)
                    ):
                        fill(key, hit)
    return [r for r in results if r is not None]


def _lease_path(cache: ResultCache, namespace: str, key: str) -> Path:
    return cache.root / namespace / key[:2] / f"{key}.lease"


def _any_free(cache: ResultCache, namespace: str, groups: Mapping[str, Any], ttl: float) -> bool:
    """Whether some remaining configuration has no live lease (its computing run finished, failed or died)."""
    for key in groups:
        info = holder(_lease_path(cache, namespace, key))
        if info is None or is_stale(info, ttl):
            return True
    return False
