"""Write a figure as PNG and PDF, and its data as CSV beside them."""

from __future__ import annotations

import csv
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from iclverify.runtime.errors import ConfigError

__all__ = ["new_figure", "save_figure"]


def new_figure(ncols: int = 1, nrows: int = 1, *, width: float = 4.2, height: float = 3.4):
    """A matplotlib figure on the non-interactive Agg backend (chosen here, at run time)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(nrows, ncols, figsize=(width * ncols, height * nrows), squeeze=False, layout="constrained")
    return fig, axes


def save_figure(fig: Any, out: Path, name: str, rows: Sequence[Mapping[str, Any]]) -> list[Path]:
    """``out/name.png``, ``out/name.pdf`` and ``out/name.csv`` (one row per plotted point)."""
    import matplotlib.pyplot as plt

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
    finally:
        plt.close(fig)
    return paths
