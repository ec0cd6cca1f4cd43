"""A drawn figure with its data, and how it is written: PNG and PDF, and the data as CSV beside them.

Figures are :class:`matplotlib.figure.Figure` objects made directly, without pyplot: drawing one never
selects or switches the caller's backend (a notebook keeps its inline plots).

>>> drawing = Drawing(name="demo", figure=new_figure()[0], rows=[{"x": 1, "y": 2.5}])
>>> type(drawing.figure).__name__, drawing.columns()
('Figure', ['x', 'y'])
"""

from __future__ import annotations

import csv
import dataclasses
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from iclverify.runtime.errors import ConfigError

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["Drawing", "new_figure", "save_figure"]


@dataclasses.dataclass(frozen=True, kw_only=True)
class Drawing:
    """A figure as drawn: its registered ``name``, the matplotlib ``figure`` and one data row per plotted point."""

    name: str
    figure: Figure
    rows: Sequence[Mapping[str, Any]]

    def columns(self) -> list[str]:
        """The CSV header: every key of every row, in first-seen order."""
        return list(dict.fromkeys(k for row in self.rows for k in row))

    def save(self, out: Path) -> list[Path]:
        """``out/NAME.png``, ``out/NAME.pdf`` and ``out/NAME.csv``."""
        return save_figure(self.figure, out, self.name, self.rows)


def new_figure(ncols: int = 1, nrows: int = 1, *, width: float = 4.2, height: float = 3.4) -> tuple[Figure, Any]:
    """A :class:`matplotlib.figure.Figure` (no pyplot, no backend change) and its ``nrows × ncols`` axes array."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width * ncols, height * nrows), layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False)
    return fig, axes


def save_figure(fig: Figure, out: Path, name: str, rows: Sequence[Mapping[str, Any]]) -> list[Path]:
    """``out/name.png``, ``out/name.pdf`` and ``out/name.csv`` (one row per plotted point)."""
    try:
        out.mkdir(parents=True, exist_ok=True)
        paths = [out / f"{name}.png", out / f"{name}.pdf", out / f"{name}.csv"]
        fig.savefig(paths[0], dpi=150)
        fig.savefig(paths[1])
        columns = list(dict.fromkeys(k for row in rows for k in row))
        with open(paths[2], "w", newline="", encoding="utf-8") as fh:
            writer = csv.DictWriter(fh, fieldnames=columns)
            writer.writeheader()
            writer.writerows(rows)
    except OSError as exc:
        raise ConfigError(f"cannot write the figure into {out}: {exc.strerror}") from None
    return paths
