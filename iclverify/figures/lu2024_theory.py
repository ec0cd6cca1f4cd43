"""Lu et al. (2024), Fig. 3 (theory only): the error-minimising context length α* over (κ, ρ).

Three panels, from the float path (:func:`iclverify.numerics.lu2024.optimal_context.scan_alpha`): ICL at τ = 0.5,
IDG at τ = 0.5, ICL at τ = 20. Colour: log10 α* (the grid α where the ridgeless error is smallest, α on
logspace(-2, 3)); grey: cells whose α-curve is monotone on the grid (no optimal context length inside it);
dashed line: κ = min(τ, 1), below which ICL grows without bound as α → ∞ (derivation lu2024.alpha-inf).
``--level full`` uses the paper's 401 κ × 300 ρ × 500 α grid; ``quick`` a 101 × 75 × 200 one.
"""

from __future__ import annotations

import dataclasses
from typing import Literal

import numpy as np

from iclverify.figures import FigureRequest, FigureSpec
from iclverify.figures.output import Drawing, new_figure
from iclverify.numerics.lu2024.optimal_context import AlphaScan, scan_alpha

__all__ = ["FIGURES", "PANELS", "Fig3Grid", "fig3_scans"]

PANELS: tuple[tuple[Literal["icl", "idg"], float], ...] = (("icl", 0.5), ("idg", 0.5), ("icl", 20.0))


@dataclasses.dataclass(frozen=True, kw_only=True)
class Fig3Grid:
    """The (κ, ρ, α) grid of Fig. 3: κ and ρ linear, α logarithmic."""

    n_kappa: int = 401
    n_rho: int = 300
    n_alpha: int = 500
    kappa_range: tuple[float, float] = (0.1, 2.1)
    rho_range: tuple[float, float] = (0.01, 1.0)
    log10_alpha_range: tuple[float, float] = (-2.0, 3.0)

    def arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """κ, ρ, α grids.

        >>> [len(a) for a in FULL.arrays()], float(FULL.arrays()[2][-1])
        ([401, 300, 500], 1000.0)
        """
        return (
            np.linspace(*self.kappa_range, self.n_kappa),
            np.linspace(*self.rho_range, self.n_rho),
            np.logspace(*self.log10_alpha_range, self.n_alpha),
        )


QUICK = Fig3Grid(n_kappa=101, n_rho=75, n_alpha=200)
FULL = Fig3Grid()


def fig3_scans(grid: Fig3Grid = FULL, *, threads: int | None = None) -> list[AlphaScan]:
    """The three panels' scans (ICL τ=0.5, IDG τ=0.5, ICL τ=20)."""
    kappas, rhos, alphas = grid.arrays()
    return [scan_alpha(kind, tau, kappas, rhos, alphas, threads=threads) for kind, tau in PANELS]


def _build(request: FigureRequest) -> Drawing:
    grid = FULL if request.level == "full" else QUICK
    scans = []
    for n, (kind, tau) in enumerate(PANELS):
        kappas, rhos, alphas = grid.arrays()
        scans.append(scan_alpha(kind, tau, kappas, rhos, alphas))
        if request.progress is not None:
            request.progress("lu2024-fig3 panels", n + 1, len(PANELS))
    fig, axes = new_figure(3, 1, width=4.4, height=3.6)
    import matplotlib

    cmap = matplotlib.colormaps["viridis"].with_extremes(bad="lightgrey")
    rows = []
    for ax, scan in zip(axes[0], scans):
        z = np.ma.masked_where(scan.monotone, np.log10(scan.alpha_star))
        dk, dr = (
            np.diff(scan.kappas[:2]).item(),
            np.diff(scan.rhos[:2]).item(),
        )  # linear grids: cells centred on the points
        extent = (scan.kappas[0] - dk / 2, scan.kappas[-1] + dk / 2, scan.rhos[0] - dr / 2, scan.rhos[-1] + dr / 2)
        mesh = ax.imshow(
            z.T,
            origin="lower",
            extent=extent,
            aspect="auto",
            interpolation="nearest",
            cmap=cmap,
            vmin=grid.log10_alpha_range[0],
            vmax=grid.log10_alpha_range[1],
        )
        line = min(scan.tau, 1.0)
        ax.axvline(line, color="white", ls="--", lw=1.2, label=r"$\kappa=\min(\tau,1)$")
        ax.set_title(f"{scan.kind.upper()}, tau = {scan.tau:g}")
        ax.set_xlabel(r"task diversity $\kappa$")
        ax.set_ylabel(r"noise $\rho$")
        ax.legend(loc="upper right", fontsize=7, framealpha=0.6)
        for i, kappa in enumerate(scan.kappas):
            for j, rho in enumerate(scan.rhos):
                rows.append(
                    {
                        "panel": f"{scan.kind}-tau{scan.tau:g}",
                        "kappa": float(kappa),
                        "rho": float(rho),
                        "alpha_star": float(scan.alpha_star[i, j]),
                        "e_min": float(scan.e_min[i, j]),
                        "monotone": bool(scan.monotone[i, j]),
                    }
                )
    fig.colorbar(mesh, ax=axes[0].tolist(), label=r"$\log_{10}\alpha^*$ (grey: monotone in $\alpha$)")
    return Drawing(name="lu2024-fig3", figure=fig, rows=rows)


FIGURES = [
    FigureSpec(
        name="lu2024-fig3",
        help="Lu et al. Fig. 3: error-minimising context length over (kappa, rho); theory only (seconds).",
        draw=_build,
    )
]
