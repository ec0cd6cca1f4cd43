"""Resumable sweeps: compute each configuration once, store it as soon as it finishes.

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

from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol

from iclverify.runtime.cache import ResultCache

__all__ = ["Progress", "run_sweep"]


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
) -> list[dict[str, Any]]:
    """Results for every configuration, in order; cached ones are read, missing ones computed and stored.

    An interruption (Ctrl-C, a killed job) loses at most the configuration in flight.
    """
    results: list[dict[str, Any]] = []
    total = len(configs)
    label = description or namespace
    for done, cfg in enumerate(configs):
        if progress is not None:
            progress(label, done, total)
        hit = cache.get(namespace, cfg, schema=schema) if cache is not None else None
        if hit is None:
            value = compute(cfg)
            hit = cache.put(namespace, cfg, value, schema=schema) if cache is not None else dict(value)
        results.append(hit)
    if progress is not None:
        progress(label, total, total)
    return results
