"""Figures 5 and 6 of Lu et al. (2024): trained linear and softmax transformers.

* ``lu2024-fig5`` — ICL error against τ for each architecture and d (α = 1, κ = ∞, ρ = 0.01), the
  located interpolation thresholds n*/d² as dashed lines, and n* against d on log axes with the fitted
  exponent a per architecture (the paper's panel d).
* ``lu2024-fig6`` — g_task against κ for the two-block transformer at τ = 10, with the theory's g_task
  and dMMSE's.

Defaults follow ``--level`` (quick: linear and softmax attention at d ∈ {6, 8}, 2 runs; the two-block
model at d = 6; full: the paper's four architectures at d ∈ {20, 40, 80}, 5 runs); ``--d`` and ``--runs``
override them. Training runs are cached and resume (``--no-cache`` disables both).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from iclverify.figures import FigureRequest, FigureSpec
from iclverify.figures.output import Drawing, new_figure
from iclverify.proofs.framework.claims import CheckContext
from iclverify.proofs.lu2024 import trained as claims

__all__ = ["FIGURES"]

FIG5_DEFAULTS: dict[
    str, dict[str, Any]
] = {  # the τ grids are the double-descent claim's, so the figure reuses its cached runs
    "quick": dict(
        models=("linear", "softmax"), ds=(6, 8), runs=2, taus=claims.SETUPS["quick"]["double_descent"]["taus"]
    ),
    "full": dict(
        models=("linear", "softmax", "two-blocks", "three-blocks"),
        ds=(20, 40, 80),
        runs=5,
        taus=claims.SETUPS["full"]["double_descent"]["taus"],
    ),
}
FIG6_DEFAULTS: dict[str, dict[str, Any]] = {"quick": dict(ds=(6,), runs=2), "full": dict(ds=(20, 40, 80), runs=5)}


def _context(request: FigureRequest) -> CheckContext:
    return CheckContext(
        level=request.level, seed=request.seed, cache=request.cache, device=request.device, progress=request.progress
    )


def _plain_log_ticks(axis: Any, values: Iterable[float], min_ratio: float = 1.6) -> None:
    """Major ticks at plotted values at least a factor ``min_ratio`` apart, printed plainly; no minor tick labels."""
    from matplotlib.ticker import FixedLocator, FuncFormatter, NullFormatter

    kept: list[float] = []
    for v in sorted(values):
        if not kept or v / kept[-1] >= min_ratio:
            kept.append(v)
    axis.set_major_locator(FixedLocator(kept))
    axis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    axis.set_minor_formatter(NullFormatter())


def build_fig5(request: FigureRequest) -> Drawing:
    from iclverify.numerics.stats.power_law_fit import LogLogFit

    defaults = FIG5_DEFAULTS[request.level]
    ds = request.d or defaults["ds"]
    runs = request.runs or defaults["runs"]
    models, taus = defaults["models"], defaults["taus"]
    ctx = _context(request)
    seeds = [request.seed + i for i in range(runs)]
    fig, axes = new_figure(len(models) + 1, 1, width=3.6)
    rows = []
    colors = {d: f"C{i}" for i, d in enumerate(ds)}
    curves = claims.fig5_curves(ctx, [(key, d) for key in models for d in ds], taus, seeds)  # all submitted at once
    for ax, key in zip(axes[0], models):
        stars_x, stars_y = [], []
        for d in ds:
            data = curves[(key, d)]
            logs = np.log(data["icl_error"])
            mean, sd = np.exp(logs.mean(axis=0)), logs.std(axis=0)
            ax.plot(taus, mean, "o-", color=colors[d], label=f"d={d}", ms=3)
            ax.fill_between(taus, mean * np.exp(-sd), mean * np.exp(sd), color=colors[d], alpha=0.2)
            if data["tau_star"] is not None:
                ax.axvline(data["tau_star"], color=colors[d], ls="--", lw=0.8)
            for t in data["thresholds"]:
                if t is not None:
                    stars_x.append(d)
                    stars_y.append(t.n_star)
            for j, tau in enumerate(taus):
                for i, s in enumerate(seeds):
                    rows.append(
                        {
                            "figure": "fig5",
                            "model": key,
                            "d": d,
                            "tau": tau,
                            "seed": s,
                            "icl_error": data["icl_error"][i, j],
                            "train_loss": data["train_loss"][i, j],
                            "tau_star": data["tau_star"],
                        }
                    )
        ax.set(
            xscale="log",
            yscale="log",
            xlabel=r"$\tau = n/d^2$",
            ylabel=r"$e^{\rm ICL}$",
            title=claims.model_spec(key).label,
        )
        _plain_log_ticks(ax.xaxis, taus)
        ax.legend(fontsize=7)
        panel, a, label = axes[0][-1], None, key
        if len(stars_x) >= 3 and len(set(stars_x)) >= 2:
            fit = LogLogFit(n_boot=500, seed=request.seed).fit(
                np.array(stars_x, float), np.array(stars_y, float), strata=np.array(stars_x)
            )
            grid = np.geomspace(min(stars_x), max(stars_x), 20)
            panel.plot(grid, fit.predict(grid), "--", lw=0.8, color=f"C{models.index(key)}")
            ci = f"[{fit.ci[0]:.2f}, {fit.ci[1]:.2f}]" if not fit.warnings else "(too few runs for a CI)"
            a, label = fit.estimate, f"{key}: a={fit.estimate:.2f} {ci}"
        panel.plot(stars_x, stars_y, "o", color=f"C{models.index(key)}", ms=3, label=label)
        rows += [{"figure": "fig5d", "model": key, "d": x, "n_star": y, "a": a} for x, y in zip(stars_x, stars_y)]
    panel = axes[0][-1]
    panel.set(xscale="log", yscale="log", xlabel="d", ylabel="interpolation threshold n*", title="n* against d")
    _plain_log_ticks(panel.xaxis, ds, min_ratio=1.0)
    panel.legend(fontsize=6)
    fig.suptitle(f"Lu et al. Fig. 5 (trained, α=1, κ=∞, ρ=0.01; {request.level} protocol, {runs} runs)", fontsize=9)
    return Drawing(name="lu2024-fig5", figure=fig, rows=rows)


def build_fig6(request: FigureRequest) -> Drawing:
    from iclverify.numerics.lu2024.vectorised import g_task

    defaults = FIG6_DEFAULTS[request.level]
    ds = request.d or defaults["ds"]
    runs = request.runs or defaults["runs"]
    kappas = claims.SETUPS[request.level]["diversity"]["kappas"]
    ctx = _context(request)
    seeds = [request.seed + i for i in range(runs)]
    fig, axes = new_figure(1, 1, width=5.0)
    ax = axes[0][0]
    rows = []
    grid = np.geomspace(min(kappas), max(kappas), 200)
    ax.plot(grid, g_task(10.0, 1.0, grid, 0.01), "k-", lw=1, label="theory (linear attention, d→∞)")
    for i, d in enumerate(ds):
        data = claims.fig6_points(ctx, d, kappas, seeds)
        pts = data["rows"]
        ax.errorbar(
            kappas,
            [p["g_task"] for p in pts],
            yerr=[p["se"] for p in pts],
            fmt="o",
            color=f"C{i}",
            ms=4,
            label=f"2 blocks, d={d}",
        )
        ax.errorbar(
            kappas,
            [p["dmmse_g_task"] for p in pts],
            yerr=[p["dmmse_se"] for p in pts],
            fmt="s",
            mfc="none",
            color=f"C{i}",
            ms=4,
            label=f"dMMSE, d={d}",
        )
        rows += [{"figure": "fig6", **p, "runs": runs} for p in pts]
    ax.set(
        xscale="log",
        xlabel=r"task diversity $\kappa = k/d$",
        ylabel=r"$g_{\rm task} = e^{\rm ICL} - e^{\rm IDG}$",
        title=f"Lu et al. Fig. 6 (τ=10, α=1, ρ=0.01; {request.level} protocol, {runs} runs)",
    )
    _plain_log_ticks(ax.xaxis, kappas)
    ax.axhline(0.0, color="grey", lw=0.5)
    ax.legend(fontsize=7)
    return Drawing(name="lu2024-fig6", figure=fig, rows=rows)


FIGURES = [
    FigureSpec(
        name="lu2024-fig5", help="trained transformers: ICL error vs τ (double descent) and n* vs d", draw=build_fig5
    ),
    FigureSpec(
        name="lu2024-fig6", help="trained two-block transformer: g_task vs κ with theory and dMMSE", draw=build_fig6
    ),
]
