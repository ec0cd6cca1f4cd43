r"""Figures of the Mehta & Gupta (2025) claims decided with trained models.

Each figure reruns the claim's own experiment (:mod:`iclverify.proofs.mehta_gupta2025.trained`) at the
requested ``--level`` and ``--seed``, so the training runs are the cached ones of ``icl-verify verify``;
sizes and seeds are the claim's (``--d`` and ``--runs`` do not apply). The CSV has a ``series`` column and
one row per plotted point (a trained model, a reference value, a located optimum or transition), the fits'
parameters beside the points they were fitted to.

* ``mg-eta`` (T2.eta-measured) — each trained model's per-layer step η (mean over its layers) against
  L·d, against L per width d and against d per depth L on log axes; the fitted surface c L^{p_L} d^{p_d}
  with its intervals, the parametrisation's step 1/√(L d) and the GD-optimal constant step.
* ``mg-exponent`` (T1b.measured-exponent) — test MSE against N per task with the fitted floor and power
  law and the ridge / least-squares / zero baselines; MSE − floor on log axes with the fitted exponent
  and the predicted slope −1/4.
* ``mg-allocation`` (A.measured-allocation and Tab3.depth-beats-width) — errors against depth at fixed
  L·D per budget with the located L* and its interval, L* against N with the fitted and predicted (2/3)
  slopes, the scaled Table 3 pair with the ratio MSE(wide)/MSE(deep), and the fixed 12·L·D² budgets.
* ``mg-transition`` (P3.sigmoid) — one row of panels per tree depth h (h = 1 and 2): the continuous
  (MSE-based) and thresholded (success-based) scores against N per k with the fitted logistics, the located
  N_c and the predicted (kh)^{2(h+1)}; N_c against k on log axes with the fitted and predicted (2(h+1))
  slopes; the difference of the slopes between the two h (predicted 2) in the title and the CSV.

>>> [f.name for f in FIGURES]
['mg-eta', 'mg-exponent', 'mg-allocation', 'mg-transition']
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from iclverify.figures import FigureRequest, FigureSpec
from iclverify.figures.output import Drawing, new_figure
from iclverify.proofs.framework.claims import CheckContext
from iclverify.proofs.mehta_gupta2025 import trained as mg
from iclverify.runtime.errors import ConfigError

__all__ = ["FIGURES"]

MARKERS = ("o", "s", "^", "D", "v", "P", "X", "<", ">")
LINESTYLES = ("-", "--", "-.", ":")
OUT_OF_REACH = "the summary's scales are out of reach on CPU"


def _context(request: FigureRequest, name: str) -> CheckContext:
    if request.d is not None or request.runs is not None:
        raise ConfigError(
            f"{name} draws the claim's own experiment: its sizes and seeds follow --level; --d and --runs do not apply"
        )
    return CheckContext(
        level=request.level, seed=request.seed, cache=request.cache, device=request.device, progress=request.progress
    )


def _scale(request: FigureRequest, seeds: int, steps: int) -> str:
    return f"{request.level} level, {seeds} seeds per point, {steps} training steps; {OUT_OF_REACH}"


def _plain_log_ticks(axis: Any, values: Iterable[float], min_ratio: float = 1.3) -> None:
    """Major ticks at the plotted values (at least ``min_ratio`` apart), printed plainly; no minor labels."""
    from matplotlib.ticker import FixedLocator, FuncFormatter, NullFormatter

    kept: list[float] = []
    for v in sorted({float(v) for v in values if v > 0}):
        if not kept or v / kept[-1] >= min_ratio:
            kept.append(v)
    axis.set_major_locator(FixedLocator(kept))
    axis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    axis.set_minor_formatter(NullFormatter())


def _interval(ci: Sequence[float], digits: int = 2) -> str:
    return f"[{ci[0]:.{digits}f}, {ci[1]:.{digits}f}]"


def _geomspace(values: Iterable[float], pad: float = 1.15, num: int = 100) -> np.ndarray:
    v = [float(x) for x in values if x > 0]
    return np.geomspace(min(v) / pad, max(v) * pad, num)


def _warn(warnings: Sequence[str]) -> str:
    return "; ".join(warnings)


def _save(fig: Any, axes: Any, request: FigureRequest, name: str, rows: list[dict[str, Any]]) -> Drawing:
    """Small panel titles and labels (the figures are wide); the drawing with its data."""
    from matplotlib.ticker import LogFormatter

    class Plain(
        LogFormatter
    ):  # matplotlib's choice of labelled log ticks, printed 0.6 and 2 rather than 6×10⁻¹ and 2×10⁰
        def _num_to_string(self, x: float, vmin: float, vmax: float) -> str:
            return f"{x:.3g}"

    for ax in axes.flat:
        if ax.get_yscale() == "log":
            ax.yaxis.set_major_formatter(Plain())
            ax.yaxis.set_minor_formatter(Plain(labelOnlyBase=False, minor_thresholds=(1, 0.4)))
        ax.title.set_fontsize(8)
        ax.xaxis.label.set_fontsize(8)
        ax.yaxis.label.set_fontsize(8)
        ax.tick_params(which="both", labelsize=7)
    return Drawing(name=name, figure=fig, rows=rows)


# --------------------------------------------------------------------------------------------------
# mg-eta


def _slope_title(name: str, estimate: float, ci: Sequence[float]) -> str:
    return (
        rf"fitted $\hat\eta \propto {name}^{{{estimate:.2f}}}$, {_interval(ci)} ({mg.ETA_CONFIDENCE:.1%})"
        + "\npredicted slope $-0.5$"
    )


def build_eta(request: FigureRequest) -> Drawing:
    ex = mg.eta_experiment(_context(request, "mg-eta"))
    setup, fit, param = ex["setup"], ex["trained"], ex["parametrisation"]
    rows_in = ex["rows"]
    widths = sorted({r["width"] for r in rows_in})
    Ls = sorted({r["L"] for r in rows_in})
    color = {w: f"C{i}" for i, w in enumerate(widths)}
    marker = {L: MARKERS[i % len(MARKERS)] for i, L in enumerate(Ls)}
    pos = [r for r in rows_in if r["eta"] > 0]
    dropped = len(rows_in) - len(pos)
    pL, pd = fit.params["p_L"], fit.params["p_d"]
    fit_cols = {
        "fit_c": fit.params["c"],
        "fit_p_L": pL,
        "fit_p_L_low": fit.intervals["p_L"][0],
        "fit_p_L_high": fit.intervals["p_L"][1],
        "fit_p_d": pd,
        "fit_p_d_low": fit.intervals["p_d"][0],
        "fit_p_d_high": fit.intervals["p_d"][1],
        "fit_confidence_each": mg.ETA_CONFIDENCE,
        "fit_warnings": _warn(fit.warnings),
    }

    def surface(L: Any, w: Any) -> np.ndarray:
        return fit.params["c"] * np.asarray(L, dtype=float) ** pL * np.asarray(w, dtype=float) ** pd

    fig, axes = new_figure(3, 1, width=4.0, height=3.7)
    ax_all, ax_L, ax_d = axes[0]
    rows: list[dict[str, Any]] = []
    # panel 1: every model against L·d
    for r in rows_in:
        rows.append(
            {
                "series": "trained",
                **{k: r[k] for k in ("L", "d", "width", "seed", "eta", "eta_fitted", "distance", "test_mse", "ridge")},
                "L_times_width": r["L"] * r["width"],
                "steps": r["steps"],
                "plotted": r["eta"] > 0,
                **fit_cols,
            }
        )
    for L in Ls:
        for w in widths:
            pts = [r for r in pos if r["L"] == L and r["width"] == w]
            if pts:
                ax_all.plot(
                    [L * w] * len(pts), [r["eta"] for r in pts], marker[L], color=color[w], ms=4, alpha=0.8, ls="none"
                )
                ax_L.plot(
                    [L] * len(pts), [r["eta"] for r in pts], marker[L], color=color[w], ms=4, alpha=0.8, ls="none"
                )
                ax_d.plot(
                    [w] * len(pts), [r["eta"] for r in pts], marker[L], color=color[w], ms=4, alpha=0.8, ls="none"
                )
    x_all = [L * w for L in Ls for w in widths]
    grid = _geomspace(x_all)
    ax_all.plot(grid, grid**-0.5, "k-", lw=1, label=r"parametrisation $1/\sqrt{L d}$")
    ax_all.plot(
        [p["L"] * p["width"] for p in ex["param"]],
        [p["eta"] for p in ex["param"]],
        "o",
        mfc="none",
        mec="k",
        ms=6,
        label="measured at unit weights",
    )
    rows += [
        {
            "series": "parametrisation",
            "L": p["L"],
            "d": p["d"],
            "width": p["width"],
            "L_times_width": p["L"] * p["width"],
            "eta": p["eta"],
            "predicted": p["predicted"],
            "fit_p_L": param.params["p_L"],
            "fit_p_d": param.params["p_d"],
        }
        for p in ex["param"]
    ]
    opt = ex["optimal"]
    for o in opt:
        w = o["d"] + 1
        rows.append(
            {
                "series": "gd-optimal",
                "L": o["L"],
                "d": o["d"],
                "width": w,
                "L_times_width": o["L"] * w,
                "eta": o["eta"],
                "error": o["error"],
            }
        )
        for ax, x in ((ax_all, o["L"] * w), (ax_L, o["L"]), (ax_d, w)):
            ax.plot([x], [o["eta"]], "x", color=color.get(w, "k"), ms=6, mew=1.5)
    from matplotlib.lines import Line2D

    proxies = [
        Line2D([], [], marker="o", color="grey", ls="none", ms=4, label="trained models (one per seed)"),
        Line2D([], [], marker="x", color="grey", ls="none", ms=6, mew=1.5, label="GD-optimal constant step"),
    ]
    handles, _ = ax_all.get_legend_handles_labels()
    ax_all.legend(handles=proxies + handles, fontsize=6.5, loc="best")
    ax_all.set(
        xscale="log",
        yscale="log",
        xlabel=r"$L \cdot d$  (d = model width $d_x + 1$)",
        ylabel=r"per-layer step $\hat\eta$ (mean over layers)",
        title="all models against L·d",
    )
    _plain_log_ticks(ax_all.xaxis, x_all)
    # panel 2: against L per width, with the fitted surface and the parametrisation
    gL = _geomspace(Ls, pad=1.1, num=50)
    for w in widths:
        ax_L.plot(gL, surface(gL, w), "-", color=color[w], lw=1, label=f"d={w}: fitted surface")
        ax_L.plot(gL, (gL * w) ** -0.5, ":", color=color[w], lw=0.9)
    ax_L.plot([], [], "k:", lw=0.9, label=r"$1/\sqrt{L d}$ (slope $-\frac{1}{2}$)")
    ax_L.set(xscale="log", yscale="log", xlabel="depth L", title=_slope_title("L", pL, fit.intervals["p_L"]))
    _plain_log_ticks(ax_L.xaxis, Ls, min_ratio=1.0)
    ax_L.legend(fontsize=6.5, loc="best")
    # panel 3: against width per depth
    gw = _geomspace(widths, pad=1.1, num=50)
    for L in Ls:
        style = LINESTYLES[Ls.index(L) % len(LINESTYLES)]
        ax_d.plot(gw, surface(L, gw), style, color="0.35", lw=0.9)
        ax_d.plot([], [], marker=marker[L], ls=style, color="0.35", lw=0.9, ms=4, label=f"L={L}")
    ax_d.set(xscale="log", yscale="log", xlabel="width d", title=_slope_title("d", pd, fit.intervals["p_d"]))
    _plain_log_ticks(ax_d.xaxis, widths, min_ratio=1.0)
    ax_d.legend(fontsize=6.5, loc="best", title="fitted surface at depth", title_fontsize=6.5)
    note = f"; {dropped} models with η ≤ 0 not shown (not fitted)" if dropped else ""
    fig.suptitle(
        "Mehta & Gupta T2: trained per-layer GD step of L-layer linear self-attention "
        f"(colour: width d, marker: depth L){note}\n"
        rf"parametrisation alone: $L^{{{param.params['p_L']:.2f}}} d^{{{param.params['p_d']:.2f}}}$ — "
        f"{_scale(request, setup['seeds'], setup['steps'])}",
        fontsize=8.5,
    )
    return _save(fig, axes, request, "mg-eta", rows)


# --------------------------------------------------------------------------------------------------
# mg-exponent


def build_exponent(request: FigureRequest) -> Drawing:
    from iclverify.theory.mehta_gupta2025.formulas import exponent

    predicted = float(exponent(1))
    ex = mg.size_experiment(_context(request, "mg-exponent"))
    tasks = ex["tasks"]
    fig, axes = new_figure(2, len(tasks), width=4.4, height=3.3)
    rows: list[dict[str, Any]] = []
    for i, (task, t) in enumerate(tasks.items()):
        fit, data = t["fit"], t["rows"]
        floor, c, p = fit.params["floor"], fit.params["c"], fit.params["p"]
        Ns = sorted({r["N"] for r in data})
        fit_cols = {
            "fit_floor": floor,
            "fit_c": c,
            "fit_p": p,
            "fit_p_low": fit.ci[0],
            "fit_p_high": fit.ci[1],
            "predicted_p": predicted,
            "fit_warnings": _warn(fit.warnings),
        }
        ax, ax_ex = axes[i]
        N_arr = np.array([r["N"] for r in data], dtype=float)
        mse = np.array([r["test_mse"] for r in data])
        ax.plot(N_arr, mse, "o", color="C0", ms=3.5, alpha=0.7, label="trained models (seeds)")
        grid = _geomspace(Ns, pad=1.1)
        ax.plot(grid, fit.predict(grid), "-", color="C0", lw=1.2, label=rf"fit $f + c N^{{-p}}$, p = {p:.2f}")
        lows = [mse.min()]
        if floor >= 0.05 * mse.min():
            ax.axhline(floor, color="C0", ls="--", lw=0.9, label=f"fitted floor f = {floor:.3g}")
        else:
            ax.plot([], [], " ", label=f"fitted floor f = {floor:.2g} (≈ 0, not drawn)")
        baselines = {k: float(np.mean([r["baselines"][k] for r in data])) for k in data[0]["baselines"]}
        for j, (name, value) in enumerate(sorted(baselines.items())):
            ax.axhline(value, color=f"C{j + 2}", ls=":", lw=1, label=f"{name} baseline {value:.3g}")
            lows.append(value)
            rows.append({"series": "baseline", "task": task, "baseline": name, "test_mse": value})
        ax.set(
            xscale="log",
            yscale="log",
            xlabel="N = L·D  (shapes (L, 4L))",
            ylabel="test MSE",
            title=f"{task}: test MSE against N",
        )
        _plain_log_ticks(ax.xaxis, Ns)
        ax.legend(fontsize=6, loc="best")
        # excess over the floor
        excess = mse - floor
        ok = excess > 0
        ax_ex.plot(N_arr[ok], excess[ok], "o", color="C1", ms=3.5, alpha=0.7, label="trained models (seeds)")
        means = [(N, float(np.mean(excess[N_arr == N]))) for N in Ns]
        mpos = [(N, m) for N, m in means if m > 0]
        if mpos:
            ax_ex.plot(*zip(*mpos), "D", color="k", ms=4, mfc="none", label="seed mean")
        ax_ex.plot(grid, c * grid ** (-p), "-", color="C1", lw=1.2, label=r"fit $c N^{-p}$")
        centre = float(np.exp(np.mean(np.log(Ns))))
        anchor = c * centre ** (-p)
        ax_ex.plot(
            grid, anchor * (grid / centre) ** (-predicted), "k--", lw=0.9, label=rf"predicted slope $-{predicted:g}$"
        )
        hidden = int((~ok).sum())
        notes = [f"p = {p:.2f} {_interval(fit.ci)} ({fit.confidence:.1%})", f"predicted {predicted:g}"]
        notes += [f"{hidden} models below the floor not shown"] if hidden else []
        notes += [f"{len(fit.warnings)} fit warnings (in the CSV)"] if fit.warnings else []
        ax_ex.text(
            0.97,
            0.97,
            "\n".join(notes),
            transform=ax_ex.transAxes,
            ha="right",
            va="top",
            fontsize=7,
            bbox=dict(boxstyle="round", fc="white", ec="0.7"),
        )
        ax_ex.set(
            xscale="log",
            yscale="log",
            xlabel="N = L·D",
            ylabel="test MSE − fitted floor",
            title=f"{task}: excess over the floor",
        )
        _plain_log_ticks(ax_ex.xaxis, Ns)
        ax_ex.legend(fontsize=6, loc="lower left")
        for r in data:
            rows.append(
                {
                    "series": "model",
                    "task": task,
                    **{k: r[k] for k in ("L", "D", "N", "params", "seed", "test_mse")},
                    "excess_over_floor": r["test_mse"] - floor,
                    **fit_cols,
                }
            )
    steps = mg.SETUPS[request.level]["gpt"]["steps"]
    fig.suptitle(
        "Mehta & Gupta T1b: pre-LN transformers (L, 4L), floor + power law in N\n"
        f"{_scale(request, ex['setup']['seeds'], steps)}",
        fontsize=8.5,
    )
    return _save(fig, axes, request, "mg-exponent", rows)


# --------------------------------------------------------------------------------------------------
# mg-allocation


def _mse_by_shape(rows: Sequence[dict[str, Any]]) -> dict[tuple[int, int], list[float]]:
    out: dict[tuple[int, int], list[float]] = {}
    for r in rows:
        out.setdefault((r["L"], r["D"]), []).append(r["test_mse"])
    return out


def _depth_curve(ax: Any, by_shape: dict[tuple[int, int], list[float]], optimum: Any, color: str, label: str) -> None:
    """Seed points, geometric means, the parabola in log L through the three means around the minimum, and L*
    with its interval."""
    shapes = sorted(by_shape)
    Ls = np.array([L for L, _ in shapes], dtype=float)
    for L, D in shapes:
        ax.plot([L] * len(by_shape[(L, D)]), by_shape[(L, D)], "o", color=color, ms=3, alpha=0.55)
    means = np.array(optimum.mean_log_error)
    ax.plot(Ls, np.exp(means), "-", color=color, lw=0.8, marker="D", mfc="none", ms=5, label=label)
    i = int(np.argmin(means))
    if 0 < i < len(Ls) - 1:
        x = np.log(Ls[i - 1 : i + 2])
        coef = np.polyfit(x, means[i - 1 : i + 2], 2)
        gx = np.linspace(x[0], x[-1], 60)
        ax.plot(np.exp(gx), np.exp(np.polyval(coef, gx)), ":", color=color, lw=1)
    ax.axvline(optimum.L_star, color=color, ls="--", lw=0.9)
    ax.axvspan(optimum.ci[0], optimum.ci[1], color=color, alpha=0.1)


def build_allocation(request: FigureRequest) -> Drawing:
    ctx = _context(request, "mg-allocation")
    ex = mg.allocation_experiment(ctx)
    tab = mg.tab3_experiment(ctx)
    sc = ex["scaling"]
    fig, axes = new_figure(2, 2, width=4.6, height=3.9)
    rows: list[dict[str, Any]] = []
    scale_cols = {
        "slope": sc.slope,
        "slope_low": sc.ci[0],
        "slope_high": sc.ci[1],
        "predicted_slope": mg.ALLOCATION_PREDICTED,
    }
    # panel 1: error against depth at fixed L·D
    ax = axes[0][0]
    all_L: list[int] = []
    for j, (N, opt) in enumerate(zip(sc.budgets, sc.optima)):
        data = ex["rows"][int(N)]
        by_shape = _mse_by_shape(data)
        all_L += [L for L, _ in by_shape]
        edge = " (grid edge: a bound)" if opt.edge else ""
        _depth_curve(ax, by_shape, opt, f"C{j}", f"N={int(N)}: L* = {opt.L_star:.2g} {_interval(opt.ci, 1)}{edge}")
        opt_cols = {"L_star": opt.L_star, "L_star_low": opt.ci[0], "L_star_high": opt.ci[1], "edge": opt.edge}
        rows += [
            {
                "series": "fixed-LD",
                "budget_N": int(N),
                **{k: r[k] for k in ("L", "D", "N", "params", "seed", "test_mse")},
                **opt_cols,
            }
            for r in data
        ]
        rows += [
            {
                "series": "fixed-LD mean",
                "budget_N": int(N),
                "L": L,
                "D": D,
                "geo_mean_mse": float(np.exp(m)),
                **opt_cols,
            }
            for (L, D), m in zip(sorted(by_shape), opt.mean_log_error)
        ]
    ax.set(
        xscale="log",
        yscale="log",
        xlabel="depth L  (width D = N / L)",
        ylabel="test MSE (◇: geometric mean over seeds)",
        title="fixed L·D: located best depth L* (95%)",
    )
    _plain_log_ticks(ax.xaxis, all_L, min_ratio=1.0)
    ax.legend(fontsize=6.5, loc="upper center", bbox_to_anchor=(0.5, -0.16), ncols=2)
    # panel 2: L* against N
    ax = axes[0][1]
    Ns = np.array(sc.budgets)
    Lst = np.array([o.L_star for o in sc.optima])
    for N, o in zip(Ns, sc.optima):
        ax.errorbar(
            [N],
            [o.L_star],
            yerr=[[o.L_star - o.ci[0]], [o.ci[1] - o.L_star]],
            fmt="o",
            color="C0",
            mfc="none" if o.edge else "C0",
            ms=5,
            capsize=3,
        )
        rows.append(
            {
                "series": "optimum",
                "budget_N": int(N),
                "L_star": o.L_star,
                "L_star_low": o.ci[0],
                "L_star_high": o.ci[1],
                "edge": o.edge,
                "edge_fraction": o.edge_fraction,
                **scale_cols,
            }
        )
    grid = _geomspace(Ns, pad=1.3)
    cx, cy = float(np.exp(np.mean(np.log(Ns)))), float(np.exp(np.mean(np.log(Lst))))
    ax.plot(grid, cy * (grid / cx) ** sc.slope, "C0-", lw=1, label=f"fit: s = {sc.slope:.2f} {_interval(sc.ci)} (95%)")
    ax.plot(grid, cy * (grid / cx) ** mg.ALLOCATION_PREDICTED, "k--", lw=0.9, label="predicted s = 2/3")
    ax.plot([], [], "o", color="C0", mfc="none", ls="none", label="hollow: L* on the grid edge")
    ax.set(xscale="log", yscale="log", xlabel="budget N = L·D", ylabel="best depth L*", title=r"$L^* \propto N^s$")
    _plain_log_ticks(ax.xaxis, Ns, min_ratio=1.0)
    ax.legend(fontsize=6.5, loc="upper left")
    # panel 3: the scaled Table 3 pair
    ax = axes[1][0]
    deep, wide = tab["shapes"]["deep"], tab["shapes"]["wide"]
    lo, hi = tab["interval"]
    jitter = np.linspace(-0.08, 0.08, max(len(tab["deep"]), len(tab["wide"]), 2))
    for x, name, shape, values, colr in ((0, "deep", deep, tab["deep"], "C3"), (1, "wide", wide, tab["wide"], "C4")):
        ax.plot(x + jitter[: len(values)], values, "o", color=colr, ms=4, alpha=0.7)
        ax.plot([x - 0.2, x + 0.2], [values.mean()] * 2, "-", color=colr, lw=2)
        rows += [
            {
                "series": f"tab3 {name}",
                "L": shape[0],
                "D": shape[1],
                "N": shape[0] * shape[1],
                "seed": s,
                "test_mse": float(v),
                "ratio_wide_over_deep": tab["ratio"],
                "ratio_low": lo,
                "ratio_high": hi,
                "stated_ratio": mg.TAB3_PREDICTED,
            }
            for s, v in zip(tab["seeds"], values)
        ]
    ax.set_xticks([0, 1], [f"deep {deep}", f"wide {wide}"])
    ax.set_xlim(-0.6, 1.6)
    ax.set(
        yscale="log",
        ylabel="test MSE (bar: seed mean)",
        title=(
            f"Table 3 pair scaled to N = {tab['budget']} (depth ratio 16, width ratio 1/16)\n"
            f"MSE(wide)/MSE(deep) = {tab['ratio']:.2f} {_interval(tab['interval'])} (95%); stated 4"
        ),
    )
    # panel 4: fixed 12·L·D²
    ax = axes[1][1]
    if ex["fixed"]:
        all_L = []
        for j, (P, f) in enumerate(sorted(ex["fixed"].items())):
            o = f["optimum"]
            by_shape = _mse_by_shape(f["rows"])
            all_L += [L for L, _ in by_shape]
            edge = " (edge)" if o.edge else ""
            _depth_curve(ax, by_shape, o, f"C{j + 5}", f"12·L·D² = {P}: L* = {o.L_star:.2g} {_interval(o.ci, 1)}{edge}")
            rows += [
                {
                    "series": "fixed-params",
                    "budget_12LD2": P,
                    **{k: r[k] for k in ("L", "D", "N", "params", "seed", "test_mse")},
                    "L_star": o.L_star,
                    "L_star_low": o.ci[0],
                    "L_star_high": o.ci[1],
                    "edge": o.edge,
                }
                for r in f["rows"]
            ]
        fs = ex["fixed_scaling"]
        extra = "" if fs is None else f"; L* ∝ P^{fs.slope:.2f} {_interval(fs.ci)}"
        ax.set(
            xscale="log",
            yscale="log",
            xlabel="depth L  (D halves as L quadruples)",
            ylabel="test MSE",
            title=f"fixed parameter budget 12·L·D²{extra}",
        )
        _plain_log_ticks(ax.xaxis, all_L, min_ratio=1.0)
        ax.legend(fontsize=6.5, loc="upper center", bbox_to_anchor=(0.5, -0.16), ncols=2)
    else:
        ax.axis("off")
        ax.text(
            0.5,
            0.5,
            "no fixed 12·L·D² budget at this level",
            ha="center",
            va="center",
            fontsize=8,
            transform=ax.transAxes,
        )
    steps = mg.SETUPS[request.level]["gpt"]["steps"]
    fig.suptitle(
        f"Mehta & Gupta A and Table 3: depth versus width (predicted L* ∝ N^(2/3); stated ratio 4)\n"
        f"{_scale(request, ex['setup']['seeds'], steps)}",
        fontsize=8.5,
    )
    return _save(fig, axes, request, "mg-allocation", rows)


# --------------------------------------------------------------------------------------------------
# mg-transition


def build_transition(request: FigureRequest) -> Drawing:
    from iclverify.numerics.stats.logistic_fit import logistic

    ex = mg.transition_experiment(_context(request, "mg-transition"))
    setup = ex["setup"]
    hs = list(setup["hs"])
    fig, axes = new_figure(3, len(hs), width=4.2, height=4.6)
    rows: list[dict[str, Any]] = []
    off_axis: list[str] = []
    for i, h in enumerate(hs):
        item = ex["per_h"][h]
        power, ks = 2 * (h + 1), list(item["ks"])
        all_N = sorted({r["N"] for kitem in item["per_k"].values() for r in kitem["rows"]})
        lo_N, hi_N = all_N[0] / 1.3, all_N[-1] * 1.3
        for ax, metric, name in (
            (axes[i][0], "mse", "continuous (MSE-based)"),
            (axes[i][1], "success", "thresholded (success-based)"),
        ):
            for j, k in enumerate(ks):
                kitem, colr = item["per_k"][k], f"C{j}"
                f = kitem["fits"][metric]
                pred = (k * h) ** power
                N = np.array([r["N"] for r in kitem["rows"]], dtype=float)
                s = np.array([r[f"score_{metric}"] for r in kitem["rows"]])
                ax.plot(N, s, MARKERS[j % len(MARKERS)], color=colr, ms=3.5, alpha=0.6)
                gx = np.linspace(math.log10(lo_N), math.log10(hi_N), 200)
                where = "" if lo_N <= pred <= hi_N else " (off-axis)"
                ax.plot(
                    10**gx,
                    logistic(gx, f.amplitude, f.centre, f.width),
                    "-",
                    color=colr,
                    lw=1.2,
                    label=rf"k={k}: $N_c = 10^{{{f.centre:.2f}}}$ {_interval(f.intervals['centre'])}; "
                    f"pred. {pred}{where}",
                )
                ax.axvline(f.N_c, color=colr, ls="--", lw=0.9)
                ax.axvspan(10 ** f.intervals["centre"][0], 10 ** f.intervals["centre"][1], color=colr, alpha=0.08)
                if lo_N <= pred <= hi_N:
                    ax.axvline(pred, color=colr, ls=":", lw=1.3)
                elif metric == "mse":
                    off_axis.append(f"h={h}, k={k}: {pred}")
                rows.append(
                    {
                        "series": f"fit {metric}",
                        "k": k,
                        "h": h,
                        "amplitude": f.amplitude,
                        "log10_N_c": f.centre,
                        "N_c": f.N_c,
                        "log10_N_c_low": f.intervals["centre"][0],
                        "log10_N_c_high": f.intervals["centre"][1],
                        "width_decades": f.width,
                        "rise_10_90_decades": f.rise_decades,
                        "predicted_N_c": pred,
                        "fit_warnings": _warn(f.warnings),
                    }
                )
            ax.axhline(0, color="grey", lw=0.5)
            ax.axhline(1, color="grey", lw=0.5)
            ax.plot([], [], "k--", lw=0.9, label=r"fitted $N_c$ (band: 95%)")
            ax.plot([], [], "k:", lw=1.3, label=rf"predicted $(kh)^{{{power}}}$")
            ax.set(
                xscale="log",
                xlim=(lo_N, hi_N),
                xlabel=f"N = L·D  (L = {setup['L']})",
                ylabel=f"h = {h}: normalised score\n(0: zero predictor, 1: Bayes-optimal)",
                title=f"depth-{h} trees: {name} score",
            )
            _plain_log_ticks(ax.xaxis, all_N)
            ax.legend(fontsize=6.5, loc="upper center", bbox_to_anchor=(0.5, -0.16))
        for k in ks:
            for r in item["per_k"][k]["rows"]:
                rows.append(
                    {
                        "series": "model",
                        **{
                            c: r[c]
                            for c in (
                                "k",
                                "h",
                                "L",
                                "D",
                                "N",
                                "seed",
                                "score_mse",
                                "score_success",
                                "test_mse",
                                "success",
                            )
                        },
                        "predicted_N_c": r["predicted_N_c"],
                    }
                )
        _transition_k_panel(axes[i][2], h, item, rows)
    diff = ex["difference"]
    if diff is not None:
        h0, h1 = diff["hs"]
        rows.append(
            {
                "series": "slope difference",
                "h": f"{h1}-{h0}",
                "slope": diff["estimate"],
                "slope_low": diff["interval"][0],
                "slope_high": diff["interval"][1],
                "predicted_slope": 2 * (h1 - h0),
            }
        )
    between = (
        f"; slope(h={h1}) − slope(h={h0}) = {diff['estimate']:.2f} {_interval(diff['interval'])} vs predicted "
        f"{2 * (h1 - h0)}"
        if diff is not None
        else ""
    )
    off = f"\npredicted $N_c$ beyond the swept N (off-axis): {', '.join(off_axis)}" if off_axis else ""
    fig.suptitle(
        f"Mehta & Gupta P3: emergence on depth-h trees (h = {', '.join(map(str, hs))}), transformers of depth "
        f"{setup['L']}{between}{off}\n{_scale(request, setup['seeds'], setup['steps'])}",
        fontsize=8.5,
    )
    return _save(fig, axes, request, "mg-transition", rows)


def _transition_k_panel(ax: Any, h: int, item: dict[str, Any], rows: list[dict[str, Any]]) -> None:
    """N_c against k at one h: both metrics' located N_c, the fitted and the predicted (2(h+1)) slopes."""
    power, ks = 2 * (h + 1), list(item["ks"])
    karr = np.array(ks, dtype=float)
    for metric, fmt, label in (("mse", "o", "continuous"), ("success", "s", "thresholded")):
        fits = [item["per_k"][k]["fits"][metric] for k in ks]
        c = np.array([f.centre for f in fits])
        err = np.array(
            [[f.centre - f.intervals["centre"][0] for f in fits], [f.intervals["centre"][1] - f.centre for f in fits]]
        )
        shift = 1.0 if metric == "mse" else 1.04
        ax.errorbar(
            karr * shift,
            10**c,
            yerr=[10**c - 10 ** (c - err[0]), 10 ** (c + err[1]) - 10**c],
            fmt=fmt,
            color="C0" if metric == "mse" else "C1",
            mfc="none" if metric == "success" else None,
            ms=5,
            capsize=3,
            label=f"measured $N_c$, {label} (95%)",
        )
    centres = np.array([item["per_k"][k]["fits"]["mse"].centre for k in ks])
    gk = _geomspace(ks, pad=1.2, num=50)
    mid_k, mid_c = float(np.exp(np.mean(np.log(karr)))), float(np.mean(centres))
    ax.plot(
        gk,
        10 ** (mid_c + item["slope"] * np.log10(gk / mid_k)),
        "C0-",
        lw=1,
        label=f"fit (continuous): slope {item['slope']:.2f} {_interval(item['interval'])}",
    )
    ax.plot(
        gk,
        10 ** (mid_c + power * np.log10(gk / mid_k)),
        "k--",
        lw=0.9,
        label=f"predicted slope {power}, through the data",
    )
    ax.plot(gk, (gk * h) ** power, ":", color="0.4", lw=1.2, label=rf"$(kh)^{{{power}}}$ (unit prefactor)")
    rows.append(
        {
            "series": "slope",
            "h": h,
            "slope": item["slope"],
            "slope_low": item["interval"][0],
            "slope_high": item["interval"][1],
            "predicted_slope": power,
        }
    )
    ax.set(
        xscale="log",
        yscale="log",
        xlabel="context length k",
        ylabel=r"$N_c$",
        title=rf"$N_c$ against k (h = {h}): $\log N_c$ slope in $\log k$",
    )
    _plain_log_ticks(ax.xaxis, ks, min_ratio=1.0)
    ax.legend(fontsize=6.5, loc="upper center", bbox_to_anchor=(0.5, -0.16))


FIGURES = [
    FigureSpec(
        name="mg-eta", help="trained LSA: per-layer step η against L and d, fitted slopes vs −½", draw=build_eta
    ),
    FigureSpec(
        name="mg-exponent",
        help="trained transformers: test MSE against N, floor + power law, exponent vs 1/4",
        draw=build_exponent,
    ),
    FigureSpec(
        name="mg-allocation",
        help="trained transformers: best depth L* at fixed L·D, L* ∝ N^s vs 2/3, Table 3 pair",
        draw=build_allocation,
    ),
    FigureSpec(
        name="mg-transition",
        help="trained transformers on trees: sigmoid emergence in N, N_c against k",
        draw=build_transition,
    ),
]
