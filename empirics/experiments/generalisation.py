r"""Generalisation sweeps of the Mehta & Gupta protocol on finite pretraining data (MG-R, the D term of MG-T1).

Every model is a transformer of :func:`~iclverify.empirics.experiments.mg_protocol.shape_rows` trained on a
fixed set of D contexts per seed (``MGProtocol.pretrain_contexts``: the first D contexts of the seed's online
stream, so the sets are nested in D and a seed keeps its initial weights and test contexts across D):

* :func:`data_sweep` — one shape at each D of a grid, and (``online=True``) the same shape trained online,
  the limit D → ∞ at the same number of steps; each finite-data row gets ``excess`` = its test MSE minus the
  same seed's online test MSE (the part of the error due to finite data).
* :func:`size_sweep` — several shapes at one D.
* :func:`seed_matrix` — a row set as a (seeds × points) array of one quantity, for the mean-curve fits of
  :mod:`iclverify.numerics.stats.mean_power_law` (a seed's points are one bootstrap cluster).

Every row carries ``contexts`` (D; ``None`` online), ``gap`` = test MSE − train MSE on its D contexts,
``epochs`` = steps·batch/D and the sizes of :func:`shape_rows` (``N`` = L·width, ``params``).

>>> from iclverify.empirics.experiments.mg_protocol import MGProtocol
>>> p = MGProtocol(steps=20, batch_size=8, test_contexts=100)
>>> rows = data_sweep(p, (1, 4), [16, 32], seeds=(0, 1), device="cpu")
>>> [(r["contexts"], r["seed"]) for r in rows]
[(16, 0), (16, 1), (32, 0), (32, 1), (None, 0), (None, 1)]
>>> xs, m = seed_matrix([r for r in rows if r["contexts"]], "contexts", "excess")
>>> xs, m.shape
([16, 32], (2, 2))
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

import numpy as np

from iclverify.empirics.experiments.mg_protocol import MGProtocol, shape_rows
from iclverify.runtime.cache import ResultCache
from iclverify.runtime.errors import ParameterError
from iclverify.runtime.sweep import Progress

__all__ = ["data_sweep", "seed_matrix", "size_sweep"]


def _finite_rows(
    protocol: MGProtocol,
    shapes: Sequence[tuple[int, int]],
    contexts: int,
    *,
    seeds: Sequence[int],
    device: str,
    cache: ResultCache | None,
    progress: Progress | None,
    **task: Any,
) -> list[dict[str, Any]]:
    finite = dataclasses.replace(protocol, pretrain_contexts=contexts)
    rows = shape_rows(finite, shapes, seeds=seeds, device=device, cache=cache, progress=progress, **task)
    return [r | {"contexts": contexts} for r in rows]


def data_sweep(
    protocol: MGProtocol,
    shape: tuple[int, int],
    contexts: Sequence[int],
    *,
    seeds: Sequence[int],
    online: bool = True,
    device: str = "auto",
    cache: ResultCache | None = None,
    progress: Progress | None = None,
    **task: Any,
) -> list[dict[str, Any]]:
    """Rows of ``shape`` (L, width) trained on each number of contexts in ``contexts`` (in order), then, with
    ``online``, trained online (``contexts`` None, ``gap`` None): see the module docstring."""
    if protocol.pretrain_contexts is not None:
        raise ParameterError("data_sweep sets the number of contexts itself: give an online protocol")
    rows: list[dict[str, Any]] = []
    for D in contexts:
        rows += _finite_rows(protocol, [shape], D, seeds=seeds, device=device, cache=cache, progress=progress, **task)
    if online:
        base = shape_rows(protocol, [shape], seeds=seeds, device=device, cache=cache, progress=progress, **task)
        limit = {r["seed"]: r["test_mse"] for r in base}
        rows = [r | {"excess": r["test_mse"] - limit[r["seed"]]} for r in rows]
        rows += [r | {"contexts": None, "gap": None, "epochs": None} for r in base]
    return rows


def size_sweep(
    protocol: MGProtocol,
    shapes: Sequence[tuple[int, int]],
    contexts: int,
    *,
    seeds: Sequence[int],
    device: str = "auto",
    cache: ResultCache | None = None,
    progress: Progress | None = None,
    **task: Any,
) -> list[dict[str, Any]]:
    """Rows of every shape in ``shapes`` trained on ``contexts`` fixed contexts per seed."""
    return _finite_rows(protocol, shapes, contexts, seeds=seeds, device=device, cache=cache, progress=progress, **task)


def seed_matrix(rows: Sequence[dict[str, Any]], x_key: str, value_key: str) -> tuple[list[Any], np.ndarray]:
    """The sorted distinct ``x_key`` values and the (seeds × points) array of ``value_key`` (seeds sorted);
    every seed must have exactly one row at every point.

    >>> seed_matrix([{"x": 2, "seed": 0, "g": 1.0}, {"x": 1, "seed": 0, "g": 3.0}], "x", "g")
    ([1, 2], array([[3., 1.]]))
    """
    xs = sorted({r[x_key] for r in rows})
    seeds = sorted({r["seed"] for r in rows})
    cell: dict[tuple[Any, int], float] = {}
    for r in rows:
        k = (r[x_key], r["seed"])
        if k in cell:
            raise ParameterError(f"two rows at {x_key} = {k[0]} for seed {k[1]}")
        cell[k] = float(r[value_key])
    missing = [(x, s) for x in xs for s in seeds if (x, s) not in cell]
    if missing:
        raise ParameterError(f"no row at {x_key} = {missing[0][0]} for seed {missing[0][1]}")
    return xs, np.array([[cell[(x, s)] for x in xs] for s in seeds])
