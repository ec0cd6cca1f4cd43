r"""Locate the interpolation threshold n*: the training-set size at which a model stops fitting its data.

Criterion (stated once, used everywhere): a run *interpolates* when its final training loss, relative to
the zero predictor's error 1 + ρ, is below ``threshold`` (default θ = 10⁻³). n* is located by bisection
in log n between a size that interpolates and one that does not, until the bracket [n₋, n₊] satisfies
n₊/n₋ ≤ 1 + ``rel_tol`` (or n₊ = n₋ + 1); the estimate is the geometric mean √(n₋ n₊). Each probe is one
training run, so the search costs about log₂(log(hi/lo)/log(1 + rel_tol)) runs.

Finite training leaves the loss just below n* above θ (ill-conditioning slows convergence there), and
near n* the loss need not be monotone in n; bisection then returns one crossing inside the original
bracket, which the bracket in the result bounds.

>>> t = locate_threshold(lambda n: 0.0 if n < 73 else 0.5, 20, 200, rel_tol=0.01)
>>> t.below, t.above, round(t.n_star, 2)
(72, 73, 72.5)
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Generator, Sequence
from typing import Any

from iclverify.runtime.errors import ParameterError

__all__ = [
    "THETA",
    "Search",
    "Threshold",
    "interpolates",
    "locate_threshold",
    "locate_thresholds",
    "trained_threshold",
    "trained_thresholds",
    "trained_thresholds_many",
]

THETA = 1e-3


def interpolates(train_loss: float, rho: float, threshold: float = THETA) -> bool:
    """True when ``train_loss / (1 + rho) < threshold``."""
    return train_loss / (1.0 + rho) < threshold


@dataclasses.dataclass(frozen=True, kw_only=True)
class Threshold:
    """The located n*: the last size that interpolated (``below``), the first that did not (``above``),
    the estimate √(below·above), and every probe ``(n, relative train loss)`` in the order run."""

    below: int
    above: int
    probes: tuple[tuple[int, float], ...]
    threshold: float

    @property
    def n_star(self) -> float:
        return math.sqrt(self.below * self.above)


def _bisection(
    lo: int, hi: int, *, threshold: float, rel_tol: float, expand: int
) -> Generator[int, float, Threshold | None]:
    """The search as a generator: yields the next n to probe, is sent its relative loss, returns the result."""
    if not (1 <= lo < hi):
        raise ParameterError(f"need 1 <= lo < hi, got lo={lo}, hi={hi}")
    if rel_tol <= 0 or threshold <= 0:
        raise ParameterError("rel_tol and threshold must be > 0")
    probes: list[tuple[int, float]] = []
    seen: dict[int, float] = {}

    def fits(n: int) -> Generator[int, float, bool]:
        if n not in seen:
            seen[n] = float((yield n))
            probes.append((n, seen[n]))
        return seen[n] < threshold

    for _ in range(expand + 1):
        if (yield from fits(lo)):
            break
        if lo == 1:
            return None
        hi, lo = lo, max(1, lo // 2)
    else:
        return None
    for _ in range(expand + 1):
        if not (yield from fits(hi)):
            break
        lo, hi = hi, 2 * hi
    else:
        return None
    while hi > lo + 1 and hi / lo > 1.0 + rel_tol:
        mid = round(math.sqrt(lo * hi))
        mid = min(max(mid, lo + 1), hi - 1)
        if (yield from fits(mid)):
            lo = mid
        else:
            hi = mid
    return Threshold(below=lo, above=hi, probes=tuple(probes), threshold=threshold)


def locate_threshold(
    relative_loss: Callable[[int], float],
    lo: int,
    hi: int,
    *,
    threshold: float = THETA,
    rel_tol: float = 0.03,
    expand: int = 3,
) -> Threshold | None:
    """Bisect ``relative_loss(n)`` (final train loss / (1+ρ) of a run on n contexts) for the crossing of θ.

    If ``lo`` does not interpolate it is halved, and if ``hi`` does it is doubled, at most ``expand`` times
    each; ``None`` when no bracket is found (the caller reports that, never a guess).

    >>> locate_threshold(lambda n: 0.0, 10, 20, expand=1) is None  # interpolates everywhere
    True
    """
    return locate_thresholds([relative_loss], [(lo, hi)], threshold=threshold, rel_tol=rel_tol, expand=expand)[0]


def locate_thresholds(
    relative_losses: Sequence[Callable[[int], float]] | Callable[[list[tuple[int, int]]], list[float]],
    brackets: Sequence[tuple[int, int]],
    *,
    threshold: float = THETA,
    rel_tol: float | Sequence[float] = 0.03,
    expand: int = 3,
) -> list[Threshold | None]:
    """Several searches in lockstep: each round collects every unfinished search's next probe and evaluates
    them together — ``relative_losses`` is one callback per search, or one callback taking the round's
    ``(search, n)`` pairs (so a round's probes can train as one batched pass). Each search sees exactly
    the probes it would alone; ``rel_tol`` is one tolerance or one per search.

    >>> [t.below for t in locate_thresholds([lambda n: n > 40, lambda n: n > 90], [(10, 100), (10, 100)], rel_tol=0.01)]
    [40, 90]
    """
    tols = [rel_tol] * len(brackets) if isinstance(rel_tol, (int, float)) else list(rel_tol)
    if len(tols) != len(brackets):
        raise ParameterError(f"got {len(tols)} tolerances for {len(brackets)} searches")
    searches = [
        _bisection(lo, hi, threshold=threshold, rel_tol=tol, expand=expand) for (lo, hi), tol in zip(brackets, tols)
    ]
    results: list[Threshold | None] = [None] * len(searches)
    pending: dict[int, int] = {}
    for i, search in enumerate(searches):
        try:
            pending[i] = next(search)
        except StopIteration as stop:
            results[i] = stop.value
    while pending:
        round_ = sorted(pending.items())
        values = relative_losses(round_) if callable(relative_losses) else [relative_losses[i](n) for i, n in round_]
        pending = {}
        for (i, _), value in zip(round_, values):
            try:
                pending[i] = searches[i].send(float(value))
            except StopIteration as stop:
                results[i] = stop.value
    return results


def trained_threshold(
    protocol: Any,
    *,
    model: str,
    layers: int,
    d: int,
    seed: int,
    tau_range: tuple[float, float],
    rel_tol: float = 0.05,
    threshold: float = THETA,
    device: str = "auto",
    cache: Any = None,
    progress: Any = None,
) -> Threshold | None:
    """n* of one architecture at dimension ``d`` and one seed: :func:`trained_thresholds` for one seed."""
    return trained_thresholds(
        protocol,
        model=model,
        layers=layers,
        d=d,
        seeds=[seed],
        tau_range=tau_range,
        rel_tol=rel_tol,
        threshold=threshold,
        device=device,
        cache=cache,
        progress=progress,
    )[0]


def trained_thresholds(
    protocol: Any,
    *,
    model: str,
    layers: int,
    d: int,
    seeds: Sequence[int],
    tau_range: tuple[float, float],
    rel_tol: float = 0.05,
    threshold: float = THETA,
    device: str = "auto",
    cache: Any = None,
    progress: Any = None,
) -> list[Threshold | None]:
    """n* of one architecture at dimension ``d`` for each seed under a training ``protocol``
    (:class:`iclverify.empirics.experiments.lu2024_protocols.Protocol`): :func:`trained_thresholds_many`."""
    searches = [
        Search(protocol=protocol, model=model, layers=layers, d=d, seed=s, tau_range=tau_range, rel_tol=rel_tol)
        for s in seeds
    ]
    return trained_thresholds_many(searches, threshold=threshold, device=device, cache=cache, progress=progress)


@dataclasses.dataclass(frozen=True, kw_only=True)
class Search:
    """One n* search: an architecture at dimension ``d`` and one seed under a training ``protocol``, its
    bracket starting at ``tau_range``·d², to the relative tolerance ``rel_tol``."""

    protocol: Any
    model: str
    layers: int
    d: int
    seed: int
    tau_range: tuple[float, float]
    rel_tol: float = 0.05

    def config(self, n: int) -> Any:
        """The training run of a probe on n contexts (κ = ∞)."""
        return self.protocol.config(model=self.model, layers=self.layers, d=self.d, tau=n / self.d**2, seed=self.seed)

    @property
    def bracket(self) -> tuple[int, int]:
        lo = max(1, math.floor(self.tau_range[0] * self.d * self.d))
        return lo, max(lo + 1, math.ceil(self.tau_range[1] * self.d * self.d))


def trained_thresholds_many(
    searches: Sequence[Search],
    *,
    threshold: float = THETA,
    device: str = "auto",
    cache: Any = None,
    progress: Any = None,
) -> list[Threshold | None]:
    """n* of every search (None where no bracket is found). All searches — seeds, dimensions and
    architectures together — run in lockstep: each round's probes are submitted as one
    :func:`~iclverify.empirics.training.train.train_many` call, so runs of one shape train as one batched
    pass and different shapes' passes run side by side on the executor; runs are cached, so a repeated
    search costs nothing, and each search sees exactly the probes it would alone."""
    from iclverify.empirics.training.train import train_many

    def round_losses(round_: list[tuple[int, int]]) -> list[float]:
        configs = [searches[i].config(n) for i, n in round_]
        label = ", ".join(sorted({f"{searches[i].model} d={searches[i].d}" for i, _ in round_}))
        results = train_many(configs, device=device, cache=cache, progress=progress, description=f"n* {label}")
        return [r["train_loss"] / (1.0 + c.rho) for r, c in zip(results, configs)]

    return locate_thresholds(
        round_losses, [s.bracket for s in searches], threshold=threshold, rel_tol=[s.rel_tol for s in searches]
    )
