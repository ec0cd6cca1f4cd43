"""Figures: every module of this package that defines ``FIGURES`` (a list of :class:`FigureSpec`).

A figure writes PNG and PDF plus its data as CSV (see :func:`iclverify.figures.output.save_figure`).
"""

from __future__ import annotations

import dataclasses
import importlib
import pkgutil
import sys
from collections.abc import Callable
from functools import cache
from pathlib import Path

from iclverify.runtime.cache import ResultCache
from iclverify.runtime.errors import UnknownNameError
from iclverify.runtime.sweep import Progress

__all__ = ["FigureRequest", "FigureSpec", "all_figures", "get_figure"]


@dataclasses.dataclass(frozen=True, kw_only=True)
class FigureRequest:
    """What the user asked for; ``None`` means the figure's own default (which finishes in minutes)."""

    out: Path
    d: tuple[int, ...] | None = None
    runs: int | None = None
    level: str = "quick"
    seed: int = 0
    device: str = "auto"
    cache: ResultCache | None = None
    progress: Progress | None = None


@dataclasses.dataclass(frozen=True, kw_only=True)
class FigureSpec:
    """A named figure and the function that draws it, returning the files it wrote."""

    name: str
    help: str
    build: Callable[[FigureRequest], list[Path]]


@cache
def all_figures() -> dict[str, FigureSpec]:
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
    figures = all_figures()
    if name not in figures:
        raise UnknownNameError(f"unknown figure {name!r}; choose one of {', '.join(figures) or '(none yet)'}")
    return figures[name]
