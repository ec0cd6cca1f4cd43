"""Named random streams derived from one seed.

Every random draw in icl-verify comes from ``rng(seed, "stream", ...)``: the same seed and names give
the same numbers on every machine, and different names give independent streams
(:class:`numpy.random.SeedSequence` with a spawn key made from the names).

>>> a = rng(7, "tasks").standard_normal(3)
>>> b = rng(7, "tasks").standard_normal(3)
>>> bool((a == b).all()), bool((a == rng(7, "test").standard_normal(3)).all())
(True, False)
"""

from __future__ import annotations

import hashlib
from typing import Any

import numpy as np

from iclverify.runtime.errors import ParameterError

__all__ = ["check_seed", "rng", "seed_sequence", "stream_seed", "torch_generator"]


def check_seed(seed: object) -> int:
    """A seed must be a non-negative integer."""
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ParameterError(f"seed must be a non-negative integer, got {seed!r}")
    return int(seed)


def _key(part: str | int) -> int:
    if isinstance(part, (int, np.integer)) and not isinstance(part, bool):
        return int(part)
    digest = hashlib.sha256(str(part).encode()).digest()
    return int.from_bytes(digest[:8], "little")


def seed_sequence(seed: int, *stream: str | int) -> np.random.SeedSequence:
    """The :class:`~numpy.random.SeedSequence` of a named stream."""
    return np.random.SeedSequence(entropy=check_seed(seed), spawn_key=tuple(_key(s) for s in stream))


def rng(seed: int, *stream: str | int) -> np.random.Generator:
    """A numpy Generator (PCG64) for the stream named by ``stream`` under ``seed``."""
    return np.random.Generator(np.random.PCG64(seed_sequence(seed, *stream)))


def stream_seed(seed: int, *stream: str | int) -> int:
    """A 63-bit integer seed for libraries that take one (torch)."""
    return int(seed_sequence(seed, *stream).generate_state(1, np.uint64)[0] >> np.uint64(1))


def torch_generator(seed: int, *stream: str | int) -> Any:  # a torch.Generator
    """A CPU ``torch.Generator`` for the stream.

    Random tensors are drawn on the CPU and then moved to the compute device, so a run gives the same
    numbers on CPU and GPU (CUDA generators produce different streams from the same seed).
    """
    import torch

    return torch.Generator(device="cpu").manual_seed(stream_seed(seed, *stream))
