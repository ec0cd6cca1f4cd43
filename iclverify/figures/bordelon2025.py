"""Bordelon, Letey & Pehlevan (2025): the ISO loss against α for several depths, the gain from depth, the RRS exponents.

* ``bordelon2025-loss`` — certified :math:`\\mathcal L(\\alpha, L)` (lines, L = 1, 2, 4, 16 and the L → ∞ limit
  :math:`(1-\\alpha)_+`), finite-D Monte Carlo of the reduced-Γ model at D = 64 (points with 95% intervals) and,
  when torch is installed, the project's trained linear attention at d = 8 (squares; the quick training points).
* ``bordelon2025-depth-gain`` — :math:`\\mathcal L(\\alpha,1) - \\mathcal L(\\alpha,L)` for L = 2, 4, 16, 64 and
  :math:`L\\to\\infty`, with the asymptotes :math:`1/\\alpha` and :math:`\\alpha^2`.
* ``bordelon2025-rrs-exponents`` — RRS at infinite context: :math:`\\mathcal L_\\infty(L)` for three (ν, β) with
  the fitted depth exponents; the finite-D Monte Carlo context exponent with its bootstrap interval.
"""

from __future__ import annotations

import numpy as np

from iclverify.empirics.montecarlo.bordelon2025 import iso_context_losses, rrs_context_losses
from iclverify.figures import FigureRequest, FigureSpec
from iclverify.figures.output import Drawing, new_figure
from iclverify.numerics.bordelon2025.iso import iso_loss
from iclverify.numerics.bordelon2025.rrs import local_exponents, rrs_loss
from iclverify.numerics.stats.intervals import mean_ci
from iclverify.numerics.stats.power_law_fit import fit_loglog
from iclverify.runtime.errors import MissingDependencyError

__all__ = ["FIGURES"]

DEPTHS = (1, 2, 4, 16)


def _alphas(level: str) -> np.ndarray:
    return np.logspace(-1.3, 1.3, 27 if level == "quick" else 61)


def _loss(request: FigureRequest) -> Drawing:
    fig, axes = new_figure(1, 1, width=5.2, height=3.8)
    ax = axes[0, 0]
    rows: list[dict[str, object]] = []
    alphas = _alphas(request.level)
    for L in DEPTHS:
        ys = [float(iso_loss(f"{a:.6g}", L, dps=15).loss) for a in alphas]
        (line,) = ax.plot(alphas, ys, label=f"L = {L}")
        rows += [{"series": "theory", "L": L, "alpha": float(a), "loss": y} for a, y in zip(alphas, ys)]
        if L > 4:  # at D = 64 the deep losses are set by eigenvalues past the spectrum's edge (see iso.montecarlo)
            continue
        mc_alphas = (0.5, 1.0, 2.0, 4.0)
        means, errs = [], []
        for a in mc_alphas:
            r = iso_context_losses(d=64, alpha=a, Ls=(L,), contexts=400, seed=request.seed)
            ci = mean_ci(r["loss"][:, 0])
            means.append(ci.mean)
            errs.append(ci.high - ci.mean)
            rows.append(
                {"series": "montecarlo-D64", "L": L, "alpha": a, "loss": ci.mean, "low": ci.low, "high": ci.high}
            )
        ax.errorbar(mc_alphas, means, yerr=errs, fmt="o", ms=3, color=line.get_color())
    ax.plot(alphas, np.maximum(1 - alphas, 0), "k--", lw=1, label=r"$L\to\infty$: $(1-\alpha)_+$")
    rows += [{"series": "limit", "L": "inf", "alpha": float(a), "loss": float(max(1 - a, 0))} for a in alphas]
    try:
        from iclverify.empirics.experiments.bordelon2025_training import run_point
        from iclverify.proofs.bordelon2025.trained import points

        for p in points("quick"):
            r = run_point(p, device=request.device, cache=request.cache, seed=request.seed)
            ax.plot([r["alpha"]], [r["trained"]], "s", mfc="none", color="k", ms=6)
            ax.plot([r["alpha"]], [r["gd_per_layer_mc"]], "x", color="k", ms=6)
            rows.append(
                {
                    "series": "trained-d8",
                    "L": r["L"],
                    "alpha": r["alpha"],
                    "loss": r["trained"],
                    "low": r["trained_low"],
                    "high": r["trained_high"],
                    "gd_shared_d8": r["gd_shared_mc"],
                    "gd_per_layer_d8": r["gd_per_layer_mc"],
                }
            )
    except (ImportError, MissingDependencyError):  # no torch: theory and Monte Carlo only
        pass
    ax.set_xscale("log")
    ax.set_xlabel(r"context per dimension $\alpha = P/D$")
    ax.set_ylabel(r"ISO loss $\mathcal{L}(\alpha, L)$")
    ax.set_title("L-step GD, optimal step; dots: D=64 (L<=4), squares: trained d=8, x: per-layer GD", fontsize=7)
    ax.legend(fontsize=7)
    return Drawing(name="bordelon2025-loss", figure=fig, rows=rows)


def _gain(request: FigureRequest) -> Drawing:
    fig, axes = new_figure(1, 1, width=5.2, height=3.8)
    ax = axes[0, 0]
    rows: list[dict[str, object]] = []
    alphas = _alphas(request.level)
    base = [float(iso_loss(f"{a:.6g}", 1, dps=15).loss) for a in alphas]
    for L in (2, 4, 16, 64):
        gain = [b - float(iso_loss(f"{a:.6g}", L, dps=15).loss) for a, b in zip(alphas, base)]
        ax.plot(alphas, gain, label=f"L = {L}")
        rows += [{"L": L, "alpha": float(a), "gain": g} for a, g in zip(alphas, gain)]
    inf = 1 / (1 + alphas) - np.maximum(1 - alphas, 0)
    ax.plot(alphas, inf, "k-", lw=2, label=r"$L\to\infty$")
    rows += [{"L": "inf", "alpha": float(a), "gain": float(g)} for a, g in zip(alphas, inf)]
    ax.plot(alphas[alphas > 3], 1 / alphas[alphas > 3], "k:", lw=1, label=r"$1/\alpha$")
    ax.plot(alphas[alphas < 0.3], alphas[alphas < 0.3] ** 2, "k--", lw=1, label=r"$\alpha^2$")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel(r"$\alpha = P/D$")
    ax.set_ylabel(r"gain $\mathcal{L}(\alpha,1)-\mathcal{L}(\alpha,L)$")
    ax.set_title("ISO: depth helps only at limited context (largest at alpha = 1)", fontsize=8)
    ax.legend(fontsize=7)
    return Drawing(name="bordelon2025-depth-gain", figure=fig, rows=rows)


def _rrs(request: FigureRequest) -> Drawing:
    fig, axes = new_figure(2, 1, width=4.4, height=3.6)
    rows: list[dict[str, object]] = []
    ax = axes[0, 0]
    Ls = [2**j for j in range(11)]
    for nu, beta in ((2.0, 1.0), (1.5, 0.5), (3.0, 1.5)):
        losses = [rrs_loss(L, nu=nu, beta=beta).loss for L in Ls]
        slope = float(local_exponents(Ls[-2:], losses[-2:])[0])
        ax.plot(Ls, losses, "o-", ms=3, label=rf"$\nu={nu:g},\beta={beta:g}$: slope {-slope:.3f} (stated $-\beta$)")
        rows += [
            {"panel": "depth", "nu": nu, "beta": beta, "x": L, "loss": y, "local_exponent": slope}
            for L, y in zip(Ls, losses)
        ]
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("depth L (infinite context)")
    ax.set_ylabel(r"$\min_\gamma \mathcal{L}_\infty(L)$")
    ax.legend(fontsize=6)
    ax = axes[0, 1]
    Ps = (64, 128, 256)
    n = 8 if request.level == "quick" else 24
    xs, ys, means = [], [], []
    for P in Ps:
        v = rrs_context_losses(d=2048, P=P, nu=2.0, beta=1.0, contexts=n, seed=request.seed)
        xs += [P] * n
        ys += v.tolist()
        means.append(float(v.mean()))
        rows.append({"panel": "context", "nu": 2.0, "beta": 1.0, "x": P, "loss": float(v.mean())})
    fit = fit_loglog(np.array(xs, float), np.array(ys), strata=np.array(xs), n_boot=400, seed=request.seed)
    ax.plot(xs, ys, ".", alpha=0.3, color="grey")
    ax.plot(Ps, means, "o-", label=f"slope {fit.estimate:.2f} [{fit.ci[0]:.2f}, {fit.ci[1]:.2f}] (stated -2)")
    rows.append(
        {"panel": "context-fit", "nu": 2.0, "beta": 1.0, "slope": fit.estimate, "low": fit.ci[0], "high": fit.ci[1]}
    )
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("context length P (D = 2048, L -> inf)")
    ax.set_ylabel("loss")
    ax.legend(fontsize=6)
    return Drawing(name="bordelon2025-rrs-exponents", figure=fig, rows=rows)


FIGURES = [
    FigureSpec(
        name="bordelon2025-loss",
        help="Bordelon et al.: ISO loss vs alpha for several L, with Monte Carlo and trained points.",
        draw=_loss,
    ),
    FigureSpec(
        name="bordelon2025-depth-gain",
        help="Bordelon et al.: the gain from depth vs alpha (theory, seconds).",
        draw=_gain,
    ),
    FigureSpec(
        name="bordelon2025-rrs-exponents", help="Bordelon et al.: RRS depth and context exponents (seconds).", draw=_rrs
    ),
]
