"""Lu et al. (2024) Figs. 1, 2 and 4: theory curves with finite-d Γ* (and dMMSE) points and 95% error bars.

Theory: :mod:`iclverify.numerics.lu2024.vectorised`. Points: :mod:`iclverify.empirics.montecarlo.simulate`
(exact-law sampler, structured ridge solver, exact finite-d test error), cached per run so that an interrupted figure
resumes. Defaults (d = 32) finish in about a minute on 2 cores; ``--d 100`` gives the paper's dimension.
Several ``--d`` draw one marker per dimension. ``--level full`` draws Fig. 4 as in the paper
(α ∈ {6, 10, 20, 40}, τ = 0.2α) instead of its CPU-sized version (α = τ = 10). ``--rounding floor`` sizes the
simulations as Lu et al. do (k = ⌊κd⌋); every CSV row records the rounding rule.

>>> [f.name for f in FIGURES]
['lu2024-fig1', 'lu2024-fig2', 'lu2024-fig4']
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from fractions import Fraction
from typing import Any

import numpy as np

from iclverify.empirics.montecarlo.simulate import GammaPoint, simulate_dmmse, simulate_gamma
from iclverify.figures import FigureRequest, FigureSpec
from iclverify.figures.output import Drawing, new_figure
from iclverify.numerics.lu2024 import vectorised as lu2024_float
from iclverify.runtime.validation import exact
from iclverify.theory.params import LuParams

__all__ = ["FIGURES"]

DEFAULT_D = (32,)
MARKERS = ("o", "s", "^", "D", "v")


def _num(v: object) -> float:
    return math.inf if str(v) == "inf" else float(Fraction(str(v)))


def _dims(request: FigureRequest, default: Sequence[int] = DEFAULT_D) -> tuple[int, ...]:
    return tuple(request.d) if request.d else tuple(default)


def _theory_row(panel: str, series: str, x_name: str, x: float, y: float) -> dict[str, Any]:
    return {"panel": panel, "series": series, "kind": "theory", x_name: x, "y": y}


def _sim_row(  # noqa: PLR0917 - one CSV row's columns, in the CSV's order
    panel: str, series: str, kind: str, x_name: str, x: float, ci: Any, d: int, seed: int, sizes: dict[str, Any]
) -> dict[str, Any]:
    return {
        "panel": panel,
        "series": series,
        "kind": kind,
        x_name: x,
        "y": ci.mean,
        "y_low": ci.low,
        "y_high": ci.high,
        "runs": ci.n,
        "d": d,
        "seed": seed,
        **{k: sizes.get(k) for k in ("n", "ell", "k")},
    }


def _errorbars(  # noqa: PLR0917 - matplotlib's own argument order
    ax: Any, xs: Sequence[float], cis: Sequence[Any], color: Any, marker: str, label: str | None
) -> None:
    """One errorbar artist per series (a figure with hundreds of single-point artists renders slowly)."""
    y = np.array([c.mean for c in cis])
    err = np.array([[c.mean - c.low for c in cis], [c.high - c.mean for c in cis]])
    ax.errorbar(list(xs), y, yerr=err, fmt=marker, color=color, ms=4, capsize=2, label=label, ls="none")


def _lu(**values: object) -> LuParams:
    """:class:`LuParams` from the figure's exact decimal strings and integers."""
    return LuParams(**{name: exact(name, value, allow_inf=True) for name, value in values.items()})


def _point(params: LuParams, d: int, request: FigureRequest, runs: int) -> GammaPoint:
    return simulate_gamma(
        params,
        d=d,
        runs=runs,
        seed=request.seed,
        cache=request.cache,
        progress=request.progress,
        rounding=request.rounding,
    )


def _recorded(rows: list[dict[str, Any]], request: FigureRequest) -> list[dict[str, Any]]:
    """The CSV rows with the size-rounding rule of the simulations in every row."""
    return [{**row, "rounding": request.rounding} for row in rows]


# --------------------------------------------------------------------------------------------------
# Fig. 1: double descent in τ


FIG1_TAUS = ("0.2", "0.5", "0.85", "1.15", "1.5", 2)
FIG1_ALPHAS = (1, 10, 100)
FIG1_LAMS = ("1e-5", "0.1", 1)


def build_fig1(request: FigureRequest) -> Drawing:
    ds, runs = _dims(request), request.runs or 10
    fig, axes = new_figure(3, 1, width=4.0, height=3.3)
    rows: list[dict[str, Any]] = []
    grid = np.concatenate([np.linspace(0.05, 0.995, 120), [np.nan], np.linspace(1.005, 2.2, 120)])
    colors = ("tab:blue", "tab:orange", "tab:green")
    for panel, (ax, quantity) in zip("AB", ((axes[0, 0], "e_icl"), (axes[0, 1], "e_idg")), strict=True):
        for alpha, color in zip(FIG1_ALPHAS, colors, strict=True):
            ok = ~np.isnan(grid)
            y = np.full(grid.shape, np.nan)
            y[ok] = getattr(lu2024_float, quantity)(grid[ok], alpha, 0.5, 0.01)
            ax.plot(grid, y, color=color, lw=1.2, label=f"α={alpha}")
            rows += [
                _theory_row(panel, f"alpha={alpha}", "tau", float(t), float(v))
                for t, v in zip(grid[ok], y[ok], strict=True)
            ]
            for j, d in enumerate(ds):
                cis = []
                for tau in FIG1_TAUS:
                    pt = _point(_lu(tau=tau, alpha=alpha, kappa="0.5", rho="0.01", lam="1e-5"), d, request, runs)
                    cis.append(getattr(pt, quantity))
                    rows.append(
                        _sim_row(panel, f"alpha={alpha}", "gamma", "tau", _num(tau), cis[-1], d, request.seed, pt.sizes)
                    )
                _errorbars(
                    ax,
                    [_num(t) for t in FIG1_TAUS],
                    cis,
                    color,
                    MARKERS[j % len(MARKERS)],
                    f"d={d}" if alpha == 1 else None,
                )
        ax.set(
            xlabel="τ = n/d²",
            ylabel=("$e^{ICL}$" if quantity == "e_icl" else "$e^{IDG}$") + " (ridgeless)",
            yscale="log",
            title=f"{panel}: κ = 0.5, ρ = 0.01",
        )
        ax.axvline(1, color="grey", lw=0.6, ls=":")
        ax.legend(fontsize=7)
    ax = axes[0, 2]
    fine = np.linspace(0.05, 2.2, 240)
    for lam, color in zip(FIG1_LAMS, colors, strict=True):
        y = lu2024_float.e_icl(fine, 10, math.inf, 0.01, _num(lam))
        ax.plot(fine, y, color=color, lw=1.2, label=f"λ={lam}")
        rows += [_theory_row("C", f"lam={lam}", "tau", float(t), float(v)) for t, v in zip(fine, y, strict=True)]
        for j, d in enumerate(ds):
            cis = []
            for tau in FIG1_TAUS:
                pt = _point(_lu(tau=tau, alpha=10, kappa="inf", rho="0.01", lam=lam), d, request, runs)
                cis.append(pt.e_icl)
                rows.append(_sim_row("C", f"lam={lam}", "gamma", "tau", _num(tau), pt.e_icl, d, request.seed, pt.sizes))
            _errorbars(ax, [_num(t) for t in FIG1_TAUS], cis, color, MARKERS[j % len(MARKERS)], None)
    ax.set(xlabel="τ = n/d²", ylabel="$e^{ICL}$", yscale="log", title="C: α = 10, κ = ∞, ρ = 0.01")
    ax.legend(fontsize=7)
    fig.suptitle(
        f"Lu et al. Fig. 1 — theory (lines), finite-d Γ* (points, 95% CI over {runs} runs), "
        f"d = {', '.join(map(str, ds))}",
        fontsize=9,
    )
    return Drawing(name="lu2024-fig1", figure=fig, rows=_recorded(rows, request))


# --------------------------------------------------------------------------------------------------
# Fig. 2: context length


FIG2_PANELS = (
    ("A", "e_idg", "0.5", "0.5", ("0.1", "0.3", "0.5", "0.7", 2)),
    ("B", "e_icl", "0.5", "0.1", ("0.2", "0.4", "0.5", "0.6", "1.5")),
    ("C", "e_icl", 20, "0.5", ("0.25", "0.75", 1, "1.1", 2)),
)
FIG2_ALPHAS = ("0.1", "0.3", 1, 3, 10, 30, 100)


def build_fig2(request: FigureRequest) -> Drawing:
    ds, runs = _dims(request), request.runs or 5
    fig, axes = new_figure(3, 1, width=4.0, height=3.3)
    rows: list[dict[str, Any]] = []
    fine = np.logspace(-1.3, 2.3, 160)
    cmap = __import__("matplotlib").colormaps["viridis"]
    for (panel, quantity, tau, rho, kappas), ax in zip(FIG2_PANELS, axes[0], strict=True):
        for i, kappa in enumerate(kappas):
            color = cmap(i / max(1, len(kappas) - 1))
            y = getattr(lu2024_float, quantity)(_num(tau), fine, _num(kappa), _num(rho), 1e-6)
            ax.plot(fine, y, color=color, lw=1.2, label=f"κ={kappa}")
            rows += [
                _theory_row(panel, f"kappa={kappa}", "alpha", float(a), float(v)) for a, v in zip(fine, y, strict=True)
            ]
            for j, d in enumerate(ds):
                cis = []
                for alpha in FIG2_ALPHAS:
                    pt = _point(_lu(tau=tau, alpha=alpha, kappa=kappa, rho=rho, lam="1e-6"), d, request, runs)
                    cis.append(getattr(pt, quantity))
                    rows.append(
                        _sim_row(
                            panel, f"kappa={kappa}", "gamma", "alpha", _num(alpha), cis[-1], d, request.seed, pt.sizes
                        )
                    )
                _errorbars(ax, [_num(a) for a in FIG2_ALPHAS], cis, color, MARKERS[j % len(MARKERS)], None)
        name = "$e^{IDG}$" if quantity == "e_idg" else "$e^{ICL}$"
        ax.set(xscale="log", yscale="log", xlabel="α = ℓ/d", ylabel=name, title=f"{panel}: τ = {tau}, ρ = {rho}")
        ax.legend(fontsize=7)
    fig.suptitle(
        f"Lu et al. Fig. 2 — λ = 1e-6; finite-d Γ* points (95% CI over {runs} runs), d = {', '.join(map(str, ds))}",
        fontsize=9,
    )
    return Drawing(name="lu2024-fig2", figure=fig, rows=_recorded(rows, request))


# --------------------------------------------------------------------------------------------------
# Fig. 4: task diversity, Γ* against dMMSE


FIG4_KAPPAS = ("0.2", "0.4", "0.6", "0.8", 1, "1.2", "1.6", 2, 4, 8, 16, 32)


def build_fig4(request: FigureRequest) -> Drawing:
    full = request.level == "full"
    ds = _dims(request, (100,) if full else DEFAULT_D)
    runs = request.runs or 20
    alphas = (6, 10, 20, 40) if full else (10,)
    dmmse_runs = 1000
    fig, axes = new_figure(2, 1, width=4.6, height=3.6)
    rows: list[dict[str, Any]] = []
    fine = np.logspace(np.log10(0.15), np.log10(40), 200)
    colors = ("tab:blue", "tab:orange", "tab:green", "tab:red")
    for alpha, color in zip(alphas, colors, strict=False):
        tau = Fraction(alpha) / 5 if full else Fraction(10)
        y = lu2024_float.g_task(float(tau), alpha, fine, 0.01, 1e-6)
        for ax in axes[0]:
            ax.plot(fine, y, color=color, lw=1.2, label=f"theory α={alpha}, τ={float(tau):g}")
        rows += [
            _theory_row("AB", f"theory alpha={alpha}", "kappa", float(k), float(v))
            for k, v in zip(fine, y, strict=True)
        ]
        xs = [_num(k) for k in FIG4_KAPPAS]
        for j, d in enumerate(ds):
            gam, dmm = [], []
            for kappa in FIG4_KAPPAS:
                pt = _point(_lu(tau=tau, alpha=alpha, kappa=kappa, rho="0.01", lam="1e-6"), d, request, runs)
                gam.append(pt.g_task)
                rows.append(
                    _sim_row(
                        "AB",
                        f"gamma alpha={alpha}",
                        "gamma",
                        "kappa",
                        _num(kappa),
                        pt.g_task,
                        d,
                        request.seed,
                        pt.sizes,
                    )
                )
            for kappa in FIG4_KAPPAS:
                dm = simulate_dmmse(
                    d=d,
                    alpha=alpha,
                    kappa=_num(kappa),
                    rho=0.01,
                    runs=dmmse_runs,
                    seed=request.seed,
                    cache=request.cache,
                    progress=request.progress,
                    rounding=request.rounding,
                )
                dmm.append(dm.g_task)
                rows.append(
                    _sim_row(
                        "AB",
                        f"dmmse alpha={alpha}",
                        "dmmse",
                        "kappa",
                        _num(kappa),
                        dm.g_task,
                        d,
                        request.seed,
                        {"ell": dm.ell, "k": dm.k},
                    )
                )
            for ax in axes[0]:
                _errorbars(ax, xs, gam, color, MARKERS[j % len(MARKERS)], f"Γ* α={alpha} d={d}")
                _errorbars(ax, xs, dmm, color, "x", f"dMMSE α={alpha} d={d}")
    limit = np.maximum(1 - fine, 0.0)
    axes[0, 1].plot(fine, limit, color="tab:green" if not full else "black", ls="--", lw=1, label="α→∞: (1−κ)₊")
    rows += [_theory_row("B", "alpha->inf", "kappa", float(k), float(v)) for k, v in zip(fine, limit, strict=True)]
    axes[0, 0].set(xscale="log", yscale="log", xlabel="κ = k/d", ylabel="$g_{task}$", title="A: log-log")
    axes[0, 1].set(xscale="log", xlabel="κ = k/d", ylabel="$g_{task}$", title="B: log-linear")
    for ax in axes[0]:
        ax.axvline(1, color="grey", lw=0.6, ls=":")
        ax.legend(fontsize=6)
    fig.suptitle(
        f"Lu et al. Fig. 4 — ρ = 0.01, λ = 1e-6; Γ* {runs} runs, dMMSE {dmmse_runs} runs per κ (95% CI)", fontsize=9
    )
    return Drawing(name="lu2024-fig4", figure=fig, rows=_recorded(rows, request))


FIGURES = (
    FigureSpec(
        name="lu2024-fig1", help="double descent in τ: theory vs finite-d Γ* (ICL, IDG, ridge)", draw=build_fig1
    ),
    FigureSpec(name="lu2024-fig2", help="errors vs context length α: theory vs finite-d Γ*", draw=build_fig2),
    FigureSpec(
        name="lu2024-fig4", help="g_task vs κ: theory, finite-d Γ*, dMMSE (memorisation → ICL)", draw=build_fig4
    ),
)
