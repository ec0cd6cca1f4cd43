"""Figures: every module of this package that defines ``FIGURES`` (a list of :class:`FigureSpec`).

A figure is drawn into a :class:`~iclverify.figures.output.Drawing` (a matplotlib ``Figure`` and its data
rows); :meth:`FigureSpec.build` writes it as PNG, PDF and CSV (see :func:`iclverify.figures.output.save_figure`).
Nothing here imports pyplot or changes the matplotlib backend.
"""

from __future__ import annotations

import dataclasses
import importlib
import pkgutil
import sys
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from iclverify.proofs.framework.claims import Level
from iclverify.runtime.cache import ResultCache
from iclverify.runtime.errors import UnknownNameError
from iclverify.runtime.sweep import Progress

if TYPE_CHECKING:
    from iclverify.figures.output import Drawing

__all__ = ["FigureRequest", "FigureSpec", "all_figures", "get_figure"]


@dataclasses.dataclass(frozen=True, kw_only=True)
class FigureRequest:
    """What the user asked for; ``None`` means the figure's own default (which finishes in minutes)."""

    out: Path = Path("figures")
    d: tuple[int, ...] | None = None
    runs: int | None = None
    level: Level = "quick"
    seed: int = 0
    device: str = "auto"
    cache: ResultCache | None = None
    progress: Progress | None = None
    rounding: str = "round"  # how simulated sizes α d, τ d², κ d become integers ("floor": Lu et al.'s k = ⌊κ d⌋)


@dataclasses.dataclass(frozen=True, kw_only=True)
class FigureSpec:
    """A named figure and the function that draws it."""

    name: str
    help: str
    draw: Callable[[FigureRequest], Drawing]

    def build(self, request: FigureRequest) -> list[Path]:
        """Draw the figure and write it into ``request.out``; return the PNG, PDF and CSV paths."""
        return self.draw(request).save(request.out)


@cache
def all_figures() -> dict[str, FigureSpec]:
    """Every registered figure by name (each module of this package that defines ``FIGURES``)."""
    package = sys.modules[__name__]
    found: dict[str, FigureSpec] = {}
    for info in pkgutil.iter_modules(package.__path__):
        module = importlib.import_module(f"{__name__}.{info.name}")
        for spec in getattr(module, "FIGURES", ()):
            if spec.name in found:
                raise RuntimeError(f"figure {spec.name!r} registered twice")
            found[spec.name] = spec
    return dict(sorted(found.items()))


def get_figure(name: str) -> FigureSpec:
    """The figure called ``name``, or :class:`~iclverify.runtime.errors.UnknownNameError` listing the names."""
    figures = all_figures()
    if name not in figures:
        raise UnknownNameError(f"unknown figure {name!r}; choose one of {', '.join(figures) or '(none yet)'}")
    return figures[name]
